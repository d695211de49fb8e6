import type { StepDeps } from './deps.ts';
import { stageOf, type Item } from './item.ts';
import type { PublishPolicy } from './publish.ts';
import { reasonOf } from './ports.ts';
import type { StuckFilter } from './item-store.ts';
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
 * event is retried by Lambda and then lands in the DLQ). A failed item is driven on from the state it failed from,
 * until it has failed `maxAttempts` times. Every item it touches gets a fresh `updatedAt`, so it waits another
 * period; items it leaves alone for good ({@link drivable}) are not even read. The consumers are idempotent, so a
 * re-emitted event never has a second effect. Errors are collected per item (one bad item does not block the others).
 */
export async function reconcile(deps: ReconcileDeps, opts: ReconcileOptions): Promise<ReconcileReport> {
  const cutoff = new Date(opts.now.getTime() - opts.stuckAfterSeconds * 1000);
  const report: ReconcileReport = { examined: 0, actions: { reemitted: 0, restarted: 0, committed: 0, failed: 0, waiting: 0, skipped: 0 }, errors: [] };
  // the states' queries at once (one round trip of wall time, not six), their items then driven on one by one
  const found = await Promise.all(SCANNED.map((state) => {
    const filter = drivable(state, opts);
    return filter === 'none' ? [] : deps.store.stuck(state, cutoff, opts.limit ?? 100, filter === 'all' ? undefined : filter);
  }));
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

/**
 * The items of `state` reconcile drives on, as a filter of its query: the one definition of what it leaves alone,
 * for good (`driveOn` never sees those). Left alone: an item failed `maxAttempts` times; a failed S3 ingest (Lambda
 * retries its S3 event, then the DLQ has it: reconcile has nothing to ask); a transcode run that failed (failed
 * from 'transcoding': the service's verdict on this video and template, which a new run would most likely repeat;
 * it waits for a human, like the other final failures); with policy 'never', 'transcoded' (there is nothing more
 * to do); and an item without the Vid its stage needs (none should exist). Items left alone are never touched, so
 * they stay the oldest of their state: read and dropped, they would fill every run's `limit` and hide the rest.
 */
function drivable(state: ItemState, opts: ReconcileOptions): StuckFilter | 'all' | 'none' {
  const hasVid = 'attribute_exists(vid)';
  switch (state) {
    case 'received':
    case 'uploading':
      return 'all';
    case 'committed':
    case 'transcoding':
      return { expression: hasVid };
    case 'transcoded':
      return opts.policy === 'always' ? { expression: hasVid } : 'none';
    case 'failed': {
      // a failed URL job is re-queried; other failed ingests are Lambda's; from a later stage: what that stage does.
      // Flat (AND binds before OR): dynalite, the local stack's DynamoDB, parses nested parentheses slowly
      const urlJob = '#failedFrom IN (:received, :uploading) AND #source = :url AND attribute_exists(jobId)';
      const later = opts.policy === 'always' ? '#failedFrom IN (:committed, :transcoded)' : '#failedFrom = :committed';
      return {
        expression: `attempts < :maxAttempts AND ${urlJob} OR attempts < :maxAttempts AND ${later} AND ${hasVid}`,
        names: { '#failedFrom': 'failedFrom', '#source': 'source' },
        values: {
          ':maxAttempts': opts.maxAttempts ?? 5, ':received': 'received', ':uploading': 'uploading', ':url': 'url',
          ':committed': 'committed', ...(opts.policy === 'always' ? { ':transcoded': 'transcoded' } : {}),
        },
      };
    }
    default:
      return 'none';
  }
}

async function driveOn(deps: ReconcileDeps, item: Item, opts: ReconcileOptions): Promise<ReconcileAction> {
  const at = stageOf(item);
  switch (at) {
    case 'received':
    case 'uploading':
      if (item.source === 'url' && item.jobId) return requeryUrlJob(deps, { ...item, jobId: item.jobId }, at);
      // an ingest still at work holds a lease on its item (a long single PUT writes no checkpoint): not stuck
      const { changed } = await deps.store.fail(item.id, at, `stuck in ${at} for over ${opts.stuckAfterSeconds} s; the S3 event is retried, then sent to the DLQ`, { ifUnleased: true });
      return changed ? 'failed' : 'waiting';
    case 'committed': {
      const vid = vidOf(item);
      // a restart whose StartTranscode was refused is retried as that restart (its own unit of work)
      const restart = item.transcodeRestarts ? { restart: item.transcodeRestarts } : {};
      await deps.bus.emit('UploadCommitted', { vid, spaceName: item.spaceName, itemId: item.id, ...restart });
      await deps.store.touch(item.id, item.state);
      return 'reemitted';
    }
    case 'transcoding': {
      const vid = vidOf(item);
      const info = await deps.vod.getPlayInfo({ video_id: vid });
      // only renditions count: a video still transcoding may be served as its source ('origin')
      if ((info.Data.PlayInfoList ?? []).some((p) => (p as { Definition?: unknown } | null)?.Definition !== 'origin')) {
        await deps.bus.emit('TranscodeCompleted', { vid, runId: item.runId ?? '', spaceName: item.spaceName, code: 'Success', itemId: item.id });
        await deps.store.touch(item.id, item.state);
        return 'reemitted';
      }
      // a restart counted whose UploadCommitted never led to a request (the event was lost, or its deliveries failed):
      // announce it again (requestTranscode lets one delivery of that restart through); waiting would bump updatedAt,
      // from which the patience below is measured, for ever
      if (!item.runId && !item.transcodeRequestedAt && item.transcodeRestarts) {
        await deps.bus.emit('UploadCommitted', { vid, spaceName: item.spaceName, itemId: item.id, restart: item.transcodeRestarts });
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
      if (!changed || !marked) return 'skipped'; // another run of reconcile got there first
      await deps.bus.emit('UploadCommitted', { vid, spaceName: item.spaceName, itemId: item.id, restart: marked.transcodeRestarts ?? 1 });
      return 'restarted';
    }
    case 'transcoded': {
      // publish is once per Vid: the RunId only informs (a run announced from its renditions has none)
      const vid = vidOf(item);
      await deps.bus.emit('TranscodeCompleted', { vid, runId: item.runId ?? '', spaceName: item.spaceName, code: 'Success', itemId: item.id });
      await deps.store.touch(item.id, item.state);
      return 'reemitted';
    }
    default:
      throw new Error(`reconcile read an item it leaves alone (${item.state}${item.failedFrom ? ` from ${item.failedFrom}` : ''})`);
  }
}

/** The item's Vid, which its stage has (the query leaves out items without one). */
function vidOf(item: Item): string {
  if (item.vid === undefined) throw new Error(`reconcile read an item without a Vid in ${stageOf(item)}`);
  return item.vid;
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
