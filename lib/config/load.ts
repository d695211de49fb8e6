import * as v from 'valibot';
import { ConfigError, type ConfigProblem } from './errors.ts';
import * as s from './schema.ts';

/** The environment, as `process.env` holds it. */
export type Env = Readonly<Record<string, string | undefined>>;

/** The validated configuration of every function (see contracts: lib/config). */
export interface Config {
  /** VOD_REGION, default cn-north-1. */
  readonly region: s.RegionName;
  /** VOD_ENDPOINT, e.g. http://127.0.0.1:4100; undefined = the real service of `region`. */
  readonly vodEndpoint: string | undefined;
  /** VOD_SPACE, default 'demo-space'. */
  readonly space: string;
  /** VOD_TRANSCODE_TEMPLATE_ID, default 'local-template'. */
  readonly transcodeTemplateId: string;
  /** VOD_COMMIT_FUNCTIONS, default [{"Name":"GetMeta"}]. */
  readonly commitFunctions: ReadonlyArray<{ readonly Name: string; readonly Input?: Record<string, unknown> }>;
  /** VOD_PUBLISH_POLICY, default 'always'. */
  readonly publishPolicy: 'always' | 'never';
  /** VOD_CALLBACK_KEY (secret); undefined when unset (serverless.yml gives the local default). */
  readonly callbackKey: string | undefined;
  /** VOD_CALLBACK_URL, default http://127.0.0.1:3000/vod/callback. */
  readonly callbackUrl: string;
  /** CALLBACK_SKEW_SECONDS, default 300. */
  readonly callbackSkewSeconds: number;
  /** TOKEN_DEFAULT_EXPIRES, default 3600; never above tokenMaxExpires. */
  readonly tokenDefaultExpires: number;
  /** TOKEN_MAX_EXPIRES, default 86400, at most 604800. */
  readonly tokenMaxExpires: number;
  /** STS2_MAX_EXPIRES, default 43200, at least 60. */
  readonly sts2MaxExpires: number;
  /** API_KEYS (secret), comma list; empty = every protected route refuses. */
  readonly apiKeys: readonly string[];
  /** ITEMS_TABLE, default 'vod-serverless-items'. */
  readonly itemsTable: string;
  /** IDEMPOTENCY_TABLE, default 'vod-serverless-idempotency'. */
  readonly idempotencyTable: string;
  /** EVENT_BUS_NAME, default 'vod-serverless'. */
  readonly eventBusName: string;
  /** INGEST_BUCKET, default 'vod-serverless-ingest'. */
  readonly ingestBucket: string;
  /** INGEST_PREFIX, default '' (every key). */
  readonly ingestPrefix: string;
  /** INGEST_SUFFIXES, comma list, default [] (every key). */
  readonly ingestSuffixes: readonly string[];
  /** RECONCILE_STUCK_AFTER_SECONDS, default 900. */
  readonly reconcileStuckAfterSeconds: number;
  /** POSTER_FALLBACK_WEIGHTS, JSON {domain: weight}; undefined when unset. */
  readonly posterFallbackWeights: Readonly<Record<string, number>> | undefined;
  /** S3_FORCE_PATH_STYLE, default false ('true' locally). */
  readonly s3ForcePathStyle: boolean;
  /** AWS_REGION (set by Lambda), else AWS_DEFAULT_REGION, else us-east-1: the region of the AWS SDK clients. */
  readonly awsRegion: string;
}

/** Variables whose values must never appear in a message. */
const SECRET_VARIABLES = new Set(['API_KEYS', 'VOD_CALLBACK_KEY']);

function shown(variable: string, raw: string): string {
  if (SECRET_VARIABLES.has(variable)) return '';
  return ` (got ${JSON.stringify(raw.length > 80 ? `${raw.slice(0, 80)}...` : raw)})`;
}

/**
 * Validates an environment and returns the frozen configuration. Pure: reads only `env`.
 * Empty strings count as unset (serverless.yml params often render unset values as '').
 * @throws ConfigError naming every bad variable and what is wrong with it.
 * @example loadConfig({ VOD_ENDPOINT: 'http://127.0.0.1:4100', API_KEYS: 'local-dev-api-key-0001' })
 */
export function loadConfig(env: Env): Config {
  const problems: ConfigProblem[] = [];

  function read<T>(variable: string, schema: v.GenericSchema<string, T>, fallback: string): T;
  function read<T>(variable: string, schema: v.GenericSchema<string, T>): T | undefined;
  function read<T>(variable: string, schema: v.GenericSchema<string, T>, fallback?: string): T | undefined {
    const given = env[variable]?.trim();
    const raw = given === undefined || given === '' ? fallback : given;
    if (raw === undefined) return undefined;
    const result = v.safeParse(schema, raw);
    if (result.success) return result.output;
    problems.push({ variable, problem: `${result.issues[0].message}${shown(variable, raw)}` });
    return undefined;
  }

  const tokenMaxExpires = read('TOKEN_MAX_EXPIRES', s.seconds(1, s.MAX_SIGNED_EXPIRES), '86400');
  const tokenDefaultExpires = read('TOKEN_DEFAULT_EXPIRES', s.seconds(1, s.MAX_SIGNED_EXPIRES), '3600');
  const cfg = {
    region: read('VOD_REGION', s.region, 'cn-north-1'),
    vodEndpoint: read('VOD_ENDPOINT', s.httpUrl),
    space: read('VOD_SPACE', s.name, 'demo-space'),
    transcodeTemplateId: read('VOD_TRANSCODE_TEMPLATE_ID', s.name, 'local-template'),
    commitFunctions: read('VOD_COMMIT_FUNCTIONS', s.commitFunctions, '[{"Name":"GetMeta"}]'),
    publishPolicy: read('VOD_PUBLISH_POLICY', s.publishPolicy, 'always'),
    callbackKey: read('VOD_CALLBACK_KEY', s.secret),
    callbackUrl: read('VOD_CALLBACK_URL', s.httpUrl, 'http://127.0.0.1:3000/vod/callback'),
    callbackSkewSeconds: read('CALLBACK_SKEW_SECONDS', s.seconds(1, 86400), '300'),
    tokenDefaultExpires,
    tokenMaxExpires,
    sts2MaxExpires: read('STS2_MAX_EXPIRES', s.seconds(60, s.MAX_SIGNED_EXPIRES), '43200'),
    apiKeys: read('API_KEYS', s.apiKeys, ''),
    itemsTable: read('ITEMS_TABLE', s.name, 'vod-serverless-items'),
    idempotencyTable: read('IDEMPOTENCY_TABLE', s.name, 'vod-serverless-idempotency'),
    eventBusName: read('EVENT_BUS_NAME', s.name, 'vod-serverless'),
    ingestBucket: read('INGEST_BUCKET', s.name, 'vod-serverless-ingest'),
    ingestPrefix: env.INGEST_PREFIX?.trim() ?? '',
    ingestSuffixes: read('INGEST_SUFFIXES', s.suffixList, ''),
    reconcileStuckAfterSeconds: read('RECONCILE_STUCK_AFTER_SECONDS', s.seconds(1, 7 * 86400), '900'),
    posterFallbackWeights: read('POSTER_FALLBACK_WEIGHTS', s.domainWeights),
    s3ForcePathStyle: read('S3_FORCE_PATH_STYLE', s.flag, 'false'),
    awsRegion: env.AWS_REGION?.trim() || env.AWS_DEFAULT_REGION?.trim() || 'us-east-1',
  };
  if (tokenDefaultExpires !== undefined && tokenMaxExpires !== undefined && tokenDefaultExpires > tokenMaxExpires) {
    problems.push({ variable: 'TOKEN_DEFAULT_EXPIRES', problem: `must not exceed TOKEN_MAX_EXPIRES (${tokenMaxExpires}) (got "${tokenDefaultExpires}")` });
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return deepFreeze(cfg as Config);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
