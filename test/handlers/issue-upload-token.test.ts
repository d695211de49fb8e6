import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, readConfig } from '#lib/config';
import type { HttpLambda } from '#lib/http';
import { API_KEY, AUTH_REFUSALS, fixture, invoke, jsonHeaders, startStack, verifySignedQuery, withBody, withHeaders, type Stack } from '../unit/http/handler-kit.ts';

const EVENT = fixture('issue-upload-token');
const RID = 'issue-upload-token-req-0001';
let stack: Stack;
let handler: HttpLambda;
let mod: typeof import('../../functions/issue-upload-token/handler.ts');

before(async () => {
  stack = await startStack({ VOD_SPACE: 'default-space' });
  mod = await import('../../functions/issue-upload-token/handler.ts');
  handler = mod.createHandler(stack.sign, stack.cfg);
});
after(() => stack.close());

function decode(token: string): Record<string, string> {
  return JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as Record<string, string>;
}

describe('POST /tokens/upload', () => {
  it('reads its five variables alone at cold start, API_KEYS required', () => {
    assert.deepEqual(readConfig({ API_KEYS: API_KEY, VOD_ENDPOINT: 'ftp://not-read' }, mod.SETTINGS), {
      region: 'cn-north-1', space: 'demo-space', apiKeys: [API_KEY], tokenDefaultExpires: 3600, tokenMaxExpires: 86400,
    });
    assert.throws(() => readConfig({}, mod.SETTINGS), (err: unknown) => err instanceof ConfigError && err.message === 'invalid configuration: API_KEYS must be set (a comma list of API keys) for a protected route');
  });

  it('is wired from the environment at module scope', async () => {
    const reply = await invoke(mod.handler, EVENT);
    assert.deepEqual({ status: reply.status, space: (reply.body as { space: string }).space }, { status: 200, space: 'demo-space' });
    assert.equal((await verifySignedQuery('GET', decode((reply.body as { token: string }).token).ApplyUploadToken ?? '', new Date())).ok, true);
  });

  it('issues an upload token: signed ApplyUpload (GET) and CommitUpload (POST) for the space', async () => {
    const reply = await invoke(handler, EVENT);
    assert.equal(reply.status, 200);
    assert.deepEqual(reply.headers, jsonHeaders(RID));
    const body = reply.body as { token: string; space: string; expiresIn: number };
    assert.deepEqual(Object.keys(body), ['token', 'space', 'expiresIn']);
    assert.deepEqual({ space: body.space, expiresIn: body.expiresIn }, { space: 'demo-space', expiresIn: 600 });
    const token = decode(body.token);
    assert.deepEqual(Object.keys(token).sort(), ['ApplyUploadToken', 'CommitUploadToken', 'Version']);
    for (const [key, action, method] of [['ApplyUploadToken', 'ApplyUpload', 'GET'], ['CommitUploadToken', 'CommitUpload', 'POST']] as const) {
      const q = new URLSearchParams(token[key]);
      assert.deepEqual([q.get('Action'), q.get('SpaceName'), q.get('X-Amz-Expires')], [action, 'demo-space', '600']);
      const ok = await verifySignedQuery(method, token[key] ?? '');
      assert.equal(ok.ok, true, key);
      const wrongMethod = await verifySignedQuery(method === 'GET' ? 'POST' : 'GET', token[key] ?? '');
      assert.equal(wrongMethod.ok ? 'ok' : wrongMethod.code, 'SignatureDoesNotMatch');
    }
  });

  it('lets the service accept the ApplyUpload token', async () => {
    const token = decode((((await invoke(handler, EVENT)).body) as { token: string }).token);
    const res = await fetch(`${stack.emu.url}/?${token.ApplyUploadToken}`);
    const data = (await res.json()) as { Result: { UploadAddress: { SessionKey: string } } };
    assert.equal(res.status, 200);
    assert.equal(typeof data.Result.UploadAddress.SessionKey, 'string');
  });

  it('defaults the space to VOD_SPACE and the expiry to TOKEN_DEFAULT_EXPIRES; an empty body is fine', async () => {
    const event = { ...withHeaders(EVENT, { 'content-type': undefined, 'content-length': '0' }), body: '' };
    const reply = await invoke(handler, event);
    assert.equal(reply.status, 200);
    assert.deepEqual({ ...(reply.body as object), token: '' }, { token: '', space: 'default-space', expiresIn: 3600 });
  });

  for (const [what, headers, status, message] of AUTH_REFUSALS) {
    it(`refuses ${what} with ${status}`, async () => {
      const reply = await invoke(handler, withHeaders(EVENT, headers));
      assert.deepEqual({ status: reply.status, body: reply.body }, { status, body: { error: status === 401 ? 'Unauthorized' : 'Forbidden', message, requestId: RID } });
    });
  }

  const BAD: ReadonlyArray<[string, unknown, string]> = [
    ['a space with a slash', { space: 'a/b' }, 'body.space: must be a space name (1-64 letters, digits, _ or -)'],
    ['a numeric space', { space: 12 }, 'body.space: must be a string'],
    ['a 65-char space', { space: 's'.repeat(65) }, 'body.space: must be a space name (1-64 letters, digits, _ or -)'],
    ['an expiry over the maximum', { expiresIn: 604800 }, 'body.expiresIn: must be at most 7200'],
    ['a fractional expiry', { expiresIn: 1.5 }, 'body.expiresIn: must be a whole number of seconds'],
    ['a null expiry', { expiresIn: null }, 'body.expiresIn: must be a number of seconds'],
    ['a raw policy', { space: 'demo-space', policy: { Statement: [] } }, 'body.policy: is not an allowed field'],
    ['a string body', '"demo-space"', 'body: must be a JSON object, got a string'],
  ];
  for (const [what, body, message] of BAD) {
    it(`answers 400 for ${what}`, async () => {
      const reply = await invoke(handler, withBody(EVENT, body));
      assert.deepEqual({ status: reply.status, body: reply.body }, { status: 400, body: { error: 'BadRequest', message, requestId: RID } });
    });
  }
});
