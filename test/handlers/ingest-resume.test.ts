// Resumable ingest: an S3 ingest interrupted after k parts continues from the parts the upload host holds when the
// same S3 event is delivered again (only the remaining parts are PUT), a stored part whose bytes differ is sent
// again, bytes already complete are committed without being re-sent, and the stored file's md5 is the source's.
// The upload checkpoint (which holds the upload credential) never shows in item-status.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, S3Event } from 'aws-lambda';
import type { IngestCheckpoint, IngestRequest, Item } from '#lib/pipeline';
import { seededBytes as bytes } from '../support/seeded-bytes.ts';
import { BUCKET, fixture, lambdaContext, startHarness, type Harness } from '../unit/pipeline/harness.ts';

const MiB = 1024 * 1024;
const PART = 5 * MiB; // the emulator's SliceSize
let h: Harness;
let ingest: (e: S3Event, c: ReturnType<typeof lambdaContext>) => Promise<Array<{ itemId: string; vid: string }>>;
let status: (e: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;
let lib: typeof import('#lib/pipeline');

before(async () => {
  h = await startHarness();
  lib = await import('#lib/pipeline');
  ({ handler: ingest } = await import('../../functions/ingest-object/handler.ts'));
  const s = await import('../../functions/item-status/handler.ts');
  status = (e) => s.handler(e, lambdaContext('status'));
});
after(() => h.close());

const md5 = (b: Uint8Array): string => createHash('md5').update(b).digest('hex');

/** A body that yields `upTo` bytes of `buf` and then fails, as a Lambda that times out or crashes mid-read. */
function interruptedBody(buf: Buffer, upTo: number): Readable {
  return Readable.from((async function* () {
    for (let o = 0; o < upTo; o += 64 * 1024) yield buf.subarray(o, Math.min(upTo, o + 64 * 1024));
    throw new Error('simulated crash: the function timed out mid-upload');
  })());
}

async function putObject(key: string, body: Buffer): Promise<{ event: S3Event; etag: string; id: string }> {
  const out = await h.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
  const etag = (out.ETag ?? '').replace(/"/g, '');
  const event = await fixture<S3Event>('s3/object-created-put.json');
  const obj = event.Records[0]!.s3.object;
  obj.key = key;
  obj.eTag = etag;
  obj.size = body.length;
  return { event, etag, id: lib.s3ItemId(BUCKET, key, etag) };
}

/** First delivery: reads `upTo` bytes, then dies. Resolves once the parts it had in flight are stored and checkpointed. */
async function interruptedDelivery(key: string, etag: string, body: Buffer, upTo: number, expectParts: number): Promise<Item> {
  const req: IngestRequest = {
    bucket: BUCKET, key, version: etag, size: body.length, spaceName: 'demo-space', functions: [{ Name: 'GetMeta' }],
    open: async () => interruptedBody(body, upTo),
  };
  await assert.rejects(lib.ingestObject(lib.ingestDeps(), req, lambdaContext('first')), /simulated crash/);
  const id = lib.s3ItemId(BUCKET, key, etag);
  const t0 = Date.now();
  for (;;) {
    const item = await h.store.get(id);
    if (item?.checkpoint?.partsStored === expectParts) return item;
    if (Date.now() - t0 > 10_000) throw new Error(`checkpoint never reached ${expectParts} parts: ${JSON.stringify(item?.checkpoint?.partsStored)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const uploadCalls = (pred: (r: (typeof h.emulator.requests)[number]) => boolean) => h.emulator.requests.filter((r) => r.plane === 'upload' && pred(r));

function statusEvent(id: string): APIGatewayProxyEventV2 {
  const path = `/items/${encodeURIComponent(id)}`;
  return {
    version: '2.0', routeKey: 'GET /items/{id}', rawPath: path, rawQueryString: '', headers: { host: '127.0.0.1:3000' }, isBase64Encoded: false,
    pathParameters: { id },
    requestContext: {
      accountId: '111122223333', apiId: 'local', domainName: '127.0.0.1', domainPrefix: '127', requestId: 'rq-status', routeKey: 'GET /items/{id}',
      stage: '$default', time: '25/Nov/2026:10:00:00 +0000', timeEpoch: 0, http: { method: 'GET', path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
    },
  };
}

test('an ingest interrupted after 2 of 5 parts resumes on redelivery: only parts 3-5 are PUT, md5 equals the source', async () => {
  // Prepare: 23 MiB = parts 1-4 of 5 MiB + 3 MiB; the first delivery dies while reading part 3
  const source = bytes(23 * MiB, 11);
  const key = 'incoming/resume-me.mp4';
  const { event, etag, id } = await putObject(key, source);
  const interrupted = await interruptedDelivery(key, etag, source, 2 * PART + 64 * 1024, 2);
  const cp = interrupted.checkpoint!;
  assert.equal(interrupted.state, 'failed');
  assert.equal(interrupted.failedFrom, 'uploading');
  assert.match(interrupted.reason ?? '', /simulated crash/);
  assert.deepEqual(uploadCalls((r) => r.uploadId === cp.uploadId && r.action === 'UploadPart').map((r) => r.partNumber).sort(), [1, 2]);

  // item-status shows the progress, never the upload credential
  const shown = await status(statusEvent(id));
  assert.equal(shown.statusCode, 200);
  const text = String(shown.body);
  assert.ok(!text.includes(cp.auth), 'upload Auth in item-status');
  assert.ok(!text.includes('checkpoint'));
  assert.deepEqual((JSON.parse(text) as { upload: unknown }).upload, { uploadId: cp.uploadId, partSize: PART, partsStored: 2, stored: false });

  // Act: the same S3 event again, through the function
  const applyBefore = h.emulator.requests.filter((r) => r.action === 'ApplyUpload').length;
  const mark = h.emulator.requests.length;
  const [result] = await ingest(event, lambdaContext('second'));

  // Assess
  const resumed = h.emulator.requests.slice(mark).filter((r) => r.plane === 'upload');
  assert.deepEqual(resumed.filter((r) => r.action === 'UploadPart').map((r) => r.partNumber).sort(), [3, 4, 5]);
  assert.deepEqual(resumed.map((r) => r.action).filter((a) => a !== 'UploadPart'), ['ListParts', 'CompleteMultipart']);
  assert.ok(resumed.every((r) => r.uploadId === cp.uploadId));
  assert.equal(h.emulator.requests.filter((r) => r.action === 'ApplyUpload').length, applyBefore, 'no new upload session');
  assert.equal(h.emulator.state.objects[cp.storeUri]?.md5, md5(source));
  assert.equal(h.emulator.state.objects[cp.storeUri]?.size, source.length);
  const item = await h.store.get(id);
  assert.deepEqual([item?.state, item?.vid, item?.checkpoint], ['committed', result?.vid, undefined]);
  assert.equal(h.emulator.state.videos[result!.vid]?.uri, cp.storeUri);
});

test('a stored part whose bytes differ from the source (CRC32 mismatch) is sent again before completion', async () => {
  const source = bytes(12 * MiB, 29); // parts 5 + 5 + 2
  const key = 'incoming/torn-part.mp4';
  const { event, etag } = await putObject(key, source);
  const { checkpoint: cp } = await interruptedDelivery(key, etag, source, 2 * PART + 1024, 2);
  assert.ok(cp);
  // part 2 on the upload host now holds other bytes (a torn write, a different source): its CRC32 differs
  const vod = await import('#lib/vod');
  await vod.uploadPart({ scheme: 'http:', fetch: vod.httpFetch, timeoutMs: 10_000, retry: { retries: 0, baseDelayMs: 1, maxDelayMs: 1, sleep: async () => {}, uniform: () => 0 } },
    { host: cp.host, storeUri: cp.storeUri, auth: cp.auth }, cp.uploadId, 2, bytes(PART, 99));

  const mark = h.emulator.requests.length;
  const [result] = await ingest(event, lambdaContext('again'));

  const parts = h.emulator.requests.slice(mark).filter((r) => r.action === 'UploadPart').map((r) => r.partNumber).sort();
  assert.deepEqual(parts, [2, 3]);
  assert.equal(h.emulator.state.objects[cp.storeUri]?.md5, md5(source), 'the committed file is the source, not the torn part');
  assert.ok(result?.vid);
});

// multipart: 3 parts stored; direct (one PUT, no upload id): its stored session is checkpointed all the same
for (const [what, size, stored] of [
  ['multipart', 11 * MiB, { partsStored: 3 }], ['a small object (one direct PUT)', MiB, { uploadId: '' }],
] as const) {
  test(`bytes already complete when CommitUpload failed are committed on redelivery without being sent again: ${what}`, async () => {
    const source = bytes(size, 5);
    const key = `incoming/commit-failed-${size}.mp4`;
    const { event, id } = await putObject(key, source);
    h.emulator.setFaults({ actions: { CommitUpload: 1 }, kinds: ['5xx'] });
    try {
      await assert.rejects(ingest(event, lambdaContext(`commit-fails-${size}`)), (e: Error) => e.name === 'VodError');
    } finally {
      h.emulator.setFaults({});
    }
    const failed = await h.store.get(id);
    const [field, value] = Object.entries(stored)[0]!;
    assert.deepEqual([failed?.state, failed?.checkpoint?.stored, failed?.checkpoint?.[field as keyof IngestCheckpoint]], ['failed', true, value]);

    const mark = h.emulator.requests.length;
    const [result] = await ingest(event, lambdaContext(`commit-retry-${size}`));

    const after = h.emulator.requests.slice(mark);
    assert.deepEqual(after.filter((r) => r.plane === 'upload'), [], 'nothing re-sent');
    assert.deepEqual(after.filter((r) => r.plane === 'api').map((r) => r.action), ['CommitUpload']);
    assert.equal(h.emulator.state.objects[failed!.checkpoint!.storeUri]?.md5, md5(source));
    assert.equal((await h.store.get(id))?.vid, result?.vid);
  });
}

test('a checkpoint the upload host no longer knows is dropped and the upload starts over', async () => {
  const source = bytes(6 * MiB, 3);
  const key = 'incoming/stale.mp4';
  const { event, etag, id } = await putObject(key, source);
  const { checkpoint: cp } = await interruptedDelivery(key, etag, source, PART + 1024, 1);
  await h.store.saveCheckpoint(id, { ...cp!, uploadId: 'an-upload-the-host-forgot' });

  const mark = h.emulator.requests.length;
  const [result] = await ingest(event, lambdaContext('stale'));

  const actions = h.emulator.requests.slice(mark).map((r) => r.action);
  assert.deepEqual(actions.filter((a) => a !== 'UploadPart'), ['ListParts', 'ApplyUpload', 'InitMultipart', 'CompleteMultipart', 'CommitUpload']);
  const video = h.emulator.state.videos[result!.vid];
  assert.equal(h.emulator.state.objects[video!.uri]?.md5, md5(source));
});
