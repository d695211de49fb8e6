import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { signContext } from '#lib/config';

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
