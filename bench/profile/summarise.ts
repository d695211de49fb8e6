/**
 * Summarises a V8 `.cpuprofile` (from `node --cpu-prof`): top functions by self time, self time by category
 * (our lib, Smithy, node internals, native, GC), and inclusive time of the functions that matter.
 * CLI: `node --import tsx bench/profile/summarise.ts file.cpuprofile [top]`.
 */
import { readFileSync } from 'node:fs';

interface CallFrame { functionName: string; url: string; lineNumber: number; columnNumber: number }
interface ProfileNode { id: number; callFrame: CallFrame; children?: number[] }
interface CpuProfile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number }

export interface FunctionTime { fn: string; where: string; category: string; selfMs: number; selfPct: number; totalMs: number; totalPct: number }
export interface ProfileSummary { file: string; sampledMs: number; top: FunctionTime[]; categories: Array<{ category: string; selfMs: number; selfPct: number }> }

/** Where a frame's code lives, coarse enough to say whose code the time is spent in. */
export function categorise(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (functionName === '(garbage collector)') return 'gc';
  if (functionName === '(program)' || functionName === '(idle)' || functionName === '(root)') return functionName.slice(1, -1);
  if (url === '') return 'native (V8 builtins, crypto bindings)';
  if (url.startsWith('node:')) return 'node internals';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1]!.startsWith('@smithy/') ? `smithy (${nm[1]})` : `dep ${nm[1]}`;
  const own = /\/(lib\/[^/]+|local\/[^/]+|functions\/[^/]+|bench)\//.exec(url);
  if (own) return own[1]!;
  return 'other';
}

function shortUrl(url: string): string {
  if (url === '') return '';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) return url.slice(nm + 'node_modules/'.length);
  const m = /\/(lib|local|functions|bench)\/.*$/.exec(url);
  return m ? m[0].slice(1) : url.replace(/^file:\/\//, '');
}

/**
 * `windowFrom`: count only samples from the first one whose stack holds a function of that name (the steady
 * state of a profiled loop, leaving out module loading and warm-up).
 */
export function summariseProfile(file: string, top = 15, windowFrom?: string): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  // tsx-transformed files report line 1 for everything, so our own files are named without a line
  const keyOf = (n: ProfileNode) => {
    const where = shortUrl(n.callFrame.url);
    const line = n.callFrame.url.includes('node_modules/') || n.callFrame.url.startsWith('node:') ? `:${n.callFrame.lineNumber + 1}` : '';
    return `${n.callFrame.functionName || '(anonymous)'}|${where}${line}`;
  };
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const frameOf = new Map<string, CallFrame>();
  const categories = new Map<string, number>();
  let sampled = 0;
  let first = 0;
  if (windowFrom) {
    const inWindow = (id: number): boolean => {
      for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) if (byId.get(n)!.callFrame.functionName === windowFrom) return true;
      return false;
    };
    first = profile.samples.findIndex(inWindow);
    if (first < 0) throw new Error(`no sample under ${windowFrom} in ${file}`);
  }
  for (let i = first; i < profile.samples.length; i++) {
    // timeDeltas[i] is the time before sample i; attribute the following interval to sample i
    const dt = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    const node = byId.get(profile.samples[i]!);
    if (!node) continue;
    sampled += dt;
    const key = keyOf(node);
    frameOf.set(key, node.callFrame);
    self.set(key, (self.get(key) ?? 0) + dt);
    const cat = categorise(node.callFrame);
    categories.set(cat, (categories.get(cat) ?? 0) + dt);
    const seen = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const n = byId.get(id)!;
      const k = keyOf(n);
      if (seen.has(k)) continue;
      seen.add(k);
      frameOf.set(k, n.callFrame);
      total.set(k, (total.get(k) ?? 0) + dt);
    }
  }
  const busy = sampled - (categories.get('idle') ?? 0);
  const pct = (ms: number) => (busy > 0 ? (100 * ms) / busy : 0);
  const rows = [...total.entries()]
    .filter(([k]) => !k.startsWith('(idle)') && !k.startsWith('(root)'))
    .map(([k, t]) => {
      const [fn, where] = k.split('|') as [string, string];
      const ms = self.get(k) ?? 0;
      return { fn, where, category: categorise(frameOf.get(k)!), selfMs: ms, selfPct: pct(ms), totalMs: t, totalPct: pct(t) };
    })
    .sort((a, b) => b.selfMs - a.selfMs || b.totalMs - a.totalMs)
    .slice(0, top);
  return {
    file,
    sampledMs: busy,
    top: rows,
    categories: [...categories.entries()]
      .filter(([c]) => c !== 'idle')
      .sort((a, b) => b[1] - a[1])
      .map(([category, ms]) => ({ category, selfMs: ms, selfPct: pct(ms) })),
  };
}

/** Inclusive time of every function whose name matches, e.g. to price `HttpRequest.clone`. */
export function inclusiveOf(file: string, names: string[], windowFrom?: string): Array<{ fn: string; totalPct: number }> {
  const s = summariseProfile(file, Number.MAX_SAFE_INTEGER, windowFrom);
  return names.map((name) => {
    const hits = s.top.filter((r) => r.fn === name || r.fn.endsWith(`.${name}`));
    return { fn: name, totalPct: hits.reduce((m, r) => Math.max(m, r.totalPct), 0) };
  });
}

export function formatSummary(s: ProfileSummary): string {
  const lines = [`${s.sampledMs.toFixed(0)} ms sampled (idle excluded)`, 'self%  total%  function  (where)'];
  for (const r of s.top) lines.push(`${r.selfPct.toFixed(1).padStart(5)}  ${r.totalPct.toFixed(1).padStart(6)}  ${r.fn}  (${r.where || r.category})`);
  lines.push('', 'self time by category:');
  for (const c of s.categories) lines.push(`${c.selfPct.toFixed(1).padStart(5)}%  ${c.category}`);
  return lines.join('\n');
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  const [file, top, windowFrom] = process.argv.slice(2);
  if (!file) throw new Error('usage: summarise.ts <file.cpuprofile> [top] [windowFromFunction]');
  console.log(formatSummary(summariseProfile(file, top ? Number(top) : 15, windowFrom)));
}
