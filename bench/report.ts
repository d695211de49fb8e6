/**
 * Renders the figures of a results file (default bench/out/latest.json) into bench/README.md, between the
 * `<!-- BEGIN part -->` / `<!-- END part -->` markers, so the README shows exactly what a run measured.
 * `node --import tsx bench/report.ts [results.json]`
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FLOORS, FUNCTIONS } from './coldstart/functions.ts';
import { GROUPS, groupShares } from './coldstart/profile.ts';
import { median, paired, pairedRatio, quantile } from './lib/stats.ts';
import { coldChecks, ingestChecks, markChecks, SIGNING_MIN, signingTargeted, tokenChecks } from './lib/targets.ts';

type Any = any; // eslint-disable-line @typescript-eslint/no-explicit-any -- results JSON, shape owned by the parts
const file = process.argv[2] ?? join(import.meta.dirname, 'out/latest.json');
const r: Any = JSON.parse(readFileSync(file, 'utf8'));
const n0 = (x: number) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : '-');
const n1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '-');
const md = (headers: string[], rows: Array<Array<string | number>>) =>
  [`| ${headers.join(' | ')} |`, `|${headers.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`, ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');

const sections: Record<string, string> = {};
sections.machine = `${r.machine.nproc} x ${r.machine.cpu}, ${r.machine.platform}, Node ${r.machine.node}; run started ${r.startedAt}${r.quick ? ' (quick)' : ''}.`;

if (r.signing?.races) {
  const rows: Array<Array<string | number>> = [];
  for (const [g, rs] of Object.entries<Any[]>(r.signing.races)) {
    const [ours, smithy, crypto] = rs;
    const targeted = signingTargeted(g);
    for (const x of rs) {
      const vs = pairedRatio(x, smithy);
      rows.push([`${g}: ${x.name}`, n0(x.medianOpsPerSec), vs.toFixed(2), pairedRatio(x, crypto).toFixed(2), x === ours && targeted ? (vs >= SIGNING_MIN ? 'met' : '**missed**') : '']);
    }
  }
  sections.signing = md(['case: implementation', 'ops/CPU-s', 'x bare Smithy', 'x node:crypto', 'target >= 0.90'], rows);
  const prof: string[] = [];
  for (const [k, p] of Object.entries<Any>(r.signing.profiles ?? {})) {
    prof.push(`**${k}** (${n0(p.sampledMs)} ms sampled): ` + p.categories.slice(0, 6).map((c: Any) => `${c.category} ${c.selfPct.toFixed(1)} %`).join(', '));
    prof.push('', md(['function (where)', 'self %', 'total %'], p.top.slice(0, 10).map((t: Any) => [`\`${t.fn}\` (${t.where || t.category})`, t.selfPct.toFixed(1), t.totalPct.toFixed(1)])), '');
  }
  sections['signing-profile'] = prof.join('\n');
}

if (r.coldstart?.ours) {
  const c = r.coldstart;
  // each process over the baseline process run right after it
  const ratio = (o: Any, b: Any) => paired(o.coldRuns, b.coldRuns, (x, y) => x / y);
  const tokens = new Set([...FUNCTIONS, ...FLOORS].filter((f) => f.token).map((f) => f.name));
  const rows = Object.entries<Any>(c.ours).map(([name, o]) => {
    const b = c.baseline[name];
    const x = b ? ratio(o, b) : undefined;
    const t = [...(tokens.has(name) ? tokenChecks(o) : []), ...(x ? coldChecks(x.median) : [])];
    return [name, n1(o.size / 1024), n1(o.requireMs), n1(o.invokeMs), n1(o.coldMs), n1(o.cpuMs), `${o.okRuns}/${o.runs}`, o.answers ?? '-', b ? n0(b.size / 1024) : '-', b ? n1(b.coldMs) : '-',
      b?.answers ?? '-', x ? x.median.toFixed(2) : 'n/a', x ? `${x.p25.toFixed(2)}-${x.p75.toFixed(2)}` : '-', markChecks(t)];
  });
  sections.coldstart = `Medians of ${c.runs} fresh processes per function, ours and its baseline alternated; "x baseline" is the median of the ${c.runs} paired ratios (a process of ours over the baseline process run right after it), p25-p75 their quartiles.\n\n` +
    md(['function', 'KB (min)', 'require ms', '1st call ms', 'cold ms', 'cold CPU ms', 'ok', 'answer', 'baseline KB', 'baseline cold ms', 'baseline answer', 'x baseline', 'p25-p75', 'targets'], rows);
  sections['coldstart-floors'] = md(['floor', 'of', 'function cold ms', 'floor cold ms', 'function - floor ms (paired median)', 'p25-p75'],
    Object.entries<Any>(c.aboveFloor ?? {}).map(([name, x]) => {
      const d = paired(x.fn.coldRuns, x.floor.coldRuns, (a, b) => a - b);
      return [name, x.of, n1(x.fn.coldMs), n1(x.floor.coldMs), n1(d.median), `${n1(d.p25)} - ${n1(d.p75)}`];
    }));
  sections['coldstart-profile'] = md(['function', 'profiled cold ms', ...GROUPS.map((g) => `${g} %`)],
    Object.entries<Any>(c.profiles ?? {}).map(([name, p]) => [name, n1(median(p.coldMs)), ...groupShares(p).map((x) => x.toFixed(0))]));
  sections['coldstart-inputs'] = md(['bundle', 'largest inputs (KB, minified)'], Object.entries<Any>(c.ours).map(([name, o]) => [name, o.topInputs.map((i: Any) => `${i.origin} ${(i.bytes / 1024).toFixed(1)}`).join(', ')]));
}

if (r.ingest?.runs) {
  const rows = Object.entries<Any>(r.ingest.runs).flatMap(([label, x]) => ['handler', 'client'].map((who) => {
    const ours = x[who];
    const raw = median(x.raw.map((y: Any) => y.mibPerSec));
    const vs = paired(ours.map((y: Any) => y.mibPerSec), x.raw.map((y: Any) => y.mibPerSec), (a, b) => a / b);
    const hwm = Math.max(...ours.map((y: Any) => y.vmHwmMiB));
    return [label, who === 'handler' ? 'ingest-object function' : 'VOD client alone', n0(raw), n0(median(ours.map((y: Any) => y.mibPerSec))), vs.median.toFixed(2), `${vs.p25.toFixed(2)}-${vs.p75.toFixed(2)}`,
      n0(Math.max(...x.raw.map((y: Any) => y.vmHwmMiB))), n0(hwm), `${ours.length}`,
      who === 'handler' ? markChecks(ingestChecks(label, vs.median, hwm)) : ''];
  }));
  sections.ingest = md(['object', 'path', 'raw MiB/s', 'MiB/s', 'x raw (paired)', 'p25-p75', 'raw peak RSS MiB', 'peak RSS MiB (VmHWM)', 'runs', 'targets'], rows);
  const ph = Object.entries<Any>(r.ingest.runs).map(([label, x]) => {
    const m = (runs: Any[], f: (y: Any) => number) => n0(median(runs.map(f)));
    const raw = median(x.raw.map((y: Any) => y.mibPerSec));
    const parts = median(x.client.map((y: Any) => y.bytes / 1048576 / (y.phases.parts.ms / 1000)));
    return [label, m(x.handler, (y) => y.initMs), m(x.handler, (y) => y.ms), m(x.handler, (y) => y.cpuMs), m(x.handler, (y) => y.receiverCpuMs), m(x.handler, (y) => y.dynamoCpuMs), m(x.handler, (y) => y.parentCpuMs),
      m(x.client, (y) => y.ms), m(x.client, (y) => y.phases.parts.ms), `${x.client[0].phases.parts.n}`, (parts / raw).toFixed(2), m(x.client, (y) => y.phases.complete.ms),
      m(x.client, (y) => (y.phases.apply?.ms ?? 0) + (y.phases.init?.ms ?? 0) + (y.phases.commit?.ms ?? 0)), m(x.client, (y) => y.cpuMs), m(x.client, (y) => y.receiverCpuMs), m(x.client, (y) => y.parentCpuMs),
      m(x.raw, (y) => y.ms), m(x.raw, (y) => y.cpuMs), m(x.raw, (y) => y.receiverCpuMs), m(x.raw, (y) => y.parentCpuMs)];
  });
  sections['ingest-phases'] = md(['object', 'function init ms', 'function total ms', 'its CPU', 'emulator CPU', 'dynalite CPU', 's3rver CPU', 'client total ms', 'parts span', 'parts', 'parts x raw', 'complete (emulator concat)', 'apply+init+commit',
    'client CPU', 'emulator CPU', 's3rver CPU', 'raw total ms', 'raw client CPU', 'sink CPU', 'raw s3rver CPU'], ph);
  const p = r.ingest.profile;
  if (p) sections['ingest-profile'] = `The ingest-object function's process, largest object (${n0(p.sampledMs)} ms sampled): ` + p.categories.slice(0, 5).map((c: Any) => `${c.category} ${c.selfPct.toFixed(1)} %`).join(', ') + '\n\n' +
    md(['function (where)', 'self %', 'total %'], p.top.slice(0, 10).map((t: Any) => [`\`${t.fn}\` (${t.where || t.category})`, t.selfPct.toFixed(1), t.totalPct.toFixed(1)]));
}

if (r.pipeline?.batches) {
  const out: string[] = [`Local stack started in ${n0(r.pipeline.startMs)} ms.`, ''];
  out.push(md(['batch', 'objects', 'published', 'wall ms', 'put -> published median ms', 'p90 ms', 'handler time ms (sum)', 'handler time / wall', 'callbacks (failed)'],
    r.pipeline.batches.map((b: Any) => [b.batch === 1 ? '1: at once, cold workers' : b.batch === 2 ? '2: at once, warm' : '3: one at a time, warm', b.count, b.published, n0(b.wallMs), n0(median(b.latencies)), n0(quantile(b.latencies, 0.9)), n0(b.handlerMs), (b.handlerMs / b.wallMs).toFixed(2), `${b.deliveries} (${b.failedDeliveries})`])));
  out.push('');
  for (const b of r.pipeline.batches) {
    out.push(`Batch ${b.batch} handler durations: ` + Object.entries<number[]>(b.durations).map(([fn, ds]) => `${fn} ${ds.length} x median ${n0(median(ds))} ms`).join('; ') + '.');
  }
  sections.pipeline = out.join('\n');
}

const readme = join(import.meta.dirname, 'README.md');
let text = readFileSync(readme, 'utf8');
for (const [name, body] of Object.entries(sections)) {
  const re = new RegExp(`(<!-- BEGIN ${name} -->\\n)[\\s\\S]*?(<!-- END ${name} -->)`);
  if (re.test(text)) text = text.replace(re, (_, begin: string, end: string) => `${begin}${body}\n${end}`);
}
writeFileSync(readme, text);
console.log(`README updated from ${file}: ${Object.keys(sections).join(', ')}`);
