import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { after, before, beforeEach, describe, test } from 'node:test';
import { VodClient, VodError, backoffDelay, httpFetch, outcomeUnknown } from '#lib/vod';
import { errorFromException } from '../../../lib/vod/errors.ts';
import { closedPort } from '../../support/ports.ts';
import { VodTestServer, envelope } from '../../support/vod-test-server.ts';

const credentials = { accessKeyId: 'AKLTerrorsTest01', secretAccessKey: 'errors-secret-key-XYZ', sessionToken: 'STS2-session-token-secret' };
let server: VodTestServer;
let sleeps: number[];
let clock: number;

/** A client whose clock ticks one second per reading and whose backoff sleeps are recorded, not slept. */
const client = (extra: ConstructorParameters<typeof VodClient>[0] = {}): VodClient =>
  new VodClient({
    endpoint: server.origin, credentials, retries: 3, uniform: () => 0.5,
    now: () => new Date((clock += 1000)), sleep: async (ms) => void sleeps.push(ms), ...extra,
  });

const playInfo = { Data: { Status: 10, VideoID: 'v1', PlayInfoList: [] } };

before(async () => {
  server = await new VodTestServer().start();
});
after(() => server.close());
beforeEach(() => {
  server.requests.length = 0;
  server.intercept = undefined;
  server.results.clear();
  sleeps = [];
  clock = Date.parse('2024-01-02T03:04:05Z');
});

/** Fails the first `n` API requests with `reply`, then lets them through. */
function failFirst(n: number, reply: ReturnType<typeof envelope>): void {
  let left = n;
  server.intercept = () => (left-- > 0 ? reply : undefined);
}

async function rejection(p: Promise<unknown>): Promise<VodError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof VodError, `expected a VodError, got ${inspect(err)}`);
    return err;
  }
  assert.fail('expected a rejection');
}

describe('error mapping', () => {
  test('the envelope Error becomes a VodError with code, message, requestId, httpStatus, action and the body', async () => {
    const reply = envelope('GetPlayInfo', 404, undefined, { Code: 'ResourceNotFound', Message: 'video v1 not found' });
    server.intercept = () => reply;
    const err = await rejection(client().getPlayInfo({ video_id: 'v1' }));
    assert.equal(err.name, 'VodError');
    assert.deepEqual(
      { code: err.code, message: err.message, requestId: err.requestId, httpStatus: err.httpStatus, action: err.action },
      { code: 'ResourceNotFound', message: 'video v1 not found', requestId: '20240102030405010203040506070404', httpStatus: 404, action: 'GetPlayInfo' },
    );
    assert.deepEqual(JSON.parse(err.body!), reply.json);
    assert.equal(server.requests.length, 1, '404 is not retried');
  });

  test('a non-envelope error body is kept, not swallowed', async () => {
    server.intercept = () => ({ status: 502, text: '<html>bad gateway</html>' });
    const err = await rejection(client({ retries: 0 }).getPlayInfo({ video_id: 'v1' }));
    assert.deepEqual([err.code, err.httpStatus, err.body], ['HttpError', 502, '<html>bad gateway</html>']);
    assert.match(err.message, /HTTP 502.*bad gateway/);
  });

  test('a 200 that is not JSON is InvalidResponse', async () => {
    server.intercept = () => ({ status: 200, text: 'not json' });
    const err = await rejection(client().getPlayInfo({ video_id: 'v1' }));
    assert.deepEqual([err.code, err.httpStatus, err.body], ['InvalidResponse', 200, 'not json']);
  });

  test('no secret reaches the message, the body or the inspected error, even when the server echoes them', async () => {
    server.intercept = (r) => envelope('GetPlayInfo', 403, undefined, {
      Code: 'SignatureDoesNotMatch',
      Message: `bad: ${r.headers.authorization} ${r.headers['x-amz-security-token']} ${credentials.secretAccessKey} ${encodeURIComponent(credentials.secretAccessKey)}`,
    });
    const err = await rejection(client().getPlayInfo({ video_id: 'v1' }));
    const auth = server.requests[0]!.headers.authorization!;
    const everything = `${err.message}\n${err.body}\n${inspect(err, { depth: 5 })}\n${JSON.stringify(err)}`;
    for (const secret of [credentials.secretAccessKey, credentials.sessionToken, auth]) assert.ok(!everything.includes(secret), `leaked ${secret.slice(0, 8)}...`);
    assert.match(err.message, /^bad: \[REDACTED\] \[REDACTED\] \[REDACTED\] \[REDACTED\]$/);
  });
});

describe('retries', () => {
  test('idempotent calls retry 5xx with full-jitter backoff and sign every attempt afresh', async () => {
    server.results.set('GetPlayInfo', playInfo);
    failFirst(3, envelope('GetPlayInfo', 500, undefined, { Code: 'InternalError', Message: 'boom' }));
    assert.deepEqual(await client().getPlayInfo({ video_id: 'v1' }), playInfo);
    assert.equal(server.requests.length, 4);
    assert.deepEqual(sleeps, [50, 100, 200]);
    const dates = server.requests.map((r) => r.headers['x-amz-date']);
    assert.equal(new Set(dates).size, 4, 'each attempt carries its own signature date');
    assert.equal(new Set(server.requests.map((r) => r.headers.authorization)).size, 4);
  });

  test('retries stop after `retries` and the last error is thrown', async () => {
    server.intercept = () => envelope('GetPlayInfo', 503, undefined, { Code: 'ServiceUnavailable', Message: 'busy' });
    const err = await rejection(client({ retries: 2 }).getPlayInfo({ video_id: 'v1' }));
    assert.deepEqual([err.code, err.httpStatus, server.requests.length, sleeps.length], ['ServiceUnavailable', 503, 3, 2]);
  });

  test('429 is retried, 4xx is not', async () => {
    server.results.set('GetPlayInfo', playInfo);
    failFirst(1, envelope('GetPlayInfo', 429, undefined, { Code: 'RequestLimitExceeded', Message: 'slow down' }));
    await client().getPlayInfo({ video_id: 'v1' });
    assert.equal(server.requests.length, 2);
    server.requests.length = 0;
    failFirst(1, envelope('GetPlayInfo', 400, undefined, { Code: 'InvalidParameter', Message: 'bad' }));
    await rejection(client().getPlayInfo({ video_id: 'v1' }));
    assert.equal(server.requests.length, 1);
  });

  for (const [name, run] of [
    ['CommitUpload', (c: VodClient) => c.commitUpload({ SpaceName: 's', SessionKey: 'k' })],
    ['StartTranscode', (c: VodClient) => c.startTranscode({ TemplateId: 't', Vid: 'v' })],
    ['UploadMediaByUrl', (c: VodClient) => c.uploadMediaByUrl({ SpaceName: 's', URLSets: [{ SourceUrl: 'http://a/b.mp4' }] })],
  ] as const) {
    test(`non-idempotent ${name} is not retried on 5xx, but is on 429`, async () => {
      server.intercept = () => envelope(name, 500, undefined, { Code: 'InternalError', Message: 'maybe done' });
      const err = await rejection(run(client()));
      assert.deepEqual([err.code, err.action, server.requests.length], ['InternalError', name, 1]);
      server.requests.length = 0;
      server.results.set(name, {});
      failFirst(1, envelope(name, 429, undefined, { Code: 'RequestLimitExceeded', Message: 'throttled' }));
      await run(client());
      assert.equal(server.requests.length, 2);
    });
  }

  test('a refused connection proves the request was not processed: even CommitUpload is retried', async () => {
    const port = await closedPort();
    let calls = 0;
    const vod = client({ endpoint: `http://127.0.0.1:${port}`, fetch: (i, init) => (calls++, httpFetch(i, init)) });
    const err = await rejection(vod.commitUpload({ SpaceName: 's', SessionKey: 'k' }));
    assert.deepEqual([err.code, err.httpStatus, calls], ['NetworkError', 0, 4]);
    assert.match(err.message, /ECONNREFUSED/);
  });

  test('a dropped connection is retried for reads, not for CommitUpload', async () => {
    server.results.set('GetPlayInfo', playInfo);
    let drops = 1;
    server.intercept = () => (drops-- > 0 ? { destroy: true } : undefined);
    await client().getPlayInfo({ video_id: 'v1' });
    assert.equal(server.requests.length, 2);
    server.requests.length = 0;
    server.intercept = () => ({ destroy: true });
    const err = await rejection(client().commitUpload({ SpaceName: 's', SessionKey: 'k' }));
    assert.deepEqual([err.code, server.requests.length], ['NetworkError', 1]);
    // the message names the socket's code, and the outcome is unknown: the request may have been processed
    assert.equal(err.message, 'CommitUpload: network error (ECONNRESET)');
    assert.equal(outcomeUnknown(err), true);
  });

  test('outcomeUnknown: no answer is unknown; an answer, or a connection never made, is known', () => {
    const net = (code: string) => errorFromException('StartTranscode', Object.assign(new Error('request failed'), { cause: Object.assign(new Error('x'), { code }) }), 5000);
    const timeout = errorFromException('StartTranscode', Object.assign(new Error('t'), { name: 'TimeoutError' }), 5000);
    assert.deepEqual([net('ECONNRESET'), net('EPIPE'), timeout].map(outcomeUnknown), [true, true, true]);
    assert.deepEqual([net('ECONNREFUSED'), net('ENOTFOUND')].map(outcomeUnknown), [false, false]);
    assert.equal(net('EHOSTUNREACH').message, 'StartTranscode: network error (EHOSTUNREACH)');
    assert.equal(outcomeUnknown(new VodError({ code: 'ServiceUnavailable', message: 'm', action: 'StartTranscode', httpStatus: 503 })), false);
    assert.equal(outcomeUnknown(new Error('other')), false);
  });

  test('backoff grows exponentially up to maxDelayMs, scaled by the jitter draw', () => {
    const policy = { baseDelayMs: 100, maxDelayMs: 1000, uniform: () => 0.999 };
    assert.deepEqual([0, 1, 2, 3, 4, 10].map((n) => backoffDelay(n, policy)), [99, 199, 399, 799, 999, 999]);
    assert.equal(backoffDelay(3, { ...policy, uniform: () => 0 }), 0);
  });
});

describe('timeouts', () => {
  test('a slow answer times out (RequestTimeout) and reads are retried', async () => {
    server.results.set('GetPlayInfo', playInfo);
    server.intercept = () => ({ delayMs: 300 });
    const err = await rejection(client({ timeoutMs: 60, retries: 1 }).getPlayInfo({ video_id: 'v1' }));
    assert.deepEqual([err.code, err.httpStatus, server.requests.length], ['RequestTimeout', 0, 2]);
  });

  test('a timed-out StartTranscode is not retried (it may have been processed)', async () => {
    server.intercept = () => ({ delayMs: 300 });
    const err = await rejection(client({ timeoutMs: 60 }).startTranscode({ TemplateId: 't', Vid: 'v' }));
    assert.deepEqual([err.code, server.requests.length], ['RequestTimeout', 1]);
  });
});

describe('credentials', () => {
  test('constructing needs none; the first call resolves them and fails with ConfigError naming every source', async () => {
    const saved = { HOME: process.env.HOME, AK: process.env.VCLOUD_ACCESSKEY, SK: process.env.VCLOUD_SECRETKEY };
    process.env.HOME = mkdtempSync(join(tmpdir(), 'vod-home-'));
    delete process.env.VCLOUD_ACCESSKEY;
    delete process.env.VCLOUD_SECRETKEY;
    try {
      const vod = new VodClient({ endpoint: server.origin });
      await assert.rejects(vod.getPlayInfo({ video_id: 'v1' }), (e: Error) => e.name === 'ConfigError' && /VCLOUD_ACCESSKEY/.test(e.message) && /\.vcloud/.test(e.message));
      assert.throws(() => vod.signSts2(null, 3600), { name: 'ConfigError' });
      assert.equal(server.requests.length, 0);
      process.env.VCLOUD_ACCESSKEY = 'AKLTfromEnv';
      process.env.VCLOUD_SECRETKEY = 'secret-from-env';
      server.results.set('GetPlayInfo', playInfo);
      await vod.getPlayInfo({ video_id: 'v1' });
      assert.match(server.requests[0]!.headers.authorization!, /Credential=AKLTfromEnv\//);
    } finally {
      for (const [k, v] of [['HOME', saved.HOME], ['VCLOUD_ACCESSKEY', saved.AK], ['VCLOUD_SECRETKEY', saved.SK]] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });
});
