import { encodeCallbackArgs } from './callback-args.ts';
import { preparing, type PipelineDeps, type StepDeps } from './deps.ts';
import type { UploadCommittedDetail } from './events.ts';
import { stageOf, vidItemId, type Item } from './item.ts';
import { outcomeUnknown } from '#lib/vod';
import { reasonOf } from './ports.ts';
import type { NewItem } from './item-store.ts';

/**
 * `started`: 'now' (this call started the run), 'before' (the item already had one) or 'unknown' (StartTranscode
 * got no answer, or another delivery's request is open: the item waits for the run's callback, see
 * {@link transcodeOnCommit}).
 */
export interface TranscodeResult { itemId: string; runId?: string; started: 'now' | 'before' | 'unknown' }

/** What {@link transcodeOnCommit} uses. */
export type TranscodeDeps = StepDeps<'store' | 'log', 'startTranscode'>;

/**
 * On 'UploadCommitted': StartTranscode with `templateId` once per Vid (ingest and the service's own callback
 * both announce a commit), recording the RunId (item 'transcoding'). A video without an item gets one (`vid:{vid}`).
 *
 * StartTranscode is not idempotent: sent twice, it transcodes twice. So the request is recorded on the item before
 * it is sent (`ItemStore.requestTranscode`, a conditional write that one delivery of many wins: the item is this
 * step's idempotency record), and an attempt that finds a request without a RunId (the answer was lost, its write
 * failed, the Lambda died, or another delivery is sending it) does not send it again: the run may exist. Such an
 * item waits for the run's TranscodeComplete (publish records the RunId) or, failing that, reconcile, which looks
 * for renditions and starts the transcode again only when none appear (`detail.restart`: the n-th restart, a unit
 * of work of its own). Only an error answer proves no run was started: the request is withdrawn, the item fails
 * from 'committed' and the event is retried. A run that failed (failed from 'transcoding') is not started again.
 * Three requests when all goes well: the request, StartTranscode, the RunId (one more, by Vid, for an event that
 * names no item).
 */
export async function transcodeOnCommit(deps: TranscodeDeps, detail: UploadCommittedDetail, opts: { templateId: string }): Promise<TranscodeResult> {
  const id = await itemIdFor(deps, detail);
  const { changed, item: requested } = await preparing(deps, deps.store.requestTranscode(id, {
    vid: detail.vid, restart: detail.restart ?? 0, create: newItem(id, detail),
  }));
  if (!changed || !requested?.transcodeRequestedAt) {
    // a run exists or may exist (a request whose answer was never recorded): never start a second one
    const runId = requested?.runId;
    return { itemId: id, ...(runId ? { runId } : {}), started: requested && hasRun(requested) ? 'before' : 'unknown' };
  }
  let runId: string;
  try {
    ({ RunId: runId } = await deps.vod.startTranscode({
      TemplateId: opts.templateId, Vid: detail.vid, CallbackArgs: encodeCallbackArgs({ itemId: id }),
    }));
  } catch (err) {
    if (outcomeUnknown(err)) {
      deps.log.warn('transcode start unanswered, waiting for its callback', { itemId: id, vid: detail.vid, reason: reasonOf(err) });
      return { itemId: id, started: 'unknown' };
    }
    await deps.store.abandonTranscode(id, requested.transcodeRequestedAt, reasonOf(err));
    deps.log.warn('transcode start failed', { itemId: id, vid: detail.vid, reason: reasonOf(err) });
    throw err;
  }
  // if this write fails, the retry finds the request open and waits: the run's callback records the RunId
  await deps.store.startTranscode(id, { runId });
  deps.log.info('transcode started', { itemId: id, vid: detail.vid, runId });
  return { itemId: id, runId, started: 'now' };
}

/** True when the item's transcode is known to exist: it has a RunId, or it got past 'transcoding'. */
function hasRun(item: Item): boolean {
  const at = stageOf(item);
  return item.runId !== undefined || at === 'transcoded' || at === 'published';
}

/**
 * The id of the item an event is about: the one it names, else the oldest item of its Vid, else `vid:{vid}` (a
 * video committed outside the pipeline).
 */
export async function itemIdFor(deps: Pick<PipelineDeps, 'store'>, detail: { vid: string; itemId?: string }): Promise<string> {
  if (detail.itemId) return detail.itemId;
  return (await deps.store.findByVid(detail.vid))[0]?.id ?? vidItemId(detail.vid);
}

/**
 * What a named item that does not exist yet is created with: the service's callback for a URL job can beat the
 * upload-by-url request that records the job's item, and that item must still be the one that moves on.
 */
export function newItem(id: string, detail: { spaceName: string }): NewItem {
  const source = id.startsWith('url:') ? 'url' : id.startsWith('s3:') ? 's3' : 'vid';
  return { source, spaceName: detail.spaceName, ...(source === 'url' ? { jobId: id.slice(4) } : {}) };
}
