/** Small statistics and timing helpers shared by every bench part. */

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** One competitor of an interleaved throughput race: `op` is awaited once per operation. */
export interface Variant {
  name: string;
  op: () => unknown;
}

export interface RaceResult {
  name: string;
  /** ops per CPU-second of this process in every round (the machine is shared: CPU time leaves out preemption). */
  rounds: number[];
  /** ops per wall-clock second in every round. */
  wallRounds: number[];
  medianOpsPerSec: number;
  medianWallOpsPerSec: number;
  p25: number;
  p75: number;
}

/**
 * Runs the variants in interleaved rounds (the order rotates every round so none always runs first after a GC
 * or a JIT tier-up of another), each round for `roundMs` of wall time, after `warmupMs` of warm-up each.
 * Operations are awaited one after the other, as a Lambda signs one request at a time. Throughput is counted
 * per CPU-second of this process (getrusage: user + system, all threads, so GC helpers count) and per wall second.
 */
export async function race(variants: readonly Variant[], opts: { rounds: number; roundMs: number; warmupMs: number }): Promise<RaceResult[]> {
  const cpu = variants.map(() => [] as number[]);
  const wall = variants.map(() => [] as number[]);
  for (const v of variants) await runFor(v.op, opts.warmupMs);
  for (let r = 0; r < opts.rounds; r++) {
    for (let i = 0; i < variants.length; i++) {
      const idx = (i + r) % variants.length;
      const m = await runFor(variants[idx]!.op, opts.roundMs);
      cpu[idx]!.push(m.cpuOps);
      wall[idx]!.push(m.wallOps);
    }
  }
  return variants.map((v, i) => ({
    name: v.name,
    rounds: cpu[i]!,
    wallRounds: wall[i]!,
    medianOpsPerSec: median(cpu[i]!),
    medianWallOpsPerSec: median(wall[i]!),
    p25: quantile(cpu[i]!, 0.25),
    p75: quantile(cpu[i]!, 0.75),
  }));
}

/** Median over rounds of a/b, each round's pair measured moments apart (robust to load that drifts). */
export function pairedRatio(a: RaceResult, b: RaceResult): number {
  return median(a.rounds.map((x, i) => x / b.rounds[i]!));
}

/** Median and quartiles of `f(a[i], b[i])` over runs paired by index (each pair measured moments apart). */
export function paired(a: readonly number[], b: readonly number[], f: (x: number, y: number) => number): { median: number; p25: number; p75: number } {
  const values = a.slice(0, b.length).map((x, i) => f(x, b[i]!));
  return { median: median(values), p25: quantile(values, 0.25), p75: quantile(values, 0.75) };
}

/** ops/s of `op` run back to back for about `ms` milliseconds (checked every 32 ops). */
async function runFor(op: () => unknown, ms: number): Promise<{ wallOps: number; cpuOps: number }> {
  const budget = BigInt(Math.round(ms * 1e6));
  const cpu0 = process.cpuUsage();
  const start = process.hrtime.bigint();
  let n = 0;
  let elapsed = 0n;
  do {
    for (let i = 0; i < 32; i++) await op();
    n += 32;
    elapsed = process.hrtime.bigint() - start;
  } while (elapsed < budget);
  const c = process.cpuUsage(cpu0);
  return { wallOps: n / (Number(elapsed) / 1e9), cpuOps: n / ((c.user + c.system) / 1e6) };
}

export function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

/** Prints an aligned plain-text table. */
export function table(headers: string[], rows: Array<Array<string | number>>): string {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, c) => Math.max(...cells.map((r) => (r[c] ?? '').length)));
  const line = (r: string[]) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ');
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}
