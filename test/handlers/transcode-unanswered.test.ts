// Calls that get no answer: StartTranscode (not idempotent) is never sent twice for one run; the item waits for
// the run's callback or renditions, and reconcile starts it again only when neither came. A publish retried after
// an unanswered SetVideoPublishStatus asks the service first. Against the emulator (its 'slow' fault answers after
// the client's timeout) and dynalite.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, beforeEach, test } from 'node:test';
import type { PipelineDeps } from '#lib/pipeline';
import type { VodClient } from '#lib/vod';
import { ITEMS_TABLE, lambdaContext, startHarness, type Harness } from '../unit/pipeline/harness.ts';

let h: Harness;
let lib: typeof import('#lib/pipeline');
let deps: Omit<PipelineDeps, 'once'>;
/** The same, with a client that gives up after 300 ms: for the calls the emulator's 'slow' fault (600 ms) meets. */
let impatient: Omit<PipelineDeps, 'once'>;
let vod: VodClient;
let sample: Buffer;
let clock = Date.parse('2026-11-25T12:00:00Z');
const T = 'local-template';

before(async () => {
  h = await startHarness();
  lib = await import('#lib/pipeline');
  const { newVodClient, config } = await import('#lib/config');
  // a long timeout for the calls that are answered, however loaded the machine
  vod = newVodClient(config(), { timeoutMs: 30_000, retries: 0 });
  // the item store on a clock the test moves (reconcile judges time by it)
  deps = { ...lib.transcodeDeps(), ...lib.publishDeps(), ...lib.reconcileDeps(), vod, store: new lib.ItemStore({ db: h.db, tableName: ITEMS_TABLE, now: () => new Date(clock) }) };
  // the emulator's slow answer is a 600 ms timer started after this client's 300 ms one, in the same event loop: it
  // never comes first, however loaded the machine
  impatient = { ...deps, vod: newVodClient(config(), { timeoutMs: 300, retries: 0 }) };
  sample = await readFile(new URL('../../samples/sample.mp4', import.meta.url));
});
after(() => h.close());
beforeEach(() => h.emulator.setFaults(undefined));

async function committedItem(name: string): Promise<{ vid: string; itemId: string }> {
  const out = await vod.uploadVideo({ spaceName: 'demo-space', body: sample, fileType: 'video' });
  const vid = out.Results[0]?.Vid;
  assert.ok(vid);
  const itemId = `s3:b/incoming/${name}.mp4@e`;
  await h.store.create({ id: itemId, source: 's3', spaceName: 'demo-space', state: 'committed', vid });
  return { vid, itemId };
}

const startTranscodes = (vid: string) => h.emulator.requests.filter((r) => r.action === 'StartTranscode' && r.vid === vid);
const slow = (action: string) => h.emulator.setFaults({ actions: { [action]: 1 }, api: 0, kinds: ['slow'], slowMs: 600 });

test('an unanswered StartTranscode is not sent again; the run it did start is published from its completion', async () => {
  const { vid, itemId } = await committedItem('unanswered');
  slow('StartTranscode');
  const first = await lib.transcodeOnCommit(impatient, { vid, spaceName: 'demo-space', itemId }, { templateId: T });
  assert.deepEqual(first, { itemId, started: 'unknown' });
  h.emulator.setFaults(undefined);
  // a redelivery (and the service's FileUploadComplete) changes nothing
  assert.deepEqual(await lib.transcodeOnCommit(deps, { vid, spaceName: 'demo-space', itemId }, { templateId: T }), first);
  assert.deepEqual(await lib.transcodeOnCommit(deps, { vid, spaceName: 'demo-space' }, { templateId: T }), first);

  await h.emulator.idle();
  const item = await h.store.get(itemId);
  assert.equal(item?.state, 'transcoding');
  assert.equal(item?.runId, undefined);
  assert.match(item?.transcodeRequestedAt ?? '', /^\d{4}-\d\d-\d\dT/);
  const started = startTranscodes(vid);
  assert.equal(started.length, 1);
  const runId = h.emulator.state.videos[vid]?.transcode?.runId;
  assert.ok(runId);

  // the run's TranscodeComplete (here: as the callback would announce it) records the RunId and publishes
  const done = await lib.publishOnTranscoded(deps, { vid, runId, spaceName: 'demo-space', code: 'Success' }, { policy: 'always' }, lambdaContext('d'));
  assert.deepEqual(done, { itemId, outcome: 'published' });
  const published = await h.store.get(itemId);
  assert.deepEqual([published?.state, published?.runId], ['published', runId]);
  assert.equal(startTranscodes(vid).length, 1);
});

test('reconcile: renditions of an unanswered run are announced (no RunId); no renditions after the patience restarts it once', async () => {
  // a run that did start and finish, whose callback never came
  const a = await committedItem('renditions');
  slow('StartTranscode');
  await lib.transcodeOnCommit(impatient, { vid: a.vid, spaceName: 'demo-space', itemId: a.itemId }, { templateId: T });
  h.emulator.setFaults(undefined);
  await h.emulator.idle();

  // a StartTranscode that never reached the service (reset before it was processed)
  const b = await committedItem('lost');
  h.emulator.setFaults({ actions: { StartTranscode: 1 }, api: 0, kinds: ['reset'] });
  const lost = await lib.transcodeOnCommit(deps, { vid: b.vid, spaceName: 'demo-space', itemId: b.itemId }, { templateId: T });
  assert.equal(lost.started, 'unknown');
  h.emulator.setFaults(undefined);
  assert.equal(startTranscodes(b.vid).filter((r) => r.status === 200 && !r.fault).length, 0);

  const emitted = h.bus.entries.length;
  const at = (s: number) => new Date((clock += s * 1000));
  const opts = { stuckAfterSeconds: 10, policy: 'always' as const };
  // within the patience (4 x 10 s): a is announced, b waits
  const r1 = await lib.reconcile(deps, { ...opts, now: at(15) });
  assert.deepEqual([r1.actions.reemitted, r1.actions.waiting, r1.actions.restarted], [1, 1, 0]);
  assert.deepEqual(h.bus.entries.slice(emitted).map((e) => [e.DetailType, e.Detail]), [
    ['TranscodeCompleted', { vid: a.vid, runId: '', spaceName: 'demo-space', code: 'Success', itemId: a.itemId }],
  ]);
  // past it: b is restarted, once, however many runs look at it
  const r2 = await lib.reconcile(deps, { ...opts, now: at(45) });
  const r3 = await lib.reconcile(deps, { ...opts, now: at(0) });
  assert.equal(r2.actions.restarted + r3.actions.restarted, 1);
  const restarts = h.bus.entries.slice(emitted).filter((e) => e.DetailType === 'UploadCommitted');
  assert.deepEqual(restarts.map((e) => e.Detail), [{ vid: b.vid, spaceName: 'demo-space', itemId: b.itemId, restart: 1 }]);
  assert.equal((await h.store.get(b.itemId))?.transcodeRestarts, 1);

  // the restart is a unit of work of its own: it starts the run and records its RunId
  const again = await lib.transcodeOnCommit(deps, restarts[0]!.Detail as never, { templateId: T });
  assert.equal(again.started, 'now');
  assert.equal((await h.store.get(b.itemId))?.runId, again.runId);
  assert.equal(startTranscodes(b.vid).filter((r) => r.status === 200 && !r.fault).length, 1);

  // a's announcement publishes it; the run's own callback arriving later publishes nothing again
  const runA = h.emulator.state.videos[a.vid]!.transcode!.runId;
  assert.deepEqual(await lib.publishOnTranscoded(deps, { vid: a.vid, runId: '', spaceName: 'demo-space', code: 'Success' }, { policy: 'always' }, lambdaContext('d')), { itemId: a.itemId, outcome: 'published' });
  assert.deepEqual(await lib.publishOnTranscoded(deps, { vid: a.vid, runId: runA, spaceName: 'demo-space', code: 'Success' }, { policy: 'always' }, lambdaContext('e')), { itemId: a.itemId, outcome: 'published' });
  assert.equal(h.emulator.requests.filter((r) => r.action === 'SetVideoPublishStatus' && r.vid === a.vid).length, 1);

  // the restarted run's completion publishes b: this file's items all end published, none left for a later reconcile
  await h.emulator.idle();
  assert.deepEqual(await lib.publishOnTranscoded(deps, { vid: b.vid, runId: again.runId!, spaceName: 'demo-space', code: 'Success' }, { policy: 'always' }, lambdaContext('f')), { itemId: b.itemId, outcome: 'published' });
});

test('a publish retried after an unanswered SetVideoPublishStatus asks first and does not publish twice', async () => {
  const { vid, itemId } = await committedItem('publish');
  const { runId } = await lib.transcodeOnCommit(deps, { vid, spaceName: 'demo-space', itemId }, { templateId: T });
  assert.ok(runId);
  await h.emulator.idle();
  slow('SetVideoPublishStatus');
  await assert.rejects(lib.publishOnTranscoded(impatient, { vid, runId, spaceName: 'demo-space', code: 'Success' }, { policy: 'always' }, lambdaContext('b')), (e: unknown) => (e as { code?: string }).code === 'RequestTimeout');
  h.emulator.setFaults(undefined);
  await h.emulator.idle();
  assert.equal(h.emulator.state.videos[vid]?.publishStatus, 'Published', 'the unanswered call went through');
  const failed = await h.store.get(itemId);
  assert.deepEqual([failed?.state, failed?.failedFrom], ['failed', 'transcoded']);

  const retried = await lib.publishOnTranscoded(deps, { vid, runId, spaceName: 'demo-space', code: 'Success' }, { policy: 'always' }, lambdaContext('c'));
  assert.deepEqual(retried, { itemId, outcome: 'published' });
  assert.equal((await h.store.get(itemId))?.state, 'published');
  assert.equal(h.emulator.requests.filter((r) => r.action === 'SetVideoPublishStatus' && r.vid === vid).length, 1);
});

test('a failed publish of a run announced from its renditions (no RunId) is driven on by reconcile', async () => {
  const { vid, itemId } = await committedItem('no-run-id');
  // written on the clock reconcile judges by; the earlier tests' items all ended published, so this is the one it finds
  await deps.store.requestTranscode(itemId);
  await deps.store.advance(itemId, 'transcoded');
  await deps.store.fail(itemId, 'transcoded', 'VodError ServiceUnavailable: injected');
  const emitted = h.bus.entries.length;
  const r = await lib.reconcile(deps, { stuckAfterSeconds: 10, policy: 'always', now: new Date((clock += 11_000)) });
  assert.deepEqual(r, { examined: 1, actions: { reemitted: 1, restarted: 0, committed: 0, failed: 0, waiting: 0, skipped: 0 }, errors: [] });
  assert.deepEqual(h.bus.entries.slice(emitted).filter((e) => e.Detail.vid === vid).map((e) => [e.DetailType, e.Detail]), [
    ['TranscodeCompleted', { vid, runId: '', spaceName: 'demo-space', code: 'Success', itemId }],
  ]);
  const done = await lib.publishOnTranscoded(deps, { vid, runId: '', spaceName: 'demo-space', code: 'Success' }, { policy: 'always' }, lambdaContext('p'));
  assert.deepEqual(done, { itemId, outcome: 'published' });
  assert.equal(h.emulator.state.videos[vid]?.publishStatus, 'Published');
});
