// ItemStore against dynalite with the table of serverless.yml: states only move forward; failures keep the reason.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DynamoDb } from '#lib/aws';
import { ItemStore } from '#lib/pipeline';
import { startDynalite, type LocalDynamo } from '../../../local/stack/dynamo.ts';
import { createTables, tableDefinitions } from '../../../local/stack/tables.ts';
import { localAws } from './harness.ts';

let dynamo: LocalDynamo;
let clock = new Date('2026-11-25T10:00:00.000Z');
let store: ItemStore;
const tick = (s: number) => { clock = new Date(clock.getTime() + s * 1000); };

before(async () => {
  dynamo = await startDynalite(0);
  await createTables(dynamo.endpoint, await tableDefinitions(new URL('../../../serverless.yml', import.meta.url).pathname, 'local', {}));
  store = new ItemStore({ db: new DynamoDb(localAws('dynamodb', dynamo.endpoint)), tableName: 'vod-serverless-local-items', now: () => clock });
});
after(() => dynamo.close());

test('create is once; advance only moves forward and records fields', async () => {
  const first = await store.create({ id: 'i1', source: 's3', spaceName: 's', bucket: 'b', key: 'k' });
  assert.deepEqual(first, { changed: true, item: { id: 'i1', source: 's3', spaceName: 's', bucket: 'b', key: 'k', state: 'received', attempts: 0, createdAt: '2026-11-25T10:00:00.000Z', updatedAt: '2026-11-25T10:00:00.000Z' } });
  assert.equal((await store.create({ id: 'i1', source: 's3', spaceName: 'other' })).changed, false);
  tick(1);
  assert.equal((await store.advance('i1', 'committed', { vid: 'v1' })).changed, true);
  const back = await store.advance('i1', 'uploading');
  assert.equal(back.changed, false);
  assert.deepEqual([back.item?.state, back.item?.vid, back.item?.updatedAt], ['committed', 'v1', '2026-11-25T10:00:01.000Z']);
  assert.equal((await store.advance('i1', 'committed')).changed, false, 'same state is not a move');
  assert.equal((await store.advance('nope', 'committed')).changed, false, 'no item, no write');
  assert.equal(await store.get('nope'), undefined);
});

test('fail records reason and attempts, never overwrites later progress; a retry re-enters the failed state', async () => {
  await store.create({ id: 'i2', source: 's3', spaceName: 's' });
  await store.advance('i2', 'uploading');
  const f1 = await store.fail('i2', 'uploading', 'VodError InternalError: boom');
  assert.deepEqual([f1.item?.state, f1.item?.failedFrom, f1.item?.attempts, f1.item?.reason], ['failed', 'uploading', 1, 'VodError InternalError: boom']);
  assert.equal((await store.fail('i2', 'uploading', 'again')).item?.attempts, 2);
  assert.equal((await store.advance('i2', 'uploading')).changed, true, 'retry of the failed step');
  assert.equal((await store.advance('i2', 'committed', { vid: 'v2' })).item?.failedFrom, undefined);
  const late = await store.fail('i2', 'uploading', 'late failure of a duplicate');
  assert.equal(late.changed, false);
  assert.deepEqual([late.item?.state, late.item?.attempts, late.item?.reason], ['committed', 2, 'again']);
  assert.equal((await store.fail('i2', 'transcoding', 'long reason '.repeat(100))).item?.reason?.length, 500);
});

test('findByVid and stuck use the GSIs; touch bumps updatedAt only in the expected state', async () => {
  clock = new Date('2026-11-25T11:00:00.000Z');
  await store.create({ id: 'i3', source: 'url', spaceName: 's', jobId: 'j3' });
  await store.create({ id: 'i4', source: 's3', spaceName: 's', vid: 'v4', state: 'committed' });
  tick(3600);
  await store.create({ id: 'i5', source: 'url', spaceName: 's', jobId: 'j5' });
  assert.deepEqual((await store.findByVid('v4')).map((i) => i.id), ['i4']);
  const cutoff = new Date('2026-11-25T11:30:00.000Z');
  assert.deepEqual((await store.stuck('received', cutoff)).map((i) => i.id), ['i3']);
  assert.deepEqual((await store.stuck('committed', cutoff)).map((i) => i.id), ['i1', 'i4'], 'oldest first');
  const touched = await store.touch('i3', 'received');
  assert.deepEqual([touched.changed, touched.item?.reconciled, touched.item?.updatedAt], [true, 1, clock.toISOString()]);
  assert.equal((await store.touch('i3', 'committed')).changed, false);
  assert.deepEqual(await store.stuck('received', cutoff), []);
});

test('stuck with a filter pages past the items it leaves out, up to limit matches, oldest first', async () => {
  clock = new Date('2026-11-25T13:00:00.000Z');
  for (let i = 0; i < 5; i++) { await store.create({ id: `out-${i}`, source: 's3', spaceName: 's', state: 'transcoded' }); tick(1); }
  for (let i = 0; i < 3; i++) { await store.create({ id: `in-${i}`, source: 's3', spaceName: 's', vid: `v-in-${i}`, state: 'transcoded' }); tick(1); }
  const cutoff = new Date('2026-11-25T14:00:00.000Z');
  const withVid = { expression: 'attribute_exists(vid)' };
  assert.deepEqual((await store.stuck('transcoded', cutoff, 2, withVid)).map((i) => i.id), ['in-0', 'in-1']);
  assert.deepEqual((await store.stuck('transcoded', cutoff, 10, withVid)).map((i) => i.id), ['in-0', 'in-1', 'in-2']);
  assert.deepEqual((await store.stuck('transcoded', cutoff, 2)).map((i) => i.id), ['out-0', 'out-1'], 'no filter: the oldest');
});

test('a transcode request is recorded once; its restart takes the item back only as the restart reconcile counted', async () => {
  clock = new Date('2026-11-25T15:00:00.000Z');
  await store.create({ id: 't1', source: 's3', spaceName: 's', vid: 'v-t1', state: 'committed' });
  const req = await store.requestTranscode('t1');
  assert.deepEqual([req.changed, req.item?.state, req.item?.transcodeRequestedAt], [true, 'transcoding', clock.toISOString()]);
  assert.equal((await store.requestTranscode('t1')).changed, false, 'an open request: the run may exist');
  tick(60);
  const restarted = await store.restartTranscode('t1', req.item!.updatedAt);
  assert.deepEqual([restarted.changed, restarted.item?.transcodeRestarts, restarted.item?.transcodeRequestedAt], [true, 1, undefined]);
  assert.equal((await store.requestTranscode('t1')).changed, false, 'the original event, late');
  assert.equal((await store.requestTranscode('t1', { restart: 2 })).changed, false, 'a restart not counted');
  assert.equal((await store.requestTranscode('t1', { restart: 1 })).changed, true);
  assert.equal((await store.startTranscode('t1', { runId: 'r1' })).item?.runId, 'r1');
  assert.equal((await store.requestTranscode('t1', { restart: 1 })).changed, false, 'it has its run');
});

test('a transcode request with `create` makes a missing item in one write; an existing item keeps what it had', async () => {
  clock = new Date('2026-11-25T16:00:00.000Z');
  assert.deepEqual(await store.requestTranscode('t-none', { vid: 'v-none' }), { changed: false, item: undefined }, 'no create: no item');
  const made = await store.requestTranscode('url:job-9', { vid: 'v-9', create: { source: 'url', spaceName: 's', jobId: 'job-9' } });
  assert.deepEqual(made, { changed: true, item: {
    id: 'url:job-9', source: 'url', spaceName: 's', jobId: 'job-9', vid: 'v-9', state: 'transcoding', attempts: 0,
    createdAt: clock.toISOString(), updatedAt: clock.toISOString(), transcodeRequestedAt: clock.toISOString(),
  } });

  await store.create({ id: 't2', source: 's3', spaceName: 'own', state: 'uploading' });
  await store.fail('t2', 'uploading', 'CommitUpload timed out');
  tick(5);
  const moved = await store.requestTranscode('t2', { vid: 'v-t2', create: { source: 'vid', spaceName: 'other' } });
  assert.deepEqual(moved.item, {
    id: 't2', source: 's3', spaceName: 'own', vid: 'v-t2', state: 'transcoding', attempts: 1, reason: 'CommitUpload timed out',
    createdAt: '2026-11-25T16:00:00.000Z', updatedAt: clock.toISOString(), transcodeRequestedAt: clock.toISOString(),
  });
  assert.equal((await store.requestTranscode('t2', { vid: 'v-t2', create: { source: 's3', spaceName: 'own' } })).changed, false, 'its request is open');
});
