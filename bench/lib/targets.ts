/**
 * The bench issue's targets, judged in one place for a run's printout and for the README tables (bench/report.ts).
 * A check is its short name, whether it is met, and how the printout names a miss.
 */
export interface Check { name: string; ok: boolean; missed: string }

/** Signing: the cases with a target, which must reach 0.90 x bare Smithy. */
export function signingTargeted(caseName: string): boolean {
  return caseName.startsWith('header') || caseName.startsWith('upload token');
}
export const SIGNING_MIN = 0.9;

/** The size budget of a token function's minified bundle (also checked by test/unit/build/budgets.test.ts). */
export const TOKEN_MAX_BYTES = 20 * 1024;

/** A token function: <= 20 KB minified and <= 10 ms cold require. */
export function tokenChecks(o: { size: number; requireMs: number }): Check[] {
  return [
    { name: 'size', ok: o.size <= TOKEN_MAX_BYTES, missed: 'SIZE > 20 KB' },
    { name: 'require', ok: o.requireMs <= 10, missed: 'REQUIRE > 10 ms' },
  ];
}

/** Every function with a baseline: cold start <= 1/5 of the baseline's. */
export function coldChecks(ratio: number): Check[] {
  return [{ name: '1/5', ok: ratio <= 0.2, missed: 'COLD > 1/5 baseline' }];
}

/** Ingest through the function: >= 0.70 x the raw copy for the 1 GiB object, peak RSS <= 160 MiB at every size. */
export function ingestChecks(object: string, ratio: number, peakRssMiB: number): Check[] {
  return [
    ...(object === '1024 MiB' ? [{ name: 'tput', ok: ratio >= 0.7, missed: 'TPUT < 0.70' }] : []),
    { name: 'rss', ok: peakRssMiB <= 160, missed: 'RSS > 160 MiB' },
  ];
}

/** As a run prints them: `size ok, REQUIRE > 10 ms`. */
export const printChecks = (checks: Check[]): string => checks.map((c) => (c.ok ? `${c.name} ok` : c.missed)).join(', ');
/** As the README shows them: `size ok, **require**`. */
export const markChecks = (checks: Check[]): string => checks.map((c) => (c.ok ? `${c.name} ok` : `**${c.name}**`)).join(', ');
