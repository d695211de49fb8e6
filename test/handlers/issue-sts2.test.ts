import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, readConfig } from '#lib/config';
import type { HttpLambda } from '#lib/http';
import { decodeSts2Token, parsePolicy } from '#lib/signing';
import { VodClient, VodError } from '#lib/vod';
import { API_KEY, AUTH_REFUSALS, fixture, invoke, jsonHeaders, NOW, RANDOM, startStack, uploadVideo, withBody, withHeaders, type Stack } from '../unit/http/handler-kit.ts';

const PLAY = fixture('issue-sts2-play');
const UPLOAD = fixture('issue-sts2-upload');
let stack: Stack;
let handler: HttpLambda;
let mod: typeof import('../../functions/issue-sts2/handler.ts');

before(async () => {
  stack = await startStack();
  mod = await import('../../functions/issue-sts2/handler.ts');
  handler = mod.createHandler(stack.sign, stack.cfg, RANDOM);
});
after(() => stack.close());

interface Sts2 { AccessKeyId: string; SecretAccessKey: string; SessionToken: string; CurrentTime: string; ExpiredTime: string }

function policyOf(creds: Sts2): unknown {
  const token = decodeSts2Token(creds.SessionToken);
  if (!token) throw new Error("undecodable SessionToken");
  return token.PolicyString === '' ? null : parsePolicy(token.PolicyString);
}

describe('POST /sts2', () => {
  it('reads its five variables at cold start, API_KEYS required, TOKEN_DEFAULT_EXPIRES held to TOKEN_MAX_EXPIRES', () => {
    assert.deepEqual(readConfig({ API_KEYS: API_KEY, VOD_ENDPOINT: 'ftp://not-read' }, mod.SETTINGS), {
      region: 'cn-north-1', space: 'demo-space', apiKeys: [API_KEY], tokenDefaultExpires: 3600, sts2MaxExpires: 43200,
    });
    assert.throws(() => readConfig({}, mod.SETTINGS), (err: unknown) => err instanceof ConfigError && err.message === 'invalid configuration: API_KEYS must be set (a comma list of API keys) for a protected route');
    assert.throws(() => readConfig({ API_KEYS: API_KEY, TOKEN_DEFAULT_EXPIRES: '7200', TOKEN_MAX_EXPIRES: '3600' }, mod.SETTINGS), (err: unknown) => err instanceof ConfigError && err.message === 'invalid configuration: TOKEN_DEFAULT_EXPIRES must not exceed TOKEN_MAX_EXPIRES (3600) (got "7200")');
  });

  it('is wired from the environment at module scope', async () => {
    const reply = await invoke(mod.handler, withBody(UPLOAD, { scope: 'upload', expiresIn: 600 }));
    assert.equal(reply.status, 200);
    assert.deepEqual(policyOf(reply.body as Sts2), {
      Statement: [{ Effect: 'Allow', Action: ['vod:ApplyUpload', 'vod:CommitUpload'], Resource: ['trn:vod:cn-north-1:*:space/demo-space'] }],
    });
  });

  it('issues play-scoped credentials whose policy is exactly the listed videos and stream types', async () => {
    const reply = await invoke(handler, PLAY);
    assert.equal(reply.status, 200);
    assert.deepEqual(reply.headers, jsonHeaders('issue-sts2-play-req-0001'));
    const creds = reply.body as Sts2;
    assert.deepEqual(Object.keys(creds), ['AccessKeyId', 'SecretAccessKey', 'SessionToken', 'CurrentTime', 'ExpiredTime']);
    assert.deepEqual([creds.CurrentTime, creds.ExpiredTime], ['2026-11-25T18:00:00+00:00', '2026-11-25T18:15:00+00:00']);
    assert.match(creds.AccessKeyId, /^AKTP/);
    assert.deepEqual(policyOf(creds), {
      Statement: [{
        Effect: 'Allow', Action: ['vod:GetPlayInfo'],
        Resource: ['trn:vod::*:video_id/v0d000000000000000000000001', 'trn:vod:::stream_type/normal', 'trn:vod::*:watermark/*'],
      }],
    });
    assert.equal(reply.logs.join('\n').includes(creds.SecretAccessKey), false);
    assert.equal(reply.logs.join('\n').includes(creds.SessionToken), false);
  });

  it('issues credentials the service accepts for the listed video and refuses for another', async () => {
    const vid = await uploadVideo(stack.vod);
    const other = await uploadVideo(stack.vod);
    const reply = await invoke(handler, withBody(PLAY, { scope: 'play', vids: [vid] }));
    const creds = reply.body as Sts2;
    const temp = new VodClient({
      endpoint: stack.emu.url, now: () => NOW, retries: 0,
      credentials: { accessKeyId: creds.AccessKeyId, secretAccessKey: creds.SecretAccessKey, sessionToken: creds.SessionToken },
    });
    assert.equal((await temp.getPlayInfo({ video_id: vid })).Data.VideoID, vid);
    await assert.rejects(temp.getPlayInfo({ video_id: other }), (err: unknown) => err instanceof VodError && err.code === 'AccessDenied');
    await assert.rejects(temp.applyUpload({ SpaceName: 'demo-space' }), (err: unknown) => err instanceof VodError && err.code === 'AccessDenied');
  });

  it('issues upload-scoped credentials for one space, defaulting the expiry', async () => {
    const reply = await invoke(handler, withBody(UPLOAD, { scope: 'upload' }));
    const creds = reply.body as Sts2;
    assert.equal(reply.status, 200);
    assert.equal(creds.ExpiredTime, '2026-11-25T19:00:00+00:00');
    assert.deepEqual(policyOf(creds), {
      Statement: [{ Effect: 'Allow', Action: ['vod:ApplyUpload', 'vod:CommitUpload'], Resource: ['trn:vod:cn-north-1:*:space/demo-space'] }],
    });
    const temp = new VodClient({
      endpoint: stack.emu.url, now: () => NOW, retries: 0,
      credentials: { accessKeyId: creds.AccessKeyId, secretAccessKey: creds.SecretAccessKey, sessionToken: creds.SessionToken },
    });
    assert.equal(typeof (await temp.applyUpload({ SpaceName: 'demo-space' })).UploadAddress.SessionKey, 'string');
    await assert.rejects(temp.applyUpload({ SpaceName: 'other-space' }), (err: unknown) => err instanceof VodError && err.code === 'AccessDenied');
  });

  for (const [what, headers, status, message] of AUTH_REFUSALS) {
    it(`refuses ${what} with ${status}`, async () => {
      const reply = await invoke(handler, withHeaders(PLAY, headers));
      assert.deepEqual({ status: reply.status, body: reply.body }, { status, body: { error: status === 401 ? 'Unauthorized' : 'Forbidden', message, requestId: 'issue-sts2-play-req-0001' } });
    });
  }

  const BAD: ReadonlyArray<[string, unknown, string]> = [
    ['no scope', { vids: ['v0a'] }, 'body.scope: must be "play" or "upload"'],
    ['an unknown scope', { scope: 'admin' }, 'body.scope: must be "play" or "upload"'],
    ['a raw policy', { scope: 'play', vids: ['v0a'], policy: { Statement: [{ Effect: 'Allow', Action: ['*'], Resource: ['*'] }] } }, 'body.policy: is not an allowed field'],
    ['a policy in upload scope', { scope: 'upload', Policy: '*' }, 'body.Policy: is not an allowed field'],
    ['play without vids', { scope: 'play' }, 'body.vids: is required'],
    ['an empty vid list (would be *)', { scope: 'play', vids: [] }, 'body.vids: must hold at least 1 item'],
    ['a wildcard vid', { scope: 'play', vids: ['*'] }, 'body.vids.0: must be a video id (1-128 letters, digits, _ or -)'],
    ['a wildcard stream type', { scope: 'play', vids: ['v0a'], streamTypes: ['*'] }, 'body.streamTypes.0: must be a stream type (1-64 letters, digits, _ . or -)'],
    ['an empty watermark list', { scope: 'play', vids: ['v0a'], watermarks: [] }, 'body.watermarks: must hold at least 1 item'],
    ['21 vids', { scope: 'play', vids: Array.from({ length: 21 }, (_, i) => `v${i}`) }, 'body.vids: must hold at most 20 items'],
    ['repeated vids', { scope: 'play', vids: ['v0a', 'v0a'] }, 'body.vids: must not repeat an item'],
    ['vids as a string', { scope: 'play', vids: 'v0a' }, 'body.vids: must be an array'],
    ['an expiry under 60', { scope: 'play', vids: ['v0a'], expiresIn: 59 }, 'body.expiresIn: must be at least 60'],
    ['an expiry over STS2_MAX_EXPIRES', { scope: 'upload', expiresIn: 3601 }, 'body.expiresIn: must be at most 3600'],
    ['vids in upload scope', { scope: 'upload', vids: ['v0a'] }, 'body.vids: is not an allowed field'],
    ['a bad space', { scope: 'upload', space: '../x' }, 'body.space: must be a space name (1-64 letters, digits, _ or -)'],
  ];
  for (const [what, body, message] of BAD) {
    it(`answers 400 for ${what}`, async () => {
      const reply = await invoke(handler, withBody(PLAY, body));
      assert.deepEqual({ status: reply.status, body: reply.body }, { status: 400, body: { error: 'BadRequest', message, requestId: 'issue-sts2-play-req-0001' } });
    });
  }
});
