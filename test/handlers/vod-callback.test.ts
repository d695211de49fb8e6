// vod-callback fed API Gateway v2 events carrying the service's callback bodies, signed per protocol section 8.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { configOf } from '#lib/config';
import { callbackDeps, callbackSignature } from '#lib/pipeline';
import { BUS, CALLBACK_KEY, CALLBACK_URL, fixture, lambdaContext, startHarness, type Harness } from '../unit/pipeline/harness.ts';

let h: Harness;
let handler: (e: APIGatewayProxyEventV2, c: ReturnType<typeof lambdaContext>) => Promise<APIGatewayProxyStructuredResultV2>;
/** The handler's clock, fixed: the skew window is checked against it, never against the wall clock. */
const NOW = new Date('2026-11-25T10:00:03Z');
const NOW_S = NOW.getTime() / 1000;

before(async () => {
  h = await startHarness();
  const mod = await import('../../functions/vod-callback/handler.ts');
  handler = mod.createHandler(callbackDeps(), configOf(mod.SETTINGS), () => NOW);
});
after(() => h.close());

async function signed(bodyFile: string, opts: { at?: number; key?: string; tamper?: boolean } = {}): Promise<APIGatewayProxyEventV2> {
  const body = JSON.stringify(await fixture(`callback/${bodyFile}`));
  const ts = String(opts.at ?? NOW_S);
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
  const replies = both.map((r) => [r.statusCode, JSON.parse(String(r.body))] as const).sort(([a], [b]) => (a ?? 0) - (b ?? 0));
  assert.deepEqual(replies[0], [200, { ok: true }]);
  // the other found the first's record done (200, its stored result) or still in progress (Powertools'
  // IdempotencyAlreadyInProgressError: a 409, so the service delivers it again later)
  const loser = [[200, { ok: true }], [409, {
    error: 'Conflict', message: 'this callback is being handled by another delivery; deliver it again later', requestId: 'cLtQfhhBIAMEJmA=',
  }]];
  assert.ok(loser.some((r) => isDeepStrictEqual(r, replies[1])), `the other delivery: ${JSON.stringify(replies[1])}`);
  const body = JSON.parse(String(tc.body)) as { RequestId: string };
  body.RequestId = 'a-new-request-id';
  const resent = await fixture<APIGatewayProxyEventV2>('callback/api-gateway-v2.json');
  resent.body = JSON.stringify(body);
  const ts = String(NOW_S);
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
    ['too old', await signed('transcode-complete.json', { at: NOW_S - 301 })],
    ['from the future', await signed('transcode-complete.json', { at: NOW_S + 301 })],
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

test('a callback signed exactly 300 s before or after the clock is inside the window (answered, and a duplicate)', async () => {
  h.bus.entries.length = 0;
  for (const at of [NOW_S - 300, NOW_S + 300]) {
    const res = await handler(await signed('transcode-complete.json', { at }), lambdaContext());
    assert.equal(res.statusCode, 200, String(at - NOW_S));
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

test('a delivery that finds the same callback still being handled answers 409 (the service delivers it again); the first emits once', async () => {
  const mod = await import('../../functions/vod-callback/handler.ts');
  const deps = callbackDeps();
  let release!: () => void;
  const gate = new Promise<void>((r) => { release = r; });
  let emits = 0;
  // the real bus, its emit held at the gate
  const emit: typeof deps.bus.emit = async (type, detail) => { emits++; await gate; return deps.bus.emit(type, detail); };
  const bus = Object.assign(Object.create(deps.bus) as typeof deps.bus, { emit });
  const held = mod.createHandler({ ...deps, bus }, configOf(mod.SETTINGS), () => NOW);
  const body = JSON.parse(JSON.stringify(await fixture('callback/transcode-complete.json'))) as { Data: { RunId: string } };
  body.Data.RunId = 'run-held-0001';
  const event = await fixture<APIGatewayProxyEventV2>('callback/api-gateway-v2.json');
  event.body = JSON.stringify(body);
  event.headers['x-vod-timestamp'] = String(NOW_S);
  event.headers['x-vod-signature'] = callbackSignature(CALLBACK_URL, String(NOW_S), CALLBACK_KEY, Buffer.from(event.body));

  const first = held(event, lambdaContext('held-1'));
  while (emits === 0) await new Promise((r) => setImmediate(r));
  const second = await held(event, lambdaContext('held-2'));
  release();

  assert.deepEqual([second.statusCode, JSON.parse(String(second.body))], [409, {
    error: 'Conflict', message: 'this callback is being handled by another delivery; deliver it again later', requestId: 'cLtQfhhBIAMEJmA=',
  }]);
  assert.equal((await first).statusCode, 200);
  assert.equal(emits, 1);
});
