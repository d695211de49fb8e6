import type { Readable } from 'node:stream';
import { encodeCallbackArgs } from './callback-args.ts';
import type { LeaseContext, StepDeps } from './deps.ts';
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
export type IngestDeps = StepDeps<'store' | 'bus' | 'once' | 'log', 'upload' | 'commitUpload'>;

/**
 * Ingests one object version: item 'received' -> 'uploading' -> (stream into VOD, CommitUpload with the S3 key in
 * CallbackArgs) -> 'committed' with its Vid -> 'UploadCommitted' on the bus. Once per bucket+key+version: a
 * repeated delivery returns the first result; after a failure (item 'failed' with the reason) a retry runs again,
 * and an item that already has its Vid is not uploaded twice, only announced again.
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
  return deps.once.run('ingest', id, async () => {
    // a new item starts 'uploading' (one write); an existing one is a retry, moved there unless it has its Vid
    const { changed: created, item } = await deps.store.create({
      id, source: 's3', spaceName: req.spaceName, bucket: req.bucket, key: req.key, size: req.size, state: 'uploading',
    });
    const callbackArgs = encodeCallbackArgs({ itemId: id, bucket: req.bucket, key: req.key });
    let vid = item && hasVid(item) ? item.vid : undefined;
    if (vid === undefined) {
      if (!created) await deps.store.advance(id, 'uploading');
      try {
        const sessionKey = await store(deps, id, req, item?.checkpoint);
        const commit = await deps.vod.commitUpload({
          SpaceName: req.spaceName, SessionKey: sessionKey, CallbackArgs: callbackArgs, Functions: req.functions,
        });
        vid = commit.Results[0]?.Vid;
        if (!vid) throw new Error('CommitUpload returned no Vid');
        await deps.store.advance(id, 'committed', { vid });
      } catch (err) {
        await deps.store.fail(id, 'uploading', reasonOf(err));
        deps.log.warn('ingest failed', { itemId: id, reason: reasonOf(err) });
        throw err;
      }
      deps.log.info('ingest committed', { itemId: id, vid });
    }
    await deps.bus.emit('UploadCommitted', { vid, spaceName: req.spaceName, itemId: id, callbackArgs });
    return { itemId: id, vid };
  }, context);
}

/**
 * Stores the object's bytes on the upload host, resuming `checkpoint` when there is one; returns the SessionKey.
 * The item's checkpoint says `stored` once they are complete (a direct upload's only checkpoint already does).
 */
async function store(deps: IngestDeps, id: string, req: IngestRequest, checkpoint: IngestCheckpoint | undefined): Promise<string> {
  if (checkpoint?.stored) return checkpoint.sessionKey;
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
    const body = await req.open();
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
