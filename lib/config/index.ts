export { ConfigError, type ConfigProblem } from './errors.ts';
export { loadConfig, type Config, type Env } from './load.ts';
export { config, requireConfig } from './config.ts';
export { vodClient, newVodClient, s3Client, ddbDocClient, eventBridgeClient } from './clients.ts';
export { REGION_NAMES, MAX_SIGNED_EXPIRES, type RegionName } from './schema.ts';
