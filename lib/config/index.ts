export { ConfigError, type ConfigProblem } from './errors.ts';
export { loadConfig, type Config } from './load.ts';
export { readConfig, type ConfigOf, type Env } from './read.ts';
export {
  type Setting, API_KEYS, CALLBACK_SKEW_SECONDS, EVENT_BUS_NAME, IDEMPOTENCY_TABLE, INGEST_PREFIX, INGEST_SUFFIXES,
  ITEMS_TABLE, POSTER_FALLBACK_WEIGHTS, PROTECTED_API_KEYS, RECONCILE_STUCK_AFTER_SECONDS, S3_FORCE_PATH_STYLE, STS2_MAX_EXPIRES,
  TOKEN_DEFAULT_EXPIRES, TOKEN_MAX_EXPIRES, VOD_CALLBACK_KEY, VOD_CALLBACK_URL, VOD_COMMIT_FUNCTIONS, VOD_ENDPOINT,
  VOD_PUBLISH_POLICY, VOD_REGION, VOD_SPACE, VOD_TRANSCODE_TEMPLATE_ID,
} from './settings.ts';
export { config, configOf, requireConfig } from './config.ts';
export { signContext } from './signing.ts';
export { vodClient, newVodClient } from './vod-client.ts';
export { vodApi } from './vod-api.ts';
export { type AwsService, awsContext, awsCredentials, awsEndpoint, dynamoDb, s3Context } from './aws.ts';
export { REGION_NAMES, MAX_SIGNED_EXPIRES, type RegionName } from './schema.ts';
