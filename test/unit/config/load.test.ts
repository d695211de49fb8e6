import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../../lib/config/errors.ts';
import { ConfigError as SigningConfigError } from '#lib/signing';
import { loadConfig } from '../../../lib/config/load.ts';

function problemsOf(env: Record<string, string>): Array<{ variable: string; problem: string }> {
  try {
    loadConfig(env);
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    assert.ok(err instanceof SigningConfigError, 'one class to catch: a lib/signing ConfigError too');
    assert.equal(err.name, 'ConfigError');
    return err.problems.map((p) => ({ ...p }));
  }
  assert.fail('expected a ConfigError');
}

describe('loadConfig', () => {
  it('gives the documented defaults for an empty environment', () => {
    assert.deepEqual({ ...loadConfig({}) }, {
      region: 'cn-north-1',
      vodEndpoint: undefined,
      space: 'demo-space',
      transcodeTemplateId: 'local-template',
      commitFunctions: [{ Name: 'GetMeta' }],
      publishPolicy: 'always',
      callbackKey: undefined,
      callbackUrl: undefined,
      callbackSkewSeconds: 300,
      tokenDefaultExpires: 3600,
      tokenMaxExpires: 86400,
      sts2MaxExpires: 43200,
      apiKeys: [],
      itemsTable: 'vod-serverless-items',
      idempotencyTable: 'vod-serverless-idempotency',
      eventBusName: 'vod-serverless',
      ingestPrefix: '',
      ingestSuffixes: [],
      reconcileStuckAfterSeconds: 900,
      posterFallbackWeights: undefined,
      s3ForcePathStyle: false,
      awsEndpointUrl: undefined,
      dynamodbEndpoint: undefined,
      eventBridgeEndpoint: undefined,
      s3Endpoint: undefined,
      awsRegion: 'us-east-1',
    });
  });

  it('reads every variable', () => {
    const cfg = loadConfig({
      VOD_REGION: 'ap-singapore-1', VOD_ENDPOINT: 'http://127.0.0.1:4100/', VOD_SPACE: 'space-a',
      VOD_TRANSCODE_TEMPLATE_ID: 'tpl-1', VOD_COMMIT_FUNCTIONS: '[{"Name":"GetMeta"},{"Name":"Snapshot","Input":{"SnapshotTime":2}}]',
      VOD_PUBLISH_POLICY: 'never', VOD_CALLBACK_KEY: 'local-callback-key', VOD_CALLBACK_URL: 'http://127.0.0.1:3000/vod/callback',
      CALLBACK_SKEW_SECONDS: '60', TOKEN_DEFAULT_EXPIRES: '600', TOKEN_MAX_EXPIRES: '7200', STS2_MAX_EXPIRES: '3600',
      API_KEYS: ' key-aaaaaaaaaaaaaaaa , key-bbbbbbbbbbbbbbbb ,', ITEMS_TABLE: 'items', IDEMPOTENCY_TABLE: 'idem',
      EVENT_BUS_NAME: 'bus', INGEST_PREFIX: 'in/', INGEST_SUFFIXES: '.mp4, .mov',
      RECONCILE_STUCK_AFTER_SECONDS: '120', POSTER_FALLBACK_WEIGHTS: '{"p1.example.com":3,"p2.example.com":1}',
      S3_FORCE_PATH_STYLE: 'TRUE', AWS_REGION: 'eu-west-1',
    });
    assert.equal(cfg.region, 'ap-singapore-1');
    assert.equal(cfg.vodEndpoint, 'http://127.0.0.1:4100');
    assert.deepEqual(cfg.commitFunctions, [{ Name: 'GetMeta' }, { Name: 'Snapshot', Input: { SnapshotTime: 2 } }]);
    assert.deepEqual(cfg.apiKeys, ['key-aaaaaaaaaaaaaaaa', 'key-bbbbbbbbbbbbbbbb']);
    assert.deepEqual(cfg.ingestSuffixes, ['.mp4', '.mov']);
    assert.deepEqual(cfg.posterFallbackWeights, { 'p1.example.com': 3, 'p2.example.com': 1 });
    assert.equal(cfg.s3ForcePathStyle, true);
    assert.equal(cfg.tokenMaxExpires, 7200);
    assert.equal(cfg.publishPolicy, 'never');
    assert.equal(cfg.awsRegion, 'eu-west-1');
  });

  it('is frozen, deeply', () => {
    const cfg = loadConfig({});
    assert.ok(Object.isFrozen(cfg));
    assert.ok(Object.isFrozen(cfg.commitFunctions));
    assert.ok(Object.isFrozen(cfg.commitFunctions[0]));
  });

  it('treats empty strings as unset', () => {
    assert.equal(loadConfig({ VOD_ENDPOINT: '', TOKEN_MAX_EXPIRES: ' ' }).tokenMaxExpires, 86400);
  });

  it('names the variable and what is wrong', () => {
    assert.deepEqual(problemsOf({ VOD_REGION: 'eu-west-9' }), [
      { variable: 'VOD_REGION', problem: 'must be one of cn-north-1, ap-singapore-1, us-east-1 (got "eu-west-9")' },
    ]);
    assert.deepEqual(problemsOf({ TOKEN_MAX_EXPIRES: '1h' }), [
      { variable: 'TOKEN_MAX_EXPIRES', problem: 'must be a whole number of seconds between 1 and 604800 (got "1h")' },
    ]);
    assert.deepEqual(problemsOf({ TOKEN_MAX_EXPIRES: '604801' }), [
      { variable: 'TOKEN_MAX_EXPIRES', problem: 'must be at most 604800 (got "604801")' },
    ]);
    assert.deepEqual(problemsOf({ STS2_MAX_EXPIRES: '59' }), [
      { variable: 'STS2_MAX_EXPIRES', problem: 'must be at least 60 (got "59")' },
    ]);
    assert.deepEqual(problemsOf({ TOKEN_DEFAULT_EXPIRES: '7200', TOKEN_MAX_EXPIRES: '3600' }), [
      { variable: 'TOKEN_DEFAULT_EXPIRES', problem: 'must not exceed TOKEN_MAX_EXPIRES (3600) (got "7200")' },
    ]);
    assert.deepEqual(problemsOf({ VOD_ENDPOINT: 'ftp://x' }), [
      { variable: 'VOD_ENDPOINT', problem: 'must use http or https (got "ftp://x")' },
    ]);
    assert.deepEqual(problemsOf({ VOD_COMMIT_FUNCTIONS: '[{"Name":"Explode"}]' }), [
      { variable: 'VOD_COMMIT_FUNCTIONS', problem: 'must name functions among GetMeta, Snapshot, AddOptionInfo, StartWorkflow, Encryption (got "[{\\"Name\\":\\"Explode\\"}]")' },
    ]);
    assert.deepEqual(problemsOf({ VOD_COMMIT_FUNCTIONS: '{' }), [
      { variable: 'VOD_COMMIT_FUNCTIONS', problem: 'must be a JSON array such as [{"Name":"GetMeta"}] (got "{")' },
    ]);
    assert.deepEqual(problemsOf({ S3_FORCE_PATH_STYLE: 'yes' }), [
      { variable: 'S3_FORCE_PATH_STYLE', problem: 'must be true or false (got "yes")' },
    ]);
    assert.deepEqual(problemsOf({ POSTER_FALLBACK_WEIGHTS: '{"a.example.com":-1}' }), [
      { variable: 'POSTER_FALLBACK_WEIGHTS', problem: 'weights must be >= 0 (got "{\\"a.example.com\\":-1}")' },
    ]);
  });

  it('reports every bad variable at once, in one loud message', () => {
    try {
      loadConfig({ VOD_REGION: 'mars', VOD_PUBLISH_POLICY: 'sometimes' });
      assert.fail('expected a ConfigError');
    } catch (err) {
      assert.ok(err instanceof ConfigError);
      assert.equal(err.variable, 'VOD_REGION');
      assert.equal(err.message, 'invalid configuration: VOD_REGION must be one of cn-north-1, ap-singapore-1, us-east-1 (got "mars"); VOD_PUBLISH_POLICY must be always or never (got "sometimes")');
    }
  });

  it('never echoes secret values', () => {
    assert.deepEqual(problemsOf({ API_KEYS: 'short-key' }), [
      { variable: 'API_KEYS', problem: 'must be a comma list of keys of 12 to 512 characters each' },
    ]);
    assert.deepEqual(problemsOf({ VOD_CALLBACK_KEY: 'abc' }), [{ variable: 'VOD_CALLBACK_KEY', problem: 'must be at least 8 characters' }]);
  });
});
