// upload-by-url with the vendor SDK: UploadMediaByUrl, then the item written to DynamoDB (same client as ours).
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { call, vendorVod } from './vendor.ts';

const vod = vendorVod();
const ddb = DynamoDBDocumentClient.from(new DynamoDBClient({}));
export const handler = async (event: { body?: string }) => {
  const req = JSON.parse(event.body ?? '{}') as { urls?: string[]; space?: string };
  return call(async () => {
    const res = await vod.UploadMediaByUrl({ SpaceName: req.space ?? 'demo-space', URLSets: (req.urls ?? []).map((SourceUrl) => ({ SourceUrl })) } as never);
    await ddb.send(new PutCommand({ TableName: process.env.ITEMS_TABLE, Item: { id: `url:${Date.now()}`, state: 'received' } }));
    return res;
  });
};
