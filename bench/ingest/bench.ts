/**
 * Streaming ingest: objects of 64 MiB, 256 MiB and 1 GiB in a local S3 (s3rver, on disk under /tmp), streamed by a
 * child process through the ingest-object function (its bundle, with dynalite and a recording bus for its records
 * and event) and through the VOD client alone, to the VOD emulator (storing on disk), against a raw loopback copy
 * of the same bytes (the same S3 GetObject stream piped into a plain node:http PUT sink writing to disk).
 */
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { BUCKET, functionEnv, startRecordingBus } from '../../test/unit/pipeline/harness.ts';
import { bundle } from '../coldstart/build.ts';
import { fmt, median, paired, table } from '../lib/stats.ts';
import { ingestChecks, printChecks } from '../lib/targets.ts';
import { formatSummary, summariseProfile, type ProfileSummary } from '../profile/summarise.ts';

const MiB = 1024 * 1024;
const ROOT = join(import.meta.dirname, '../..');

interface Span { n: number; ms: number; maxOneMs: number }
interface Run {
  mode: string; bytes: number; ms: number; mibPerSec: number; cpuMs: number; parentCpuMs?: number; receiverCpuMs?: number; dynamoCpuMs?: number; initMs?: number; vmHwmMiB: number; maxRssMiB: number; rssAtStartMiB: number; vid?: string;
  phases?: Record<'apply' | 'init' | 'parts' | 'complete' | 'commit', Span | undefined>;
}

/** Deterministic incompressible bytes: a 1 MiB random block, its first 8 bytes varied per MiB. */
function objectStream(size: number): Readable {
  const block = randomBytes(MiB);
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= size) return void this.push(null);
      const n = Math.min(MiB, size - sent);
      const chunk = Buffer.from(block.subarray(0, n));
      chunk.writeUInt32BE(sent / MiB, 0);
      sent += n;
      this.push(chunk);
    },
  });
}

let lastChildOutput = '';

/** CPU time (user + system) of a process so far, from /proc/<pid>/stat (clock ticks of 10 ms). */
function procCpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

interface Server { url: string; cpuMs(): number; stop(): Promise<void> }
/** Starts a server process and waits for its ready line; stop() sends SIGTERM to that process only. */
async function startServer(cmd: string, args: string[], ready: RegExp): Promise<Server> {
  const child = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err = (err + d).slice(-2000)));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d;
      const m = ready.exec(out);
      if (m) resolve(m[1]!);
    });
    child.on('exit', (code) => reject(new Error(`${args.join(' ')} exited ${code}: ${err}`)));
  });
  const exited = new Promise<void>((r) => child.on('exit', () => r()));
  return { url, cpuMs: () => procCpuMs(child.pid!), stop: async () => { child.kill('SIGTERM'); await exited; } };
}

/** Runs the child; also counts the CPU meanwhile of this process (s3rver), the receiver and dynalite. */
function runChild(file: string, args: string[], env: NodeJS.ProcessEnv, nodeFlags: string[] = [], receiver?: Server, dynamo?: Server): Promise<Run> {
  const cpu0 = process.cpuUsage();
  const recv0 = receiver?.cpuMs() ?? 0;
  const dyn0 = dynamo?.cpuMs() ?? 0;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeFlags, file, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (err += d));
    child.on('close', (code) => {
      lastChildOutput = out;
      const line = out.split('\n').reverse().find((l) => l.startsWith('@@bench '));
      if (!line) return reject(new Error(`ingest child exited ${code}: ${err.slice(-1500)}`));
      const c = process.cpuUsage(cpu0);
      resolve({ ...(JSON.parse(line.slice(8)) as Run), parentCpuMs: (c.user + c.system) / 1000, ...(receiver ? { receiverCpuMs: receiver.cpuMs() - recv0 } : {}), ...(dynamo ? { dynamoCpuMs: dynamo.cpuMs() - dyn0 } : {}) });
    });
  });
}

export async function runIngest(opts: { outDir: string; quick?: boolean }): Promise<{ result: unknown; report: string }> {
  const sizes = process.env.BENCH_INGEST_SIZES ? process.env.BENCH_INGEST_SIZES.split(",").map((m) => Number(m) * MiB) : opts.quick ? [64 * MiB, 256 * MiB] : [64 * MiB, 256 * MiB, 1024 * MiB];
  const repeats = (size: number) => (opts.quick ? 2 : size >= 1024 * MiB ? 2 : size >= 256 * MiB ? 3 : 5);
  const childFile = join(opts.outDir, 'ingest-child.cjs');
  // not minified, so the CPU profile names our functions (minification changes nothing at run time here)
  await bundle(join(import.meta.dirname, 'child.ts'), childFile, { runtimeSdk: true, minify: false });
  // the function as deployed: minified and bundled whole, as serverless.yml bundles it
  const handlerFile = (await bundle(join(ROOT, 'functions/ingest-object/handler.ts'), join(opts.outDir, 'ingest-object.cjs'))).file;
  const dir = await mkdtemp(join(tmpdir(), 'vod-bench-ingest-'));
  // the function's item and idempotency tables (dynalite, in a process of its own) and a bus that records its event
  const dynamo = await startServer(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'dynamo.ts')], /ready at (http:\/\/\S+)/);
  const bus = await startRecordingBus();

  const s3rver = new S3rver({ port: 0, address: '127.0.0.1', directory: join(dir, 's3'), silent: true, configureBuckets: [{ name: BUCKET }] });
  const { port: s3Port } = await s3rver.run();
  const s3Url = `http://127.0.0.1:${s3Port}`;
  // The emulator and the raw sink each run in a process of their own (as in the local stack), so neither
  // competes with s3rver (here) for one event loop.
  const emulator = await startServer(process.execPath, ['--import', 'tsx', join(ROOT, 'local/emulator/cli.ts'), '--port', '0', '--data-dir', join(dir, 'emulator'), '--transcode-delay', '0'], /ready at (http:\/\/\S+)/);
  const sink = await startServer(process.execPath, [join(import.meta.dirname, 'sink.cjs'), dir], /ready at (http:\/\/\S+)/);
  const sinkUrl = sink.url;
  const s3 = new S3Client({ region: 'us-east-1', endpoint: s3Url, forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
  const env = { ...process.env, NODE_PATH: join(ROOT, 'node_modules'), NODE_OPTIONS: '', AWS_ENDPOINT_URL_S3: s3Url, AWS_EC2_METADATA_DISABLED: 'true' };
  // what serverless.yml and the local stack give the function
  const handlerEnv = {
    ...env, ...functionEnv({ dynamodb: dynamo.url, s3: s3Url, eventbridge: bus.url, vod: emulator.url }),
    AWS_LAMBDA_FUNCTION_NAME: 'ingest-object', POWERTOOLS_LOG_LEVEL: 'SILENT',
  };

  const results: Record<string, { raw: Run[]; handler: Run[]; client: Run[] }> = {};
  let profile: ProfileSummary | undefined;
  try {
    for (const size of sizes) {
      const key = `incoming/bench-${size / MiB}MiB.mp4`;
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: objectStream(size), ContentLength: size }));
      const r = (results[`${size / MiB} MiB`] = { raw: [] as Run[], handler: [] as Run[], client: [] as Run[] });
      for (let i = 0; i < repeats(size); i++) {
        // Each run starts with no dirty pages left by the one before: the emulator fsyncs its state file at
        // ApplyUpload, and on ext4 that fsync waited for the writeback of the previous run's GiB (0.8 s).
        // The i-th runs of the three form a group run back to back, which of them first rotating.
        const runs = [
          async () => { execFileSync('sync'); r.raw.push(await runChild(childFile, ['raw', BUCKET, key, String(size), sinkUrl], env, [], sink)); },
          async () => { execFileSync('sync'); r.handler.push(await runChild(childFile, ['handler', BUCKET, key, String(size), handlerFile, `bench-${size / MiB}-${i}`], handlerEnv, [], emulator, dynamo)); },
          async () => { execFileSync('sync'); r.client.push(await runChild(childFile, ['client', BUCKET, key, String(size), emulator.url], env, [], emulator)); },
        ];
        for (let k = 0; k < runs.length; k++) await runs[(i + k) % runs.length]!();
      }
    }
    // one more run of the largest object through the function under the CPU profiler, to see where the child's
    // time goes (its bundle not minified here, so that the profile names its functions)
    const largest = sizes[sizes.length - 1]!;
    const profDir = join(opts.outDir, 'prof-ingest');
    await rm(profDir, { recursive: true, force: true });
    const traceGc = process.env.BENCH_INGEST_TRACE_GC ? ['--trace-gc'] : [];
    const devHandler = (await bundle(join(ROOT, 'functions/ingest-object/handler.ts'), join(opts.outDir, 'ingest-object.dev.cjs'), { minify: false })).file;
    execFileSync('sync');
    await runChild(childFile, ['handler', BUCKET, `incoming/bench-${largest / MiB}MiB.mp4`, String(largest), devHandler, 'bench-profile'], handlerEnv, ['--cpu-prof', '--cpu-prof-dir', profDir, '--cpu-prof-interval', '500', ...traceGc]);
    if (traceGc.length) writeFileSync(join(opts.outDir, 'ingest-trace-gc.log'), lastChildOutput);
    const file = (await readdir(profDir)).find((f) => f.endsWith('.cpuprofile'));
    profile = file ? summariseProfile(join(profDir, file), 15) : undefined;
  } finally {
    s3.destroy();
    await Promise.all([sink.stop(), emulator.stop(), bus.close(), dynamo.stop()]);
    await s3rver.close();
    await rm(dir, { recursive: true, force: true });
  }

  const rows = Object.entries(results).flatMap(([label, r]) => (['handler', 'client'] as const).map((who) => {
    const ours = r[who];
    const x = paired(ours.map((y) => y.mibPerSec), r.raw.map((y) => y.mibPerSec), (a, b) => a / b);
    const hwm = Math.max(...ours.map((y) => y.vmHwmMiB));
    return [label, who, fmt(median(r.raw.map((y) => y.mibPerSec)), 0), fmt(median(ours.map((y) => y.mibPerSec)), 0), x.median.toFixed(2), `${x.p25.toFixed(2)}-${x.p75.toFixed(2)}`,
      fmt(Math.max(...r.raw.map((y) => y.vmHwmMiB)), 0), fmt(hwm, 0), fmt(median(ours.map((y) => y.rssAtStartMiB)), 0), `${ours.length}`,
      who === 'handler' ? printChecks(ingestChecks(label, x.median, hwm)) : ''];
  }));
  const phaseRows = Object.entries(results).map(([label, r]) => {
    const m = (k: 'apply' | 'init' | 'parts' | 'complete' | 'commit') => fmt(median(r.client.map((x) => x.phases?.[k]?.ms ?? Number.NaN)), 0);
    const part = median(r.client.map((x) => x.phases?.parts?.maxOneMs ?? Number.NaN));
    const cpu = (runs: Run[]) => [fmt(median(runs.map((x) => x.ms)), 0), fmt(median(runs.map((x) => x.cpuMs)), 0), fmt(median(runs.map((x) => x.parentCpuMs ?? Number.NaN)), 0), fmt(median(runs.map((x) => x.receiverCpuMs ?? Number.NaN)), 0)];
    return [label, fmt(median(r.handler.map((x) => x.initMs ?? Number.NaN)), 0), ...cpu(r.handler), fmt(median(r.handler.map((x) => x.dynamoCpuMs ?? Number.NaN)), 0), ...cpu(r.client), ...cpu(r.raw), m('apply'), m('init'), m('parts'), String(r.client[0]?.phases?.parts?.n ?? '-'), fmt(part, 0), m('complete'), m('commit')];
  });
  const report = [
    'ingest: S3 (s3rver, this process) -> child process -> emulator process; handler: the ingest-object function (items, idempotency and',
    '        checkpoints in dynalite, a process of its own); client: VodClient.upload + CommitUpload alone; raw: the same GetObject stream piped into',
    '        one plain PUT to a sink process. Both receivers write to /tmp.',
    'x raw: median of the paired ratios (each run over the raw run of its group), p25-p75 their quartiles; targets judged on the handler',
    '(throughput >= 0.70 for the 1 GiB object; peak RSS <= 160 MiB at every size)',
    table(['object', 'path', 'raw MiB/s', 'MiB/s', 'x raw', 'p25-p75', 'raw peak RSS', 'peak RSS (VmHWM MiB)', 'RSS after load', 'runs', 'targets'], rows),
    '',
    'where the time goes (median ms; CPU per process; the client\'s phases are spans of its requests):',
    table(['object', 'handler init', 'handler total', 'child CPU', 's3rver CPU', 'emulator CPU', 'dynalite CPU', 'client total', 'child CPU', 's3rver CPU', 'emulator CPU', 'raw total', 'child CPU', 's3rver CPU', 'sink CPU',
      'ApplyUpload', 'init', 'parts span', 'parts', 'slowest part', 'complete', 'CommitUpload'], phaseRows),
    '(s3rver runs in the bench process; the emulator, the sink and dynalite in processes of their own; the handler\'s init is not in its total)',
    ...(profile ? ['', `CPU profile of the child (handler, ${sizes[sizes.length - 1]! / MiB} MiB):`, formatSummary(profile)] : []),
  ].join('\n');
  return { result: { runs: results, profile }, report };
}
