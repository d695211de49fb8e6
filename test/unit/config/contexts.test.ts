import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { signContext, vodApi } from '#lib/config';
import { getPlayInfo } from '#lib/vod';
import { VodTestServer } from '../../support/vod-test-server.ts';

/** Runs `fn` with the VOD key pair of the environment set to `pair` (undefined: unset), then restores it. */
function withKeys<T>(pair: [string, string] | undefined, fn: () => T): T {
  const saved = [process.env.VCLOUD_ACCESSKEY, process.env.VCLOUD_SECRETKEY];
  const set = (name: string, value: string | undefined) => { if (value === undefined) delete process.env[name]; else process.env[name] = value; };
  set('VCLOUD_ACCESSKEY', pair?.[0]);
  set('VCLOUD_SECRETKEY', pair?.[1]);
  try {
    return fn();
  } finally {
    set('VCLOUD_ACCESSKEY', saved[0]);
    set('VCLOUD_SECRETKEY', saved[1]);
  }
}

describe('signContext', () => {
  it('resolves the credentials at the first signing, not before, and keeps them', () => {
    const context = withKeys(undefined, () => signContext({ region: 'ap-singapore-1' }));
    const first = withKeys(['AKLTfirst', 'first-secret'], () => context());
    const second = withKeys(['AKLTsecond', 'second-secret'], () => context());
    assert.deepEqual(first.credentials, { accessKeyId: 'AKLTfirst', secretAccessKey: 'first-secret' });
    assert.equal(second.credentials, first.credentials);
    assert.deepEqual([first.region, second.region], ['ap-singapore-1', 'ap-singapore-1']);
  });

  it('takes the time at every signing', () => {
    const times = [new Date('2026-01-01T00:00:00Z'), new Date('2026-01-01T00:00:07Z')];
    let calls = 0;
    const context = signContext({ region: 'cn-north-1' }, () => times[calls++]!);
    assert.equal(calls, 0);
    const signings = withKeys(['AKLTfirst', 'first-secret'], () => [context(), context()]);
    assert.deepEqual(signings.map((s) => s.now), times);
  });
});

describe('vodApi', () => {
  const NOW = new Date('2026-11-26T02:00:00Z');
  let server: VodTestServer;
  before(async () => {
    server = await new VodTestServer({ secrets: { AKLTenvkey: 'env-secret-key' }, now: () => NOW }).start();
    server.results.set('GetPlayInfo', { Data: { VideoID: 'v1' } });
  });
  after(() => server.close());

  it('calls VOD_ENDPOINT, signing with the environment credentials resolved at the first call and kept', async () => {
    const api = withKeys(undefined, () => vodApi({ region: 'cn-north-1', vodEndpoint: server.origin }, { now: () => NOW, retries: 0 }));
    const result = await withKeys(['AKLTenvkey', 'env-secret-key'], () => getPlayInfo(api, { video_id: 'v1' }));
    assert.deepEqual(result, { Data: { VideoID: 'v1' } });
    const again = await withKeys(['AKLTother', 'other-secret'], () => getPlayInfo(api, { video_id: 'v1' }));
    assert.deepEqual(again, result);
    assert.deepEqual(server.requests.map((r) => r.verified?.ok && r.verified.principal), ['AKLTenvkey', 'AKLTenvkey']);
  });

  it("targets the region's API over https without VOD_ENDPOINT, with VodClient's timeout and retry defaults", () => {
    const api = vodApi({ region: 'ap-singapore-1', vodEndpoint: undefined });
    assert.deepEqual([api.origin, api.region, api.timeoutMs, api.retry.retries, api.retry.baseDelayMs, api.retry.maxDelayMs],
      ['https://vod.ap-singapore-1.bytedanceapi.com', 'ap-singapore-1', 5000, 3, 100, 5000]);
  });
});
