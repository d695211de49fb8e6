import type * as v from 'valibot';
import type { Config } from './load.ts';
import * as s from './schema.ts';

/**
 * How one field of {@link Config} is read from the environment. One export per variable, so that a function that
 * reads a few of them (see `configOf`) bundles only their schemas.
 */
export interface Setting<K extends keyof Config = keyof Config> {
  /** The field of {@link Config} it fills. */
  readonly key: K;
  /** The environment variable, e.g. `TOKEN_MAX_EXPIRES`. */
  readonly variable: string;
  /** Builds the schema that validates and converts the trimmed value (called when the setting is read). */
  readonly schema: () => v.GenericSchema<string, NonNullable<Config[K]>>;
  /** Read when the variable is unset or empty; none: the field is `undefined`. */
  readonly fallback?: string;
  /** Its value is never echoed in a message. */
  readonly secret?: boolean;
  /** Another numeric setting this one must not exceed (checked wherever this one is read). */
  readonly atMost?: Setting<NumberKey>;
}

type NumberKey = { [K in keyof Config]: Config[K] extends number ? K : never }[keyof Config];

/**
 * A setting; marked free of side effects, which esbuild honours for calls within this file: a bundle keeps the
 * settings it reads (and their schemas) and no other.
 */
/* @__NO_SIDE_EFFECTS__ */
function setting<K extends keyof Config>(
  key: K, variable: string, schema: Setting<K>['schema'], fallback?: string, more: Pick<Setting<K>, 'secret' | 'atMost'> = {},
): Setting<K> {
  return { key, variable, schema, fallback, ...more };
}

export const VOD_REGION = setting('region', 'VOD_REGION', s.region, 'cn-north-1');
export const VOD_ENDPOINT = setting('vodEndpoint', 'VOD_ENDPOINT', s.httpUrl);
export const VOD_SPACE = setting('space', 'VOD_SPACE', s.name, 'demo-space');
export const VOD_TRANSCODE_TEMPLATE_ID = setting('transcodeTemplateId', 'VOD_TRANSCODE_TEMPLATE_ID', s.name, 'local-template');
export const VOD_COMMIT_FUNCTIONS = setting('commitFunctions', 'VOD_COMMIT_FUNCTIONS', s.commitFunctions, '[{"Name":"GetMeta"}]');
export const VOD_PUBLISH_POLICY = setting('publishPolicy', 'VOD_PUBLISH_POLICY', s.publishPolicy, 'always');
export const VOD_CALLBACK_KEY = setting('callbackKey', 'VOD_CALLBACK_KEY', s.secret, undefined, { secret: true });
export const VOD_CALLBACK_URL = setting('callbackUrl', 'VOD_CALLBACK_URL', s.httpUrl);
export const CALLBACK_SKEW_SECONDS = setting('callbackSkewSeconds', 'CALLBACK_SKEW_SECONDS', s.callbackSkew, '300');
export const TOKEN_MAX_EXPIRES = setting('tokenMaxExpires', 'TOKEN_MAX_EXPIRES', s.signedExpires, '86400');
export const TOKEN_DEFAULT_EXPIRES = setting('tokenDefaultExpires', 'TOKEN_DEFAULT_EXPIRES', s.signedExpires, '3600', { atMost: TOKEN_MAX_EXPIRES });
export const STS2_MAX_EXPIRES = setting('sts2MaxExpires', 'STS2_MAX_EXPIRES', s.sts2Expires, '43200');
/** API_KEYS as most functions read it: empty means every protected route refuses. */
export const API_KEYS = setting('apiKeys', 'API_KEYS', s.apiKeys, '', { secret: true });
/** API_KEYS where a route is protected: at least one key, else the cold start fails. */
export const PROTECTED_API_KEYS = setting('apiKeys', 'API_KEYS', s.protectedApiKeys, '', { secret: true });
export const ITEMS_TABLE = setting('itemsTable', 'ITEMS_TABLE', s.name, 'vod-serverless-items');
export const IDEMPOTENCY_TABLE = setting('idempotencyTable', 'IDEMPOTENCY_TABLE', s.name, 'vod-serverless-idempotency');
export const EVENT_BUS_NAME = setting('eventBusName', 'EVENT_BUS_NAME', s.name, 'vod-serverless');
export const INGEST_PREFIX = setting('ingestPrefix', 'INGEST_PREFIX', s.text, '');
export const INGEST_SUFFIXES = setting('ingestSuffixes', 'INGEST_SUFFIXES', s.suffixList, '');
export const RECONCILE_STUCK_AFTER_SECONDS = setting('reconcileStuckAfterSeconds', 'RECONCILE_STUCK_AFTER_SECONDS', s.stuckAfter, '900');
export const POSTER_FALLBACK_WEIGHTS = setting('posterFallbackWeights', 'POSTER_FALLBACK_WEIGHTS', s.domainWeights);
export const S3_FORCE_PATH_STYLE = setting('s3ForcePathStyle', 'S3_FORCE_PATH_STYLE', s.flag, 'false');
// the endpoint variables the AWS SDKs read (lib/aws honours them the same way: a service's own, else the global one)
export const AWS_ENDPOINT_URL = setting('awsEndpointUrl', 'AWS_ENDPOINT_URL', s.httpUrl);
export const AWS_ENDPOINT_URL_DYNAMODB = setting('dynamodbEndpoint', 'AWS_ENDPOINT_URL_DYNAMODB', s.httpUrl);
export const AWS_ENDPOINT_URL_EVENTBRIDGE = setting('eventBridgeEndpoint', 'AWS_ENDPOINT_URL_EVENTBRIDGE', s.httpUrl);
export const AWS_ENDPOINT_URL_S3 = setting('s3Endpoint', 'AWS_ENDPOINT_URL_S3', s.httpUrl);
