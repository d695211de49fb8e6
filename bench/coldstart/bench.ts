/**
 * Cold start: every function bundled with serverless.yml's esbuild options, its minified size, and the time to
 * `require` it and run its first invocation in a fresh `node` (N times, medians), against the same operation
 * written with @volcengine/openapi (bench/baseline), bundled the same way. Local services (dynalite with the
 * tables of serverless.yml, the VOD emulator, s3rver, a recording bus) come from the pipeline test harness, all
 * on 127.0.0.1.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { VodClient } from '#lib/vod';
import { fmt, median, paired, table } from '../lib/stats.ts';
import { coldChecks, printChecks, tokenChecks } from '../lib/targets.ts';
import { bundle, byOrigin, type Bundle } from './build.ts';
import { runChild, type Run } from './child.ts';
import { FLOORS, FUNCTIONS, PROFILED } from './functions.ts';
import { GROUPS, groupShares, profileCold, type ColdProfile } from './profile.ts';

const ROOT = join(import.meta.dirname, '../..');
const PLACEHOLDER_VID = 'v0d000000000000000000000001';
/** The S3 key of test/events/s3/object-created-put.json (URL-encoded, as S3 events carry keys). */
const FIXTURE_KEY = 'incoming/my+holiday+clip.mp4';
/**
 * Functions whose work is done once per object or Vid (their item, kept in dynalite across processes, says it is
 * done): each process gets a new object or Vid, made before its clock starts; with one event for all, every process
 * after the first found the work done (no VOD call, no item write) and measured a fraction of it.
 */
const ONCE_PER_UNIT = new Set(['ingest-object', 'transcode-on-commit', 'publish']);

interface Cold {
  size: number; gzip: number; requireMs: number; invokeMs: number; coldMs: number; cpuMs: number; okRuns: number; runs: number;
  /** What the first invocations answered, most frequent first (`answerOf`): a refusal is not the operation's work. */
  answers: string;
  /** cold ms of every process, in run order: the i-th was run moments before the i-th of its baseline (paired ratios). */
  coldRuns: number[];
  sample?: string; topInputs: Array<{ origin: string; bytes: number }>;
}

function summarise(b: Bundle, runs: Run[]): Cold {
  const ok = runs.filter((r) => r.ok);
  const firstBad = runs.find((r) => !r.ok);
  return {
    size: b.bytes, gzip: b.gzipBytes,
    requireMs: median(runs.map((r) => r.requireMs)),
    invokeMs: median(runs.map((r) => r.invokeMs)),
    coldMs: median(runs.map((r) => r.requireMs + r.invokeMs)),
    coldRuns: runs.map((r) => r.requireMs + r.invokeMs),
    cpuMs: median(runs.map((r) => r.cpuMs)),
    okRuns: ok.length, runs: runs.length, answers: answers(runs),
    ...(firstBad ? { sample: `status ${firstBad.status ?? '-'} ${firstBad.error ?? firstBad.body ?? ''}`.slice(0, 200) } : {}),
    topInputs: byOrigin(b).slice(0, 6),
  };
}

/**
 * What a first invocation answered: the VOD error code in its body (the vendor SDK returns error answers rather than
 * throwing), else its HTTP status, else 'done' (an event handler's result) or 'threw'.
 */
function answerOf(r: Run): string {
  const code = /"Error":\{"Code":"(\w+)"/.exec(r.body ?? '')?.[1];
  if (code) return code;
  if (r.error !== undefined) return 'threw';
  return r.status !== undefined ? String(r.status) : 'done';
}

/** The answers of `runs`, most frequent first: `200` or `200 14, 401 1`. */
function answers(runs: Run[]): string {
  const counts = new Map<string, number>();
  for (const answer of runs.map(answerOf)) counts.set(answer, (counts.get(answer) ?? 0) + 1);
  const sorted = [...counts].sort((a, b) => b[1] - a[1]);
  return sorted.length === 1 ? sorted[0]![0] : sorted.map(([a, n]) => `${a} ${n}`).join(', ');
}

/** Events the fixtures lack, derived from a fixture of the same API. */
function extraEvents(dir: string): void {
  const base = JSON.parse(readFileSync(join(ROOT, 'test/events/http/play-info.json'), 'utf8'));
  const post = JSON.parse(readFileSync(join(ROOT, 'test/events/http/issue-upload-token.json'), 'utf8'));
  const byUrl = { ...post, routeKey: 'POST /uploads/by-url', rawPath: '/uploads/by-url', body: JSON.stringify({ urls: ['http://127.0.0.1:9/bench.mp4'] }),
    requestContext: { ...post.requestContext, http: { ...post.requestContext.http, path: '/uploads/by-url' }, routeKey: 'POST /uploads/by-url' } };
  const status = { ...base, routeKey: 'GET /items/{id}', rawPath: '/items/url%3Abench', rawQueryString: '', queryStringParameters: undefined,
    pathParameters: { id: 'url:bench' }, requestContext: { ...base.requestContext, http: { ...base.requestContext.http, path: '/items/url%3Abench' }, routeKey: 'GET /items/{id}' } };
  mkdirSync(join(dir, 'http'), { recursive: true });
  writeFileSync(join(dir, 'http/upload-by-url.json'), JSON.stringify(byUrl));
  writeFileSync(join(dir, 'http/item-status.json'), JSON.stringify(status));
}

export async function runColdstart(opts: { outDir: string; quick?: boolean }): Promise<{ result: unknown; report: string }> {
  const n = opts.quick ? 5 : 15;
  // BENCH_FUNCTIONS=play-info,issue-sts2 limits the run to those functions (and floors) by name
  const only = process.env.BENCH_FUNCTIONS?.split(',');
  const functions = only ? FUNCTIONS.filter((f) => only.includes(f.name)) : FUNCTIONS;
  const floors = only ? FLOORS.filter((f) => only.includes(f.name)) : FLOORS;
  const outDir = join(opts.outDir, 'coldstart');
  const bundles = join(outDir, 'bundles');
  const events = join(outDir, 'events');
  mkdirSync(bundles, { recursive: true });

  // Local services, and the process environment every function reads (as serverless.yml + the launcher set it).
  const { startHarness, BUCKET } = await import('../../test/unit/pipeline/harness.ts');
  const h = await startHarness({ env: { API_KEYS: 'test-api-key-0001,test-api-key-000000000001', POWERTOOLS_LOG_LEVEL: 'SILENT' } });
  try {
    const vod = new VodClient({ endpoint: h.emulator.url, credentials: { accessKeyId: 'AKLTlocalemulator', secretAccessKey: 'local-emulator-secret' } });
    const sample = readFileSync(join(ROOT, 'samples/sample.mp4'));
    const committed = await vod.uploadVideo({ spaceName: 'demo-space', body: sample, fileType: 'video' } as never);
    const vid = committed.Results[0]?.Vid;
    if (!vid) throw new Error('the emulator returned no Vid for the sample upload');
    await h.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'incoming/my holiday clip.mp4', Body: sample }));

    // fixtures with the placeholder vid replaced by a real one
    extraEvents(events);
    const eventFile = (rel: string): string => {
      const src = [join(events, rel), join(ROOT, 'test/events', rel)].find((p) => { try { readFileSync(p); return true; } catch { return false; } })!;
      const dst = join(events, rel);
      mkdirSync(join(dst, '..'), { recursive: true });
      writeFileSync(dst, readFileSync(src, 'utf8').replaceAll(PLACEHOLDER_VID, vid).replaceAll('"REPLACED"', JSON.stringify(vid)));
      return dst;
    };
    // a new unit of work for a function in ONCE_PER_UNIT: an S3 event names a new object, any other a new Vid
    let units = 0;
    const eventFor = async (name: string, rel: string): Promise<string> => {
      const ev = eventFile(rel);
      if (!ONCE_PER_UNIT.has(name)) return ev;
      units += 1;
      let text = readFileSync(ev, 'utf8');
      if (rel.startsWith('s3/')) {
        const key = `incoming/bench-unit-${units}.mp4`;
        await h.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: sample }));
        text = text.replaceAll(FIXTURE_KEY, key);
      } else {
        const fresh = (await vod.uploadVideo({ spaceName: 'demo-space', body: sample, fileType: 'video' } as never)).Results[0]?.Vid;
        if (!fresh) throw new Error('the emulator returned no Vid for a sample upload');
        text = text.replaceAll(vid, fresh);
      }
      const dst = ev.replace(/\.json$/, `.unit-${units}.json`);
      writeFileSync(dst, text);
      return dst;
    };

    // LOG_LEVEL at the deployed default (the harness's environment silences the tests' logs): a function's cold
    // start includes the log line it writes for its request
    const env: NodeJS.ProcessEnv = { ...process.env, NODE_PATH: join(ROOT, 'node_modules'), NODE_OPTIONS: '', LOG_LEVEL: 'INFO' };
    const ours: Record<string, Cold> = {};
    const base: Record<string, Cold> = {};
    const baseBundles = new Map<string, Bundle>();
    const ourBundles = new Map<string, Bundle>();
    for (const f of functions) {
      const b = await bundle(join(ROOT, 'functions', f.name, 'handler.ts'), join(bundles, `${f.name}.cjs`));
      ourBundles.set(f.name, b);
      let bb: Bundle | undefined;
      if (f.baseline) {
        bb = baseBundles.get(f.baseline) ?? (await bundle(join(ROOT, 'bench/baseline', `${f.baseline}.ts`), join(bundles, `baseline-${f.baseline}.cjs`), { runtimeSdk: true }));
        baseBundles.set(f.baseline, bb);
      }
      const runsOurs: Run[] = [];
      const runsBase: Run[] = [];
      for (let i = 0; i < n; i++) {
        const ev = await eventFor(f.name, f.event);
        // alternate ours / baseline so drifting machine load hits both alike
        runsOurs.push(await runChild(b.file, ev, env));
        if (bb) runsBase.push(await runChild(bb.file, ev, env));
      }
      ours[f.name] = summarise(b, runsOurs);
      if (bb) base[f.name] = summarise(bb, runsBase);
    }

    // each floor alternated with the function it floors and their baseline: floor, function, baseline, ...
    const aboveFloor: Record<string, { of: string; floor: Cold; fn: Cold }> = {};
    for (const f of floors) {
      const b = await bundle(join(import.meta.dirname, 'floor', f.file), join(bundles, `floor-${f.file.replace(/\.ts$/, '')}.cjs`), { runtimeSdk: true });
      const fb = ourBundles.get(f.of) ?? (await bundle(join(ROOT, 'functions', f.of, 'handler.ts'), join(bundles, `${f.of}.cjs`)));
      const bb = baseBundles.get(f.baseline) ?? (await bundle(join(ROOT, 'bench/baseline', `${f.baseline}.ts`), join(bundles, `baseline-${f.baseline}.cjs`), { runtimeSdk: true }));
      const runsFloor: Run[] = [];
      const runsFn: Run[] = [];
      const runsBase: Run[] = [];
      for (let i = 0; i < n; i++) {
        const ev = await eventFor(f.of, f.event);
        runsFloor.push(await runChild(b.file, ev, env));
        runsFn.push(await runChild(fb.file, ev, env));
        runsBase.push(await runChild(bb.file, ev, env));
      }
      ours[f.name] = summarise(b, runsFloor);
      base[f.name] = summarise(bb, runsBase);
      aboveFloor[f.name] = { of: f.of, floor: ours[f.name]!, fn: summarise(fb, runsFn) };
    }

    // where the cold start goes, by origin of the code sampled (the profiler slows every process down)
    const profiles: Record<string, ColdProfile> = {};
    for (const name of PROFILED) {
      const fn = functions.find((f) => f.name === name);
      const floor = floors.find((f) => f.name === name);
      if (!fn && !floor) continue;
      const entry = fn ? join(ROOT, 'functions', name, 'handler.ts') : join(import.meta.dirname, 'floor', floor!.file);
      profiles[name] = await profileCold(entry, () => eventFor(fn?.name ?? floor!.of, (fn ?? floor)!.event), env, join(outDir, 'profiles'), opts.quick ? 2 : 5, !fn);
    }

    const rows = [...functions, ...floors.map((f) => ({ name: f.name, token: f.token, baseline: f.baseline }))].map((f) => {
      const o = ours[f.name]!;
      const b = base[f.name];
      const r = b ? paired(o.coldRuns, b.coldRuns, (x, y) => x / y) : undefined;
      const ratio = r ? r.median : Number.NaN;
      const targets = [...(f.token ? tokenChecks(o) : []), ...(r ? coldChecks(ratio) : [])];
      return [
        f.name, fmt(o.size / 1024, 1), fmt(o.gzip / 1024, 1), fmt(o.requireMs, 1), fmt(o.invokeMs, 1), fmt(o.coldMs, 1), fmt(o.cpuMs, 1), `${o.okRuns}/${o.runs}`, o.answers,
        b ? fmt(b.size / 1024, 0) : '-', b ? fmt(b.coldMs, 1) : '-', b ? fmt(b.cpuMs, 1) : '-', b ? b.answers : '-', r ? ratio.toFixed(2) : 'n/a', r ? `${r.p25.toFixed(2)}-${r.p75.toFixed(2)}` : '-', printChecks(targets),
      ];
    });
    const report = [
      `cold start: median of ${n} fresh processes each (ours and baseline alternated); cold = require + first invocation;`,
      '"x base" is the median of the paired ratios (each process over the baseline process run right after it), p25-p75 their quartiles',
      table(['function', 'KB min', 'KB gz', 'require ms', '1st call ms', 'cold ms', 'cold CPU ms', 'ok', 'answer', 'base KB', 'base cold ms', 'base CPU ms', 'base answer', 'x base', 'p25-p75', 'targets'], rows),
      '',
      'distance to the floors (each floor alternated with its function and their baseline; paired medians, p25-p75):',
      table(['floor', 'function', 'function cold ms', 'floor cold ms', 'function - floor ms', 'p25-p75'], Object.entries(aboveFloor).map(([name, x]) => {
        const d = paired(x.fn.coldRuns, x.floor.coldRuns, (a, b) => a - b);
        return [name, x.of, fmt(x.fn.coldMs, 1), fmt(x.floor.coldMs, 1), fmt(d.median, 1), `${fmt(d.p25, 1)} - ${fmt(d.p75, 1)}`];
      })),
      '',
      'where the cold start goes (% of the samples between the clock start and the end of the first call; mean of the profiled processes):',
      table(['function', 'profiled cold ms', ...GROUPS], Object.entries(profiles).map(([name, p]) => [name, fmt(median(p.coldMs), 1), ...groupShares(p).map((x) => fmt(x, 0))])),
      '',
      'failed first invocations (a sample each):',
      ...[...functions, ...floors].flatMap((f) => [ours[f.name]?.sample ? `  ${f.name}: ${ours[f.name]!.sample}` : '', base[f.name]?.sample ? `  baseline of ${f.name}: ${base[f.name]!.sample}` : ''].filter(Boolean)),
      '',
      'largest inputs per bundle (KB):',
      ...[...functions, ...floors].map((f) => `  ${f.name}: ${ours[f.name]!.topInputs.map((i) => `${i.origin} ${(i.bytes / 1024).toFixed(1)}`).join(', ')}`),
    ].join('\n');
    return { result: { runs: n, vid, ours, baseline: base, aboveFloor, profiles }, report };
  } finally {
    await h.close();
  }
}
