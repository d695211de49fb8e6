import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  API_KEYS, ConfigError, configOf, PROTECTED_API_KEYS, readConfig, STS2_MAX_EXPIRES, TOKEN_DEFAULT_EXPIRES, TOKEN_MAX_EXPIRES,
  requireConfig, VOD_CALLBACK_KEY, VOD_CALLBACK_URL, VOD_COMMIT_FUNCTIONS, VOD_REGION, type ConfigProblem,
} from '#lib/config';

function problemsOf(run: () => unknown): ConfigProblem[] {
  try {
    run();
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.problems.map((p) => ({ ...p }));
  }
  assert.fail('expected a ConfigError');
}

describe('readConfig', () => {
  it('returns the fields of the given settings alone, deeply frozen, and validates no other variable', () => {
    const cfg = readConfig({ TOKEN_MAX_EXPIRES: '7200', VOD_ENDPOINT: 'ftp://not-read', VOD_COMMIT_FUNCTIONS: '[{"Name":"Snapshot"}]' }, [VOD_REGION, TOKEN_MAX_EXPIRES, VOD_COMMIT_FUNCTIONS]);
    assert.deepEqual(cfg, { region: 'cn-north-1', tokenMaxExpires: 7200, commitFunctions: [{ Name: 'Snapshot' }] });
    assert.ok(Object.isFrozen(cfg) && Object.isFrozen(cfg.commitFunctions) && Object.isFrozen(cfg.commitFunctions[0]));
  });

  it('names every bad variable, as loadConfig does', () => {
    assert.deepEqual(problemsOf(() => readConfig({ VOD_REGION: 'mars', STS2_MAX_EXPIRES: '59' }, [VOD_REGION, STS2_MAX_EXPIRES])), [
      { variable: 'VOD_REGION', problem: 'must be one of cn-north-1, ap-singapore-1, us-east-1 (got "mars")' },
      { variable: 'STS2_MAX_EXPIRES', problem: 'must be at least 60 (got "59")' },
    ]);
  });

  it('holds TOKEN_DEFAULT_EXPIRES to TOKEN_MAX_EXPIRES, which it reads for that when not asked for', () => {
    assert.deepEqual(problemsOf(() => readConfig({ TOKEN_DEFAULT_EXPIRES: '7200', TOKEN_MAX_EXPIRES: '3600' }, [TOKEN_DEFAULT_EXPIRES])), [
      { variable: 'TOKEN_DEFAULT_EXPIRES', problem: 'must not exceed TOKEN_MAX_EXPIRES (3600) (got "7200")' },
    ]);
    assert.deepEqual(problemsOf(() => readConfig({ TOKEN_MAX_EXPIRES: '1h' }, [TOKEN_DEFAULT_EXPIRES])), [
      { variable: 'TOKEN_MAX_EXPIRES', problem: 'must be a whole number of seconds between 1 and 604800 (got "1h")' },
    ]);
    assert.deepEqual(readConfig({ TOKEN_DEFAULT_EXPIRES: '600' }, [TOKEN_DEFAULT_EXPIRES]), { tokenDefaultExpires: 600 });
  });

  it('PROTECTED_API_KEYS requires a key, API_KEYS does not; neither echoes a value', () => {
    assert.deepEqual(readConfig({}, [API_KEYS]), { apiKeys: [] });
    assert.deepEqual(readConfig({ API_KEYS: ' key-aaaaaaaaaaaa, ' }, [PROTECTED_API_KEYS]), { apiKeys: ['key-aaaaaaaaaaaa'] });
    assert.deepEqual(problemsOf(() => readConfig({ API_KEYS: ' , ' }, [PROTECTED_API_KEYS])), [
      { variable: 'API_KEYS', problem: 'must be set (a comma list of API keys) for a protected route' },
    ]);
    assert.deepEqual(problemsOf(() => readConfig({ API_KEYS: 'short-key' }, [PROTECTED_API_KEYS])), [
      { variable: 'API_KEYS', problem: 'must be a comma list of keys of 12 to 512 characters each' },
    ]);
  });

  it('refuses API keys no request could present (a header carries printable ASCII only)', () => {
    for (const keys of ['clé-secrète-0001', 'key-aaaa aaaaaaaa', 'key-aaaaaaaa\u0007aaaa', 'key-aaaaaaaaaaaa,ключ-ключ-ключ']) {
      assert.deepEqual(problemsOf(() => readConfig({ API_KEYS: keys }, [API_KEYS])), [
        { variable: 'API_KEYS', problem: 'keys must be printable ASCII, no spaces' },
      ], keys);
    }
    assert.deepEqual(readConfig({ API_KEYS: 'key-!#$%&*+~^_|aa' }, [API_KEYS]), { apiKeys: ['key-!#$%&*+~^_|aa'] });
  });
});

describe('configOf', () => {
  it('reads process.env', () => {
    const saved = process.env.STS2_MAX_EXPIRES;
    process.env.STS2_MAX_EXPIRES = '120';
    try {
      assert.deepEqual(configOf([STS2_MAX_EXPIRES]), { sts2MaxExpires: 120 });
    } finally {
      if (saved === undefined) delete process.env.STS2_MAX_EXPIRES; else process.env.STS2_MAX_EXPIRES = saved;
    }
  });
});

describe('requireConfig', () => {
  it('fails the callback receiver without its key or URL (no default: callback signatures cover the URL)', () => {
    const none = readConfig({ VOD_CALLBACK_URL: ' ' }, [VOD_CALLBACK_URL, VOD_CALLBACK_KEY]);
    assert.deepEqual(problemsOf(() => requireConfig('callbackUrl', none)), [
      { variable: 'VOD_CALLBACK_URL', problem: 'must be set (the callback URL of the VOD console, which callback signatures cover) to verify callbacks' },
    ]);
    assert.deepEqual(problemsOf(() => requireConfig('callbackKey', none)), [
      { variable: 'VOD_CALLBACK_KEY', problem: 'must be set (the callback key of the VOD console) to verify callbacks' },
    ]);
    const set = readConfig({ VOD_CALLBACK_URL: 'https://api.example.com/vod/callback/', VOD_CALLBACK_KEY: 'callback-key-1' }, [VOD_CALLBACK_URL, VOD_CALLBACK_KEY]);
    assert.equal(requireConfig('callbackUrl', set), 'https://api.example.com/vod/callback');
    assert.equal(requireConfig('callbackKey', set), 'callback-key-1');
  });
});
