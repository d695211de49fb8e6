// transcode-on-commit / publish / reconcile with the vendor SDK: one signed API call (StartWorkflow) plus the
// item update in DynamoDB and the bus client, as our pipeline steps have.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { call, vendorVod } from './vendor.ts';

const vod = vendorVod();
const ddb = DynamoDBDocumentClient.from(new DynamoDBClient({}));
export const bus = new EventBridgeClient({});
export const handler = async (event: { detail?: { vid?: string } }) =>
  call(async () => {
    const res = await vod.StartWorkflow({ Vid: event.detail?.vid ?? 'v', TemplateId: 'local-template' } as never);
    await ddb.send(new UpdateCommand({ TableName: process.env.ITEMS_TABLE, Key: { id: 'bench' }, UpdateExpression: 'SET #s = :s', ExpressionAttributeNames: { '#s': 'state' }, ExpressionAttributeValues: { ':s': 'transcoding' } }));
    return res;
  });
