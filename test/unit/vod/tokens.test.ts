import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { verifyRequest } from '#lib/signing';
import { VodClient, pythonJsonDumps } from '#lib/vod';
import { replayRandom, vectorsOf, type Vector } from '../../vectors/vectors.ts';

const dateOf = (v: Vector): Date => new Date(String(v.input.date).replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, '$1-$2-$3T$4:$5:$6Z'));

/** A client as the vector's SDK was: its keys, region, scheme://host and clock. */
function clientFor(v: Vector, extra: Partial<ConstructorParameters<typeof VodClient>[0]> = {}): VodClient {
  return new VodClient({
    region: v.input.region,
    credentials: { accessKeyId: v.input.ak, secretAccessKey: v.input.sk },
    ...(v.input.host ? { endpoint: `${v.input.scheme}://${v.input.host}` } : {}),
    now: () => dateOf(v),
    ...extra,
  });
}

const verifyQuery = (v: Vector, method: string, rawQuery: string) =>
  verifyRequest({ method, path: '/', rawQuery, headers: {}, body: new Uint8Array() }, {
    lookupSecret: (ak) => (ak === v.input.ak ? v.input.sk : undefined), region: v.input.region, now: dateOf(v),
  });

describe('auth tokens through VodClient, byte-identical to the original SDK', () => {
  for (const v of vectorsOf('upload-token')) {
    test(`upload token ${v.name}`, async () => {
      const token = await clientFor(v).getUploadAuthToken(v.input.params);
      assert.equal(token, v.expected.token);
      const decoded = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
      assert.deepEqual(decoded, v.expected.decoded);
      const apply = await verifyQuery(v, 'GET', decoded.ApplyUploadToken);
      const commit = await verifyQuery(v, 'POST', decoded.CommitUploadToken);
      assert.deepEqual([apply.ok, commit.ok], [true, true]);
      assert.equal((await verifyQuery(v, 'GET', decoded.CommitUploadToken)).ok, false, 'CommitUploadToken is signed for POST');
    });
  }

  for (const v of vectorsOf('play-token')) {
    test(`play token ${v.name}`, async () => {
      const token = await clientFor(v).getPlayAuthToken(v.input.params);
      assert.equal(token, v.expected.token);
      const decoded = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
      assert.deepEqual(decoded, v.expected.decoded);
      assert.equal((await verifyQuery(v, 'GET', decoded.GetPlayInfoToken)).ok, true);
    });
  }

  for (const v of vectorsOf('redirect-play')) {
    test(`redirect play URL ${v.name}`, async () => {
      const url = await clientFor(v).getRedirectPlayUrl(v.input.params);
      assert.equal(url, v.expected.url);
      assert.equal((await verifyQuery(v, 'GET', new URL(url).search.slice(1))).ok, true);
    });
  }

  test('numeric X-Amz-Expires gives the same token as the string form', async () => {
    const [v] = vectorsOf('play-token');
    const token = await clientFor(v!).getPlayAuthToken({ video_id: 'v0d23c', 'X-Amz-Expires': 60 });
    assert.equal(token, v!.expected.token);
  });

  test('an out-of-range X-Amz-Expires is refused by the signer', async () => {
    const [v] = vectorsOf('play-token');
    await assert.rejects(clientFor(v!).getPlayAuthToken({ video_id: 'v', 'X-Amz-Expires': 0 }), { name: 'SigningError' });
  });

  test('pythonJsonDumps writes json.dumps separators and ensure_ascii escapes', () => {
    assert.equal(pythonJsonDumps({ Version: 'v1', K: 'a"b\u00e9\u007f\n' }), '{"Version": "v1", "K": "a\\"b\\u00e9\\u007f\\n"}');
  });
});

describe('STS2 through VodClient with fixed clock and randomness', () => {
  for (const v of vectorsOf('sts2')) {
    test(`signSts2 ${v.name}`, () => {
      const vod = clientFor(v, { random: replayRandom(v.input.random), now: () => new Date(v.input.now * 1000) });
      assert.deepEqual(vod.signSts2(v.input.policy, v.input.expire), v.expected.sts2);
    });
  }

  for (const v of vectorsOf('play-auth-sts2')) {
    test(`getVideoPlayAuth ${v.name} (default expire 3600)`, () => {
      const vod = clientFor(v, { random: replayRandom(v.input.random), now: () => new Date(v.input.now * 1000) });
      assert.equal(v.input.expire, null);
      assert.deepEqual(vod.getVideoPlayAuth(v.input.vids, v.input.stream_types, v.input.watermarks), v.expected.sts2);
    });
  }

  test('getUploadAuth scopes the token to the space and region', () => {
    const [v] = vectorsOf('sts2');
    const vod = clientFor(v!, { region: 'ap-singapore-1', random: replayRandom(v!.input.random), now: () => new Date(v!.input.now * 1000) });
    const sts = vod.getUploadAuth('space1');
    const inner = JSON.parse(Buffer.from(sts.SessionToken.slice(4), 'base64').toString('utf8'));
    assert.deepEqual(JSON.parse(inner.PolicyString), {
      Statement: [{ Action: ['vod:ApplyUpload', 'vod:CommitUpload'], Effect: 'Allow', Resource: ['trn:vod:ap-singapore-1:*:space/space1'] }],
    });
    assert.equal(inner.ExpiredTime, v!.input.now + 3600);
  });
});
