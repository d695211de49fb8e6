// lib/aws against the local services: DynamoDB's item operations and the Powertools idempotency records on
// dynalite (the tables of serverless.yml), GetObject streaming from s3rver (which verifies S3 signatures).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, mock, test } from 'node:test';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { IdempotencyItemAlreadyExistsError } from '@aws-lambda-powertools/idempotency';
import { IdempotencyRecord } from '@aws-lambda-powertools/idempotency/persistence';
import S3rver from 's3rver';
import { AwsError, DynamoDb, getObject, objectLocation, signAws, type S3Context } from '#lib/aws';
import { IdempotencyStore } from '#lib/pipeline';
import { startDynalite, type LocalDynamo } from '../../../local/stack/dynamo.ts';
import { createTables, tableDefinitions } from '../../../local/stack/tables.ts';
import { BUCKET, IDEMPOTENCY_TABLE, ITEMS_TABLE, localAws } from '../pipeline/harness.ts';

let dynamo: LocalDynamo;
let db: DynamoDb;
let s3rver: S3rver;
let s3Dir: string;
let s3: S3Context;
let put: S3Client;
const MiB = 1 << 20;

before(async () => {
  dynamo = await startDynalite(0);
  await createTables(dynamo.endpoint, await tableDefinitions(join(import.meta.dirname, '../../../serverless.yml'), 'local', {}));
  db = new DynamoDb(localAws('dynamodb', dynamo.endpoint));
  s3Dir = await mkdtemp(join(tmpdir(), 'aws-s3-'));
  s3rver = new S3rver({ port: 0, address: '127.0.0.1', directory: s3Dir, silent: true, configureBuckets: [{ name: BUCKET }] });
  const { port } = await s3rver.run();
  s3 = { ...localAws('s3', `http://127.0.0.1:${port}`), pathStyle: true };
  put = new S3Client({ endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
});
after(async () => {
  put.destroy();
  await Promise.allSettled([dynamo.close(), s3rver.close()]);
  await rm(s3Dir, { recursive: true, force: true });
});

test('items go in and come out in document form (undefined attributes dropped, nested values kept)', async () => {
  await db.put({ TableName: ITEMS_TABLE, Item: { id: 'd1', state: 'received', attempts: 0, gone: undefined, checkpoint: { parts: [1, 2], done: false } } });
  assert.deepEqual((await db.get({ TableName: ITEMS_TABLE, Key: { id: 'd1' }, ConsistentRead: true })).Item, { id: 'd1', state: 'received', attempts: 0, checkpoint: { parts: [1, 2], done: false } });
  assert.deepEqual(await db.get({ TableName: ITEMS_TABLE, Key: { id: 'absent' } }), {});
  const out = await db.update({
    TableName: ITEMS_TABLE, Key: { id: 'd1' }, UpdateExpression: 'SET attempts = attempts + :one', ExpressionAttributeValues: { ':one': 1 }, ReturnValues: 'ALL_NEW',
  });
  assert.equal(out.Attributes?.attempts, 1);
});

test('a refused condition is ConditionalCheckFailedException, not retried; other client errors name what is wrong', async () => {
  await db.put({ TableName: ITEMS_TABLE, Item: { id: 'c1', state: 'received' } });
  const err = await db.put({ TableName: ITEMS_TABLE, Item: { id: 'c1' }, ConditionExpression: 'attribute_not_exists(id)' }).catch((e: unknown) => e);
  assert.ok(err instanceof AwsError);
  assert.deepEqual([err.name, err.httpStatus], ['ConditionalCheckFailedException', 400]);
  const missing = await db.get({ TableName: 'no-such-table', Key: { id: 'x' } }).catch((e: unknown) => e) as AwsError;
  assert.deepEqual([missing.name, missing.httpStatus], ['ResourceNotFoundException', 400]);
  assert.match(missing.message, /^dynamodb\.GetItem: ResourceNotFoundException: /);
});

test('query pages through an index with LastEvaluatedKey', async () => {
  for (let i = 0; i < 5; i++) await db.put({ TableName: ITEMS_TABLE, Item: { id: `q${i}`, vid: 'v-q', state: 'committed', updatedAt: `2026-11-25T10:00:0${i}.000Z` } });
  const first = await db.query({ TableName: ITEMS_TABLE, IndexName: 'vid-index', KeyConditionExpression: 'vid = :v', ExpressionAttributeValues: { ':v': 'v-q' }, Limit: 3 });
  assert.equal(first.Items.length, 3);
  assert.ok(first.LastEvaluatedKey);
  const rest = await db.query({ TableName: ITEMS_TABLE, IndexName: 'vid-index', KeyConditionExpression: 'vid = :v', ExpressionAttributeValues: { ':v': 'v-q' }, ExclusiveStartKey: first.LastEvaluatedKey });
  assert.deepEqual([...first.Items, ...rest.Items].map((i) => i.id).sort(), ['q0', 'q1', 'q2', 'q3', 'q4']);
  assert.equal(rest.LastEvaluatedKey, undefined);
});

test('idempotency records: a live record refuses a second put; an expired one or a lapsed lease is taken over', async (t) => {
  // Powertools' records judge their own expiry by Date.now(): the test's clock is Date's
  let now = Date.parse('2026-11-25T10:00:00Z');
  mock.timers.enable({ apis: ['Date'], now });
  t.after(() => mock.timers.reset());
  const tick = (ms: number) => { now += ms; mock.timers.setTime(now); };
  const store = new IdempotencyStore({ db, tableName: IDEMPOTENCY_TABLE, now: () => now });
  const record = (key: string, expiry: number, lease?: number) => new IdempotencyRecord({
    idempotencyKey: key, status: 'INPROGRESS', expiryTimestamp: expiry, ...(lease === undefined ? {} : { inProgressExpiryTimestamp: lease }),
  });
  const put = (r: IdempotencyRecord) => (store as unknown as { _putRecord(r: IdempotencyRecord): Promise<void> })._putRecord(r);
  const get = (k: string) => (store as unknown as { _getRecord(k: string): Promise<IdempotencyRecord> })._getRecord(k);
  await put(record('k1', now / 1000 + 3600, now + 60_000));
  const dup = await put(record('k1', now / 1000 + 3600, now + 60_000)).catch((e: unknown) => e);
  assert.ok(dup instanceof IdempotencyItemAlreadyExistsError);
  // (dynalite ignores ReturnValuesOnConditionCheckFailure: Powertools reads the record itself then)
  assert.equal(((await db.get({ TableName: IDEMPOTENCY_TABLE, Key: { id: 'k1' } })).Item)?.status, 'INPROGRESS');
  // the lease (in-progress expiry, ms) lapsed: the Lambda that held it died; a new attempt takes the key
  tick(61_000);
  await put(record('k1', now / 1000 + 3600, now + 60_000));
  // completed, then expired (expiry, s)
  const done = new IdempotencyRecord({ idempotencyKey: 'k1', status: 'COMPLETED', expiryTimestamp: now / 1000 + 10, responseData: { vid: 'v1' } });
  await (store as unknown as { _updateRecord(r: IdempotencyRecord): Promise<void> })._updateRecord(done);
  const stored = await get('k1');
  assert.deepEqual([stored.idempotencyKey, stored.responseData, stored.expiryTimestamp], ['k1', { vid: 'v1' }, now / 1000 + 10]);
  assert.equal(((await db.get({ TableName: IDEMPOTENCY_TABLE, Key: { id: 'k1' } })).Item)?.status, 'COMPLETED');
  assert.ok(await put(record('k1', now / 1000 + 3600)).catch((e: unknown) => e) instanceof IdempotencyItemAlreadyExistsError);
  tick(11_000);
  await put(record('k1', now / 1000 + 3600));
});

test('GetObject streams the object (keys with spaces, plus and non-ASCII signed as S3 wants them); a missing key is NoSuchKey', async () => {
  const body = Buffer.alloc(3 * 1024 * 1024 + 17, 7);
  for (let i = 0; i < body.length; i += 4096) body[i] = i % 251;
  const key = 'incoming/a b+c/vidéo (1).mp4';
  await put.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
  const stream = await getObject(s3, { bucket: BUCKET, key });
  const hash = createHash('md5');
  let size = 0;
  for await (const chunk of stream) { hash.update(chunk as Buffer); size += (chunk as Buffer).length; }
  assert.equal(size, body.length);
  assert.equal(hash.digest('hex'), createHash('md5').update(body).digest('hex'));
  const err = await getObject(s3, { bucket: BUCKET, key: 'incoming/none.mp4' }).catch((e: unknown) => e);
  assert.ok(err instanceof AwsError);
  assert.deepEqual([err.name, err.httpStatus, err.action], ['NoSuchKey', 404, 's3.GetObject']);
});

test('GetObject sends the key path exactly as signed: `.` and `..` segments are not resolved away', async () => {
  // s3rver resolves such segments itself (real S3 keeps them as part of the key), so a loopback server records what arrives
  const seen: Array<{ url: string | undefined; authorization: string | undefined }> = [];
  const server = createServer((req, res) => {
    seen.push({ url: req.url, authorization: req.headers.authorization });
    res.end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const now = new Date('2026-11-25T10:00:00.000Z');
  const ctx = { ...s3, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, now: () => now };
  try {
    const refs = [{ bucket: BUCKET, key: 'incoming/./clip.mp4' }, { bucket: BUCKET, key: 'incoming/../clip.mp4', versionId: 'v1' }];
    const expected = [];
    for (const ref of refs) {
      (await getObject(ctx, ref)).resume();
      const { origin, path, query } = objectLocation(ctx, ref);
      const signed = await signAws({ ...ctx, origin }, { method: 'GET', path, headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' }, ...(query ? { query } : {}) });
      expected.push({ url: `${path}${query ? `?versionId=${query.versionId}` : ''}`, authorization: signed.authorization });
    }
    assert.deepEqual(seen, expected);
    assert.deepEqual(seen.map((r) => r.url), [`/${BUCKET}/incoming/./clip.mp4`, `/${BUCKET}/incoming/../clip.mp4?versionId=v1`]);
  } finally {
    server.closeAllConnections();
    server.close();
  }
});

test('a GetObject body that stalls fails the stream with RequestTimeout; a reader away longer than the timeout is no stall', { timeout: 10_000 }, async () => {
  const server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    if (req.url?.endsWith('/stall')) res.write(Buffer.alloc(1000, 1)); // then nothing, connection open
    else res.end(Buffer.alloc(MiB, 2));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const ctx = { ...s3, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, timeoutMs: 100 };
  try {
    const stalled = await getObject(ctx, { bucket: BUCKET, key: 'stall' });
    let got = 0;
    const err = await (async () => { for await (const c of stalled) got += (c as Buffer).length; })().catch((e: unknown) => e);
    assert.ok(err instanceof AwsError);
    assert.deepEqual([err.name, err.message, err.httpStatus, got], ['RequestTimeout', 's3.GetObject: no body data within 100 ms', 0, 1000]);

    const slowReader = await getObject(ctx, { bucket: BUCKET, key: 'whole' });
    let size = 0;
    for await (const c of slowReader) {
      if (size === 0) await new Promise((r) => setTimeout(r, 350)); // the reader is busy elsewhere (sending a part)
      size += (c as Buffer).length;
    }
    assert.equal(size, MiB);
  } finally {
    server.closeAllConnections();
    server.close();
  }
});

test('GetObject opened ahead of its reader: no stall before the first read; an error answer whose body stalls still fails in time', { timeout: 10_000 }, async () => {
  const server = createServer((req, res) => {
    if (req.url?.endsWith('/late')) {
      // the head at once, the body 250 ms later, while no one reads yet
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.flushHeaders();
      setTimeout(() => res.end(Buffer.alloc(1000, 3)), 250);
    } else {
      res.writeHead(403, { 'content-type': 'application/xml', 'content-length': '500' });
      res.write('<Error><Code>AccessDenied</Code>'); // then nothing, connection open
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const ctx = { ...s3, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, timeoutMs: 100, retry: { ...s3.retry, retries: 0 } };
  try {
    const early = await getObject(ctx, { bucket: BUCKET, key: 'late' });
    await new Promise((r) => setTimeout(r, 400)); // the item's claim, say: the body came while no one read
    let size = 0;
    for await (const c of early) size += (c as Buffer).length;
    assert.equal(size, 1000);

    const started = Date.now();
    const err = await getObject(ctx, { bucket: BUCKET, key: 'denied' }).catch((e: unknown) => e);
    assert.ok(err instanceof AwsError);
    assert.deepEqual([err.httpStatus, Date.now() - started < 5_000], [403, true]);
  } finally {
    server.closeAllConnections();
    server.close();
  }
});

test('object URLs are those the AWS SDK builds (the SDK as the oracle): path-style, virtual-hosted, dotted buckets, a version', async () => {
  const keys = ['incoming/a b+c/vidéo (1).mp4', "x/it's*~!.mp4", 'deep//slash/%41.mp4'];
  const buckets = ['my-bucket', 'my.dotted.bucket'];
  for (const pathStyle of [true, false]) {
    let seen: { hostname: string; path: string; query: Record<string, unknown> } | undefined;
    const sdk = new S3Client({
      endpoint: 'https://s3.us-east-1.amazonaws.com', region: 'us-east-1', forcePathStyle: pathStyle, credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
      requestHandler: { handle: async (req: { hostname: string; path: string; query: Record<string, unknown> }) => { seen = req; throw new Error('captured'); } },
    });
    for (const bucket of buckets) {
      for (const key of keys) {
        await sdk.send(new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: 'v1' })).catch(() => undefined);
        const ours = objectLocation({ ...s3, origin: 'https://s3.us-east-1.amazonaws.com', pathStyle }, { bucket, key, versionId: 'v1' });
        assert.deepEqual({ origin: ours.origin, path: ours.path, versionId: ours.query?.versionId }, { origin: `https://${seen!.hostname}`, path: seen!.path, versionId: seen!.query.versionId }, `${bucket} ${key}`);
      }
    }
    sdk.destroy();
  }
});
