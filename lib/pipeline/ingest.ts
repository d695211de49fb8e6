import type { Readable } from 'node:stream';
import { encodeCallbackArgs } from './callback-args.ts';
import { leaseMs, preparing, type LeaseContext, type StepDeps } from './deps.ts';
import { ItemInProgressError } from './item-store.ts';
import { s3ItemId, stageOf, type IngestCheckpoint, type Item } from './item.ts';
import { reasonOf } from './ports.ts';
import { FORWARD_STATES } from './states.ts';

/** One S3 object version to ingest. */
export interface IngestRequest {
  bucket: string;
  key: string;
  /** Version id when the bucket is versioned, else the ETag: with bucket and key, what identifies the work. */
  version: string;
  size?: number;
  spaceName: string;
  functions: ReadonlyArray<{ Name: string; Input?: Record<string, unknown> }>;
  /** Opens the object's bytes as a stream (S3 GetObject Body); called at most twice per attempt (once more when a stale resume starts over). */
  open: () => Promise<Readable>;
}

export interface IngestResult { itemId: string; vid: string }

/** What {@link ingestObject} uses. */
export type IngestDeps = StepDeps<'store' | 'bus' | 'log', 'upload' | 'commitUpload'>;

/**
 * Ingests one object version: item 'uploading' -> (stream into VOD, CommitUpload with the S3 key in CallbackArgs)
 * -> 'committed' with its Vid -> 'UploadCommitted' on the bus. Once per bucket+key+version: the item is the step's
 * idempotency record, claimed by one conditional write for as long as the Lambda may run (`ItemStore.claim`); a
 * delivery that finds the lease held by another throws `ItemInProgressError` (retried later); after a failure (item
 * 'failed' with the reason) a retry runs again; an item that already has its Vid is not uploaded twice, only
 * announced again while it is 'committed' (the announcement may have been lost; past it, the next step has it).
 * The object's GET is sent with the claim, not after it (one round trip less); a delivery that does not upload
 * closes it unread.
 *
 * Resumable: a multipart upload records its checkpoint on the item after init and as parts are stored; a
 * later delivery (Lambda retry after a timeout, crash or part failures beyond the client's retries) continues it:
 * the upload host lists the stored parts, only missing parts or parts whose CRC32 differs from the source's are
 * sent, and the completion names every part's CRC32, so a file whose CRCs do not match is never committed. Bytes
 * already complete are committed without being sent again. A checkpoint the upload host no longer knows (expired
 * or unknown upload) is dropped and the upload starts over.
 */
export async function ingestObject(deps: IngestDeps, req: IngestRequest, context?: LeaseContext): Promise<IngestResult> {
  const id = s3ItemId(req.bucket, req.key, req.version);
  const callbackArgs = encodeCallbackArgs({ itemId: id, bucket: req.bucket, key: req.key });
  // The object's GET goes out while the item is claimed, so that the claim's round trip is not added to it; a
  // delivery that loses the claim (or finds the bytes already stored) closes it unread.
  const early = earlyOpen(req);
  let claim: Awaited<ReturnType<IngestDeps['store']['claim']>>;
  try {
    claim = await preparing(deps, deps.store.claim(id, 'uploading', {
      leaseMs: leaseMs(context), create: { source: 's3', spaceName: req.spaceName, bucket: req.bucket, key: req.key, size: req.size },
    }));
  } catch (err) {
    early.drop();
    throw err;
  }
  let vid: string;
  if (claim.claimed) {
    try {
      const sessionKey = await store(deps, id, req, claim.before?.checkpoint, early);
      const commit = await deps.vod.commitUpload({
        SpaceName: req.spaceName, SessionKey: sessionKey, CallbackArgs: callbackArgs, Functions: req.functions,
      });
      const committed = commit.Results[0]?.Vid;
      if (!committed) throw new Error('CommitUpload returned no Vid');
      vid = committed;
      await deps.store.advance(id, 'committed', { vid });
    } catch (err) {
      early.drop();
      await recordFailure(deps, id, claim.leaseUntil, err);
      throw err;
    }
    deps.log.info('ingest committed', { itemId: id, vid });
  } else {
    early.drop();
    const item = claim.item;
    if (!item || !hasVid(item)) throw new ItemInProgressError(id, 'uploaded', item?.leaseUntil);
    if (stageOf(item) !== 'committed') return { itemId: id, vid: item.vid };
    vid = item.vid;
  }
  await deps.bus.emit('UploadCommitted', { vid, spaceName: req.spaceName, itemId: id, callbackArgs });
  return { itemId: id, vid };
}

/**
 * Records the failed attempt (which ends the lease); if that write fails too, ends at least this delivery's lease,
 * so that the retry runs at once instead of meeting it until it runs out (up to the Lambda's 15 minutes).
 */
async function recordFailure(deps: IngestDeps, id: string, leaseUntil: string, err: unknown): Promise<void> {
  try {
    await deps.store.fail(id, 'uploading', reasonOf(err));
  } catch (recordErr) {
    deps.log.warn('ingest failure not recorded', { itemId: id, reason: reasonOf(recordErr) });
    await deps.store.releaseLease(id, leaseUntil).catch(() => undefined);
  }
  deps.log.warn('ingest failed', { itemId: id, reason: reasonOf(err) });
}

/**
 * Stores the object's bytes on the upload host, resuming `checkpoint` when there is one; returns the SessionKey.
 * The item's checkpoint says `stored` once they are complete (a direct upload's only checkpoint already does).
 */
async function store(deps: IngestDeps, id: string, req: IngestRequest, checkpoint: IngestCheckpoint | undefined, early: EarlyOpen): Promise<string> {
  if (checkpoint?.stored) {
    early.drop();
    return checkpoint.sessionKey;
  }
  let last: IngestCheckpoint | undefined = checkpoint;
  const save = async (cp: { host: string; storeUri: string; auth: string; headers?: Record<string, string>; sessionKey: string; uploadId: string; partSize: number; parts: unknown[] }): Promise<void> => {
    last = {
      host: cp.host, storeUri: cp.storeUri, auth: cp.auth, sessionKey: cp.sessionKey, uploadId: cp.uploadId, partSize: cp.partSize,
      partsStored: cp.parts.length, ...(cp.headers && Object.keys(cp.headers).length > 0 ? { headers: cp.headers } : {}),
      // a direct upload reports its checkpoint once its bytes are stored
      ...(cp.uploadId === '' ? { stored: true } : {}),
    };
    await deps.store.saveCheckpoint(id, last);
  };
  const upload = async (resume: IngestCheckpoint | undefined): Promise<string> => {
    // opened before ApplyUpload goes out: an object that is gone costs the service no upload session
    const body = await early.open();
    const out = await deps.vod.upload({
      spaceName: req.spaceName, fileType: 'video', body, size: req.size, onCheckpoint: save,
      ...(resume ? { resume: { host: resume.host, storeUri: resume.storeUri, auth: resume.auth, sessionKey: resume.sessionKey, uploadId: resume.uploadId, partSize: resume.partSize, ...(resume.headers ? { headers: resume.headers } : {}) } } : {}),
    });
    // the bytes are complete: a failed CommitUpload is retried without sending them again
    if (last && last.sessionKey === out.sessionKey && !last.stored) await deps.store.saveCheckpoint(id, { ...last, stored: true });
    return out.sessionKey;
  };
  if (!checkpoint) return upload(undefined);
  deps.log.info('ingest resuming upload', { itemId: id, uploadId: checkpoint.uploadId, partsStored: checkpoint.partsStored });
  try {
    return await upload(checkpoint);
  } catch (err) {
    if (!isStale(err)) throw err;
    deps.log.warn('ingest checkpoint stale, starting over', { itemId: id, reason: reasonOf(err) });
    await deps.store.saveCheckpoint(id, undefined);
    last = undefined;
    return upload(undefined);
  }
}

/** The object opened before its claim is known: taken once by the upload, or closed unread. */
interface EarlyOpen {
  /** The early opening the first time; later calls open the object anew (a stale resume starts over). */
  open: () => Promise<Readable>;
  /** Closes the early opening unless it was taken. */
  drop: () => void;
}

function earlyOpen(req: IngestRequest): EarlyOpen {
  let opening: Promise<Readable> | undefined = req.open();
  // its failure is met by the upload that takes it, or not at all when it is dropped
  opening.catch(() => {});
  return {
    open: () => {
      const first = opening;
      opening = undefined;
      return first ?? req.open();
    },
    drop: () => {
      opening?.then((body) => body.destroy(), () => {});
      opening = undefined;
    },
  };
}

/** The upload host no longer knows the upload or its authorization (404 NoSuchUpload/NoSuchKey, 401/403, 409 committed). */
function isStale(err: unknown): boolean {
  const e = err as { name?: unknown; httpStatus?: unknown; action?: unknown } | null;
  if (e?.name !== 'VodError' || typeof e.httpStatus !== 'number') return false;
  return [401, 403, 404, 409].includes(e.httpStatus) && e.action !== 'CommitUpload';
}

/** True when the item already reached 'committed' (or failed after it): its video exists. */
function hasVid(item: Item): item is Item & { vid: string } {
  const at = stageOf(item);
  return item.vid !== undefined && at !== undefined && FORWARD_STATES.indexOf(at) >= FORWARD_STATES.indexOf('committed');
}
