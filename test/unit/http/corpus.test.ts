// Hostile-input corpus over every HTTP route of functions/HTTP-ROUTES.md: each case must be a 4xx with a clear
// message (error name + "where: what"), never a 5xx, never a crash, and no log line may carry the API key.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import fc from 'fast-check';
import type { HttpLambda } from '#lib/http';
import { API_KEY, fixture, invoke, startStack, withBody, withHeaders, withQuery, withVid, type Stack } from './handler-kit.ts';

let stack: Stack;
const h: Record<string, HttpLambda> = {};

before(async () => {
  stack = await startStack();
  const [up, play, sts2, info, origin, redirect, poster] = await Promise.all([
    import('../../../functions/issue-upload-token/handler.ts'), import('../../../functions/issue-play-token/handler.ts'),
    import('../../../functions/issue-sts2/handler.ts'), import('../../../functions/play-info/handler.ts'),
    import('../../../functions/origin-play-info/handler.ts'), import('../../../functions/redirect-play/handler.ts'),
    import('../../../functions/poster-url/handler.ts'),
  ]);
  Object.assign(h, {
    'issue-upload-token': up.createHandler(stack.sign, stack.cfg), 'issue-play-token': play.createHandler(stack.sign, stack.cfg),
    'issue-sts2-play': sts2.createHandler(stack.sign, stack.cfg), 'play-info': info.createHandler(stack.api),
    'origin-play-info': origin.createHandler(stack.api), 'redirect-play': redirect.createHandler(stack.sign, stack.cfg),
    'poster-url': poster.createHandler(stack.api, stack.cfg),
  });
});
after(() => stack.close());

const HOSTILE_STRINGS = [
  '', ' ', '*', 'v0*', '../../etc/passwd', '..', '%2e%2e%2f', "' OR '1'='1", '"; DROP TABLE items; --', '<script>alert(1)</script>',
  '${jndi:ldap://127.0.0.1/x}', '{{7*7}}', '$(id)', '`id`', 'a\u0000b', '\r\nSet-Cookie: x=1', 'v0\t', '😀', 'ｖ０ａｂｃ', 'v'.repeat(129),
  'x'.repeat(5000), 'null', 'undefined', 'true', '-1', '1e309', 'NaN', '0x10', 'trn:vod::*:video_id/*', 'AKLTlocalemulator',
];
const HOSTILE_VALUES: unknown[] = [null, true, false, 0, -1, 1.5, 1e308, -1e308, [], [1], {}, { a: 1 }, ['*'], 'x'.repeat(70), '600'];

type Case = [route: string, what: string, event: APIGatewayProxyEventV2];

/** Values a route legitimately accepts (kept out of the corpus, which must hold only bad input). */
const WORD16 = /^[A-Za-z0-9_.-]{1,16}$/;
const ACCEPTED: Record<string, (v: unknown) => boolean> = {
  vid: (v) => typeof v === 'string' && /^[A-Za-z0-9_-]{1,128}$/.test(v),
  space: (v) => typeof v === 'string' && /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(v),
  definition: (v) => typeof v === 'string' && WORD16.test(v),
  format: (v) => typeof v === 'string' && WORD16.test(v),
  codec: (v) => typeof v === 'string' && WORD16.test(v),
  watermark: (v) => typeof v === 'string' && /^[A-Za-z0-9_.-]{1,64}$/.test(v),
  uri: (v) => typeof v === 'string' && v.length <= 512 && /^[A-Za-z0-9._~-]+(\/[A-Za-z0-9._~-]+)*$/.test(v) && !v.split('/').includes('..'),
};
const accepted = (field: string, value: unknown, route = ''): boolean =>
  !(route === 'poster-url' && field === 'format') && (ACCEPTED[field]?.(value) ?? false);

function bodyCases(route: string, field: string, base: Record<string, unknown>): Case[] {
  const ev = fixture(route);
  const out: Case[] = [];
  for (const s of HOSTILE_STRINGS) if (!accepted(field, s)) out.push([route, `${field}=${JSON.stringify(s).slice(0, 40)}`, withBody(ev, { ...base, [field]: s })]);
  for (const x of HOSTILE_VALUES) if (!accepted(field, x)) out.push([route, `${field}=${JSON.stringify(x).slice(0, 40)}`, withBody(ev, { ...base, [field]: x })]);
  return out;
}

function commonBodyCases(route: string, valid: Record<string, unknown>): Case[] {
  const ev = fixture(route);
  const bodies = ['{', '}', '[', '{"a":', '{"a" 1}', "{'vid':'v0a'}", '{"vid":"v0a",}', 'nul', 'tru', '0', '"s"', '[]', 'null', '1e999', '{"__proto__":{"admin":true}}',
    '{"constructor":{"prototype":{"x":1}}}', JSON.stringify({ ...valid, extra: 1 }), JSON.stringify({ ...valid, policy: { Statement: [] } }),
    JSON.stringify({ ...valid, expiresIn: 1e12 }), JSON.stringify({ ...valid, expiresIn: -60 }), JSON.stringify({ ...valid, expiresIn: 0.5 }),
    JSON.stringify({ ...valid, expiresIn: '3600' }), JSON.stringify({ ...valid, expiresIn: null })];
  const out: Case[] = bodies.map((b) => [route, `body ${b.slice(0, 30)}`, withBody(ev, b)]);
  out.push([route, 'text/plain', withHeaders(ev, { 'content-type': 'text/plain' })]);
  out.push([route, 'form body', withHeaders(withBody(ev, 'vid=v0a'), { 'content-type': 'application/x-www-form-urlencoded' })]);
  out.push([route, 'no content-type', withHeaders(ev, { 'content-type': undefined })]);
  out.push([route, 'huge body', withBody(ev, { ...valid, pad: 'x'.repeat(100_000) })]);
  out.push([route, 'huge base64 body', { ...withBody(ev, Buffer.from('x'.repeat(100_000)).toString('base64')), isBase64Encoded: true }]);
  out.push([route, 'invalid UTF-8', { ...ev, body: Buffer.from([0x7b, 0xc3, 0x28, 0x7d]).toString('base64'), isBase64Encoded: true }]);
  out.push([route, 'garbage base64', { ...ev, body: '!!!not base64!!!', isBase64Encoded: true }]);
  for (const [what, headers] of [['no key', { authorization: undefined }], ['wrong key', { authorization: 'Bearer test-api-key-9999' }],
    ['Basic', { authorization: 'Basic YTpi' }], ['bearer with spaces', { authorization: 'Bearer a b c' }], ['x-api-key unicode', { authorization: undefined, 'x-api-key': 'ключ-ключ-ключ' }],
    ['AWS4 authorization', { authorization: 'AWS4-HMAC-SHA256 Credential=AKLT/20261125/cn-north-1/vod/aws4_request, SignedHeaders=host, Signature=00' }]] as const) {
    out.push([route, what, withHeaders(ev, headers)]);
  }
  return out;
}

function pathCases(route: string): Case[] {
  const ev = fixture(route);
  return HOSTILE_STRINGS.filter((s) => !/^[A-Za-z0-9_-]{1,128}$/.test(s)).map((s): Case => [route, `vid=${JSON.stringify(s).slice(0, 30)}`, withVid(ev, s)]);
}

function queryCases(route: string, params: string[], vid?: string): Case[] {
  const base = vid === undefined ? fixture(route) : withVid(fixture(route), vid);
  const out: Case[] = [];
  for (const p of params) {
    for (const s of ['', '*', "' OR 1=1", '<x>', '../', '-1', '1e9', 'yes', '%00', 'x'.repeat(300), '😀']) {
      if (accepted(p, s, route)) continue;
      const q = route === 'poster-url' && p !== 'uri' ? `uri=p%2F1&${p}=${encodeURIComponent(s)}` : `${p}=${encodeURIComponent(s)}`;
      out.push([route, `${p}=${s.slice(0, 20)}`, withQuery(base, q)]);
    }
    out.push([route, `${p} twice`, withQuery(base, route === 'poster-url' && p !== 'uri' ? `uri=p%2F1&${p}=1&${p}=2` : `${p}=1&${p}=2`)]);
  }
  out.push([route, 'unknown parameter', withQuery(base, route === 'poster-url' ? 'uri=p%2F1&callback=x' : 'callback=x')]);
  out.push([route, 'case-variant parameter', withQuery(base, route === 'poster-url' ? 'URI=p%2F1' : 'SSL=1')]);
  for (const name of ['__proto__', 'constructor', 'toString']) {
    out.push([route, `parameter ${name}`, withQuery(base, route === 'poster-url' ? `uri=p%2F1&${name}=x` : `${name}=x`)]);
  }
  return out;
}

const CASES: Case[] = [
  ...commonBodyCases('issue-upload-token', { space: 'demo-space' }), ...bodyCases('issue-upload-token', 'space', {}),
  ...bodyCases('issue-upload-token', 'expiresIn', {}),
  ...commonBodyCases('issue-play-token', { vid: 'v0a' }), ...bodyCases('issue-play-token', 'vid', {}), ...bodyCases('issue-play-token', 'expiresIn', { vid: 'v0a' }),
  ...commonBodyCases('issue-sts2-play', { scope: 'play', vids: ['v0a'] }), ...bodyCases('issue-sts2-play', 'scope', { vids: ['v0a'] }),
  ...bodyCases('issue-sts2-play', 'vids', { scope: 'play' }), ...bodyCases('issue-sts2-play', 'streamTypes', { scope: 'play', vids: ['v0a'] }),
  ...bodyCases('issue-sts2-play', 'expiresIn', { scope: 'upload' }),
  ...pathCases('play-info'), ...queryCases('play-info', ['definition', 'format', 'codec', 'ssl'], 'v0a'),
  ...pathCases('origin-play-info'), ...queryCases('origin-play-info', ['ssl'], 'v0a'),
  ...pathCases('redirect-play'), ...queryCases('redirect-play', ['definition', 'watermark', 'expiresIn'], 'v0a'),
  ...queryCases('poster-url', ['uri', 'template', 'width', 'height', 'format', 'https', 'space']),
];

describe('hostile-input corpus over the HTTP routes', () => {
  it(`has at least 300 cases (${CASES.length})`, () => assert.ok(CASES.length >= 300));

  it('answers every case with a 4xx and a clear message, never a 5xx, never the API key in a log', async () => {
    const failures: string[] = [];
    for (const [route, what, event] of CASES) {
      const handler = h[route];
      assert.ok(handler, route);
      const reply = await invoke(handler, event);
      const body = reply.body as { error?: string; message?: string; requestId?: string };
      const clear = typeof body.error === 'string' && typeof body.message === 'string' && body.message.length > 0 && body.message.length <= 600;
      if (reply.status < 400 || reply.status >= 500 || !clear) failures.push(`${route} ${what}: ${reply.status} ${JSON.stringify(reply.body).slice(0, 200)}`);
      if (reply.logs.some((l) => l.includes(API_KEY))) failures.push(`${route} ${what}: API key in a log line`);
    }
    assert.deepEqual(failures, []);
  });

  it('never answers 5xx to arbitrary JSON bodies or query strings (fast-check, fixed seed)', async () => {
    const bodyRoutes = ['issue-upload-token', 'issue-play-token', 'issue-sts2-play'];
    await fc.assert(fc.asyncProperty(fc.constantFrom(...bodyRoutes), fc.jsonValue({ maxDepth: 3 }), async (route, value) => {
      const reply = await invoke(h[route]!, withBody(fixture(route), JSON.stringify(value) ?? 'null'));
      return reply.status === 200 || (reply.status >= 400 && reply.status < 500);
    }), { seed: 20261125, numRuns: 100 });
    const queryRoutes = ['play-info', 'origin-play-info', 'redirect-play', 'poster-url'];
    const pair = fc.tuple(fc.constantFrom('uri', 'ssl', 'definition', 'format', 'width', 'height', 'template', 'expiresIn', 'x'), fc.string({ maxLength: 20 }));
    await fc.assert(fc.asyncProperty(fc.constantFrom(...queryRoutes), fc.array(pair, { maxLength: 4 }), fc.string({ minLength: 1, maxLength: 40 }), async (route, pairs, vid) => {
      const q = pairs.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
      const base = route === 'poster-url' ? fixture(route) : withVid(fixture(route), vid);
      const reply = await invoke(h[route]!, withQuery(base, q));
      return reply.status < 500;
    }), { seed: 20261125, numRuns: 100 });
  });
});
