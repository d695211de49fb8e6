// publishOnTranscoded against dynalite with recording VOD calls: the item is the step's idempotency record, claimed
// for as long as the Lambda may run, so SetVideoPublishStatus goes out once per Vid however deliveries interleave.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DynamoDb } from '#lib/aws';
import { ItemStore, publishOnTranscoded, silentLog, type PublishDeps } from '#lib/pipeline';
import { httpFetch } from '#lib/vod';
import { startDynalite, type LocalDynamo } from '../../../local/stack/dynamo.ts';
import { createTables, tableDefinitions } from '../../../local/stack/tables.ts';
import { ITEMS_TABLE, lambdaContext, localAws } from './harness.ts';

let dynamo: LocalDynamo;
let clock = new Date('2026-11-25T10:00:00.000Z');
const tick = (ms: number) => { clock = new Date(clock.getTime() + ms); };
const sent: string[] = [];
let store: ItemStore;
const ALWAYS = { policy: 'always' } as const;
const lease = (ms: number) => ({ getRemainingTimeInMillis: () => ms });

before(async () => {
  dynamo = await startDynalite(0);
  await createTables(dynamo.endpoint, await tableDefinitions(new URL('../../../serverless.yml', import.meta.url).pathname, 'local', {}));
  const db = new DynamoDb({
    ...localAws('dynamodb', dynamo.endpoint),
    fetch: async (url, init) => { sent.push(init.headers['x-amz-target']!.split('.')[1]!); return httpFetch(url, init); },
  });
  store = new ItemStore({ db, tableName: ITEMS_TABLE, now: () => clock });
});
after(() => dynamo.close());

/** A transcoding item and VOD calls that record themselves (and deps.prepare, as 'prepare'); GetPlayInfo answers `status`. */
async function setup(name: string, status = 0) {
  const itemId = `s3:b/incoming/${name}.mp4@e`;
  const vid = `v-${name}`;
  await store.create({ id: itemId, source: 's3', spaceName: 'sp', vid, state: 'transcoding' });
  await store.startTranscode(itemId, { runId: 'run-1' });
  const calls: string[] = [];
  const vod: PublishDeps['vod'] = {
    getPlayInfo: async () => { calls.push('GetPlayInfo'); return { Data: { Status: status } } as never; },
    setVideoPublishStatus: async () => { calls.push('SetVideoPublishStatus'); return {} as never; },
  };
  sent.length = 0;
  const deps: PublishDeps = { store, log: silentLog, vod, prepare: () => void calls.push('prepare') };
  return { itemId, calls, detail: { vid, runId: 'run-1', spaceName: 'sp', code: 'Success', itemId }, deps };
}

test('a delivery costs three requests: the claim, SetVideoPublishStatus, published; a repeat answers from the item', async () => {
  const { itemId, calls, detail, deps } = await setup('counted');
  assert.deepEqual(await publishOnTranscoded(deps, detail, ALWAYS, lambdaContext()), { itemId, outcome: 'published' });
  assert.deepEqual(sent.splice(0), ['UpdateItem', 'UpdateItem']);
  assert.deepEqual(calls, ['prepare', 'SetVideoPublishStatus']);
  const item = await store.get(itemId);
  assert.deepEqual([item?.state, item?.runId, item?.leaseUntil, item?.attempts], ['published', 'run-1', undefined, 0]);

  sent.length = 0;
  assert.deepEqual(await publishOnTranscoded(deps, detail, ALWAYS, lambdaContext()), { itemId, outcome: 'published' });
  assert.deepEqual(sent, ['UpdateItem', 'GetItem'], 'the refused claim, then the item');
  assert.deepEqual(calls, ['prepare', 'SetVideoPublishStatus', 'prepare']);
});

test('a claim held by a delivery that died blocks others until it runs out; the retry then asks the service first', async () => {
  const { itemId, calls, detail, deps } = await setup('died', 10);
  // a delivery claims the item and dies after SetVideoPublishStatus went through (its 'published' never written)
  const held = await store.claim(itemId, 'transcoded', { leaseMs: 30_000, create: { source: 's3', spaceName: 'sp' } });
  assert.equal(held.claimed, true);

  tick(29_999);
  await assert.rejects(publishOnTranscoded(deps, detail, ALWAYS, lease(30_000)), {
    name: 'ItemInProgressError', message: `item ${itemId} is being published by another delivery (its lease holds until 2026-11-25T10:00:30.000Z)`,
  });
  tick(2);
  assert.deepEqual(await publishOnTranscoded(deps, detail, ALWAYS, lease(30_000)), { itemId, outcome: 'published' });
  assert.deepEqual(calls, ['prepare', 'prepare', 'GetPlayInfo'], 'published already: not sent again');
  assert.equal((await store.get(itemId))?.state, 'published');
});

test('a failed SetVideoPublishStatus ends the claim: the retry runs at once and asks the service first', async () => {
  const { itemId, calls, detail, deps } = await setup('refused');
  let fails = 1;
  const flaky = { ...deps, vod: { ...deps.vod, setVideoPublishStatus: async (p: never) => { if (fails-- > 0) throw new Error('throttled'); return deps.vod.setVideoPublishStatus(p); } } };
  await assert.rejects(publishOnTranscoded(flaky, detail, ALWAYS, lease(30_000)), { message: 'throttled' });
  const failed = await store.get(itemId);
  assert.deepEqual([failed?.state, failed?.failedFrom, failed?.attempts, failed?.leaseUntil], ['failed', 'transcoded', 1, undefined]);

  assert.deepEqual(await publishOnTranscoded(flaky, detail, ALWAYS, lease(30_000)), { itemId, outcome: 'published' });
  assert.deepEqual(calls, ['prepare', 'prepare', 'GetPlayInfo', 'SetVideoPublishStatus']);
});

test('a failed run fails the item once however often its completion arrives; an unknown Vid gets an item', async () => {
  const { itemId, detail, deps } = await setup('run-failed');
  const failure = { ...detail, code: 'InvalidInput' };
  for (let i = 0; i < 3; i++) assert.deepEqual(await publishOnTranscoded(deps, failure, ALWAYS, lambdaContext()), { itemId, outcome: 'failed' });
  const item = await store.get(itemId);
  assert.deepEqual([item?.state, item?.failedFrom, item?.attempts, item?.reason], ['failed', 'transcoding', 1, 'TranscodeComplete InvalidInput (RunId run-1)']);

  const unknown = { vid: 'v-unknown', runId: 'run-9', spaceName: 'sp', code: 'InvalidInput' };
  assert.deepEqual(await publishOnTranscoded(deps, unknown, ALWAYS, lambdaContext()), { itemId: 'vid:v-unknown', outcome: 'failed' });
  const made = await store.get('vid:v-unknown');
  assert.deepEqual([made?.source, made?.state, made?.failedFrom, made?.attempts, made?.vid], ['vid', 'failed', 'transcoding', 1, 'v-unknown']);
});

test("policy 'never' records 'transcoded' and publishes nothing", async () => {
  const { itemId, calls, detail, deps } = await setup('never');
  assert.deepEqual(await publishOnTranscoded(deps, detail, { policy: 'never' }, lambdaContext()), { itemId, outcome: 'transcoded' });
  assert.deepEqual(calls, []);
  assert.equal((await store.get(itemId))?.state, 'transcoded');
});

test('a failed run of a video already transcoded (its publish failed once) does not make it a final failure', async () => {
  const { itemId, detail, deps } = await setup('late-failure');
  let fails = 1;
  const flaky = { ...deps, vod: { ...deps.vod, setVideoPublishStatus: async (p: never) => { if (fails-- > 0) throw new Error('throttled'); return deps.vod.setVideoPublishStatus(p); } } };
  await assert.rejects(publishOnTranscoded(flaky, detail, ALWAYS, lease(30_000)), { message: 'throttled' });

  assert.deepEqual(await publishOnTranscoded(deps, { ...detail, runId: 'run-2', code: 'InternalError' }, ALWAYS, lambdaContext()), { itemId, outcome: 'failed' });
  const item = await store.get(itemId);
  assert.deepEqual([item?.state, item?.failedFrom, item?.attempts, item?.reason], ['failed', 'transcoded', 1, 'Error: throttled']);
});
