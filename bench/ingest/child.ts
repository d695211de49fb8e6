/**
 * Child of the ingest bench (bundled with esbuild and run by plain `node`, as in Lambda): streams one S3 object
 * either through ingest-object's code path (S3 GetObject -> VodClient.upload (multipart, parallel parts) ->
 * CommitUpload, as lib/pipeline's ingestObject does) or raw (the same GetObject stream piped into one plain
 * node:http PUT). Prints "@@bench {json}" with bytes, time and peak memory (VmHWM and sampled RSS).
 */
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { VodClient, httpFetch, type Fetch } from '#lib/vod';

const [mode, bucket, key, sizeArg, target, parallelArg] = process.argv.slice(2) as [string, string, string, string, string, string?];
const size = Number(sizeArg);

function vmHwmMiB(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

const s3 = new S3Client({ region: 'us-east-1', endpoint: process.env.AWS_ENDPOINT_URL_S3, forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
async function main(): Promise<void> {
  let maxRss = 0;
  // process.memoryUsage.rss() reads only the RSS (memoryUsage() walks the heap spaces: 2 % of this child's CPU)
  const sampler = setInterval(() => { maxRss = Math.max(maxRss, process.memoryUsage.rss()); }, 20);
  const rssAtStart = process.memoryUsage().rss / 1048576;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const obj = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const body = obj.Body as Readable;
  let extra: Record<string, unknown> = {};
  if (mode === 'raw') {
    await new Promise<void>((resolve, reject) => {
      const req = request(target, { method: 'PUT', headers: { 'content-length': String(size) } }, (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`sink answered ${res.statusCode}`))));
      });
      req.on('error', reject);
      pipeline(body, req).catch(reject);
    });
  } else {
    // every request timed, to split the run into ApplyUpload / init / parts / complete / CommitUpload
    const calls: Array<{ kind: string; start: number; end: number }> = [];
    const timedFetch: Fetch = async (url, init) => {
      const kind = /Action=(\w+)/.exec(url)?.[1] ?? (/partNumber=/.test(url) ? 'part' : /\?uploads/.test(url) ? 'init' : /uploadID=/.test(url) ? 'complete' : 'put');
      const start = performance.now();
      try {
        return await httpFetch(url, init);
      } finally {
        calls.push({ kind, start, end: performance.now() });
      }
    };
    const vod = new VodClient({ endpoint: target, fetch: timedFetch, credentials: { accessKeyId: 'AKLTlocalemulator', secretAccessKey: 'local-emulator-secret' } });
    const upload = await vod.upload({ spaceName: 'demo-space', fileType: 'video', body, size, ...(parallelArg ? { parallel: Number(parallelArg) } : {}) });
    const committed = await vod.commitUpload({ SpaceName: 'demo-space', SessionKey: upload.sessionKey, Functions: [{ Name: 'GetMeta' }] } as never);
    const span = (kind: string) => {
      const cs = calls.filter((c) => c.kind === kind);
      return cs.length ? { n: cs.length, ms: Math.max(...cs.map((c) => c.end)) - Math.min(...cs.map((c) => c.start)), maxOneMs: Math.max(...cs.map((c) => c.end - c.start)) } : undefined;
    };
    extra = {
      vid: (committed as { Results?: Array<{ Vid?: string }> }).Results?.[0]?.Vid,
      phases: { apply: span('ApplyUpload'), init: span('init'), parts: span('part'), complete: span('complete'), commit: span('CommitUpload') },
    };
  }
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  clearInterval(sampler);
  maxRss = Math.max(maxRss, process.memoryUsage().rss);
  process.stdout.write(`\n@@bench ${JSON.stringify({ mode, bytes: size, ms, mibPerSec: size / 1048576 / (ms / 1000), cpuMs: (cpu.user + cpu.system) / 1000, vmHwmMiB: vmHwmMiB(), maxRssMiB: maxRss / 1048576, rssAtStartMiB: rssAtStart, ...extra })}\n`);
  s3.destroy();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

