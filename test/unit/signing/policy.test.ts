import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Resource, Statement, isAllowed, parsePolicy, playPolicy, uploadPolicy } from '#lib/signing';

describe('policy evaluation', () => {
  test('the play policy allows its videos only', () => {
    const policy = playPolicy(['v1', 'v2']);
    assert.equal(isAllowed(policy, 'vod:GetPlayInfo', [Resource.video('v1')]), true);
    assert.equal(isAllowed(policy, 'vod:GetPlayInfo', [Resource.video('v2'), Resource.watermark('w'), Resource.streamType('normal')]), true);
    assert.equal(isAllowed(policy, 'vod:GetPlayInfo', [Resource.video('v3')]), false);
    assert.equal(isAllowed(policy, 'vod:ApplyUpload', [Resource.space('s', 'cn-north-1')]), false);
  });

  test('listed stream types and watermarks restrict those dimensions', () => {
    const policy = playPolicy([], ['normal'], ['logo']);
    assert.deepEqual(policy.Statement[0]!.Resource, ['trn:vod::*:video_id/*', 'trn:vod:::stream_type/normal', 'trn:vod::*:watermark/logo']);
    assert.equal(isAllowed(policy, 'vod:GetPlayInfo', [Resource.video('any'), Resource.watermark('logo')]), true);
    assert.equal(isAllowed(policy, 'vod:GetPlayInfo', [Resource.video('any'), Resource.watermark('other')]), false);
  });

  test('the upload policy is scoped to one space in one region', () => {
    const policy = uploadPolicy('s1', 'cn-north-1');
    assert.equal(isAllowed(policy, 'vod:ApplyUpload', [Resource.space('s1', 'cn-north-1')]), true);
    assert.equal(isAllowed(policy, 'vod:CommitUpload', [Resource.space('s1', 'cn-north-1')]), true);
    assert.equal(isAllowed(policy, 'vod:ApplyUpload', [Resource.space('s2', 'cn-north-1')]), false);
    assert.equal(isAllowed(policy, 'vod:ApplyUpload', [Resource.space('s1', 'us-east-1')]), false);
    assert.equal(isAllowed(policy, 'vod:GetPlayInfo', [Resource.video('v')]), false);
  });

  test('Deny wins over Allow; wildcards in actions and resources', () => {
    const policy = { Statement: [Statement.allow(['vod:*'], ['*']), Statement.deny(['vod:GetPlayInfo'], ['trn:vod::*:video_id/secret-*'])] };
    assert.equal(isAllowed(policy, 'vod:GetPlayInfo', [Resource.video('public-1')]), true);
    assert.equal(isAllowed(policy, 'vod:GetPlayInfo', [Resource.video('secret-1')]), false);
    assert.equal(isAllowed(policy, 'vod:StartTranscode', [Resource.video('secret-1')]), true);
  });

  test('regex characters in resources are literal', () => {
    const policy = { Statement: [Statement.allow(['vod:GetPlayInfo'], ['trn:vod::*:video_id/a.b'])] };
    assert.equal(isAllowed(policy, 'vod:GetPlayInfo', ['trn:vod::1:video_id/a.b']), true);
    assert.equal(isAllowed(policy, 'vod:GetPlayInfo', ['trn:vod::1:video_id/axb']), false);
  });

  test('no policy is unrestricted; an empty policy allows nothing', () => {
    assert.equal(isAllowed(null, 'vod:Anything', ['x']), true);
    assert.equal(isAllowed({ Statement: [] }, 'vod:GetPlayInfo', [Resource.video('v')]), false);
  });

  test('parsePolicy accepts well-formed policies only', () => {
    assert.equal(parsePolicy(''), null);
    assert.deepEqual(parsePolicy(JSON.stringify(playPolicy(['v']))), playPolicy(['v']));
    for (const bad of ['{', '[]', '{"Statement":{}}', '{"Statement":[{"Effect":"Maybe","Action":[],"Resource":[]}]}', '{"Statement":[{"Effect":"Allow","Action":"x","Resource":[]}]}']) {
      assert.equal(parsePolicy(bad), undefined, bad);
    }
  });
});
