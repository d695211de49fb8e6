/**
 * CPU time of the emulator's upload host per uploaded GiB (the ingest bench is CPU-bound on it; wall time is too
 * noisy on a shared machine). Starts `cli.ts` of each given tree as its own process (on disk, in a mkdtemp dir),
 * uploads incompressible bytes as a gateway multipart (10 MiB parts, 3 in flight, plain node:http PUTs; or the
 * project's `VodClient.upload` with `--client vod`), commits with GetMeta, checks md5 and size, and reads the
 * emulator's utime + stime from /proc/<pid>/stat before and after. Trees alternate within each round; the ratio to
 * the first tree (the baseline) is the median of the rounds' ratios.
 *
 *   node --import tsx local/emulator/measure-upload-cpu.ts [--sizes 256,1024] [--rounds 3] [--client http|vod]
 *     [--tree NAME=/path/to/checkout ...]      (default: this checkout as "current"; the first is the baseline)
 *     [--node-arg=--cpu-prof ...]              (flags of the emulator's node, e.g. to profile it)
 *
 * Only 127.0.0.1 is contacted; each run's data dir is removed after it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { crc32 } from 'node:zlib';
import { VodClient } from '#lib/vod';
import { DEFAULT_CREDENTIALS } from './options.ts';

const MiB = 1024 * 1024;
const PART = 10 * MiB;
const PARALLEL = 3;
const CLOCK_TICKS_PER_S = 100; // USER_HZ on Linux

/** Distinct random parts, reused round-robin: incompressible bytes without generating a GiB per run. */
const POOL = Array.from({ length: 8 }, () => randomBytes(PART));
const POOL_CRC = POOL.map((b) => crc32(b) >>> 0);
const partBytes = (i: number, size: number): Buffer => POOL[i % POOL.length]!.subarray(0, Math.min(PART, size - i * PART));
const partCount = (size: number): number => Math.ceil(size / PART);

function expectedMd5(size: number): string {
  const h = createHash('md5');
  for (let i = 0; i < partCount(size); i++) h.update(partBytes(i, size));
  return h.digest('hex');
}

async function cpuMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from the 3rd (state) on
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_S; // utime, stime
}

async function startEmulator(root: string, dataDir: string, nodeArgs: string[]): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', join(root, 'local/emulator/cli.ts'), '--port', '0', '--data-dir', dataDir, '--seed', '1'], {
    cwd: root, stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((done, fail) => {
    let out = '';
    const onData = (chunk: Buffer): void => {
      out += String(chunk);
      const m = /ready at (http:\/\/\S+)/.exec(out);
      if (!m) return;
      child.stdout!.off('data', onData);
      child.stdout!.pipe(process.stderr); // what it prints later (e.g. with --node-arg=--trace-gc)
      done(m[1]!);
    };
    child.stdout!.on('data', onData);
    child.once('exit', () => fail(new Error(`emulator of ${root} exited before its ready line: ${out}`)));
  });
  return { child, url };
}

interface Store { url: string; auth: string }

function call(agent: Agent, method: string, url: string, headers: Record<string, string>, body?: Buffer | string): Promise<Record<string, unknown>> {
  return new Promise((done, fail) => {
    const req = request(url, { method, agent, headers: { ...headers, 'content-length': String(body?.length ?? 0) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const json = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
        if (res.statusCode === 200) done(json); else fail(new Error(`${method} ${url}: ${res.statusCode} ${JSON.stringify(json)}`));
      });
    });
    req.on('error', fail);
    req.end(body);
  });
}

/** Gateway multipart by hand: what the upload host sees from a client with 3 parts in flight. */
async function uploadParts(store: Store, size: number): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: PARALLEL });
  const h = { authorization: store.auth, 'x-storage-mode': 'gateway' };
  try {
    const init = await call(agent, 'PUT', `${store.url}?uploads`, h);
    const uploadId = (init.payload as { uploadID: string }).uploadID;
    const crcs: string[] = [];
    let next = 0;
    const worker = async (): Promise<void> => {
      for (let i = next++; i < partCount(size); i = next++) {
        const bytes = partBytes(i, size);
        const crc = (bytes.length === PART ? POOL_CRC[i % POOL.length]! : crc32(bytes) >>> 0).toString(16).padStart(8, '0');
        crcs[i] = `${i + 1}:${crc}`;
        await call(agent, 'PUT', `${store.url}?partNumber=${i + 1}&uploadID=${uploadId}`, { ...h, 'content-crc32': crc }, bytes);
      }
    };
    await Promise.all(Array.from({ length: PARALLEL }, worker));
    await call(agent, 'PUT', `${store.url}?uploadID=${uploadId}`, h, crcs.join(','));
  } finally {
    agent.destroy();
  }
}

function body(size: number): Readable {
  return Readable.from((function* () { for (let i = 0; i < partCount(size); i++) yield partBytes(i, size); })());
}

interface RunOptions { client: 'http' | 'vod'; nodeArgs: string[] }

async function run(root: string, size: number, o: RunOptions): Promise<{ cpuMs: number; md5: string }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'vod-emu-cpu-'));
  const { child, url } = await startEmulator(root, dataDir, o.nodeArgs);
  try {
    const vod = new VodClient({ endpoint: url, credentials: DEFAULT_CREDENTIALS });
    const cpu0 = await cpuMs(child.pid!);
    let sessionKey: string;
    if (o.client === 'vod') {
      sessionKey = (await vod.upload({ spaceName: 'demo-space', fileType: 'video', body: body(size), size, partSize: PART, parallel: PARALLEL })).sessionKey;
    } else {
      const apply = await vod.applyUpload({ SpaceName: 'demo-space', FileType: 'video' });
      const info = apply.UploadAddress.StoreInfos[0]!;
      await uploadParts({ url: `${url}/${info.StoreUri}`, auth: info.Auth }, size);
      sessionKey = apply.UploadAddress.SessionKey;
    }
    const commit = await vod.commitUpload({ SpaceName: 'demo-space', SessionKey: sessionKey, Functions: [{ Name: 'GetMeta' }] });
    const meta = commit.Results[0]!.VideoMeta!;
    if (meta.Size !== size) throw new Error(`size ${meta.Size}, expected ${size}`);
    return { cpuMs: (await cpuMs(child.pid!)) - cpu0, md5: meta.Md5 ?? '' };
  } finally {
    child.kill('SIGTERM');
    if (child.exitCode === null) await once(child, 'exit');
    await rm(dataDir, { recursive: true, force: true });
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length / 2;
  return Number.isInteger(mid) ? (s[mid - 1]! + s[mid]!) / 2 : s[Math.floor(mid)]!;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: {
    sizes: { type: 'string', default: '256,1024' }, rounds: { type: 'string', default: '3' },
    client: { type: 'string', default: 'http' }, tree: { type: 'string', multiple: true }, 'node-arg': { type: 'string', multiple: true },
  } });
  const client = values.client === 'vod' ? 'vod' : 'http';
  const nodeArgs = values['node-arg'] ?? [];
  const trees = (values.tree ?? [`current=${fileURLToPath(new URL('../..', import.meta.url))}`]).map((t) => { const i = t.indexOf('='); return { name: t.slice(0, i), root: resolve(t.slice(i + 1)) }; });
  const sizes = values.sizes.split(',').map((s) => Number(s) * MiB);
  const md5s = new Map(sizes.map((s) => [s, expectedMd5(s)]));
  const perGiB = new Map<string, number[]>();
  const key = (tree: string, size: number): string => `${tree} ${size / MiB} MiB`;
  for (let round = 0; round < Number(values.rounds); round++) {
    // alternate the order of trees each round, so that neither always runs first
    const order = round % 2 === 0 ? trees : [...trees].reverse();
    for (const size of sizes) for (const t of order) {
      const r = await run(t.root, size, { client, nodeArgs });
      if (r.md5 !== md5s.get(size)) throw new Error(`${t.name}: md5 ${r.md5}, expected ${md5s.get(size)}`);
      const ms = r.cpuMs / (size / 1024 / MiB);
      perGiB.set(key(t.name, size), [...(perGiB.get(key(t.name, size)) ?? []), ms]);
      process.stdout.write(`round ${round + 1}: ${key(t.name, size)}: emulator CPU ${r.cpuMs.toFixed(0)} ms = ${ms.toFixed(0)} ms/GiB\n`);
    }
  }
  // a ratio is taken within each round (runs minutes apart see different load), then the median over rounds
  process.stdout.write(`\nemulator CPU ms per GiB (client ${client}): median [each round]; x the first tree, median of the rounds' ratios:\n`);
  for (const size of sizes) {
    const base = perGiB.get(key(trees[0]!.name, size))!;
    for (const t of trees) {
      const xs = perGiB.get(key(t.name, size))!;
      const ratio = median(xs.map((x, i) => x / base[i]!));
      process.stdout.write(`  ${key(t.name, size)}: ${median(xs).toFixed(0)} [${xs.map((x) => x.toFixed(0)).join(', ')}]; ${ratio.toFixed(2)} x\n`);
    }
  }
}

main().catch((e: unknown) => { process.stderr.write(`${(e as Error).stack ?? String(e)}\n`); process.exit(1); });
