import type { LeaseContext, StepDeps } from './deps.ts';
import type { TranscodeCompletedDetail } from './events.ts';
import { stageOf } from './item.ts';
import { reasonOf } from './ports.ts';
import { itemFor } from './transcode.ts';

export type PublishPolicy = 'always' | 'never';
/** GetPlayInfo `Data.Status` of a published video. */
const PUBLISHED = 10;
export interface PublishResult { itemId: string; outcome: 'published' | 'transcoded' | 'failed' }

/** What {@link publishOnTranscoded} uses. */
export type PublishDeps = StepDeps<'store' | 'once' | 'log', 'getPlayInfo' | 'setVideoPublishStatus'>;

/**
 * On 'TranscodeCompleted' (its item found by the event's `itemId`, else by Vid): a failed run fails the item with
 * the service's code (once per Vid + RunId), a final failure that waits for a human (reconcile leaves it alone); a
 * successful one records 'transcoded' and, when `policy` is 'always', SetVideoPublishStatus Published ->
 * 'published', once per Vid (a second run's completion, or one reconcile found, publishes nothing again). A retry
 * (the item is already 'transcoded': an earlier attempt failed or died) asks the service first (GetPlayInfo
 * Status 10 = published): the earlier call may have gone through, and the video is then not published twice.
 */
export async function publishOnTranscoded(
  deps: PublishDeps, detail: TranscodeCompletedDetail, opts: { policy: PublishPolicy }, context?: LeaseContext,
): Promise<PublishResult> {
  const ok = detail.code === 'Success';
  return deps.once.run('publish', ok ? detail.vid : `${detail.vid}/${detail.runId}/${detail.code}`, async () => {
    const item = await itemFor(deps, detail);
    if (!ok) {
      await deps.store.fail(item.id, 'transcoding', `TranscodeComplete ${detail.code} (RunId ${detail.runId})`);
      deps.log.warn('transcode failed', { itemId: item.id, vid: detail.vid, runId: detail.runId, code: detail.code });
      return { itemId: item.id, outcome: 'failed' };
    }
    if (item.state === 'published') return { itemId: item.id, outcome: 'published' };
    await deps.store.advance(item.id, 'transcoded', detail.runId ? { runId: detail.runId } : {});
    if (opts.policy === 'never') return { itemId: item.id, outcome: 'transcoded' };
    // an item already 'transcoded' (or failed there) saw an earlier attempt, which may have published it
    const retry = stageOf(item) === 'transcoded';
    try {
      if (!(retry && (await deps.vod.getPlayInfo({ video_id: detail.vid })).Data.Status === PUBLISHED)) {
        await deps.vod.setVideoPublishStatus({ SpaceName: detail.spaceName, Vid: detail.vid, Status: 'Published' });
      }
    } catch (err) {
      await deps.store.fail(item.id, 'transcoded', reasonOf(err));
      deps.log.warn('publish failed', { itemId: item.id, vid: detail.vid, reason: reasonOf(err) });
      throw err;
    }
    await deps.store.advance(item.id, 'published');
    deps.log.info('published', { itemId: item.id, vid: detail.vid });
    return { itemId: item.id, outcome: 'published' };
  }, context);
}
