// transcode-on-commit and publish fed EventBridge envelopes, against the emulator and dynalite.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import type { EventBridgeEvent } from 'aws-lambda';
import type { TranscodeCompletedDetail, TranscodeResult, UploadCommittedDetail } from '#lib/pipeline';
import { fixture, lambdaContext, startHarness, type Harness } from '../unit/pipeline/harness.ts';

type Ev<T extends string, D> = EventBridgeEvent<T, D>;
let h: Harness;
let transcode: (e: Ev<'UploadCommitted', UploadCommittedDetail>, c: ReturnType<typeof lambdaContext>) => Promise<TranscodeResult>;
let publish: (e: Ev<'TranscodeCompleted', TranscodeCompletedDetail>, c: ReturnType<typeof lambdaContext>) => Promise<{ itemId: string; outcome: string }>;
let upload: () => Promise<string>;

before(async () => {
  h = await startHarness();
  ({ handler: transcode } = await import('../../functions/transcode-on-commit/handler.ts'));
  ({ handler: publish } = await import('../../functions/publish/handler.ts'));
  const { vodClient } = await import('#lib/config');
  const sample = await readFile(new URL('../../samples/sample.mp4', import.meta.url));
  upload = async () => {
    const out = await vodClient().uploadVideo({ spaceName: 'demo-space', body: sample, fileType: 'video' });
    const vid = out.Results[0]?.Vid;
    assert.ok(vid);
    return vid;
  };
});
after(() => h.close());

async function committed(detail: UploadCommittedDetail): Promise<Ev<'UploadCommitted', UploadCommittedDetail>> {
  const e = await fixture<Ev<'UploadCommitted', UploadCommittedDetail>>('eventbridge/upload-committed.json');
  e.detail = detail;
  return e;
}
async function completed(detail: TranscodeCompletedDetail): Promise<Ev<'TranscodeCompleted', TranscodeCompletedDetail>> {
  const e = await fixture<Ev<'TranscodeCompleted', TranscodeCompletedDetail>>('eventbridge/transcode-completed.json');
  e.detail = detail;
  return e;
}

test('UploadCommitted starts one transcode per Vid and records the RunId, however often it arrives', async () => {
  const vid = await upload();
  const itemId = 's3:b/incoming/t.mp4@e1';
  await h.store.create({ id: itemId, source: 's3', spaceName: 'demo-space', state: 'committed', vid });
  const event = await committed({ vid, spaceName: 'demo-space', itemId });

  const first = await transcode(event, lambdaContext('a'));
  // the service's own FileUploadComplete callback announces the same commit without an item id
  const again = await transcode(await committed({ vid, spaceName: 'demo-space' }), lambdaContext('b'));
  const both = await Promise.allSettled([transcode(event, lambdaContext('c')), transcode(event, lambdaContext('d'))]);

  assert.equal(first.started, 'now');
  // the item is the step's idempotency record: a repeat finds the run it started
  assert.deepEqual(again, { ...first, started: 'before' });
  assert.deepEqual(both, [{ status: 'fulfilled', value: again }, { status: 'fulfilled', value: again }]);
  assert.equal(h.emulator.requests.filter((r) => r.action === 'StartTranscode' && r.vid === vid).length, 1);
  const item = await h.store.get(itemId);
  assert.deepEqual([item?.state, item?.runId], ['transcoding', first.runId]);
  assert.equal(h.emulator.state.videos[vid]?.transcode?.runId, first.runId);
  assert.equal(h.emulator.state.videos[vid]?.transcode?.templateId, 'local-template');
});

test('a video committed outside the pipeline gets a vid: item; a URL item moves received -> committed -> transcoding', async () => {
  const vid = await upload();
  const r1 = await transcode(await committed({ vid, spaceName: 'demo-space' }), lambdaContext());
  assert.equal(r1.itemId, `vid:${vid}`);
  assert.equal((await h.store.get(`vid:${vid}`))?.state, 'transcoding');

  const vid2 = await upload();
  await h.store.create({ id: 'url:job-1', source: 'url', spaceName: 'demo-space', jobId: 'job-1' });
  await transcode(await committed({ vid: vid2, spaceName: 'demo-space', itemId: 'url:job-1' }), lambdaContext());
  const item = await h.store.get('url:job-1');
  assert.deepEqual([item?.state, item?.vid], ['transcoding', vid2]);
});

test('TranscodeCompleted publishes once (policy always) and the item ends published', async () => {
  const vid = await upload();
  const itemId = 's3:b/incoming/p.mp4@e2';
  await h.store.create({ id: itemId, source: 's3', spaceName: 'demo-space', state: 'committed', vid });
  const { runId } = await transcode(await committed({ vid, spaceName: 'demo-space', itemId }), lambdaContext());
  assert.ok(runId);
  await h.emulator.idle();
  const event = await completed({ vid, runId, spaceName: 'demo-space', code: 'Success' });

  const results = await Promise.allSettled([publish(event, lambdaContext('a')), publish(event, lambdaContext('b'))]);
  const again = await publish(event, lambdaContext('c'));

  // one delivery publishes; the other got its result or met it in progress (retried later by EventBridge)
  for (const r of results) {
    if (r.status === 'fulfilled') assert.deepEqual(r.value, { itemId, outcome: 'published' });
    else assert.equal((r.reason as Error).name, 'ItemInProgressError');
  }
  assert.ok(results.some((r) => r.status === 'fulfilled'));
  assert.deepEqual(again, { itemId, outcome: 'published' });
  assert.equal(h.emulator.requests.filter((r) => r.action === 'SetVideoPublishStatus' && r.vid === vid).length, 1);
  const item = await h.store.get(itemId);
  assert.deepEqual([item?.state, item?.runId, item?.attempts], ['published', runId, 0]);
  assert.equal(h.emulator.state.videos[vid]?.publishStatus, 'Published');
});

test('a failed transcode run fails the item with the code; a later successful run publishes it', async () => {
  const vid = await upload();
  const itemId = 's3:b/incoming/f.mp4@e3';
  await h.store.create({ id: itemId, source: 's3', spaceName: 'demo-space', state: 'committed', vid });
  const { runId } = await transcode(await committed({ vid, spaceName: 'demo-space', itemId }), lambdaContext());
  assert.ok(runId);

  const failed = await publish(await completed({ vid, runId, spaceName: 'demo-space', code: 'TranscodeFailed' }), lambdaContext());
  assert.deepEqual(failed, { itemId, outcome: 'failed' });
  const item = await h.store.get(itemId);
  assert.deepEqual([item?.state, item?.failedFrom, item?.attempts, item?.reason],
    ['failed', 'transcoding', 1, `TranscodeComplete TranscodeFailed (RunId ${runId})`]);

  const ok = await publish(await completed({ vid, runId: 'run-retry', spaceName: 'demo-space', code: 'Success' }), lambdaContext());
  assert.deepEqual(ok, { itemId, outcome: 'published' });
  assert.equal((await h.store.get(itemId))?.state, 'published');
});

test('a URL job announced before upload-by-url recorded its item still moves that item (url:{jobId}), not a vid: one', async () => {
  const vid = await upload();
  const r = await transcode(await committed({ vid, spaceName: 'demo-space', itemId: 'url:early-job' }), lambdaContext());
  assert.equal(r.itemId, 'url:early-job');
  const item = await h.store.get('url:early-job');
  assert.deepEqual([item?.state, item?.source, item?.jobId, item?.vid], ['transcoding', 'url', 'early-job', vid]);
  assert.equal(await h.store.get(`vid:${vid}`), undefined);
});
