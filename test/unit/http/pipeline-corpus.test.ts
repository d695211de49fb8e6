// Hostile-input corpus over the pipeline's HTTP routes (upload-by-url, item-status, vod-callback), against the
// real handlers with dynalite, the emulator and a recording bus: every case is a 4xx with a clear message, never a
// 5xx, never a crash, never an effect (no item, no bus event), and no secret in a log line (the log guard).
// With corpus.test.ts (the token, STS2, play and poster routes) the corpus covers every HTTP route.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import fc from 'fast-check';
import { configOf } from '#lib/config';
import { callbackDeps, callbackSignature } from '#lib/pipeline';
import { API_KEY, CALLBACK_KEY, CALLBACK_URL, lambdaContext, startHarness, type Harness } from '../pipeline/harness.ts';
import { closedPort } from '../../support/ports.ts';
import { captureLogs } from './log-capture.ts';

type Http = (e: APIGatewayProxyEventV2, c: ReturnType<typeof lambdaContext>) => Promise<APIGatewayProxyStructuredResultV2>;
let h: Harness;
const routes: Record<'upload-by-url' | 'item-status' | 'vod-callback', Http> = {} as never;
/** vod-callback's clock, fixed: callbacks are signed relative to it, so a window edge is where the case puts it. */
const NOW = new Date('2026-11-25T10:00:00Z');
const NOW_S = NOW.getTime() / 1000;

before(async () => {
  h = await startHarness();
  OK_URL = `http://127.0.0.1:${await closedPort()}/clip.mp4`;
  routes['upload-by-url'] = (await import('../../../functions/upload-by-url/handler.ts')).handler;
  routes['item-status'] = (await import('../../../functions/item-status/handler.ts')).handler;
  const vodCallback = await import('../../../functions/vod-callback/handler.ts');
  routes['vod-callback'] = vodCallback.createHandler(callbackDeps(), configOf(vodCallback.SETTINGS), () => NOW);
});
after(() => h.close());

function http(method: 'GET' | 'POST', path: string, opts: { body?: string; headers?: Record<string, string | undefined>; params?: Record<string, string>; base64?: boolean } = {}): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = { 'content-type': 'application/json', host: '127.0.0.1:3000' };
  for (const [k, v] of Object.entries(opts.headers ?? {})) if (v === undefined) delete headers[k]; else headers[k] = v;
  return {
    version: '2.0', routeKey: `${method} ${path}`, rawPath: path, rawQueryString: '', headers, isBase64Encoded: opts.base64 ?? false,
    ...(opts.body === undefined ? {} : { body: opts.body }),
    ...(opts.params ? { pathParameters: opts.params } : {}),
    requestContext: {
      accountId: '111122223333', apiId: 'local', domainName: '127.0.0.1', domainPrefix: '127', requestId: 'corpus', routeKey: `${method} ${path}`,
      stage: '$default', time: '25/Nov/2026:10:00:00 +0000', timeEpoch: 0,
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'corpus' },
    },
  };
}

const HOSTILE_STRINGS = [
  '', ' ', '*', '../../etc/passwd', '%2e%2e%2f', "' OR '1'='1", '"; DROP TABLE items; --', '<script>alert(1)</script>',
  '${jndi:ldap://127.0.0.1/x}', '{{7*7}}', '$(id)', 'a\u0000b', '\r\nSet-Cookie: x=1', '😀', 'ｖ０ａｂｃ', 'x'.repeat(5000), 'null', '-1', 'NaN',
];
const HOSTILE_VALUES: unknown[] = [null, true, false, 0, -1, 1.5, 1e308, [], [1], {}, { a: 1 }, [null], [[]]];
const BAD_URLS = [
  'ftp://127.0.0.1/a.mp4', 'file:///etc/passwd', 'javascript:alert(1)', 'data:video/mp4;base64,AAAA', '//127.0.0.1/a.mp4', 'not a url', 'http://',
  `http://127.0.0.1/${'a'.repeat(2100)}`, 'gopher://127.0.0.1:70/_x', ' http://127.0.0.1/a.mp4', 'http://[::1', 'ws://127.0.0.1/a',
];
/** A well-formed URL on a port nothing listens on (set before the cases run): a request that got through fetches nothing. */
let OK_URL = '';

/** The event is built when the case runs. */
type Case = [route: keyof typeof routes, what: string, event: () => APIGatewayProxyEventV2, status?: number];

function byUrl(body: unknown, headers: Record<string, string | undefined> = {}): APIGatewayProxyEventV2 {
  return http('POST', '/uploads/by-url', { body: typeof body === 'string' ? body : JSON.stringify(body), headers: { authorization: `Bearer ${API_KEY}`, ...headers } });
}

function uploadByUrlCases(): Case[] {
  const out: Case[] = [];
  for (const b of ['{', '}', '[', '{"urls":', "{'urls':[]}", '{"urls":["x"],}', 'nul', '0', '"s"', '[]', 'null', '1e999', '{"__proto__":{"admin":true}}', '{"constructor":{"prototype":{"x":1}}}']) {
    out.push(['upload-by-url', `body ${b.slice(0, 20)}`, () => byUrl(b)]);
  }
  for (const s of [...HOSTILE_STRINGS, ...HOSTILE_VALUES]) out.push(['upload-by-url', `urls=${JSON.stringify(s).slice(0, 30)}`, () => byUrl({ urls: s })]);
  for (const s of [...HOSTILE_STRINGS, ...HOSTILE_VALUES, ...BAD_URLS]) out.push(['upload-by-url', `urls[0]=${JSON.stringify(s).slice(0, 30)}`, () => byUrl({ urls: [s] })]);
  for (const s of [...HOSTILE_STRINGS.filter((x) => !/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(x)), ...HOSTILE_VALUES]) out.push(['upload-by-url', `space=${JSON.stringify(s).slice(0, 30)}`, () => byUrl({ urls: [OK_URL], space: s })]);
  for (const s of [...HOSTILE_STRINGS.filter((x) => !/^[A-Za-z0-9_.-]{1,16}$/.test(x)), ...HOSTILE_VALUES]) out.push(['upload-by-url', `format=${JSON.stringify(s).slice(0, 30)}`, () => byUrl({ urls: [OK_URL], format: s })]);
  out.push(['upload-by-url', 'no urls', () => byUrl({})]);
  out.push(['upload-by-url', 'empty urls', () => byUrl({ urls: [] })]);
  out.push(['upload-by-url', '21 urls', () => byUrl({ urls: Array.from({ length: 21 }, (_, i) => `${OK_URL}?${i}`) })]);
  out.push(['upload-by-url', 'extra field', () => byUrl({ urls: [OK_URL], callbackArgs: 'x' })]);
  out.push(['upload-by-url', 'Urls (case)', () => byUrl({ Urls: [OK_URL] })]);
  out.push(['upload-by-url', 'huge body', () => byUrl({ urls: [OK_URL], pad: 'x'.repeat(200_000) })]);
  out.push(['upload-by-url', 'huge url list', () => byUrl({ urls: Array.from({ length: 5000 }, () => OK_URL) })]);
  out.push(['upload-by-url', 'text/plain', () => byUrl({ urls: [OK_URL] }, { 'content-type': 'text/plain' })]);
  out.push(['upload-by-url', 'form body', () => byUrl(`urls=${encodeURIComponent(OK_URL)}`, { 'content-type': 'application/x-www-form-urlencoded' })]);
  out.push(['upload-by-url', 'invalid UTF-8', () => ({ ...byUrl('x'), body: Buffer.from([0x7b, 0xc3, 0x28, 0x7d]).toString('base64'), isBase64Encoded: true })]);
  out.push(['upload-by-url', 'garbage base64', () => ({ ...byUrl('x'), body: '!!!not base64!!!', isBase64Encoded: true })]);
  for (const [what, headers, status] of [
    ['no key', { authorization: undefined }, 401], ['wrong key', { authorization: 'Bearer test-api-key-9999' }, 403], ['Basic', { authorization: 'Basic YTpi' }, 401],
    ['empty Bearer', { authorization: 'Bearer ' }, 401], ['key with spaces', { authorization: 'Bearer a b c' }, 401],
    ['x-api-key unicode', { authorization: undefined, 'x-api-key': 'ключ-ключ-ключ' }, 401], ['key case', { authorization: `Bearer ${API_KEY.toUpperCase()}` }, 403],
    ['AWS4 authorization', { authorization: 'AWS4-HMAC-SHA256 Credential=AKLT/20261125/cn-north-1/vod/aws4_request, SignedHeaders=host, Signature=00' }, 401],
  ] as const) out.push(['upload-by-url', what, () => byUrl({ urls: [OK_URL] }, headers), status]);
  return out;
}

function itemStatusCases(): Case[] {
  const out: Case[] = [];
  const ids = [
    ...HOSTILE_STRINGS.filter((s) => s !== ''), 'x'.repeat(2049), '中'.repeat(683), 's3:nope/incoming/none.mp4@0', 'url:job-that-does-not-exist', 'vid:v0dnotthere',
    'v0dnotthere', '%', '%E0%A4%A', '%00', 's3%3Anope', '..%2F..%2Fetc', '__proto__', 'constructor', 'toString', '*', '?', '#', 'id;rm -rf /',
  ];
  for (const id of ids) out.push(['item-status', `id=${JSON.stringify(id).slice(0, 30)}`, () => http('GET', `/items/${encodeURIComponent(id)}`, { params: { id } })]);
  out.push(['item-status', 'no path parameter', () => http('GET', '/items/')]);
  out.push(['item-status', 'empty id', () => http('GET', '/items/', { params: { id: '' } })]);
  out.push(['item-status', 'extra path parameter', () => http('GET', '/items/x', { params: { id: 'x', other: 'y' } })]);
  return out;
}

const TRANSCODE_BODY = {
  RequestId: 'corpus-rq', Version: '1.0', EventType: 'TranscodeComplete', EventTime: '2026-11-25T10:00:00Z',
  Data: { Code: 'Success', Message: '', Vid: 'v0dcorpus', RunId: 'run-corpus', SpaceName: 'demo-space', TemplateId: 't', CallbackArgs: '' },
};

/** A callback event signed (or forged) as the service would send it. */
function callback(body: string, opts: { at?: number; key?: string; url?: string; sign?: string; ts?: string; omit?: 'ts' | 'sig'; signedBody?: string; base64?: boolean } = {}): APIGatewayProxyEventV2 {
  const ts = opts.ts ?? String(opts.at ?? NOW_S);
  const sig = opts.sign ?? callbackSignature(opts.url ?? CALLBACK_URL, ts, opts.key ?? CALLBACK_KEY, Buffer.from(opts.signedBody ?? body));
  const headers: Record<string, string | undefined> = { 'x-vod-timestamp': opts.omit === 'ts' ? undefined : ts, 'x-vod-signature': opts.omit === 'sig' ? undefined : sig };
  return http('POST', '/vod/callback', { body: opts.base64 ? Buffer.from(body).toString('base64') : body, headers, base64: opts.base64 ?? false });
}

function callbackCases(): Case[] {
  const out: Case[] = [];
  const good = JSON.stringify(TRANSCODE_BODY);
    // forged: wrong key, wrong URL, tampered body, signature of another body, garbage signatures
  out.push(['vod-callback', 'wrong key', () => callback(good, { key: 'not-the-key' }), 401]);
  out.push(['vod-callback', 'signed for another URL', () => callback(good, { url: 'http://127.0.0.1:3000/elsewhere' }), 401]);
  out.push(['vod-callback', 'tampered body', () => callback(good.replace('demo-space', 'evil-space'), { signedBody: good }), 401]);
  out.push(['vod-callback', 'empty key', () => callback(good, { key: '' }), 401]);
  for (const sig of ['', ' ', '0', 'x'.repeat(32), '0'.repeat(32), 'Z'.repeat(32), 'f'.repeat(33), 'f'.repeat(31), '😀'.repeat(8), 'null', "' OR 1=1 --", 'x'.repeat(5000)]) {
    out.push(['vod-callback', `signature=${JSON.stringify(sig).slice(0, 20)}`, () => callback(good, { sign: sig }), 401]);
  }
  // replayed outside the skew window (300 s), bad timestamps
  for (const d of [-301, 301, -3600, 3600, -86400 * 2, 86400 * 365]) out.push(['vod-callback', `replayed at now${d > 0 ? '+' : ''}${d} s`, () => callback(good, { at: NOW_S + d }), 401]);
  for (const ts of ['', 'abc', '-1', '1.5', '1e10', String(NOW_S).repeat(2), ' ', '0x10', '😀', '9'.repeat(13)]) out.push(['vod-callback', `timestamp=${JSON.stringify(ts)}`, () => callback(good, { ts }), 401]);
  out.push(['vod-callback', 'no timestamp', () => callback(good, { omit: 'ts' }), 401]);
  out.push(['vod-callback', 'no signature', () => callback(good, { omit: 'sig' }), 401]);
  out.push(['vod-callback', 'base64 body signed as text of its base64', () => callback(good, { base64: true, signedBody: Buffer.from(good).toString('base64') }), 401]);
  // correctly signed but malformed: the signature proves the sender, not the shape
  const signedBad: Array<[string, string]> = [
    ['{', '{'], ['not json', 'not json'], ['array', '[]'], ['null', 'null'], ['number', '1'], ['string', '"x"'], ['empty body', ''],
    ['no RequestId', JSON.stringify({ ...TRANSCODE_BODY, RequestId: undefined })], ['RequestId number', JSON.stringify({ ...TRANSCODE_BODY, RequestId: 1 })],
    ['empty RequestId', JSON.stringify({ ...TRANSCODE_BODY, RequestId: '' })], ['no EventType', JSON.stringify({ ...TRANSCODE_BODY, EventType: undefined })],
    ['EventType object', JSON.stringify({ ...TRANSCODE_BODY, EventType: { a: 1 } })], ['no Data', JSON.stringify({ ...TRANSCODE_BODY, Data: undefined })],
    ['Data array', JSON.stringify({ ...TRANSCODE_BODY, Data: [] })], ['Data string', JSON.stringify({ ...TRANSCODE_BODY, Data: 'x' })],
    ['Data.Vid number', JSON.stringify({ ...TRANSCODE_BODY, Data: { ...TRANSCODE_BODY.Data, Vid: 5 } })],
    ['Data.Code object', JSON.stringify({ ...TRANSCODE_BODY, Data: { ...TRANSCODE_BODY.Data, Code: {} } })],
    ['Data.CallbackArgs array', JSON.stringify({ ...TRANSCODE_BODY, Data: { ...TRANSCODE_BODY.Data, CallbackArgs: [] } })],
    ['huge body (2 MiB)', JSON.stringify({ ...TRANSCODE_BODY, pad: 'x'.repeat(2 * 1024 * 1024) })],
  ];
  for (const [what, body] of signedBad) out.push(['vod-callback', `signed, ${what}`, () => callback(body)]);
  for (const v of HOSTILE_VALUES.filter((x) => typeof x !== 'string')) {
    out.push(['vod-callback', `signed, RequestId=${JSON.stringify(v).slice(0, 20)}`, () => callback(JSON.stringify({ ...TRANSCODE_BODY, RequestId: v }))]);
    out.push(['vod-callback', `signed, Data.RunId=${JSON.stringify(v).slice(0, 20)}`, () => callback(JSON.stringify({ ...TRANSCODE_BODY, Data: { ...TRANSCODE_BODY.Data, RunId: v } }))]);
  }
  // unsigned hostile bodies
  for (const s of HOSTILE_STRINGS) out.push(['vod-callback', `unsigned body ${JSON.stringify(s).slice(0, 20)}`, () => http('POST', '/vod/callback', { body: s }), 401]);
  return out;
}

const CASES: Case[] = [...uploadByUrlCases(), ...itemStatusCases(), ...callbackCases()];

describe('hostile-input corpus over the pipeline routes (upload-by-url, item-status, vod-callback)', () => {
  it(`has at least 200 cases here (${CASES.length}; with corpus.test.ts, over 300 across all routes)`, () => assert.ok(CASES.length >= 200));

  it('answers every case with a 4xx and a clear message, never a 5xx, and has no effect', async () => {
    const busBefore = h.bus.entries.length;
    const jobsBefore = Object.keys(h.emulator.state.jobs).length;
    const failures: string[] = [];
    for (const [route, what, event, status] of CASES) {
      const { result } = await captureLogs(() => routes[route](event(), lambdaContext(`corpus-${route}`)));
      const body = JSON.parse(String(result.body ?? '{}')) as { error?: string; message?: string; requestId?: string };
      const code = result.statusCode ?? 0;
      const clear = typeof body.error === 'string' && typeof body.message === 'string' && body.message.length > 0 && body.message.length <= 600;
      if (code < 400 || code >= 500 || !clear || (status !== undefined && code !== status)) failures.push(`${route} ${what}: ${code} ${JSON.stringify(body).slice(0, 200)}`);
      if (body.requestId !== 'corpus') failures.push(`${route} ${what}: no request id in the error body`);
    }
    assert.deepEqual(failures, []);
    assert.equal(h.bus.entries.length, busBefore, 'no bus event from a refused request');
    assert.equal(Object.keys(h.emulator.state.jobs).length, jobsBefore, 'no URL job from a refused request');
  });

  it('never answers 5xx to arbitrary bodies, ids or signed callback bodies (fast-check, fixed seed)', async () => {
    await fc.assert(fc.asyncProperty(fc.jsonValue({ maxDepth: 3 }), async (value) => {
      const r = await routes['upload-by-url'](byUrl(JSON.stringify(value) ?? 'null'), lambdaContext('fc'));
      return (r.statusCode ?? 0) >= 400 && (r.statusCode ?? 0) < 500;
    }), { seed: 20261125, numRuns: 100 });
    await fc.assert(fc.asyncProperty(fc.string({ minLength: 1, maxLength: 300 }), async (id) => {
      const r = await routes['item-status'](http('GET', `/items/${encodeURIComponent(id)}`, { params: { id } }), lambdaContext('fc'));
      return r.statusCode === 404 || r.statusCode === 400;
    }), { seed: 20261125, numRuns: 100 });
    await fc.assert(fc.asyncProperty(fc.jsonValue({ maxDepth: 3 }), async (value) => {
      const r = await routes['vod-callback'](callback(JSON.stringify(value) ?? 'null'), lambdaContext('fc'));
      return r.statusCode === 400 || r.statusCode === 413 || r.statusCode === 200;
    }), { seed: 20261125, numRuns: 100 });
  });
});
