import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { config } from './config.ts';

let ddb: DynamoDBDocumentClient | undefined;

/** The DynamoDB document client of this process (undefined attributes dropped; endpoint from AWS_ENDPOINT_URL_DYNAMODB). */
export function ddbDocClient(): DynamoDBDocumentClient {
  ddb ??= DynamoDBDocumentClient.from(new DynamoDBClient({ region: config().awsRegion }), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return ddb;
}
