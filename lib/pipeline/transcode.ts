import { encodeCallbackArgs } from './callback-args.ts';
import type { LeaseContext, PipelineDeps, StepDeps } from './deps.ts';
import type { UploadCommittedDetail } from './events.ts';
import { stageOf, vidItemId, type Item } from './item.ts';
import { outcomeUnknown } from '#lib/vod';
import { reasonOf } from './ports.ts';

/**
 * `started`: 'now' (this call started the run), 'before' (the item already had one) or 'unknown' (StartTranscode
 * got no answer: the item waits for the run's callback, see {@link transcodeOnCommit}). Stored by the idempotency
 * layer, so no field is ever `undefined` (DynamoDB cannot store it).
 */
export interface TranscodeResult { itemId: string; runId?: string; started: 'now' | 'before' | 'unknown' }

/** What {@link transcodeOnCommit} uses. */
export type TranscodeDeps = StepDeps<'store' | 'once' | 'log', 'startTranscode'>;

/**
 * On 'UploadCommitted': StartTranscode with `templateId` once per Vid (ingest and the service's own callback
 * both announce a commit), recording the RunId (item 'transcoding'). A video without an item gets one (`vid:{vid}`).
 *
 * StartTranscode is not idempotent: sent twice, it transcodes twice. So the request is recorded on the item before
 * it is sent (`ItemStore.requestTranscode`), and an attempt that finds a request without a RunId (the answer
 * was lost, its write failed, the Lambda died) does not send it again: the run may exist. Such an item waits for
 * the run's TranscodeComplete (publish records the RunId) or, failing that, reconcile, which looks for renditions
 * and starts the transcode again only when none appear (`detail.restart`: the n-th restart, a unit of work of its
 * own). Only an error answer proves no run was started: the request is withdrawn, the item fails from
 * 'committed' and the event is retried. A run that failed (failed from 'transcoding') is not started again.
 */
export async function transcodeOnCommit(
  deps: TranscodeDeps, detail: UploadCommittedDetail, opts: { templateId: string }, context?: LeaseContext,
): Promise<TranscodeResult> {
  const key = detail.restart ? `${detail.vid}#restart-${detail.restart}` : detail.vid;
  return deps.once.run('transcode', key, async () => {
    const item = await itemFor(deps, detail);
    await deps.store.advance(item.id, 'committed', { vid: detail.vid });
    const { changed, item: requested } = await deps.store.requestTranscode(item.id, detail.restart ?? 0);
    if (!changed || !requested?.transcodeRequestedAt) {
      // a run exists or may exist (a request whose answer was never recorded): never start a second one
      const runId = requested?.runId;
      return { itemId: item.id, ...(runId ? { runId } : {}), started: requested && hasRun(requested) ? 'before' : 'unknown' };
    }
    let runId: string;
    try {
      ({ RunId: runId } = await deps.vod.startTranscode({
        TemplateId: opts.templateId, Vid: detail.vid, CallbackArgs: encodeCallbackArgs({ itemId: item.id }),
      }));
    } catch (err) {
      if (outcomeUnknown(err)) {
        deps.log.warn('transcode start unanswered, waiting for its callback', { itemId: item.id, vid: detail.vid, reason: reasonOf(err) });
        return { itemId: item.id, started: 'unknown' };
      }
      await deps.store.abandonTranscode(item.id, requested.transcodeRequestedAt, reasonOf(err));
      deps.log.warn('transcode start failed', { itemId: item.id, vid: detail.vid, reason: reasonOf(err) });
      throw err;
    }
    // if this write fails, the retry finds the request open and waits: the run's callback records the RunId
    await deps.store.startTranscode(item.id, { runId });
    deps.log.info('transcode started', { itemId: item.id, vid: detail.vid, runId });
    return { itemId: item.id, runId, started: 'now' };
  }, context);
}

/** True when the item's transcode is known to exist: it has a RunId, or it got past 'transcoding'. */
function hasRun(item: Item): boolean {
  const at = stageOf(item);
  return item.runId !== undefined || at === 'transcoded' || at === 'published';
}

/**
 * The item an event is about: by id, else by Vid, else a new one. A named item that does not exist yet is
 * created under its own id: the service's callback for a URL job can beat the upload-by-url request that records
 * the job's item, and that item must still be the one that moves on.
 */
export async function itemFor(deps: Pick<PipelineDeps, 'store'>, detail: { vid: string; spaceName: string; itemId?: string }): Promise<Item> {
  if (detail.itemId) {
    const byId = await deps.store.get(detail.itemId);
    if (byId) return byId;
    const source = detail.itemId.startsWith('url:') ? 'url' : detail.itemId.startsWith('s3:') ? 's3' : 'vid';
    const { item } = await deps.store.create({
      id: detail.itemId, source, spaceName: detail.spaceName, vid: detail.vid, state: 'committed',
      ...(source === 'url' ? { jobId: detail.itemId.slice(4) } : {}),
    });
    if (item) return item;
  }
  const byVid = (await deps.store.findByVid(detail.vid)).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  if (byVid[0]) return byVid[0];
  const { item } = await deps.store.create({
    id: vidItemId(detail.vid), source: 'vid', spaceName: detail.spaceName, vid: detail.vid, state: 'committed',
  });
  if (!item) throw new Error(`item ${vidItemId(detail.vid)} vanished`);
  return item;
}
