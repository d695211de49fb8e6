// ingest-object with the vendor SDK, as far as it can run against the local stack: the S3 object read with the
// SDK's S3 client (the vendor's stream upload buffers an object of this size whole), ApplyUploadInfo, CommitUploadInfo
// with its SessionKey, the item recorded in DynamoDB, UploadCommitted put on the bus. Left out: the upload's PUT, which
// the vendor SDK sends only to `https://<UploadHost>/` (the emulator serves no TLS). Both VOD calls are refused by the
// emulator (the SDK's HMAC-SHA256 signing, bench/README.md); the SDK returns the refusal, and the steps go on.
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { call, vendorVod } from './vendor.ts';

const vod = vendorVod();
const s3 = new S3Client({ forcePathStyle: process.env.S3_FORCE_PATH_STYLE === 'true' });
const ddb = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const bus = new EventBridgeClient({});
interface S3Event { Records?: Array<{ s3: { bucket: { name: string }; object: { key: string; eTag?: string } } }> }

export const handler = async (event: S3Event) => call(async () => {
  const record = event.Records?.[0]?.s3;
  if (!record) throw new Error('no S3 record');
  const key = decodeURIComponent(record.object.key.replace(/\+/g, ' '));
  const id = `s3:${record.bucket.name}/${key}@${record.object.eTag ?? ''}`;
  const object = await s3.send(new GetObjectCommand({ Bucket: record.bucket.name, Key: key }));
  const bytes = await object.Body?.transformToByteArray();
  const SpaceName = process.env.VOD_SPACE ?? 'demo-space';
  const applied = await vod.ApplyUploadInfo({ SpaceName, FileType: 'media', FileSize: bytes?.byteLength } as never);
  const SessionKey = (applied as { Result?: { Data?: { UploadAddress?: { SessionKey?: string } } } }).Result?.Data?.UploadAddress?.SessionKey ?? '';
  const committed = await vod.CommitUploadInfo({ SpaceName, SessionKey, CallbackArgs: JSON.stringify({ itemId: id }) } as never);
  const vid = (committed as { Result?: { Data?: { Vid?: string } } }).Result?.Data?.Vid ?? '';
  await ddb.send(new UpdateCommand({
    TableName: process.env.ITEMS_TABLE, Key: { id }, UpdateExpression: 'SET #s = :s, vid = :v',
    ExpressionAttributeNames: { '#s': 'state' }, ExpressionAttributeValues: { ':s': 'committed', ':v': vid },
  }));
  await bus.send(new PutEventsCommand({ Entries: [{ EventBusName: process.env.EVENT_BUS_NAME, Source: 'vod-serverless', DetailType: 'UploadCommitted', Detail: JSON.stringify({ vid, itemId: id }) }] }));
  return committed;
});
