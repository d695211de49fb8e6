import type { Readable } from 'node:stream';
import { encodeCallbackArgs } from './callback-args.ts';
import type { LeaseContext, PipelineDeps } from './deps.ts';
import { s3ItemId, type Item } from './item.ts';
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
  /** Opens the object's bytes as a stream (S3 GetObject Body); called at most once per attempt. */
  open: () => Promise<Readable>;
}

export interface IngestResult { itemId: string; vid: string }

/**
 * Ingests one object version: item 'received' -> 'uploading' -> (stream into VOD, CommitUpload with the S3 key in
 * CallbackArgs) -> 'committed' with its Vid -> 'UploadCommitted' on the bus. Once per bucket+key+version: a
 * repeated delivery returns the first result; after a failure (item 'failed' with the reason) a retry runs again,
 * and an item that already has its Vid is not uploaded twice, only announced again.
 */
export async function ingestObject(deps: PipelineDeps, req: IngestRequest, context?: LeaseContext): Promise<IngestResult> {
  const id = s3ItemId(req.bucket, req.key, req.version);
  return deps.once.run('ingest', id, async () => {
    const { item } = await deps.store.create({ id, source: 's3', spaceName: req.spaceName, bucket: req.bucket, key: req.key, size: req.size });
    const callbackArgs = encodeCallbackArgs({ itemId: id, bucket: req.bucket, key: req.key });
    let vid = item && hasVid(item) ? item.vid : undefined;
    if (vid === undefined) {
      await deps.store.advance(id, 'uploading');
      try {
        const body = await req.open();
        const upload = await deps.vod.upload({ spaceName: req.spaceName, fileType: 'video', body, size: req.size });
        const commit = await deps.vod.commitUpload({
          SpaceName: req.spaceName, SessionKey: upload.sessionKey, CallbackArgs: callbackArgs, Functions: req.functions,
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

/** True when the item already reached 'committed' (or failed after it): its video exists. */
function hasVid(item: Item): item is Item & { vid: string } {
  const at = item.state === 'failed' ? item.failedFrom : item.state;
  return item.vid !== undefined && at !== undefined && FORWARD_STATES.indexOf(at as never) >= FORWARD_STATES.indexOf('committed');
}
