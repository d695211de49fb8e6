import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { VodClient } from '#lib/vod';
import { config } from './config.ts';
import type { Config } from './load.ts';

// Clients are built once per container: they hold no signature and no clock (signing happens per request).
let vod: VodClient | undefined;
let s3: S3Client | undefined;
let ddb: DynamoDBDocumentClient | undefined;
let bus: EventBridgeClient | undefined;

/**
 * The VodClient of this process, built from {@link config} (region, endpoint, poster fallback weights) and
 * memoised. Credentials come from lib/signing's chain (VCLOUD_ACCESSKEY / VCLOUD_SECRETKEY, ~/.vcloud/config).
 */
export function vodClient(): VodClient {
  vod ??= newVodClient(config());
  return vod;
}

/** A VodClient for a given configuration (tests pass `extra` such as `fetch`, `now`, `credentials`). */
export function newVodClient(cfg: Config, extra: Omit<ConstructorParameters<typeof VodClient>[0], 'region'> = {}): VodClient {
  return new VodClient({
    region: cfg.region,
    ...(cfg.vodEndpoint === undefined ? {} : { endpoint: cfg.vodEndpoint }),
    ...(cfg.posterFallbackWeights === undefined ? {} : { posterFallbackWeights: { ...cfg.posterFallbackWeights } }),
    ...extra,
  });
}

/** The S3 client of this process (honours S3_FORCE_PATH_STYLE; endpoint from AWS_ENDPOINT_URL_S3). */
export function s3Client(): S3Client {
  s3 ??= new S3Client({ region: config().awsRegion, forcePathStyle: config().s3ForcePathStyle });
  return s3;
}

/** The DynamoDB document client of this process (undefined attributes dropped; endpoint from AWS_ENDPOINT_URL_DYNAMODB). */
export function ddbDocClient(): DynamoDBDocumentClient {
  ddb ??= DynamoDBDocumentClient.from(new DynamoDBClient({ region: config().awsRegion }), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return ddb;
}

/** The EventBridge client of this process (endpoint from AWS_ENDPOINT_URL_EVENTBRIDGE). */
export function eventBridgeClient(): EventBridgeClient {
  bus ??= new EventBridgeClient({ region: config().awsRegion });
  return bus;
}
