import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readConfig } from '#lib/config';
import type { HttpLambda } from '#lib/http';
import { fixture, invoke, NOW, startStack, uploadVideo, verifySignedQuery, withQuery, withVid, type Stack } from '../unit/http/handler-kit.ts';

const EVENT = fixture('redirect-play');
const RID = 'redirect-play-req-0001';
let stack: Stack;
let handler: HttpLambda;
let mod: typeof import('../../functions/redirect-play/handler.ts');
let vid: string;

before(async () => {
  stack = await startStack();
  mod = await import('../../functions/redirect-play/handler.ts');
  handler = mod.createHandler(stack.sign, stack.cfg);
  vid = await uploadVideo(stack.vod);
});
after(() => stack.close());

describe('GET /videos/{vid}/play', () => {
  it('reads its three variables alone at cold start (no API_KEYS: the route is public)', () => {
    assert.deepEqual(readConfig({ VOD_ENDPOINT: 'http://127.0.0.1:4100/', API_KEYS: 'short' }, mod.SETTINGS), {
      region: 'cn-north-1', vodEndpoint: 'http://127.0.0.1:4100', tokenMaxExpires: 86400,
    });
  });

  it("signs for the region's host when VOD_ENDPOINT is unset", async () => {
    const real = mod.createHandler(stack.sign, { region: 'ap-singapore-1', vodEndpoint: undefined, tokenMaxExpires: 3600 });
    const location = new URL(String((await invoke(real, withVid(EVENT, 'v0d000000000000000000000001'))).headers.location));
    assert.deepEqual([location.origin, location.pathname, location.searchParams.get('Action')], ['https://vod.ap-singapore-1.bytedanceapi.com', '/', 'RedirectPlay']);
  });

  it('is wired from the environment at module scope', async () => {
    const location = new URL(String((await invoke(mod.handler, withVid(EVENT, vid))).headers.location));
    assert.equal(location.origin, stack.emu.url);
    assert.equal((await verifySignedQuery('GET', location.search.slice(1), new Date())).ok, true);
  });

  it('answers 302 to the signed RedirectPlay URL, with no body', async () => {
    const reply = await invoke(handler, withVid(EVENT, 'v0d000000000000000000000001'));
    assert.equal(reply.status, 302);
    assert.equal(reply.body, '');
    const location = String(reply.headers.location);
    assert.deepEqual({ ...reply.headers, location: '' }, {
      'access-control-allow-origin': '*', 'cache-control': 'no-store', 'x-request-id': RID, location: '',
    });
    const url = new URL(location);
    assert.equal(url.origin, stack.emu.url);
    assert.deepEqual(
      ['Action', 'Version', 'Vid', 'Definition', 'X-Amz-Expires', 'X-Amz-Date'].map((k) => url.searchParams.get(k)),
      ['RedirectPlay', '2018-01-01', 'v0d000000000000000000000001', '720p', '300', '20261125T180000Z'],
    );
    const verified = await verifySignedQuery('GET', url.search.slice(1));
    assert.equal(verified.ok, true);
    const late = await verifySignedQuery('GET', url.search.slice(1), new Date(NOW.getTime() + 301_000));
    assert.equal(late.ok ? 'ok' : late.code, 'RequestExpired');
  });

  it('leads, through the service, to the video bytes', async () => {
    const reply = await invoke(handler, withQuery(withVid(EVENT, vid), ''));
    const location = String(reply.headers.location);
    assert.equal(new URL(location).searchParams.get('X-Amz-Expires'), '900');
    const hop = await fetch(location, { redirect: 'manual' });
    assert.equal(hop.status, 302);
    const video = await fetch(hop.headers.get('location') ?? '');
    assert.equal(Buffer.from(await video.arrayBuffer()).toString(), 'a small test video');
  });

  const BAD: ReadonlyArray<[string, string, string, string]> = [
    ['a bad vid', 'v0 a', '', 'path.vid: must be a video id (1-128 letters, digits, _ or -)'],
    ['an expiry over TOKEN_MAX_EXPIRES', 'v0a', 'expiresIn=7201', 'query.expiresIn: must be at most 7200'],
    ['a zero expiry', 'v0a', 'expiresIn=0', 'query.expiresIn: must be at least 1'],
    ['a negative expiry', 'v0a', 'expiresIn=-1', 'query.expiresIn: must be a whole number between 1 and 7200'],
    ['an expiry in hours', 'v0a', 'expiresIn=1h', 'query.expiresIn: must be a whole number between 1 and 7200'],
    ['a watermark with a slash', 'v0a', 'watermark=a%2Fb', 'query.watermark: must be a watermark (1-64 letters, digits, _ . or -)'],
    ['an unknown parameter', 'v0a', 'Vid=v0b', 'query.Vid: is not an allowed field'],
    ['a repeated definition', 'v0a', 'definition=720p&definition=1080p', 'query.definition: is given more than once'],
  ];
  for (const [what, badVid, query, message] of BAD) {
    it(`answers 400 for ${what}`, async () => {
      const reply = await invoke(handler, withQuery(withVid(EVENT, badVid), query));
      assert.deepEqual({ status: reply.status, body: reply.body, location: reply.headers.location }, {
        status: 400, body: { error: 'BadRequest', message, requestId: RID }, location: undefined,
      });
    });
  }
});
