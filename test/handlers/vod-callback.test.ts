// vod-callback fed API Gateway v2 events carrying the service's callback bodies, signed per protocol section 8.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { callbackSignature } from '#lib/pipeline';
import { BUS, CALLBACK_KEY, CALLBACK_URL, fixture, lambdaContext, startHarness, type Harness } from '../unit/pipeline/harness.ts';

let h: Harness;
let handler: (e: APIGatewayProxyEventV2, c: ReturnType<typeof lambdaContext>) => Promise<APIGatewayProxyStructuredResultV2>;

before(async () => {
  h = await startHarness();
  ({ handler } = await import('../../functions/vod-callback/handler.ts'));
});
after(() => h.close());

async function signed(bodyFile: string, opts: { at?: number; key?: string; tamper?: boolean } = {}): Promise<APIGatewayProxyEventV2> {
  const body = JSON.stringify(await fixture(`callback/${bodyFile}`));
  const ts = String(opts.at ?? Math.floor(Date.now() / 1000));
  const event = await fixture<APIGatewayProxyEventV2>('callback/api-gateway-v2.json');
  event.body = opts.tamper ? body.replace('demo-space', 'evil-space') : body;
  event.headers['x-vod-timestamp'] = ts;
  event.headers['x-vod-signature'] = callbackSignature(CALLBACK_URL, ts, opts.key ?? CALLBACK_KEY, Buffer.from(body));
  return event;
}

test('a signed FileUploadComplete answers 200 and emits UploadCommitted with the item from CallbackArgs', async () => {
  const res = await handler(await signed('file-upload-complete.json'), lambdaContext());
  assert.equal(res.statusCode, 200);
  assert.deepEqual(JSON.parse(String(res.body)), { ok: true });
  assert.deepEqual(h.bus.entries, [{
    EventBusName: BUS, Source: 'vod-serverless', DetailType: 'UploadCommitted',
    Detail: {
      vid: 'v0d399go10004ccbs0ldpvqf8g2lqdug', spaceName: 'demo-space', itemId: 's3:vod-serverless-local-ingest/incoming/a.mp4@0123',
      callbackArgs: '{"itemId":"s3:vod-serverless-local-ingest/incoming/a.mp4@0123","bucket":"vod-serverless-local-ingest","key":"incoming/a.mp4"}',
    },
  }]);
});

test('the same callback delivered again (also concurrently, also with a new RequestId) emits nothing more', async () => {
  h.bus.entries.length = 0;
  const again = await handler(await signed('file-upload-complete.json'), lambdaContext('r2'));
  assert.equal(again.statusCode, 200);
  const tc = await signed('transcode-complete.json');
  const both = await Promise.all([handler(tc, lambdaContext('r3')), handler(tc, lambdaContext('r4'))]);
  const statuses = both.map((r) => r.statusCode).sort();
  assert.ok(statuses[0] === 200, `one delivery succeeds, got ${statuses.join(',')}`);
  const body = JSON.parse(String(tc.body)) as { RequestId: string };
  body.RequestId = 'a-new-request-id';
  const resent = await fixture<APIGatewayProxyEventV2>('callback/api-gateway-v2.json');
  resent.body = JSON.stringify(body);
  const ts = String(Math.floor(Date.now() / 1000));
  resent.headers['x-vod-timestamp'] = ts;
  resent.headers['x-vod-signature'] = callbackSignature(CALLBACK_URL, ts, CALLBACK_KEY, Buffer.from(resent.body));
  assert.equal((await handler(resent, lambdaContext('r5'))).statusCode, 200);
  assert.deepEqual(h.bus.entries.map((e) => [e.DetailType, e.Detail]), [
    ['TranscodeCompleted', { vid: 'v0d399go10004ccbs0ldpvqf8g2lqdug', runId: 'run-0001', spaceName: 'demo-space', code: 'Success' }],
  ]);
});

test('forged, tampered, unsigned and replayed-outside-the-window callbacks get 401 and have no effect', async () => {
  h.bus.entries.length = 0;
  const cases: Array<[string, APIGatewayProxyEventV2]> = [
    ['wrong key', await signed('transcode-complete.json', { key: 'not-the-key' })],
    ['tampered body', await signed('transcode-complete.json', { tamper: true })],
    ['too old', await signed('transcode-complete.json', { at: Math.floor(Date.now() / 1000) - 301 })],
    ['from the future', await signed('transcode-complete.json', { at: Math.floor(Date.now() / 1000) + 301 })],
  ];
  const unsigned = await signed('transcode-complete.json');
  delete unsigned.headers['x-vod-signature'];
  cases.push(['unsigned', unsigned]);
  for (const [name, event] of cases) {
    const res = await handler(event, lambdaContext());
    assert.equal(res.statusCode, 401, name);
    assert.equal((JSON.parse(String(res.body)) as { error: string }).error, 'Unauthorized', name);
  }
  assert.deepEqual(h.bus.entries, []);
});

test('a failed URL upload callback fails its item with the service message', async () => {
  await h.store.create({ id: 'url:job-404', source: 'url', spaceName: 'demo-space', jobId: 'job-404' });
  const res = await handler(await signed('file-upload-by-url-failed.json'), lambdaContext());
  assert.equal(res.statusCode, 200);
  const item = await h.store.get('url:job-404');
  assert.deepEqual([item?.state, item?.failedFrom, item?.attempts, item?.reason],
    ['failed', 'uploading', 1, 'FileUploadByUrlComplete FetchFailed: source answered 404']);
});
