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

/** An object opener (10 bytes) that keeps every stream it opened, calling `onOpen` first. */
function recordingOpen(onOpen = (): unknown => undefined): { open: () => Promise<Readable>; opened: Readable[] } {
  const opened: Readable[] = [];
  const open = async (): Promise<Readable> => {
    onOpen();
    const body = Readable.from([Buffer.alloc(10)]);
    opened.push(body);
    return body;
  };
  return { open, opened };
}

test('the object\'s GET goes out with the claim, and what the upload needs is prepared while the claim is answered; a delivery that does not upload closes the GET unread', async () => {
  const events: string[] = [];
  const { open, opened } = recordingOpen(() => events.push('open'));
  const claiming = {
    claim: async (...args: Parameters<ItemStore['claim']>) => {
      events.push('claim sent');
      const out = await store.claim(...args);
      events.push('claim answered');
      return out;
    },
  };
  const recording = new Proxy(store, {
    get: (t, k) => {
      if (k === 'claim') return claiming.claim;
      const v = Reflect.get(t, k, t) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(t) : v;
    },
  });
  const deps = (vod: unknown) => ({
    store: recording, log: silentLog, bus: { emit: async () => undefined } as never, vod: vod as never, prepare: () => void events.push('prepare'),
  });
  const uploaded: string[] = [];
  const vod = {
    upload: async (o: { body: Readable }) => {
      for await (const chunk of o.body) uploaded.push(String((chunk as Buffer).length));
      return { sessionKey: 'session-e' };
    },
    commitUpload: async () => ({ Results: [{ Vid: 'vid-e' }] }),
  };
  const req: IngestRequest = { bucket: 'b', key: 'incoming/early.mp4', version: 'v1', size: 10, spaceName: 'sp', functions: [], open };

  // first delivery: opened before the claim's answer, read by the upload
  await ingestObject(deps(vod), req, lambda);
  assert.deepEqual(events, ['open', 'claim sent', 'prepare', 'claim answered']);
  assert.deepEqual([uploaded, opened[0]!.readableEnded], [['10'], true]);

  // a repeat finds the item committed: its GET is closed unread, nothing uploaded
  await ingestObject(deps(vod), req, lambda);
  assert.deepEqual([opened.length, opened[1]!.destroyed, opened[1]!.readableEnded, uploaded.length], [2, true, false, 1]);

  // the claim itself fails: the GET is closed too
  const failing = { ...deps(vod), store: throttledOnce(store, 'claim') };
  await assert.rejects(ingestObject(failing, { ...req, key: 'incoming/early-2.mp4' }, lambda), { name: 'ProvisionedThroughputExceededException' });
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual([opened.length, opened[2]!.destroyed], [3, true]);
});

test('a retry that finds the bytes stored (CommitUpload failed) closes its GET unread and uploads nothing', async () => {
  const { open, opened } = recordingOpen();
  let uploads = 0;
  let commitFails = 1;
  const vod = {
    upload: async (o: { body: Readable; onCheckpoint?: (cp: unknown) => Promise<void> }) => {
      uploads++;
      for await (const _ of o.body);
      // a direct upload's one checkpoint: its bytes are stored
      await o.onCheckpoint?.({ host: 'h', storeUri: 's', auth: 'a', sessionKey: 'session-s', uploadId: '', partSize: 1, parts: [] });
      return { sessionKey: 'session-s' };
    },
    commitUpload: async () => {
      if (commitFails-- > 0) throw new Error('CommitUpload 503');
      return { Results: [{ Vid: 'vid-s' }] };
    },
  };
  const deps = { store, log: silentLog, bus: { emit: async () => undefined } as never, vod: vod as never };
  const req: IngestRequest = { bucket: 'b', key: 'incoming/stored.mp4', version: 'v1', size: 10, spaceName: 'sp', functions: [], open };
  await assert.rejects(ingestObject(deps, req, lambda), /CommitUpload 503/);
  assert.deepEqual(await ingestObject(deps, req, lambda), { itemId: 's3:b/incoming/stored.mp4@v1', vid: 'vid-s' });
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual([uploads, opened.length, opened[1]!.destroyed, opened[1]!.readableEnded], [1, 2, true, false]);
});
