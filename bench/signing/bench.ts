/**
 * Signing bench: our header signing, signed queries and upload-token issuance against bare
 * `@smithy/signature-v4` (one instance reused) and a straightforward `node:crypto` implementation, in
 * interleaved rounds in one process; then a CPU profile of our paths in a child process.
 */
import { deepStrictEqual, strictEqual } from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fmt, pairedRatio, race, table, type RaceResult } from '../lib/stats.ts';
import { SIGNING_MIN, signingTargeted } from '../lib/targets.ts';
import { formatSummary, summariseProfile, type ProfileSummary } from '../profile/summarise.ts';
import * as C from './cases.ts';

export interface SigningResult {
  races: Record<string, RaceResult[]>;
  ratios: Record<string, { vsSmithy: number; vsCrypto: number; target?: string; met?: boolean }>;
  profiles: Record<string, ProfileSummary>;
  tokenSource: string;
}

async function checkOutputsAgree(tokenFn: Awaited<ReturnType<typeof C.loadTokenFn>>['fn']): Promise<void> {
  for (const req of [C.getReq, C.postReq]) {
    const ours = await C.ourHeader(req);
    deepStrictEqual(C.cryptoHeader(req), ours, 'node:crypto header signing differs from ours');
    strictEqual((await C.smithyHeader(req)).authorization, ours.authorization, 'bare Smithy signature differs from ours');
  }
  strictEqual(C.cryptoQuery(), await C.ourQuery(), 'node:crypto signed query differs from ours');
  strictEqual(C.cryptoToken(), await tokenFn(C.tokenParams, C.signOpts), 'node:crypto token differs from ours');
  const presigned = await C.smithyPresign('GET', 'ApplyUpload');
  strictEqual(`X-Amz-Signature=${presigned.query?.['X-Amz-Signature']}`, (await C.ourQuery()).split('&').at(-1), 'bare presign signature differs from ours');
}

export async function runSigning(opts: { outDir: string; quick?: boolean; profile?: boolean }): Promise<{ result: SigningResult; report: string }> {
  const { fn: tokenFn, source } = await C.loadTokenFn();
  await checkOutputsAgree(tokenFn);
  const raceOpts = opts.quick ? { rounds: 9, roundMs: 40, warmupMs: 150 } : { rounds: 41, roundMs: 30, warmupMs: 300 };

  const groups: Record<string, Array<{ name: string; op: () => unknown }>> = {
    'header GET (GetPlayInfo)': [
      { name: 'ours signRequest', op: () => C.ourHeader(C.getReq) },
      { name: 'bare Smithy sign', op: () => C.smithyHeader(C.getReq) },
      { name: 'node:crypto', op: () => C.cryptoHeader(C.getReq) },
    ],
    'header POST (CommitUpload, JSON body)': [
      { name: 'ours signRequest', op: () => C.ourHeader(C.postReq) },
      { name: 'bare Smithy sign', op: () => C.smithyHeader(C.postReq) },
      { name: 'node:crypto', op: () => C.cryptoHeader(C.postReq) },
    ],
    'signed query (ApplyUpload)': [
      { name: 'ours signQuery', op: C.ourQuery },
      { name: 'bare Smithy presign', op: () => C.smithyPresign('GET', 'ApplyUpload') },
      { name: 'node:crypto', op: C.cryptoQuery },
    ],
    'upload token (2 signed queries + base64 JSON)': [
      { name: 'ours uploadAuthToken', op: () => tokenFn(C.tokenParams, C.signOpts) },
      { name: '2 bare Smithy presigns', op: async () => [await C.smithyPresign('GET', 'ApplyUpload'), await C.smithyPresign('POST', 'CommitUpload')] },
      { name: 'node:crypto', op: C.cryptoToken },
      { name: '2 x ours signQuery, no encoding', op: async () => [await C.ourQuery(), await C.ourQuery()] },
    ],
  };
  // Each case races its competitors in its own interleaved rounds, so a pair compared is measured moments apart.
  const races: Record<string, RaceResult[]> = {};
  for (const [g, vs] of Object.entries(groups)) races[g] = await race(vs, raceOpts);

  const ratios: SigningResult['ratios'] = {};
  const rows: Array<Array<string | number>> = [];
  for (const [g, rs] of Object.entries(races)) {
    const [ours, smithy, crypto] = rs as [RaceResult, RaceResult, RaceResult, ...RaceResult[]];
    const vsSmithy = pairedRatio(ours, smithy);
    const vsCrypto = pairedRatio(ours, crypto);
    const target = signingTargeted(g) ? '>= 0.90 x bare Smithy' : undefined;
    ratios[g] = { vsSmithy, vsCrypto, ...(target ? { target, met: vsSmithy >= SIGNING_MIN } : {}) };
    for (const r of rs) {
      rows.push([
        `${g}: ${r.name}`,
        fmt(r.medianOpsPerSec),
        `${fmt(r.p25)}-${fmt(r.p75)}`,
        fmt(r.medianWallOpsPerSec),
        pairedRatio(r, smithy).toFixed(2),
        pairedRatio(r, crypto).toFixed(2),
        r === ours && target ? (vsSmithy >= SIGNING_MIN ? 'met' : 'MISSED') : '',
      ]);
    }
  }

  const profiles: Record<string, ProfileSummary> = {};
  if (opts.profile !== false) {
    for (const which of ['header', 'token', 'smithy-header']) profiles[which] = profileChild(which, opts.outDir, opts.quick ? 1500 : 3000);
  }

  const report = [
    `signing: ops per CPU-second (median, p25-p75) over ${raceOpts.rounds} interleaved rounds of ${raceOpts.roundMs} ms per case; wall ops/s for reference;`,
    'ratios = median over rounds of (ops/s / baseline ops/s in the same round)',
    `token implementation: ${source}`,
    table(['case: implementation', 'ops/CPU-s', 'p25-p75', 'wall ops/s', 'x Smithy', 'x crypto', 'target'], rows),
    ...Object.entries(profiles).map(([k, p]) => `\nCPU profile (${k}):\n${formatSummary(p)}`),
  ].join('\n');
  return { result: { races, ratios, profiles, tokenSource: source }, report };
}

/** Profiles one path in a fresh child (`node --cpu-prof`) and summarises the profile. */
function profileChild(which: string, outDir: string, ms: number): ProfileSummary {
  const dir = join(outDir, `prof-${which}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const child = spawnSync(
    process.execPath,
    ['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-interval', '200', '--import', 'tsx', join(import.meta.dirname, 'profile-target.ts'), which, String(ms)],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  if (child.status !== 0) throw new Error(`profile child ${which} exited ${child.status}`);
  // tsx's loader hooks run on a worker thread, which writes a profile of its own: take the main thread's
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  const main = files.map((f) => join(dir, f)).find((f) => readFileSync(f, 'utf8').includes('"profileLoop"'));
  if (!main) throw new Error(`no main-thread .cpuprofile in ${dir}`);
  return summariseProfile(main, 18, 'profileLoop');
}
