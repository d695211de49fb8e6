/**
 * Child of the ingest bench (bundled with esbuild and run by plain `node`, as in Lambda): streams one S3 object
 * - `handler`: through the ingest-object function itself (its bundle, required here, invoked with an S3
 *   ObjectCreated event): item and idempotency records, S3 GetObject, multipart upload with checkpoints of
 *   stored parts, CommitUpload, the bus event;
 * - `client`: through the VOD client alone (S3 GetObject -> VodClient.upload -> CommitUpload), every request
 *   timed to split the run into phases;
 * - `raw`: the same GetObject stream piped into one plain node:http PUT.
 * Prints "@@bench {json}" with bytes, time and peak memory (VmHWM and sampled RSS).
 */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { VodClient, httpFetch, type Fetch } from '#lib/vod';

// target: the sink (raw), the emulator (client) or the function's bundle (handler); tag: the S3 ETag the handler's
// event carries (one item per run)
const [mode, bucket, key, sizeArg, target, tag] = process.argv.slice(2) as [string, string, string, string, string, string?];
const size = Number(sizeArg);

function vmHwmMiB(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

// not in handler mode: the function makes its own client
const s3 = mode === 'handler' ? undefined : new S3Client({ region: 'us-east-1', endpoint: process.env.AWS_ENDPOINT_URL_S3, forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
const getObject = async (): Promise<Readable> => (await s3!.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body as Readable;
async function main(): Promise<void> {
  let maxRss = 0;
  // process.memoryUsage.rss() reads only the RSS (memoryUsage() walks the heap spaces: 2 % of this child's CPU)
  const sampler = setInterval(() => { maxRss = Math.max(maxRss, process.memoryUsage.rss()); }, 20);
  // the function's init (loading its bundle, the AWS SDK, its configuration) happens before the clock starts, as
  // Lambda's init phase comes before the invocation it is not part of; it is reported as initMs
  const i0 = performance.now();
  const fn = mode === 'handler' ? createRequire(target)(target) as { handler: (event: unknown, context: unknown) => Promise<Array<{ vid: string }>> } : undefined;
  const initMs = performance.now() - i0;
  const rssAtStart = process.memoryUsage().rss / 1048576;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  let extra: Record<string, unknown> = {};
  if (fn) {
    const event = { Records: [{ eventVersion: '2.1', eventSource: 'aws:s3', awsRegion: 'us-east-1', eventName: 'ObjectCreated:Put',
      s3: { s3SchemaVersion: '1.0', bucket: { name: bucket, arn: `arn:aws:s3:::${bucket}` }, object: { key, size, eTag: tag } } }] };
    const context = { awsRequestId: `bench-${tag}`, functionName: 'ingest-object', getRemainingTimeInMillis: () => 900_000 };
    const results = await fn.handler(event, context);
    extra = { vid: results[0]?.vid, initMs };
  } else if (mode === 'raw') {
    await new Promise<void>((resolve, reject) => {
      const req = request(target, { method: 'PUT', headers: { 'content-length': String(size) } }, (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`sink answered ${res.statusCode}`))));
      });
      req.on('error', reject);
      getObject().then((body) => pipeline(body, req)).catch(reject);
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
    const upload = await vod.upload({ spaceName: 'demo-space', fileType: 'video', body: await getObject(), size });
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
  s3?.destroy();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

