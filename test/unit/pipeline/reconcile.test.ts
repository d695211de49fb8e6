// reconcile against dynalite with a fake VOD and bus: what it leaves alone for good is never read, so it cannot
// hide the items it should drive on, and a failed transcode run is a final failure.
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { DynamoDb } from '#lib/aws';
import { ItemStore, reconcile, silentLog, type Item, type ReconcileDeps } from '#lib/pipeline';
import { startDynalite, type LocalDynamo } from '../../../local/stack/dynamo.ts';
import { createTables, tableDefinitions } from '../../../local/stack/tables.ts';
import { ITEMS_TABLE, localAws } from './harness.ts';

const T0 = Date.parse('2026-11-25T10:00:00.000Z');
let clock = T0;
let dynamo: LocalDynamo | undefined;
afterEach(() => dynamo?.close());

/** A fresh table (each test counts what one run of reconcile reads), a recording bus and VOD. */
async function fresh() {
  dynamo = await startDynalite(0);
  await createTables(dynamo.endpoint, await tableDefinitions(new URL('../../../serverless.yml', import.meta.url).pathname, 'local', {}));
  clock = T0;
  const store = new ItemStore({ db: new DynamoDb(localAws('dynamodb', dynamo.endpoint)), tableName: ITEMS_TABLE, now: () => new Date(clock) });
  const emitted: Array<[string, Record<string, unknown>]> = [];
  const asked: string[] = [];
  const deps: ReconcileDeps = {
    store, log: silentLog,
    bus: { emit: async (type: string, detail: Record<string, unknown>) => { emitted.push([type, detail]); } } as never,
    vod: {
      getPlayInfo: async (p) => { asked.push(`GetPlayInfo ${p.video_id}`); return { Data: { PlayInfoList: [] } }; },
      queryUploadTaskInfo: async (p) => {
        asked.push(`QueryUploadTaskInfo ${p.JobIds.join(',')}`);
        return { Data: { MediaInfoList: p.JobIds.map((JobId) => ({ JobId, State: 'running', Vid: '', SpaceName: 'sp' })) } };
      },
    },
  };
  return { store, deps, emitted, asked };
}

async function failedS3Ingest(store: ItemStore, n: number): Promise<string> {
  const id = `s3:b/incoming/bad-${n}.mp4@e`;
  await store.create({ id, source: 's3', spaceName: 'sp', bucket: 'b', key: `incoming/bad-${n}.mp4` });
  await store.fail(id, 'uploading', 'corrupt');
  return id;
}

async function failedRun(store: ItemStore, id: string): Promise<void> {
  await store.create({ id, source: 's3', spaceName: 'sp', vid: `v-${id}`, runId: 'run-1', state: 'transcoding' });
  await store.fail(id, 'transcoding', 'TranscodeComplete InvalidInput (RunId run-1)');
}

async function failedPublish(store: ItemStore, id: string, times: number): Promise<void> {
  await store.create({ id, source: 's3', spaceName: 'sp', vid: `v-${id}`, state: 'transcoding' });
  await store.advance(id, 'transcoded', { runId: 'run-1' });
  for (let i = 0; i < times; i++) await store.fail(id, 'transcoded', 'VodError ServiceUnavailable: down');
}

const hour = 3600_000;
const opts = { stuckAfterSeconds: 900, policy: 'always' as const };

test('items reconcile leaves alone for good, however many and however old, do not hide the ones it drives on', async () => {
  const { store, deps, emitted, asked } = await fresh();
  // older than everything else, more of them than one run reads: failed S3 ingests (Lambda's, then the DLQ's),
  // a publish that failed maxAttempts times, a failed transcode run
  const leftAlone = [await failedS3Ingest(store, 1), await failedS3Ingest(store, 2), await failedS3Ingest(store, 3)];
  await failedPublish(store, 'exhausted', 5);
  await failedRun(store, 'run-failed');
  leftAlone.push('exhausted', 'run-failed');
  const before = await Promise.all(leftAlone.map((id) => store.get(id)));
  clock += 60_000;
  // later: a publish that failed once (an outage) and a URL job whose ingest failed
  await failedPublish(store, 'outage', 1);
  await store.create({ id: 'url:j1', source: 'url', spaceName: 'sp', jobId: 'j1' });
  await store.fail('url:j1', 'received', 'VodError InternalError: boom');

  const report = await reconcile(deps, { ...opts, limit: 2, now: new Date((clock += hour)) });

  assert.deepEqual(report, { examined: 2, actions: { reemitted: 1, restarted: 0, committed: 0, failed: 0, waiting: 1, skipped: 0 }, errors: [] });
  assert.deepEqual(emitted, [['TranscodeCompleted', { vid: 'v-outage', runId: 'run-1', spaceName: 'sp', code: 'Success', itemId: 'outage' }]]);
  assert.deepEqual(asked, ['QueryUploadTaskInfo j1']);
  assert.deepEqual(await Promise.all(leftAlone.map((id) => store.get(id))), before, 'left alone: not even touched');
});

test('a failed transcode run is a final failure: reconcile neither asks about it nor touches it, run after run', async () => {
  const { store, deps, emitted, asked } = await fresh();
  await failedRun(store, 'run-failed');
  const before = await store.get('run-failed');

  const reports = [];
  for (let run = 0; run < 3; run++) reports.push(await reconcile(deps, { ...opts, now: new Date((clock += hour)) }));

  const none = { examined: 0, actions: { reemitted: 0, restarted: 0, committed: 0, failed: 0, waiting: 0, skipped: 0 }, errors: [] };
  assert.deepEqual(reports, [none, none, none]);
  assert.deepEqual([emitted, asked], [[], []]);
  assert.deepEqual(await store.get('run-failed'), before);
});

test('with policy never, transcoded items are not read (nothing is left to do for them)', async () => {
  const { store, deps, emitted } = await fresh();
  await store.create({ id: 'done', source: 's3', spaceName: 'sp', vid: 'v-done', state: 'transcoding' });
  await store.advance('done', 'transcoded', { runId: 'run-1' });

  const report = await reconcile(deps, { ...opts, policy: 'never', now: new Date((clock += hour)) });

  assert.equal(report.examined, 0);
  assert.deepEqual(emitted, []);
});

test('a StartTranscode refused on a restart is driven on as that restart', async () => {
  const { store, deps, emitted } = await fresh();
  await store.create({ id: 'r', source: 's3', spaceName: 'sp', vid: 'v-r', state: 'committed' });
  await store.requestTranscode('r');
  await store.restartTranscode('r', (await store.get('r'))!.updatedAt);
  const { item } = await store.requestTranscode('r', { restart: 1 });
  await store.abandonTranscode('r', item!.transcodeRequestedAt!, 'VodError InternalError: boom');

  const report = await reconcile(deps, { ...opts, now: new Date((clock += hour)) });

  assert.equal(report.actions.reemitted, 1);
  assert.deepEqual(emitted, [['UploadCommitted', { vid: 'v-r', spaceName: 'sp', itemId: 'r', restart: 1 }]]);
  const touched: Item | undefined = await store.get('r');
  assert.deepEqual([touched?.state, touched?.failedFrom, touched?.attempts, touched?.transcodeRestarts], ['failed', 'committed', 1, 1]);
});

test('an ingest still at work (its lease live) is not failed as stuck; once the lease has run out it is', async () => {
  const { store, deps } = await fresh();
  const id = 's3:b/incoming/slow.mp4@e';
  // a single PUT of a large object writes no checkpoint until it is stored: the item's updatedAt stays at the claim
  assert.equal((await store.claim(id, 'uploading', { leaseMs: 900_000, create: { source: 's3', spaceName: 'sp', bucket: 'b', key: 'incoming/slow.mp4' } })).claimed, true);
  const opts = { stuckAfterSeconds: 300, policy: 'always' } as const;

  clock = T0 + 600_000;
  const during = await reconcile(deps, { ...opts, now: new Date(clock) });
  assert.deepEqual([during.actions.failed, during.actions.waiting], [0, 1]);
  const held = await store.get(id);
  assert.deepEqual([held?.state, held?.leaseUntil], ['uploading', new Date(T0 + 900_000).toISOString()]);
  // a duplicate delivery still meets the lease
  assert.equal((await store.claim(id, 'uploading', { leaseMs: 900_000, create: { source: 's3', spaceName: 'sp' } })).claimed, false);

  clock = T0 + 900_001;
  const afterLease = await reconcile(deps, { ...opts, now: new Date(clock) });
  assert.equal(afterLease.actions.failed, 1);
  assert.deepEqual([(await store.get(id))?.state, (await store.get(id))?.failedFrom], ['failed', 'uploading']);
});

test('a restart whose UploadCommitted was lost is announced again, not waited on for ever', async () => {
  const { store, deps, emitted } = await fresh();
  const id = 's3:b/incoming/lost-restart.mp4@e';
  await store.create({ id, source: 's3', spaceName: 'sp', vid: 'v-lr', state: 'committed' });
  assert.equal((await store.requestTranscode(id)).changed, true); // StartTranscode unanswered, no run started
  clock += 5 * hour;
  // reconcile counted the restart, then its UploadCommitted{restart: 1} was lost (PutEvents failed, or it timed out)
  assert.equal((await store.restartTranscode(id, (await store.get(id))!.updatedAt)).changed, true);
  const opts = { stuckAfterSeconds: 900, policy: 'always' } as const;

  for (let run = 0; run < 2; run++) {
    clock += hour;
    const report = await reconcile(deps, { ...opts, now: new Date(clock) });
    assert.deepEqual([report.actions.reemitted, report.actions.waiting], [1, 0]);
  }
  assert.deepEqual(emitted, [0, 1].map(() => ['UploadCommitted', { vid: 'v-lr', spaceName: 'sp', itemId: id, restart: 1 }]));
  // the restart's own request is let through once
  assert.equal((await store.requestTranscode(id, { restart: 1 })).changed, true);
  assert.equal((await store.requestTranscode(id, { restart: 1 })).changed, false);
});
