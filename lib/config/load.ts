import { readConfig, type Env } from './read.ts';
import type { RegionName } from './schema.ts';
import {
  API_KEYS, AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL_EVENTBRIDGE, AWS_ENDPOINT_URL_S3, CALLBACK_SKEW_SECONDS, EVENT_BUS_NAME, IDEMPOTENCY_TABLE, INGEST_PREFIX, INGEST_SUFFIXES, ITEMS_TABLE,
  POSTER_FALLBACK_WEIGHTS, RECONCILE_STUCK_AFTER_SECONDS, S3_FORCE_PATH_STYLE, STS2_MAX_EXPIRES, TOKEN_DEFAULT_EXPIRES,
  TOKEN_MAX_EXPIRES, VOD_CALLBACK_KEY, VOD_CALLBACK_URL, VOD_COMMIT_FUNCTIONS, VOD_ENDPOINT, VOD_PUBLISH_POLICY, VOD_REGION,
  VOD_SPACE, VOD_TRANSCODE_TEMPLATE_ID,
} from './settings.ts';

/** The validated configuration of every function (see contracts: lib/config). */
export interface Config {
  /** VOD_REGION, default cn-north-1. */
  readonly region: RegionName;
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
  /** VOD_CALLBACK_URL: the URL the service posts callbacks to, part of what their signature covers; no default. */
  readonly callbackUrl: string | undefined;
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
  /** AWS_ENDPOINT_URL: every AWS service's endpoint (locally); undefined = the region's. */
  readonly awsEndpointUrl: string | undefined;
  /** AWS_ENDPOINT_URL_DYNAMODB, _EVENTBRIDGE, _S3: one service's endpoint, over AWS_ENDPOINT_URL. */
  readonly dynamodbEndpoint: string | undefined;
  readonly eventBridgeEndpoint: string | undefined;
  readonly s3Endpoint: string | undefined;
  /** AWS_REGION (set by Lambda), else AWS_DEFAULT_REGION, else us-east-1: the region of the AWS calls (lib/aws). */
  readonly awsRegion: string;
}

const EVERY_SETTING = [
  TOKEN_MAX_EXPIRES, TOKEN_DEFAULT_EXPIRES, VOD_REGION, VOD_ENDPOINT, VOD_SPACE, VOD_TRANSCODE_TEMPLATE_ID, VOD_COMMIT_FUNCTIONS,
  VOD_PUBLISH_POLICY, VOD_CALLBACK_KEY, VOD_CALLBACK_URL, CALLBACK_SKEW_SECONDS, STS2_MAX_EXPIRES, API_KEYS, ITEMS_TABLE, IDEMPOTENCY_TABLE, EVENT_BUS_NAME, INGEST_PREFIX, INGEST_SUFFIXES, RECONCILE_STUCK_AFTER_SECONDS,
  POSTER_FALLBACK_WEIGHTS, S3_FORCE_PATH_STYLE, AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL_EVENTBRIDGE, AWS_ENDPOINT_URL_S3,
] as const;

/**
 * Validates a whole environment (every setting of lib/config/settings.ts) and returns the frozen configuration.
 * Pure: reads only `env`. A function that reads a few variables calls `configOf` with those instead.
 * @throws ConfigError naming every bad variable and what is wrong with it.
 * @example loadConfig({ VOD_ENDPOINT: 'http://127.0.0.1:4100', API_KEYS: 'local-dev-api-key-0001' })
 */
export function loadConfig(env: Env): Config {
  return Object.freeze({ ...readConfig(env, EVERY_SETTING), awsRegion: awsRegionOf(env) });
}

/** The region of the AWS calls: AWS_REGION (Lambda sets it), else AWS_DEFAULT_REGION, else us-east-1. */
export function awsRegionOf(env: Env): string {
  return env.AWS_REGION?.trim() || env.AWS_DEFAULT_REGION?.trim() || 'us-east-1';
}
