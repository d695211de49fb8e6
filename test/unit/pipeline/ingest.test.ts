// ingestObject against dynalite with a recording upload and CommitUpload: the item is the step's idempotency record,
// and a failed attempt never leaves its lease in the way of the retry.
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import { DynamoDb } from '#lib/aws';
import { ingestObject, ItemStore, silentLog, type IngestRequest } from '#lib/pipeline';
import { startDynalite, type LocalDynamo } from '../../../local/stack/dynamo.ts';
import { createTables, tableDefinitions } from '../../../local/stack/tables.ts';
import { throttledOnce } from '../../support/throttled-once.ts';
import { ITEMS_TABLE, localAws } from './harness.ts';

let dynamo: LocalDynamo;
let store: ItemStore;
let clock = new Date('2026-11-25T10:00:00.000Z');
const lambda = { getRemainingTimeInMillis: () => 900_000 };

before(async () => {
  dynamo = await startDynalite(0);
  await createTables(dynamo.endpoint, await tableDefinitions(new URL('../../../serverless.yml', import.meta.url).pathname, 'local', {}));
  store = new ItemStore({ db: new DynamoDb(localAws('dynamodb', dynamo.endpoint)), tableName: ITEMS_TABLE, now: () => clock });
});
after(() => dynamo.close());

test('an attempt whose failure cannot be recorded still ends its lease: the retry a minute later runs', async () => {
  const commits: string[] = [];
  let commitFails = 1;
  const vod = {
    upload: async () => ({ sessionKey: 'session-1' }),
    commitUpload: async (p: { SessionKey: string }) => {
      if (commitFails-- > 0) throw new Error('CommitUpload 503');
      commits.push(p.SessionKey);
      return { Results: [{ Vid: 'vid-1' }] };
    },
  };
  const bus = { emit: async () => undefined };
  const req: IngestRequest = { bucket: 'b', key: 'incoming/a.mp4', version: 'v1', size: 10, spaceName: 'sp', functions: [], open: async () => Readable.from([Buffer.alloc(10)]) };

  await assert.rejects(ingestObject({ store: throttledOnce(store, 'fail'), log: silentLog, bus: bus as never, vod: vod as never }, req, lambda), { message: 'CommitUpload 503' });
  const after1 = await store.get('s3:b/incoming/a.mp4@v1');
  assert.deepEqual([after1?.state, after1?.leaseUntil], ['uploading', undefined]);

  clock = new Date(clock.getTime() + 60_000);
  assert.deepEqual(await ingestObject({ store, log: silentLog, bus: bus as never, vod: vod as never }, req, lambda), { itemId: 's3:b/incoming/a.mp4@v1', vid: 'vid-1' });
  assert.deepEqual(commits, ['session-1']);
});
