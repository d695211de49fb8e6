// Kept apart from vod-client.ts so a function that needs no AWS client does not load the SDK at cold start
// (with "sideEffects": false in package.json, esbuild then drops this module from such bundles).
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { config } from './config.ts';

let s3: S3Client | undefined;
let ddb: DynamoDBDocumentClient | undefined;
let bus: EventBridgeClient | undefined;

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
