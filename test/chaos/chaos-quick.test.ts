// Chaos, quick profile (in `npm test`): 20 objects from 1 KiB to 64 MiB through the whole local stack with 20 %
// faults (5xx, 429, resets, slow) on API and upload-host calls, dropped and duplicated callbacks and duplicated S3
// events: every object ends published exactly once (one Vid, one StartTranscode, one publish), its bytes intact.
// The long profile (200 objects) is `npm run test:chaos` (test/chaos/run.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { recordLines } from '../support/log-guard.ts';
import { chaosSizes, reportLines, runChaos } from './chaos.ts';

// Time bound: most runs publish all in 65-75 s; an unanswered StartTranscode waits 4 x 10 s for its run's callback
// or renditions before a restart (reconcile), and a run can meet several (4 restarts and 113 s seen in CI).
test('chaos quick: 20 objects, 20 % faults, duplicated and dropped callbacks, duplicated S3 events -> all published exactly once', { timeout: 270_000 }, async () => {
  const sizes = chaosSizes(20, 20261125, { medium: 0.1, large: 0 });
  sizes[10] = 12 * 1024 * 1024; // a second multipart object besides the 64 MiB one
  const lines: string[] = [];
  const report = await runChaos({ sizes, seed: 20261125, timeoutMs: 240_000, onOfflineLine: (l) => { lines.push(l); recordLines('osls offline', [l]); }, log: (l) => console.log(l) });
  if (process.env.CHAOS_DUMP) (await import('node:fs')).writeFileSync(process.env.CHAOS_DUMP, lines.join('\n'));
  for (const line of reportLines('quick profile', report)) console.log(`# ${line}`);

  assert.equal(report.published, 20);
  assert.equal(report.videos, 20, 'one Vid per object, no orphan videos');
  assert.deepEqual(report.vidProblems, []);
  assert.deepEqual(report.transcodesNotOnce, []);
  assert.deepEqual(report.publishesNotOnce, []);
  assert.deepEqual(report.md5Mismatches, []);
  assert.ok(report.api.faulted > 0 && report.upload.faulted > 0, 'faults were injected');
  assert.ok(report.driver.duplicateS3Events > 0);
});
