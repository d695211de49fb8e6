// ingest-object fed a real S3 ObjectCreated notification: local S3 (s3rver), dynalite, the emulator, a recording bus.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { S3Event } from 'aws-lambda';
import { DynamoDb } from '#lib/aws';
import { BUCKET, BUS, fixture, ITEMS_TABLE, lambdaContext, localAws, startHarness, type Harness } from '../unit/pipeline/harness.ts';

let h: Harness;
let handler: (e: S3Event, c: ReturnType<typeof lambdaContext>) => Promise<Array<{ itemId: string; vid: string }>>;
const sample = await readFile(new URL('../../samples/sample.mp4', import.meta.url));

before(async () => {
  h = await startHarness();
  ({ handler } = await import('../../functions/ingest-object/handler.ts'));
});
after(() => h.close());

/** Puts `key` into the ingest bucket and returns the notification S3 would send for it. */
async function put(key: string): Promise<{ event: S3Event; etag: string }> {
  const out = await h.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: sample }));
  const etag = (out.ETag ?? '').replace(/"/g, '');
  const event = await fixture<S3Event>('s3/object-created-put.json');
  const obj = event.Records[0]!.s3.object;
  obj.key = encodeURIComponent(key).replace(/%20/g, '+').replace(/%2F/g, '/');
  obj.eTag = etag;
  obj.size = sample.length;
  return { event, etag };
}

test('an ObjectCreated event streams the object into VOD, commits, records the item and emits UploadCommitted', async () => {
  const key = 'incoming/my holiday clip.mp4';
  const { event, etag } = await put(key);
  const id = `s3:${BUCKET}/${key}@${etag}`;

  const [result] = await handler(event, lambdaContext());

  assert.ok(result);
  assert.equal(result.itemId, id);
  const item = await h.store.get(id);
  assert.equal(item?.state, 'committed');
  assert.equal(item?.vid, result.vid);
  assert.deepEqual({ source: item?.source, bucket: item?.bucket, key: item?.key, size: item?.size, attempts: item?.attempts, spaceName: item?.spaceName },
    { source: 's3', bucket: BUCKET, key, size: sample.length, attempts: 0, spaceName: 'demo-space' });
  const video = h.emulator.state.videos[result.vid];
  assert.equal(video?.space, 'demo-space');
  assert.deepEqual(h.bus.entries, [{
    EventBusName: BUS, Source: 'vod-serverless', DetailType: 'UploadCommitted',
    Detail: { vid: result.vid, spaceName: 'demo-space', itemId: id, callbackArgs: JSON.stringify({ itemId: id, bucket: BUCKET, key }) },
  }]);
});

test('the same event delivered twice, and twice at once, makes one video; a repeat announces it again only while it is committed', async () => {
  h.bus.entries.length = 0;
  const videosBefore = Object.keys(h.emulator.state.videos).length;
  const { event } = await put('incoming/twice.mp4');
  const announced = (itemId: string) => h.bus.entries.filter((e) => e.Detail.itemId === itemId).length;

  const [first] = await handler(event, lambdaContext('a'));
  assert.ok(first);
  // the first announcement may have been lost: while the item is 'committed', a repeat announces again
  assert.deepEqual(await handler(event, lambdaContext('b')), [first]);
  assert.equal(announced(first.itemId), 2);
  // once transcode-on-commit has it, a repeat only answers
  assert.equal((await h.store.requestTranscode(first.itemId)).changed, true);
  assert.deepEqual(await handler(event, lambdaContext('b2')), [first]);
  assert.equal(announced(first.itemId), 2);

  const { event: e2 } = await put('incoming/concurrent.mp4');
  const outcomes = await Promise.allSettled([handler(e2, lambdaContext('c')), handler(e2, lambdaContext('d'))]);
  const fulfilled = outcomes.filter((o) => o.status === 'fulfilled');
  const rejected = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
  assert.ok(fulfilled.length >= 1);
  // one met the other's lease (retried later), or came after it and announced again
  for (const r of rejected) assert.equal((r.reason as Error).name, 'ItemInProgressError');
  assert.equal(announced(fulfilled[0]!.value[0]!.itemId), fulfilled.length);

  assert.equal(Object.keys(h.emulator.state.videos).length, videosBefore + 2);
});

test('a key outside the prefix or suffixes is skipped', async () => {
  h.bus.entries.length = 0;
  const { event } = await put('elsewhere/x.mp4');
  assert.deepEqual(await handler(event, lambdaContext()), []);
  assert.deepEqual(h.bus.entries, []);
});

test('a failing upload leaves the item failed with the reason and attempts, and rethrows', async () => {
  const key = 'incoming/missing.mp4';
  const { event, etag } = await put(key);
  event.Records[0]!.s3.object.key = 'incoming/missing.mp4';
  const { DeleteObjectCommand } = await import('@aws-sdk/client-s3');
  await h.s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key }));

  await assert.rejects(handler(event, lambdaContext()), (err: Error) => err.name === 'NoSuchKey');
  const item = await h.store.get(`s3:${BUCKET}/${key}@${etag}`);
  assert.equal(item?.state, 'failed');
  assert.equal(item?.failedFrom, 'uploading');
  assert.equal(item?.attempts, 1);
  assert.match(item?.reason ?? '', /^NoSuchKey/);
  await assert.rejects(handler(event, lambdaContext()));
  assert.equal((await h.store.get(`s3:${BUCKET}/${key}@${etag}`))?.attempts, 2);
});

test('a small object costs three item writes (the claim, its stored checkpoint, committed) and one request per service call', async () => {
  const { etag } = await put('incoming/counted.mp4');
  const lib = await import('#lib/pipeline');
  const { getObject } = await import('#lib/aws');
  const { s3Context } = await import('#lib/config');
  const { httpFetch } = await import('#lib/vod');
  const sent: string[] = [];
  const db = new DynamoDb({
    ...localAws('dynamodb', h.dynamo.endpoint),
    fetch: async (url, init) => { sent.push(init.headers['x-amz-target']!.split('.')[1]!); return httpFetch(url, init); },
  });
  const deps = { ...lib.ingestDeps(), store: new lib.ItemStore({ db, tableName: ITEMS_TABLE }) };
  const actions = () => h.emulator.requests.map((r) => r.action);
  const before = actions().length;
  const key = 'incoming/counted.mp4';

  const out = await lib.ingestObject(deps, {
    bucket: BUCKET, key, version: etag, size: sample.length, spaceName: 'demo-space', functions: [],
    open: () => getObject(s3Context(), { bucket: BUCKET, key }),
  }, lambdaContext());

  assert.equal(out.itemId, `s3:${BUCKET}/${key}@${etag}`);
  assert.deepEqual(sent, ['UpdateItem', 'UpdateItem', 'UpdateItem']);
  assert.deepEqual(actions().slice(before), ['ApplyUpload', 'PutObject', 'CommitUpload']);
});
