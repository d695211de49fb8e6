import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { REGIONS, lazyCredentials, regionHost, resolveCredentials } from '#lib/signing';

function homeWith(config?: string): string {
  const home = mkdtempSync(join(tmpdir(), 'vcloud-home-'));
  if (config !== undefined) {
    mkdirSync(join(home, '.vcloud'));
    writeFileSync(join(home, '.vcloud', 'config'), config);
  }
  return home;
}

describe('credentials chain', () => {
  const env = { VCLOUD_ACCESSKEY: 'AKenv', VCLOUD_SECRETKEY: 'SKenv' };
  const file = homeWith('{"ak": "AKfile", "sk": "SKfile"}');

  test('explicit > env > ~/.vcloud/config', () => {
    assert.deepEqual(resolveCredentials({ explicit: { accessKeyId: 'AKx', secretAccessKey: 'SKx' }, env, homeDir: file }), { accessKeyId: 'AKx', secretAccessKey: 'SKx' });
    assert.deepEqual(resolveCredentials({ env, homeDir: file }), { accessKeyId: 'AKenv', secretAccessKey: 'SKenv' });
    assert.deepEqual(resolveCredentials({ env: {}, homeDir: file }), { accessKeyId: 'AKfile', secretAccessKey: 'SKfile' });
  });

  test('lazyCredentials reads nothing until called, then keeps what it resolved', () => {
    const sources = { env: {} as Record<string, string | undefined>, homeDir: homeWith() };
    const credentials = lazyCredentials(sources); // nothing to find yet: building it must not throw
    sources.env = env;
    const first = credentials();
    sources.env = { VCLOUD_ACCESSKEY: 'AKother', VCLOUD_SECRETKEY: 'SKother' };
    assert.deepEqual(first, { accessKeyId: 'AKenv', secretAccessKey: 'SKenv' });
    assert.equal(credentials(), first);
  });

  test('incomplete sources fall through', () => {
    assert.deepEqual(resolveCredentials({ explicit: { accessKeyId: 'AKx' }, env: { VCLOUD_ACCESSKEY: 'AKenv' }, homeDir: file }), { accessKeyId: 'AKfile', secretAccessKey: 'SKfile' });
    assert.deepEqual(resolveCredentials({ env, homeDir: homeWith('not json') }), { accessKeyId: 'AKenv', secretAccessKey: 'SKenv' });
  });

  test('a session token passes through with explicit keys', () => {
    assert.deepEqual(resolveCredentials({ explicit: { accessKeyId: 'a', secretAccessKey: 'b', sessionToken: 'STS2x' }, env: {} }), { accessKeyId: 'a', secretAccessKey: 'b', sessionToken: 'STS2x' });
  });

  test('no source names all three, and no secret', () => {
    const home = homeWith('{"ak": "AKonly"}');
    assert.throws(() => resolveCredentials({ env: { VCLOUD_SECRETKEY: 'lonely-secret' }, homeDir: home }), (e: Error) => {
      assert.equal(e.name, 'ConfigError');
      assert.equal(e.message, `no VOD credentials: pass them explicitly, set VCLOUD_ACCESSKEY and VCLOUD_SECRETKEY, or write {"ak": "...", "sk": "..."} to ${join(home, '.vcloud', 'config')}`);
      return !e.message.includes('lonely-secret');
    });
  });
});

describe('regions', () => {
  test('the three regions and their hosts', () => {
    assert.deepEqual({ ...REGIONS }, {
      'cn-north-1': 'vod.bytedanceapi.com',
      'ap-singapore-1': 'vod.ap-singapore-1.bytedanceapi.com',
      'us-east-1': 'vod.us-east-1.bytedanceapi.com',
    });
    assert.equal(regionHost('us-east-1'), 'vod.us-east-1.bytedanceapi.com');
  });
  test('an unknown region names the valid ones', () => {
    assert.throws(() => regionHost('eu-west-1'), { name: 'ConfigError', message: "unknown region 'eu-west-1': valid regions are cn-north-1, ap-singapore-1, us-east-1" });
    assert.throws(() => regionHost('__proto__'), { name: 'ConfigError' });
  });
});
