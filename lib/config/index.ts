export { ConfigError, type ConfigProblem } from './errors.ts';
export { loadConfig, type Config, type Env } from './load.ts';
export { config, requireConfig } from './config.ts';
export { vodClient, newVodClient } from './vod-client.ts';
export { vodSigner } from './vod-signer.ts';
export { s3Client } from './s3-client.ts';
export { ddbDocClient } from './dynamodb-client.ts';
export { eventBridgeClient } from './eventbridge-client.ts';
export { REGION_NAMES, MAX_SIGNED_EXPIRES, type RegionName } from './schema.ts';
