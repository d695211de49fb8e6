// upload-by-url and item-status fed API Gateway v2 events; URL jobs run in the emulator against a loopback source.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, ScheduledEvent } from 'aws-lambda';
import { ItemStore } from '#lib/pipeline';
import { API_KEY, ITEMS_TABLE, fixture, lambdaContext, startHarness, type Harness } from '../unit/pipeline/harness.ts';

type Http = (e: APIGatewayProxyEventV2, c: ReturnType<typeof lambdaContext>) => Promise<APIGatewayProxyStructuredResultV2>;
let h: Harness;
let byUrl: Http;
let status: Http;
let reconcile: (e: ScheduledEvent, c: ReturnType<typeof lambdaContext>) => Promise<{ examined: number; actions: Record<string, number> }>;
const sample = await readFile(new URL('../../samples/sample.mp4', import.meta.url));
const source = createServer((req, res) => {
  if (req.url === '/clip.mp4') { res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': sample.length }); res.end(sample); }
  else { res.writeHead(404); res.end(); }
});
let sourceUrl: string;

before(async () => {
  h = await startHarness();
  await new Promise<void>((r) => source.listen(0, '127.0.0.1', r));
  sourceUrl = `http://127.0.0.1:${(source.address() as AddressInfo).port}/clip.mp4`;
  ({ handler: byUrl } = await import('../../functions/upload-by-url/handler.ts'));
  ({ handler: status } = await import('../../functions/item-status/handler.ts'));
  ({ handler: reconcile } = await import('../../functions/reconcile/handler.ts'));
});
after(async () => { source.close(); await h.close(); });

function http(method: 'GET' | 'POST', path: string, opts: { body?: unknown; key?: string | null; params?: Record<string, string> } = {}): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = { 'content-type': 'application/json', host: '127.0.0.1:3000' };
  if (opts.key !== null) headers.authorization = `Bearer ${opts.key ?? API_KEY}`;
  return {
    version: '2.0', routeKey: `${method} ${path}`, rawPath: path, rawQueryString: '', headers, isBase64Encoded: false,
    ...(opts.body === undefined ? {} : { body: typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body) }),
    ...(opts.params ? { pathParameters: opts.params } : {}),
    requestContext: {
      accountId: '111122223333', apiId: 'local', domainName: '127.0.0.1', domainPrefix: '127', requestId: 'rq', routeKey: `${method} ${path}`,
      stage: '$default', time: '25/Nov/2026:10:00:00 +0000', timeEpoch: 0,
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
    },
  };
}
const json = (r: APIGatewayProxyStructuredResultV2): Record<string, unknown> => JSON.parse(String(r.body)) as Record<string, unknown>;

test('POST /uploads/by-url starts a job per URL and records url:{jobId} items in received', async () => {
  const res = await byUrl(http('POST', '/uploads/by-url', { body: { urls: [sourceUrl] } }), lambdaContext());
  assert.equal(res.statusCode, 202);
  const { items } = json(res) as { items: Array<{ id: string; jobId: string; sourceUrl: string }> };
  assert.equal(items.length, 1);
  const [it] = items;
  assert.deepEqual(it, { id: `url:${it!.jobId}`, jobId: it!.jobId, sourceUrl });
  const stored = await h.store.get(it!.id);
  assert.deepEqual([stored?.state, stored?.source, stored?.jobId, stored?.sourceUrl, stored?.spaceName], ['received', 'url', it!.jobId, sourceUrl, 'demo-space']);

  const got = await status(http('GET', `/items/${encodeURIComponent(it!.id)}`, { params: { id: it!.id }, key: null }), lambdaContext());
  assert.equal(got.statusCode, 200);
  assert.deepEqual(json(got), stored);
});

test('item-status (a public route) shows a presigned source URL without its user info, query or fragment', async () => {
  const presigned = 'https://user:pa55word@bucket.example.com/v/clip.mp4?X-Amz-Credential=AKIA0000%2F20261126&X-Amz-Signature=deadbeef&sig=abc#t=1';
  await h.store.create({ id: 'url:presigned-job', source: 'url', spaceName: 'demo-space', jobId: 'presigned-job', sourceUrl: presigned });

  const got = await status(http('GET', '/items/url%3Apresigned-job', { params: { id: 'url:presigned-job' }, key: null }), lambdaContext());

  assert.equal(got.statusCode, 200);
  assert.equal(json(got).sourceUrl, 'https://bucket.example.com/v/clip.mp4');
  assert.equal((await h.store.get('url:presigned-job'))?.sourceUrl, presigned, 'the item keeps the whole URL');
});

test('item-status refuses an id DynamoDB could not hold (over 2048 bytes) with a 400, not a failed read', async () => {
  const res = await status(http('GET', '/items/x', { params: { id: '中'.repeat(683) }, key: null }), lambdaContext());
  assert.equal(res.statusCode, 400);
  assert.equal(json(res).message, 'path.id: must be at most 2048 bytes (UTF-8)');
});

test('upload-by-url refuses missing or wrong keys and bad bodies; item-status answers 404 for an unknown id', async () => {
  const cases: Array<[string, APIGatewayProxyEventV2, number]> = [
    ['no key', http('POST', '/uploads/by-url', { body: { urls: [sourceUrl] }, key: null }), 401],
    ['wrong key', http('POST', '/uploads/by-url', { body: { urls: [sourceUrl] }, key: 'wrong-key-0000000000000' }), 403],
    ['no urls', http('POST', '/uploads/by-url', { body: { urls: [] } }), 400],
    ['ftp url', http('POST', '/uploads/by-url', { body: { urls: ['ftp://127.0.0.1/x.mp4'] } }), 400],
    ['extra field', http('POST', '/uploads/by-url', { body: { urls: [sourceUrl], policy: '*' } }), 400],
    ['21 urls', http('POST', '/uploads/by-url', { body: { urls: Array.from({ length: 21 }, (_, i) => `${sourceUrl}?${i}`) } }), 400],
    ['invalid json', http('POST', '/uploads/by-url', { body: '{"urls": [' }), 400],
  ];
  for (const [name, event, code] of cases) assert.equal((await byUrl(event, lambdaContext())).statusCode, code, name);
  const missing = await status(http('GET', '/items/url%3Anope', { params: { id: 'url:nope' }, key: null }), lambdaContext());
  assert.equal(missing.statusCode, 404);
});

test('reconcile (scheduled event) re-queries a stuck URL job, records its Vid and announces it; fresh items are left alone', async () => {
  const res = await byUrl(http('POST', '/uploads/by-url', { body: { urls: [sourceUrl] } }), lambdaContext());
  const [job] = (json(res) as { items: Array<{ id: string; jobId: string }> }).items;
  await h.emulator.idle();
  const hourAgo = new ItemStore({ db: h.db, tableName: ITEMS_TABLE, now: () => new Date(Date.now() - 3600_000) });
  await hourAgo.create({ id: 'url:stuck', source: 'url', spaceName: 'demo-space', jobId: job!.jobId });
  h.bus.entries.length = 0;
  const event = await fixture<ScheduledEvent>('schedule/reconcile.json');
  event.time = new Date().toISOString();

  const report = await reconcile(event, lambdaContext());

  const stuck = await h.store.get('url:stuck');
  const vid = h.emulator.state.jobs[job!.jobId]?.vid;
  assert.ok(vid);
  assert.deepEqual([stuck?.state, stuck?.vid], ['committed', vid]);
  assert.deepEqual(h.bus.entries.map((e) => [e.DetailType, e.Detail]), [['UploadCommitted', { vid, spaceName: 'demo-space', itemId: 'url:stuck' }]]);
  assert.equal(report.actions.committed, 1);
  assert.equal((await h.store.get(job!.id))?.state, 'received', 'the fresh item is not reconciled');
});
