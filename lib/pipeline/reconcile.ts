import type { StepDeps } from './deps.ts';
import { stageOf, type Item } from './item.ts';
import type { PublishPolicy } from './publish.ts';
import { reasonOf } from './ports.ts';
import type { ForwardState, ItemState } from './states.ts';

export interface ReconcileOptions {
  now: Date;
  stuckAfterSeconds: number;
  policy: PublishPolicy;
  /** A failed item is driven on until it has failed this many times (default 5); then it waits for a human. */
  maxAttempts?: number;
  /** Items examined per state per run (default 100). */
  limit?: number;
  /**
   * How long an unanswered StartTranscode may go without a callback or renditions before the transcode is
   * started again (default 4 x `stuckAfterSeconds`): long enough for a run the service did start to finish.
   */
  unansweredTranscodeSeconds?: number;
}

export type ReconcileAction = 'reemitted' | 'restarted' | 'committed' | 'failed' | 'waiting' | 'skipped';
export interface ReconcileReport {
  examined: number;
  actions: Record<ReconcileAction, number>;
  errors: Array<{ itemId: string; reason: string }>;
}

const SCANNED: ItemState[] = ['received', 'uploading', 'committed', 'transcoding', 'transcoded', 'failed'];

/** What {@link reconcile} uses. */
export type ReconcileDeps = StepDeps<'store' | 'bus' | 'log', 'getPlayInfo' | 'queryUploadTaskInfo'>;

/**
 * Finds items not updated for `stuckAfterSeconds` and drives them on without calling another function: a URL
 * job is re-queried (QueryUploadTaskInfo) and, once it has a Vid, announced; 'committed' re-emits
 * 'UploadCommitted'; 'transcoding' re-queries GetPlayInfo and re-emits 'TranscodeCompleted' when renditions (not
 * just the origin) exist; a 'transcoding' item without a RunId (StartTranscode was never answered) with no
 * renditions after `unansweredTranscodeSeconds` gets its transcode started again ('UploadCommitted' with `restart`);
 * 'transcoded' re-emits 'TranscodeCompleted' (policy 'always'); a stalled S3 ingest is marked failed (its S3
 * event is retried by Lambda and then lands in the DLQ). Every item it touches gets a fresh `updatedAt`, so it
 * waits another period. The consumers are idempotent, so a re-emitted event never has a second effect.
 * Errors are collected per item (one bad item does not block the others).
 */
export async function reconcile(deps: ReconcileDeps, opts: ReconcileOptions): Promise<ReconcileReport> {
  const cutoff = new Date(opts.now.getTime() - opts.stuckAfterSeconds * 1000);
  const report: ReconcileReport = { examined: 0, actions: { reemitted: 0, restarted: 0, committed: 0, failed: 0, waiting: 0, skipped: 0 }, errors: [] };
  // the states' queries at once (one round trip of wall time, not six), their items then driven on one by one
  const found = await Promise.all(SCANNED.map((state) => deps.store.stuck(state, cutoff, opts.limit ?? 100)));
  for (const items of found) {
    for (const item of items) {
      report.examined += 1;
      try {
        const action = await driveOn(deps, item, opts);
        report.actions[action] += 1;
        if (action !== 'skipped') deps.log.info('reconciled', { itemId: item.id, state: item.state, action });
      } catch (err) {
        report.errors.push({ itemId: item.id, reason: reasonOf(err) });
        deps.log.warn('reconcile failed', { itemId: item.id, reason: reasonOf(err) });
      }
    }
  }
  return report;
}

async function driveOn(deps: ReconcileDeps, item: Item, opts: ReconcileOptions): Promise<ReconcileAction> {
  const at = stageOf(item);
  if (at === undefined || (item.state === 'failed' && item.attempts >= (opts.maxAttempts ?? 5))) return 'skipped';
  switch (at) {
    case 'received':
    case 'uploading':
      if (item.source === 'url' && item.jobId) return requeryUrlJob(deps, { ...item, jobId: item.jobId }, at);
      if (item.state === 'failed') return 'skipped';
      await deps.store.fail(item.id, at, `stuck in ${at} for over ${opts.stuckAfterSeconds} s; the S3 event is retried, then sent to the DLQ`);
      return 'failed';
    case 'committed':
      if (!item.vid) return 'skipped';
      await deps.bus.emit('UploadCommitted', { vid: item.vid, spaceName: item.spaceName, itemId: item.id });
      await deps.store.touch(item.id, item.state);
      return 'reemitted';
    case 'transcoding': {
      if (!item.vid) return 'skipped';
      const info = await deps.vod.getPlayInfo({ video_id: item.vid });
      // only renditions count: a video still transcoding may be served as its source ('origin')
      if ((info.Data.PlayInfoList ?? []).some((p) => (p as { Definition?: unknown } | null)?.Definition !== 'origin')) {
        await deps.bus.emit('TranscodeCompleted', { vid: item.vid, runId: item.runId ?? '', spaceName: item.spaceName, code: 'Success' });
        await deps.store.touch(item.id, item.state);
        return 'reemitted';
      }
      const requested = Date.parse(item.transcodeRequestedAt ?? item.updatedAt);
      const patience = (opts.unansweredTranscodeSeconds ?? 4 * opts.stuckAfterSeconds) * 1000;
      if (item.runId || opts.now.getTime() - requested < patience) {
        await deps.store.touch(item.id, item.state);
        return 'waiting';
      }
      // no callback and no renditions: the unanswered StartTranscode did not start a run
      const { changed, item: marked } = await deps.store.restartTranscode(item.id, item.updatedAt);
      if (!changed || !marked) return 'skipped';
      await deps.bus.emit('UploadCommitted', { vid: item.vid, spaceName: item.spaceName, itemId: item.id, restart: marked.transcodeRestarts ?? 1 });
      return 'restarted';
    }
    case 'transcoded':
      // publish is once per Vid: the RunId only informs (a run announced from its renditions has none)
      if (opts.policy !== 'always' || !item.vid) return 'skipped';
      await deps.bus.emit('TranscodeCompleted', { vid: item.vid, runId: item.runId ?? '', spaceName: item.spaceName, code: 'Success' });
      await deps.store.touch(item.id, item.state);
      return 'reemitted';
    default:
      return 'skipped';
  }
}

async function requeryUrlJob(deps: ReconcileDeps, item: Item & { jobId: string }, at: ForwardState): Promise<ReconcileAction> {
  const out = await deps.vod.queryUploadTaskInfo({ JobIds: [item.jobId] });
  const info = out.Data.MediaInfoList.find((m) => m.JobId === item.jobId);
  if (!info) {
    await deps.store.fail(item.id, at, `URL upload job ${item.jobId} is unknown to the service`);
    return 'failed';
  }
  if (info.State === 'failed') {
    await deps.store.fail(item.id, at, `URL upload job ${item.jobId} failed`);
    return 'failed';
  }
  if (info.State !== 'success' || !info.Vid) {
    await deps.store.touch(item.id, item.state);
    return 'waiting';
  }
  await deps.store.advance(item.id, 'committed', { vid: info.Vid });
  await deps.bus.emit('UploadCommitted', { vid: info.Vid, spaceName: info.SpaceName || item.spaceName, itemId: item.id });
  return 'committed';
}
