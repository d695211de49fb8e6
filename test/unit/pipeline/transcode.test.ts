// transcodeOnCommit against dynalite with a recording StartTranscode: the request is recorded before the call, so
// no failure after it (a lost answer, a failed RunId write, a dead Lambda) leads to a second run.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DynamoDb } from '#lib/aws';
import { ItemStore, publishOnTranscoded, silentLog, transcodeOnCommit, type TranscodeDeps } from '#lib/pipeline';
import { httpFetch, VodError } from '#lib/vod';
import { startDynalite, type LocalDynamo } from '../../../local/stack/dynamo.ts';
import { createTables, tableDefinitions } from '../../../local/stack/tables.ts';
import { throttledOnce } from '../../support/throttled-once.ts';
import { ITEMS_TABLE, lambdaContext, localAws } from './harness.ts';

let dynamo: LocalDynamo;
let store: ItemStore;
const clock = new Date('2026-11-25T10:00:00.000Z');
const T = { templateId: 'tpl' };

before(async () => {
  dynamo = await startDynalite(0);
  await createTables(dynamo.endpoint, await tableDefinitions(new URL('../../../serverless.yml', import.meta.url).pathname, 'local', {}));
  const db = new DynamoDb(localAws('dynamodb', dynamo.endpoint));
  store = new ItemStore({ db, tableName: ITEMS_TABLE, now: () => clock });
});
after(() => dynamo.close());

/** A committed item and a StartTranscode that answers `run-{n}` (or throws what `answer` gives for call n). */
async function setup(name: string, answer: (n: number) => Promise<Error | undefined> | Error | undefined = () => undefined) {
  const itemId = `s3:b/incoming/${name}.mp4@e`;
  const vid = `v-${name}`;
  await store.create({ id: itemId, source: 's3', spaceName: 'sp', vid, state: 'committed' });
  const calls: string[] = [];
  /** What happened, in order: 'prepare' (deps.prepare) and 'start' (StartTranscode). */
  const order: string[] = [];
  const vod = {
    startTranscode: async (p: { Vid: string; CallbackArgs?: string }) => {
      calls.push(`${p.Vid} ${p.CallbackArgs}`);
      order.push('start');
      const err = await answer(calls.length);
      if (err) throw err;
      return { RunId: `run-${calls.length}` };
    },
  };
  return {
    itemId, vid, calls, order, detail: { vid, spaceName: 'sp', itemId },
    deps: (s: ItemStore = store): TranscodeDeps => ({ store: s, log: silentLog, vod, prepare: () => void order.push('prepare') }),
  };
}

const timeout = () => new VodError({ code: 'RequestTimeout', message: 'StartTranscode: no complete response within 10000 ms', action: 'StartTranscode' });
const refused = () => new VodError({ code: 'InternalError', message: 'try again', action: 'StartTranscode', httpStatus: 500 });

test('a RunId write that fails leaves the request open: the retry sends no second StartTranscode and waits for the callback', async () => {
  const { itemId, vid, calls, order, detail, deps } = await setup('runid-write');
  const flaky = deps(throttledOnce(store, 'startTranscode'));

  await assert.rejects(transcodeOnCommit(flaky, detail, T), { name: 'ProvisionedThroughputExceededException', message: 'throttled' });
  const retried = await transcodeOnCommit(flaky, detail, T);

  assert.deepEqual(retried, { itemId, started: 'unknown' });
  assert.deepEqual(calls, [`${vid} {"itemId":"${itemId}"}`]);
  // each delivery prepares its VOD call while its request is answered
  assert.deepEqual(order, ['prepare', 'start', 'prepare']);
  const item = await store.get(itemId);
  assert.deepEqual([item?.state, item?.runId, item?.transcodeRequestedAt], ['transcoding', undefined, clock.toISOString()]);
});

test('a request recorded by a Lambda that died before the answer is not sent again', async () => {
  const { itemId, calls, detail, deps } = await setup('died');
  assert.equal((await store.requestTranscode(itemId)).changed, true);

  assert.deepEqual(await transcodeOnCommit(deps(), detail, T), { itemId, started: 'unknown' });
  assert.deepEqual(calls, []);
});

test('an unanswered StartTranscode keeps its request; the answer it got records the RunId and ends the request', async () => {
  const a = await setup('unanswered', () => timeout());
  assert.deepEqual(await transcodeOnCommit(a.deps(), a.detail, T), { itemId: a.itemId, started: 'unknown' });
  assert.equal((await store.get(a.itemId))?.transcodeRequestedAt, clock.toISOString());

  const b = await setup('answered');
  assert.deepEqual(await transcodeOnCommit(b.deps(), b.detail, T), { itemId: b.itemId, runId: 'run-1', started: 'now' });
  const item = await store.get(b.itemId);
  assert.deepEqual([item?.state, item?.runId, item?.transcodeRequestedAt], ['transcoding', 'run-1', undefined]);
});

test('a StartTranscode the service refused withdraws the request: the item fails from committed and the retry sends it again', async () => {
  const { itemId, calls, detail, deps } = await setup('refused', (n) => (n === 1 ? refused() : undefined));

  await assert.rejects(transcodeOnCommit(deps(), detail, T), { name: 'VodError', code: 'InternalError' });
  const failed = await store.get(itemId);
  assert.deepEqual([failed?.state, failed?.failedFrom, failed?.attempts, failed?.reason, failed?.transcodeRequestedAt],
    ['failed', 'committed', 1, 'VodError InternalError: try again', undefined]);

  assert.deepEqual(await transcodeOnCommit(deps(), detail, T), { itemId, runId: 'run-2', started: 'now' });
  assert.equal(calls.length, 2);
  const item = await store.get(itemId);
  assert.deepEqual([item?.state, item?.failedFrom, item?.runId], ['transcoding', undefined, 'run-2']);
});

test('a failed run whose callback beats the RunId write stays failed, with its RunId; no other run is started for it', async () => {
  const pubVod = { getPlayInfo: async () => ({ Data: {} }), setVideoPublishStatus: async () => ({}) };
  const itemId = 's3:b/incoming/race.mp4@e';
  const { calls, detail, deps } = await setup('race', async () => {
    // the run fails at once; its TranscodeComplete is handled before transcode-on-commit records the RunId
    const out = await publishOnTranscoded({ store, log: silentLog, vod: pubVod }, { vid: 'v-race', runId: 'run-1', spaceName: 'sp', code: 'InvalidInput', itemId }, { policy: 'always' }, lambdaContext('p'));
    assert.deepEqual(out, { itemId, outcome: 'failed' });
    return undefined;
  });

  assert.deepEqual(await transcodeOnCommit(deps(), detail, T), { itemId, runId: 'run-1', started: 'now' });

  const item = await store.get(itemId);
  assert.deepEqual([item?.state, item?.failedFrom, item?.runId, item?.attempts, item?.reason, item?.transcodeRequestedAt],
    ['failed', 'transcoding', 'run-1', 1, 'TranscodeComplete InvalidInput (RunId run-1)', undefined]);
  assert.equal((await store.requestTranscode(itemId)).changed, false, 'a failed run is final');
  assert.equal(calls.length, 1);
});

test('a delivery costs three requests (the request, StartTranscode, the RunId); an event naming no item one more, by Vid', async () => {
  const sent: string[] = [];
  const counting = new DynamoDb({
    ...localAws('dynamodb', dynamo.endpoint),
    fetch: async (url, init) => { sent.push(init.headers['x-amz-target']!.split('.')[1]!); return httpFetch(url, init); },
  });
  const countingStore = new ItemStore({ db: counting, tableName: ITEMS_TABLE, now: () => clock });
  const named = await setup('counted');
  assert.deepEqual(await transcodeOnCommit(named.deps(countingStore), named.detail, T), { itemId: named.itemId, runId: 'run-1', started: 'now' });
  assert.deepEqual(sent.splice(0), ['UpdateItem', 'UpdateItem']);

  const unnamed = await setup('unnamed');
  const vidOnly = { vid: 'v-new-video', spaceName: 'sp' };
  assert.deepEqual(await transcodeOnCommit(unnamed.deps(countingStore), vidOnly, T), { itemId: 'vid:v-new-video', runId: 'run-1', started: 'now' });
  assert.deepEqual(sent.splice(0), ['Query', 'UpdateItem', 'UpdateItem']);
  const item = await store.get('vid:v-new-video');
  assert.deepEqual([item?.source, item?.state, item?.vid, item?.spaceName, item?.runId], ['vid', 'transcoding', 'v-new-video', 'sp', 'run-1']);
  assert.deepEqual(unnamed.calls, ['v-new-video {"itemId":"vid:v-new-video"}']);
});
