/**
 * Where a cold start goes. The function is bundled as the bench bundles it but not minified (esbuild heads every
 * module with a `// path` comment), run cold under `node --cpu-prof`, and every sample taken between the harness's
 * clock start and the end of the first invocation is put down to the code it was in: a module of the bundle (our
 * lib/<folder>, functions/<name>, a package), a package loaded from node_modules at run time (the AWS SDK, as the
 * Lambda runtime provides it), Node's own code by area, V8 (parsing and compiling: `(program)`), or GC.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { bundle } from './build.ts';
import { runChild } from './child.ts';

interface CallFrame { functionName: string; url: string; lineNumber: number }
interface CpuProfile { nodes: Array<{ id: number; callFrame: CallFrame }>; samples: number[]; timeDeltas: number[]; startTime: number }

export interface ColdProfile {
  /** Cold ms (require + first call) of each profiled process; the profiler slows it down. */
  coldMs: number[];
  /** Sampled ms per origin, mean over the processes, largest first. */
  origins: Array<{ origin: string; ms: number }>;
}

/** Which of Node's own areas a `node:` frame belongs to. */
function nodeArea(url: string): string {
  const path = url.slice('node:'.length).replace(/^internal\//, '');
  if (/^(modules\/|bootstrap\/|vm)/.test(path)) return 'node: loading modules';
  if (/crypto/.test(path)) return 'node: crypto';
  if (/^(_http|http|https|net|dns|stream|streams\/|stream_base|url|internal\/url)/.test(path)) return 'node: http, net, streams';
  return 'node: other';
}

/** The origin of every line of an unminified bundle: the folder or package its `// path` comment names. */
function lineOrigins(bundleFile: string): string[] {
  const origins: string[] = [];
  let current = 'bundler glue';
  for (const line of readFileSync(bundleFile, 'utf8').split('\n')) {
    const m = /^\/\/ (\S+\.(?:[cm]?[jt]s))$/.exec(line);
    if (m) {
      const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(m[1]!);
      current = nm ? nm[1]! : (/^(lib\/[^/]+|functions\/[^/]+|bench\/[^/]+)/.exec(m[1]!)?.[1] ?? m[1]!);
    }
    origins.push(current);
  }
  return origins;
}

function originOf(frame: CallFrame, bundleUrl: string, lines: string[]): string {
  const { url, functionName } = frame;
  if (url === bundleUrl) return lines[frame.lineNumber] ?? 'bundler glue';
  if (url.startsWith('node:')) return nodeArea(url);
  if (url.includes('/node_modules/')) return /\/node_modules\/@aws-sdk\//.test(url) || /\/node_modules\/@smithy\//.test(url) ? 'AWS SDK (runtime copy)' : 'packages (runtime copy)';
  if (url.endsWith('harness.cjs')) return 'bench harness';
  if (functionName === '(garbage collector)') return 'gc';
  if (functionName === '(program)') return 'V8 (parse, compile)';
  return 'native';
}

/** Profiles `runs` cold processes of `entry` and sums their samples per origin (`runtimeSdk`: see `bundle`). */
export async function profileCold(entry: string, eventFile: () => Promise<string>, env: NodeJS.ProcessEnv, outDir: string, runs: number, runtimeSdk: boolean): Promise<ColdProfile> {
  const name = entry.replace(/\W+/g, '-').replace(/^-|-$/g, '');
  const b = await bundle(entry, join(outDir, `${name}.dev.cjs`), { runtimeSdk, minify: false });
  const lines = lineOrigins(b.file);
  const totals = new Map<string, number>();
  const coldMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const dir = join(outDir, `prof-${name}-${i}`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const run = await runChild(b.file, await eventFile(), env, ['--cpu-prof', '--cpu-prof-interval', '100', '--cpu-prof-dir', dir]);
    if (!run.ok) throw new Error(`profiled run of ${b.file} failed: ${run.error ?? run.body ?? `status ${run.status}`}`);
    const { t0Us, t2Us } = run;
    coldMs.push((t2Us - t0Us) / 1000);
    const profile = JSON.parse(readFileSync(join(dir, readdirSync(dir)[0]!), 'utf8')) as CpuProfile;
    const byId = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
    const bundleUrl = `file://${b.file}`;
    // timeDeltas[i] is the time before sample i: sample i covers the interval up to sample i + 1
    let at = profile.startTime;
    for (let s = 0; s < profile.samples.length; s++) {
      at += profile.timeDeltas[s]!;
      const dt = profile.timeDeltas[s + 1] ?? 0;
      if (at < t0Us || at >= t2Us) continue;
      const frame = byId.get(profile.samples[s]!)!;
      const origin = frame.functionName === '(idle)' ? 'idle (waiting for an answer)' : originOf(frame, bundleUrl, lines);
      totals.set(origin, (totals.get(origin) ?? 0) + dt / 1000);
    }
  }
  return { coldMs, origins: [...totals].map(([origin, ms]) => ({ origin, ms: ms / runs })).sort((a, b) => b.ms - a.ms) };
}

/** The columns of the cold-start profile table, each a group of origins. */
export const GROUPS = [
  'node: loading modules', 'node: crypto', 'node: http, net, streams', 'node: other', 'V8, GC, native', 'idle (waiting for an answer)',
  'ours (lib, functions)', 'valibot', 'Smithy (bundled)', 'Powertools', 'AWS SDK (runtime copy)', 'other',
] as const;

export function groupOf(origin: string): (typeof GROUPS)[number] {
  if (/^(lib|functions|bench)\//.test(origin)) return 'ours (lib, functions)';
  if (origin === 'valibot') return 'valibot';
  if (origin.startsWith('@smithy/')) return 'Smithy (bundled)';
  if (origin.startsWith('@aws-lambda-powertools/')) return 'Powertools';
  if (origin === 'V8 (parse, compile)' || origin === 'gc' || origin === 'native') return 'V8, GC, native';
  const same = GROUPS.find((g) => g === origin);
  return same ?? 'other';
}

/** Percent of the sampled time per group, in {@link GROUPS} order. */
export function groupShares(p: ColdProfile): number[] {
  const total = p.origins.reduce((sum, o) => sum + o.ms, 0);
  return GROUPS.map((g) => (100 * p.origins.filter((o) => groupOf(o.origin) === g).reduce((sum, o) => sum + o.ms, 0)) / total);
}
