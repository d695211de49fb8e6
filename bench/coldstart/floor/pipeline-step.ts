// The floor of the pipeline steps (transcode-on-commit, publish, reconcile): the AWS SDK part of their baseline
// alone: the DynamoDB document client with one item update and the EventBridge client, no VOD call and nothing of
// ours. No function that keeps these clients starts faster than this; its ratio to the baseline is the best ratio
// a pipeline step can reach while it uses the AWS SDK v3.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';

const ddb = DynamoDBDocumentClient.from(new DynamoDBClient({}));
export const bus = new EventBridgeClient({});
export const handler = async () => {
  await ddb.send(new UpdateCommand({
    TableName: process.env.ITEMS_TABLE, Key: { id: 'bench' }, UpdateExpression: 'SET #s = :s',
    ExpressionAttributeNames: { '#s': 'state' }, ExpressionAttributeValues: { ':s': 'transcoding' },
  }));
  return { statusCode: 200, body: '{}' };
};
