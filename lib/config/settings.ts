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

export const VOD_REGION: Setting<'region'> = { key: 'region', variable: 'VOD_REGION', schema: s.region, fallback: 'cn-north-1' };
export const VOD_ENDPOINT: Setting<'vodEndpoint'> = { key: 'vodEndpoint', variable: 'VOD_ENDPOINT', schema: s.httpUrl };
export const VOD_SPACE: Setting<'space'> = { key: 'space', variable: 'VOD_SPACE', schema: s.name, fallback: 'demo-space' };
export const VOD_TRANSCODE_TEMPLATE_ID: Setting<'transcodeTemplateId'> = {
  key: 'transcodeTemplateId', variable: 'VOD_TRANSCODE_TEMPLATE_ID', schema: s.name, fallback: 'local-template',
};
export const VOD_COMMIT_FUNCTIONS: Setting<'commitFunctions'> = {
  key: 'commitFunctions', variable: 'VOD_COMMIT_FUNCTIONS', schema: s.commitFunctions, fallback: '[{"Name":"GetMeta"}]',
};
export const VOD_PUBLISH_POLICY: Setting<'publishPolicy'> = { key: 'publishPolicy', variable: 'VOD_PUBLISH_POLICY', schema: s.publishPolicy, fallback: 'always' };
export const VOD_CALLBACK_KEY: Setting<'callbackKey'> = { key: 'callbackKey', variable: 'VOD_CALLBACK_KEY', schema: s.secret, secret: true };
export const VOD_CALLBACK_URL: Setting<'callbackUrl'> = {
  key: 'callbackUrl', variable: 'VOD_CALLBACK_URL', schema: s.httpUrl, fallback: 'http://127.0.0.1:3000/vod/callback',
};
export const CALLBACK_SKEW_SECONDS: Setting<'callbackSkewSeconds'> = {
  key: 'callbackSkewSeconds', variable: 'CALLBACK_SKEW_SECONDS', schema: s.callbackSkew, fallback: '300',
};
export const TOKEN_MAX_EXPIRES: Setting<'tokenMaxExpires'> = {
  key: 'tokenMaxExpires', variable: 'TOKEN_MAX_EXPIRES', schema: s.signedExpires, fallback: '86400',
};
export const TOKEN_DEFAULT_EXPIRES: Setting<'tokenDefaultExpires'> = {
  key: 'tokenDefaultExpires', variable: 'TOKEN_DEFAULT_EXPIRES', schema: s.signedExpires, fallback: '3600', atMost: TOKEN_MAX_EXPIRES,
};
export const STS2_MAX_EXPIRES: Setting<'sts2MaxExpires'> = {
  key: 'sts2MaxExpires', variable: 'STS2_MAX_EXPIRES', schema: s.sts2Expires, fallback: '43200',
};
/** API_KEYS as most functions read it: empty means every protected route refuses. */
export const API_KEYS: Setting<'apiKeys'> = { key: 'apiKeys', variable: 'API_KEYS', schema: s.apiKeys, fallback: '', secret: true };
/** API_KEYS where a route is protected: at least one key, else the cold start fails. */
export const PROTECTED_API_KEYS: Setting<'apiKeys'> = { key: 'apiKeys', variable: 'API_KEYS', schema: s.protectedApiKeys, fallback: '', secret: true };
export const ITEMS_TABLE: Setting<'itemsTable'> = { key: 'itemsTable', variable: 'ITEMS_TABLE', schema: s.name, fallback: 'vod-serverless-items' };
export const IDEMPOTENCY_TABLE: Setting<'idempotencyTable'> = {
  key: 'idempotencyTable', variable: 'IDEMPOTENCY_TABLE', schema: s.name, fallback: 'vod-serverless-idempotency',
};
export const EVENT_BUS_NAME: Setting<'eventBusName'> = { key: 'eventBusName', variable: 'EVENT_BUS_NAME', schema: s.name, fallback: 'vod-serverless' };
export const INGEST_BUCKET: Setting<'ingestBucket'> = { key: 'ingestBucket', variable: 'INGEST_BUCKET', schema: s.name, fallback: 'vod-serverless-ingest' };
export const INGEST_PREFIX: Setting<'ingestPrefix'> = { key: 'ingestPrefix', variable: 'INGEST_PREFIX', schema: s.text, fallback: '' };
export const INGEST_SUFFIXES: Setting<'ingestSuffixes'> = { key: 'ingestSuffixes', variable: 'INGEST_SUFFIXES', schema: s.suffixList, fallback: '' };
export const RECONCILE_STUCK_AFTER_SECONDS: Setting<'reconcileStuckAfterSeconds'> = {
  key: 'reconcileStuckAfterSeconds', variable: 'RECONCILE_STUCK_AFTER_SECONDS', schema: s.stuckAfter, fallback: '900',
};
export const POSTER_FALLBACK_WEIGHTS: Setting<'posterFallbackWeights'> = {
  key: 'posterFallbackWeights', variable: 'POSTER_FALLBACK_WEIGHTS', schema: s.domainWeights,
};
export const S3_FORCE_PATH_STYLE: Setting<'s3ForcePathStyle'> = { key: 's3ForcePathStyle', variable: 'S3_FORCE_PATH_STYLE', schema: s.flag, fallback: 'false' };
