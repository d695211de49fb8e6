/**
 * `npm run bench [-- part ...] [--quick]`: runs the bench parts (signing, coldstart, ingest, pipeline; default all),
 * prints a table per part and writes bench/out/results-<time>.json (and latest.json).
 */
import { cpus } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const PARTS = ['signing', 'coldstart', 'ingest', 'pipeline'] as const;
type Part = (typeof PARTS)[number];

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const asked = args.filter((a) => !a.startsWith('--'));
for (const a of asked) if (!(PARTS as readonly string[]).includes(a)) throw new Error(`unknown part "${a}"; parts: ${PARTS.join(', ')}`);
const parts: Part[] = asked.length ? (asked as Part[]) : [...PARTS];
const outDir = join(import.meta.dirname, 'out');
mkdirSync(outDir, { recursive: true });

const machine = { nproc: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', node: process.version, platform: `${process.platform} ${process.arch}` };
console.log(`machine: ${machine.nproc} x ${machine.cpu}, node ${machine.node}, ${machine.platform}${quick ? ' (quick)' : ''}`);

const results: Record<string, unknown> = { machine, startedAt: new Date().toISOString(), quick };
let failed = false;
for (const part of parts) {
  const t0 = performance.now();
  console.log(`\n== ${part} ==`);
  try {
    const mod = await import(`./${part}/bench.ts`);
    const { result, report } = await mod[`run${part[0]!.toUpperCase()}${part.slice(1)}`]({ outDir, quick });
    console.log(report);
    results[part] = result;
  } catch (err) {
    failed = true;
    console.error(`${part} failed:`, err);
    results[part] = { error: String(err instanceof Error ? err.stack : err) };
  }
  console.log(`(${part}: ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
}
const file = join(outDir, `results-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(file, JSON.stringify(results, null, 2));
writeFileSync(join(outDir, 'latest.json'), JSON.stringify(results, null, 2));
console.log(`\nresults: ${file}`);
if (failed) process.exitCode = 1;
