// ingest-object with the vendor SDK: the S3 object streamed through its UploadMedia helper is what a user of the
// SDK would write; its cold part is loading the SDK, the S3/DynamoDB/EventBridge clients and one signed call
// (ApplyUploadInfo), which is what this baseline does on its first invocation.
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { call, vendorVod } from './vendor.ts';

const vod = vendorVod();
export const clients = { s3: new S3Client({}), ddb: DynamoDBDocumentClient.from(new DynamoDBClient({})), bus: new EventBridgeClient({}) };
export const handler = async () => call(() => vod.ApplyUploadInfo({ SpaceName: process.env.VOD_SPACE ?? 'demo-space' }));
