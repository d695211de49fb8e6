export { ConfigError, type ConfigProblem } from './errors.ts';
export { loadConfig, type Config, type Env } from './load.ts';
export { config, requireConfig } from './config.ts';
export { vodClient, newVodClient } from './vod-client.ts';
export { vodSigner } from './vod-signer.ts';
export { s3Client, ddbDocClient, eventBridgeClient } from './aws-clients.ts';
export { REGION_NAMES, MAX_SIGNED_EXPIRES, type RegionName } from './schema.ts';
