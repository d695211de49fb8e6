import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { HttpLambda } from '#lib/http';
import { API_KEY, AUTH_REFUSALS, uploadVideo, fixture, invoke, jsonHeaders, NOW, startStack, verifySignedQuery, withBody, withHeaders, type Stack } from '../unit/http/handler-kit.ts';

const EVENT = fixture('issue-play-token');
const RID = 'issue-play-token-req-0001';
let stack: Stack;
let handler: HttpLambda;
let wired: HttpLambda;

before(async () => {
  stack = await startStack();
  const mod = await import('../../functions/issue-play-token/handler.ts');
  handler = mod.createHandler(stack.sign, stack.cfg);
  wired = mod.handler;
});
after(() => stack.close());

function decode(token: string): Record<string, string> {
  return JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as Record<string, string>;
}

describe('POST /tokens/play', () => {
  it('issues a play token that verifies and that the service accepts', async () => {
    const reply = await invoke(handler, EVENT);
    assert.equal(reply.status, 200);
    assert.deepEqual(reply.headers, jsonHeaders(RID));
    const body = reply.body as { token: string; vid: string; expiresIn: number };
    assert.deepEqual(Object.keys(body), ['token', 'vid', 'expiresIn']);
    assert.deepEqual({ vid: body.vid, expiresIn: body.expiresIn }, { vid: 'v0d000000000000000000000001', expiresIn: 600 });
    const token = decode(body.token);
    assert.deepEqual(Object.keys(token).sort(), ['GetPlayInfoToken', 'Version']);
    assert.equal(token.Version, 'v1');
    const query = new URLSearchParams(token.GetPlayInfoToken);
    assert.deepEqual(
      { Action: query.get('Action'), Version: query.get('Version'), video_id: query.get('video_id'), expires: query.get('X-Amz-Expires'), date: query.get('X-Amz-Date') },
      { Action: 'GetPlayInfo', Version: '2019-03-15', video_id: 'v0d000000000000000000000001', expires: '600', date: '20261125T180000Z' },
    );
    const verified = await verifySignedQuery('GET', token.GetPlayInfoToken ?? '');
    assert.deepEqual(verified.ok && { form: verified.form, principal: verified.principal }, { form: 'query', principal: 'AKLTlocalemulator' });
    // expired just after X-Amz-Date + 600 s
    const late = await verifySignedQuery('GET', token.GetPlayInfoToken ?? '', new Date(NOW.getTime() + 601_000));
    assert.equal(late.ok ? 'ok' : late.code, 'RequestExpired');
  });

  it('issues a token the service accepts for GetPlayInfo of that video only', async () => {
    const vid = await uploadVideo(stack.vod);
    const reply = await invoke(handler, withBody(EVENT, { vid }));
    const query = decode((reply.body as { token: string }).token).GetPlayInfoToken ?? '';
    const res = await fetch(`${stack.emu.url}/?${query}`);
    const data = (await res.json()) as { Result: { Data: { VideoID: string } } };
    assert.deepEqual({ status: res.status, vid: data.Result.Data.VideoID }, { status: 200, vid });
    const tampered = await fetch(`${stack.emu.url}/?${query.replace(vid, 'v0other')}`);
    assert.equal(tampered.status, 403);
  });

  it('defaults the expiry to TOKEN_DEFAULT_EXPIRES and accepts x-api-key', async () => {
    const event = withHeaders(withBody(EVENT, { vid: 'v0abc' }), { authorization: undefined, 'x-api-key': API_KEY });
    const reply = await invoke(handler, event);
    const body = reply.body as { token: string; expiresIn: number };
    assert.equal(reply.status, 200);
    assert.equal(body.expiresIn, 3600);
    assert.equal(new URLSearchParams(decode(body.token).GetPlayInfoToken).get('X-Amz-Expires'), '3600');
  });

  for (const [what, headers, status, message] of AUTH_REFUSALS) {
    it(`refuses ${what} with ${status}`, async () => {
      const reply = await invoke(handler, withHeaders(EVENT, headers));
      const extra: Record<string, string> = status === 401 ? { 'www-authenticate': 'Bearer realm="vod-serverless"' } : {};
      assert.deepEqual(reply, {
        status, headers: jsonHeaders(RID, extra), logs: reply.logs,
        body: { error: status === 401 ? 'Unauthorized' : 'Forbidden', message, requestId: RID },
      });
      assert.equal(reply.logs.join('\n').includes(API_KEY), false);
    });
  }

  it('refuses before validating: an unauthenticated bad body is a 401, not a 400', async () => {
    const reply = await invoke(handler, withHeaders(withBody(EVENT, '{'), { authorization: undefined }));
    assert.equal(reply.status, 401);
  });

  const BAD: ReadonlyArray<[string, unknown, string]> = [
    ['no vid', {}, 'body.vid: is required'],
    ['a numeric vid', { vid: 7 }, 'body.vid: must be a string'],
    ['a vid with a wildcard', { vid: 'v0*' }, 'body.vid: must be a video id (1-128 letters, digits, _ or -)'],
    ['an empty vid', { vid: '' }, 'body.vid: must be a video id (1-128 letters, digits, _ or -)'],
    ['an expiry over TOKEN_MAX_EXPIRES', { vid: 'v0a', expiresIn: 7201 }, 'body.expiresIn: must be at most 7200'],
    ['a zero expiry', { vid: 'v0a', expiresIn: 0 }, 'body.expiresIn: must be at least 1'],
    ['a negative expiry', { vid: 'v0a', expiresIn: -5 }, 'body.expiresIn: must be at least 1'],
    ['a string expiry', { vid: 'v0a', expiresIn: '600' }, 'body.expiresIn: must be a number of seconds'],
    ['an extra field', { vid: 'v0a', definition: '720p' }, 'body.definition: is not an allowed field'],
    ['invalid JSON', '{"vid": "v0a",}', 'body: is not valid JSON (at position 14)'],
    ['an array', '["v0a"]', 'body: must be a JSON object, got an array'],
  ];
  for (const [what, body, message] of BAD) {
    it(`answers 400 for ${what}`, async () => {
      const reply = await invoke(handler, withBody(EVENT, body));
      assert.deepEqual({ status: reply.status, body: reply.body }, { status: 400, body: { error: 'BadRequest', message, requestId: RID } });
    });
  }

  it('answers 415 for a form body and 413 for a huge one', async () => {
    const form = await invoke(handler, withHeaders(EVENT, { 'content-type': 'application/x-www-form-urlencoded' }));
    assert.deepEqual({ status: form.status, body: form.body }, { status: 415, body: { error: 'UnsupportedMediaType', message: 'content-type must be application/json', requestId: RID } });
    const huge = await invoke(handler, withBody(EVENT, { vid: 'v0a', pad: 'x'.repeat(70_000) }));
    assert.deepEqual({ status: huge.status, body: huge.body }, { status: 413, body: { error: 'PayloadTooLarge', message: 'body must be at most 65536 bytes', requestId: RID } });
  });

  it('is wired from the environment at module scope', async () => {
    assert.equal((await invoke(wired, withHeaders(EVENT, { authorization: undefined }))).status, 401);
    assert.equal((await invoke(wired, EVENT)).status, 200);
  });
});
