// Chaos, long profile: `npm run test:chaos` (node --import tsx test/chaos/run.ts [N]). 200 objects (default) from
// 1 KiB to 64 MiB through the whole local stack with 20 % faults, dropped and duplicated callbacks and duplicated
// S3 events; exits 1 unless every object is published exactly once with its bytes intact. Prints the figures
// that go in test/chaos/README.md; CHAOS_REPORT=path also writes them as JSON.
import { appendFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chaosSizes, reportLines, runChaos } from './chaos.ts';

const n = Number(process.argv[2] ?? process.env.CHAOS_N ?? 200);
const seed = Number(process.env.CHAOS_SEED ?? 20261126);
const dataDir = await mkdtemp(join(tmpdir(), 'vod-chaos-emulator-'));
try {
  const sizes = chaosSizes(n, seed, { medium: 0.15, large: 0.04 });
  const report = await runChaos({
    sizes, seed, timeoutMs: Number(process.env.CHAOS_TIMEOUT_MS ?? 1_500_000), emulatorDataDir: dataDir, concurrency: Number(process.env.CHAOS_CONCURRENCY ?? 1), logLevel: process.env.CHAOS_LOG_LEVEL ?? 'WARN',
    ...(process.env.CHAOS_OFFLINE_LOG ? { onOfflineLine: (l: string) => appendFileSync(process.env.CHAOS_OFFLINE_LOG!, `${l}\n`) } : {}),
    log: (l) => console.log(l),
  });
  for (const line of reportLines(`long profile (N=${n}, seed ${seed})`, report)) console.log(line);
  if (process.env.CHAOS_REPORT) await writeFile(process.env.CHAOS_REPORT, JSON.stringify(report, null, 2));
  const broken = report.published !== n || report.videos !== n || report.vidProblems.length > 0 || report.transcodesNotOnce.length > 0
    || report.publishesNotOnce.length > 0 || report.md5Mismatches.length > 0;
  if (broken) {
    console.error(`chaos long: NOT exactly once: ${JSON.stringify({ published: report.published, videos: report.videos, vid: report.vidProblems, transcodes: report.transcodesNotOnce, publishes: report.publishesNotOnce, md5: report.md5Mismatches })}`);
    process.exitCode = 1;
  } else console.log(`chaos long: all ${n} published exactly once`);
} finally {
  await rm(dataDir, { recursive: true, force: true });
}
