// Callback signature (protocol section 8) and the mapping of callbacks to pipeline events.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { callbackSignature, interpretCallback, verifyCallbackSignature, type CallbackAction } from '#lib/pipeline';

const url = 'https://api.example.com/vod/callback';
const body = Buffer.from('{"RequestId":"r1","EventType":"TranscodeComplete","Data":{}}');
const now = new Date('2026-11-25T10:00:00Z');
const ts = String(now.getTime() / 1000);

test('the signature is md5hex(url|timestamp|key|base64(body))', () => {
  const expected = createHash('md5').update(`${url}|${ts}|k3y|${body.toString('base64')}`).digest('hex');
  assert.equal(callbackSignature(url, ts, 'k3y', body), expected);
});

test('verify: valid, skew boundaries, tampering, missing and malformed headers', () => {
  const sig = callbackSignature(url, ts, 'k3y', body);
  const base = { callbackUrl: url, key: 'k3y', timestamp: ts, signature: sig, rawBody: body, now, skewSeconds: 300 };
  assert.deepEqual(verifyCallbackSignature(base), { ok: true });
  assert.deepEqual(verifyCallbackSignature({ ...base, signature: sig.toUpperCase() }), { ok: true });
  const at = (s: number) => new Date(now.getTime() + s * 1000);
  assert.equal(verifyCallbackSignature({ ...base, now: at(300) }).ok, true);
  assert.equal(verifyCallbackSignature({ ...base, now: at(-300) }).ok, true);
  const reason = (r: ReturnType<typeof verifyCallbackSignature>) => (r.ok ? 'ok' : r.reason);
  assert.equal(reason(verifyCallbackSignature({ ...base, now: at(301) })), 'TimestampOutOfWindow');
  assert.equal(reason(verifyCallbackSignature({ ...base, now: at(-301) })), 'TimestampOutOfWindow');
  assert.equal(reason(verifyCallbackSignature({ ...base, key: 'other' })), 'SignatureDoesNotMatch');
  assert.equal(reason(verifyCallbackSignature({ ...base, callbackUrl: `${url}/` })), 'SignatureDoesNotMatch');
  assert.equal(reason(verifyCallbackSignature({ ...base, rawBody: Buffer.concat([body, Buffer.from(' ')]) })), 'SignatureDoesNotMatch');
  assert.equal(reason(verifyCallbackSignature({ ...base, signature: sig.slice(1) })), 'SignatureDoesNotMatch');
  assert.equal(reason(verifyCallbackSignature({ ...base, signature: undefined })), 'MissingSignature');
  assert.equal(reason(verifyCallbackSignature({ ...base, timestamp: undefined })), 'MissingSignature');
  assert.equal(reason(verifyCallbackSignature({ ...base, timestamp: '17e8' })), 'BadTimestamp');
  assert.equal(reason(verifyCallbackSignature({ ...base, timestamp: '-1' })), 'BadTimestamp');
});

test('callbacks map to exactly one action, keyed on what identifies the work', () => {
  const cases: Array<[Parameters<typeof interpretCallback>[0], CallbackAction]> = [
    [{ RequestId: 'r1', EventType: 'FileUploadComplete', Data: { Code: 'Success', Vid: 'v1', SpaceName: 's', CallbackArgs: '{"itemId":"s3:b/k@e"}' } },
      { key: 'FileUploadComplete/v1/', kind: 'emit', detailType: 'UploadCommitted', detail: { vid: 'v1', spaceName: 's', itemId: 's3:b/k@e', callbackArgs: '{"itemId":"s3:b/k@e"}' } }],
    [{ RequestId: 'r2', EventType: 'FileUploadByUrlComplete', Data: { Code: 'Success', Vid: 'v2', SpaceName: 's', JobId: 'j2' } },
      { key: 'FileUploadByUrlComplete/v2/j2', kind: 'emit', detailType: 'UploadCommitted', detail: { vid: 'v2', spaceName: 's', itemId: 'url:j2' } }],
    [{ RequestId: 'r3', EventType: 'FileUploadByUrlComplete', Data: { Code: 'FetchFailed', Message: 'boom', Vid: '', JobId: 'j3' } },
      { key: 'FileUploadByUrlComplete/request/r3', kind: 'fail', itemId: 'url:j3', reason: 'FileUploadByUrlComplete FetchFailed: boom' }],
    [{ RequestId: 'r4', EventType: 'TranscodeComplete', Data: { Code: 'Success', Vid: 'v4', RunId: 'run4', SpaceName: 's' } },
      { key: 'TranscodeComplete/v4/run4', kind: 'emit', detailType: 'TranscodeCompleted', detail: { vid: 'v4', runId: 'run4', spaceName: 's', code: 'Success' } }],
    // the item our StartTranscode named: publish gets it by id, not through the Vid index (which may lag)
    [{ RequestId: 'r4b', EventType: 'TranscodeComplete', Data: { Code: 'Success', Vid: 'v4', RunId: 'run4b', SpaceName: 's', CallbackArgs: '{"itemId":"url:j4"}' } },
      { key: 'TranscodeComplete/v4/run4b', kind: 'emit', detailType: 'TranscodeCompleted', detail: { vid: 'v4', runId: 'run4b', spaceName: 's', code: 'Success', itemId: 'url:j4' } }],
    [{ RequestId: 'r5', EventType: 'TranscodeComplete', Data: { Code: 'Fail', Vid: 'v5', RunId: 'run5', SpaceName: 's' } },
      { key: 'TranscodeComplete/v5/run5', kind: 'emit', detailType: 'TranscodeCompleted', detail: { vid: 'v5', runId: 'run5', spaceName: 's', code: 'Fail' } }],
    [{ RequestId: 'r6', EventType: 'WorkflowComplete', Data: { Vid: 'v6' } },
      { key: 'WorkflowComplete/v6/', kind: 'ignore', why: 'event type WorkflowComplete is not used by the pipeline' }],
    [{ RequestId: 'r7', EventType: 'FileUploadComplete', Data: { Code: 'Success', Vid: 'v7', SpaceName: 's', CallbackArgs: 'not json' } },
      { key: 'FileUploadComplete/v7/', kind: 'emit', detailType: 'UploadCommitted', detail: { vid: 'v7', spaceName: 's', callbackArgs: 'not json' } }],
  ];
  for (const [body, action] of cases) assert.deepEqual(interpretCallback(body), action, body.RequestId);
});
