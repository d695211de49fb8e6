import { leaseMs, preparing, type LeaseContext, type StepDeps } from './deps.ts';
import type { TranscodeCompletedDetail } from './events.ts';
import { stageOf } from './item.ts';
import { reasonOf } from './ports.ts';
import { ItemInProgressError } from './item-store.ts';
import { itemIdFor, newItem } from './transcode.ts';

export type PublishPolicy = 'always' | 'never';
/** GetPlayInfo `Data.Status` of a published video. */
const PUBLISHED = 10;
export interface PublishResult { itemId: string; outcome: 'published' | 'transcoded' | 'failed' }

/** What {@link publishOnTranscoded} uses. */
export type PublishDeps = StepDeps<'store' | 'log', 'getPlayInfo' | 'setVideoPublishStatus'>;

/**
 * On 'TranscodeCompleted' (its item found by the event's `itemId`, else by Vid, else made): a failed run fails the
 * item with the service's code (once per run and code), a final failure that waits for a human (reconcile leaves it
 * alone); a successful one records 'transcoded' and, when `policy` is 'always', SetVideoPublishStatus Published ->
 * 'published', once per Vid (a second run's completion, or one reconcile found, publishes nothing again).
 *
 * The item is the step's idempotency record: one conditional write claims it for as long as the Lambda may run
 * (`ItemStore.claim`); a delivery that finds the lease held by another throws `ItemInProgressError` (retried
 * later), one that finds the item published answers so. A claim on an item
 * that was already 'transcoded' follows an attempt that failed or died, which may have published it: the service
 * is asked first (GetPlayInfo Status 10 = published), and the video is then not published twice. Three requests
 * when all goes well: the claim, SetVideoPublishStatus, 'published' (one more, by Vid, for an event that names no item).
 */
export async function publishOnTranscoded(
  deps: PublishDeps, detail: TranscodeCompletedDetail, opts: { policy: PublishPolicy }, context?: LeaseContext,
): Promise<PublishResult> {
  const id = await itemIdFor(deps, detail);
  const create = newItem(id, detail);
  if (detail.code !== 'Success') {
    const reason = `TranscodeComplete ${detail.code} (RunId ${detail.runId})`;
    const { changed } = await deps.store.failRun(id, { vid: detail.vid, reason, create });
    if (changed) deps.log.warn('transcode failed', { itemId: id, vid: detail.vid, runId: detail.runId, code: detail.code });
    return { itemId: id, outcome: 'failed' };
  }
  const fields = { vid: detail.vid, ...(detail.runId ? { runId: detail.runId } : {}) };
  if (opts.policy === 'never') {
    await deps.store.advance(id, 'transcoded', fields, create);
    return { itemId: id, outcome: 'transcoded' };
  }
  const claim = await preparing(deps, deps.store.claim(id, 'transcoded', { leaseMs: leaseMs(context), fields, create }));
  if (!claim.claimed) {
    if (claim.item?.state === 'published') return { itemId: id, outcome: 'published' };
    throw new ItemInProgressError(id, 'published', claim.item?.leaseUntil);
  }
  // an item already 'transcoded' (or failed there) saw an earlier attempt, which may have published it
  const retry = claim.before !== undefined && stageOf(claim.before) === 'transcoded';
  try {
    if (!(retry && (await deps.vod.getPlayInfo({ video_id: detail.vid })).Data.Status === PUBLISHED)) {
      await deps.vod.setVideoPublishStatus({ SpaceName: detail.spaceName, Vid: detail.vid, Status: 'Published' });
    }
  } catch (err) {
    await deps.store.fail(id, 'transcoded', reasonOf(err));
    deps.log.warn('publish failed', { itemId: id, vid: detail.vid, reason: reasonOf(err) });
    throw err;
  }
  await deps.store.advance(id, 'published');
  deps.log.info('published', { itemId: id, vid: detail.vid });
  return { itemId: id, outcome: 'published' };
}
