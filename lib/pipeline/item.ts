import type { UploadCheckpoint } from './ports.ts';
import type { ForwardState, ItemState } from './states.ts';

/**
 * How far the multipart upload of an S3 ingest got, kept on the item while it is 'uploading' (or failed from
 * there) so the next delivery resumes it. `stored` = the bytes are complete on the upload host (CommitUpload
 * with `sessionKey` is what remains). Holds the upload credential: item-status never shows it (see `publicItem`).
 */
export interface IngestCheckpoint extends UploadCheckpoint { partsStored: number; stored?: boolean }

/** One unit of pipeline work (an S3 object or a URL upload job), as stored in ITEMS_TABLE. */
export interface Item {
  /** `s3:{bucket}/{key}@{versionId|etag}`, `url:{jobId}` or `vid:{vid}` (a video committed outside the pipeline). */
  id: string;
  source: 's3' | 'url' | 'vid';
  state: ItemState;
  spaceName: string;
  vid?: string;
  runId?: string;
  /**
   * When a StartTranscode was requested whose answer (the RunId) is not recorded: set before the call is sent,
   * removed with the RunId or when the service refused it. While set, the run may or may not exist (no answer, a
   * failed write, a Lambda that died), so the pipeline waits for its callback or renditions instead of starting
   * another; reconcile starts again only when neither comes.
   */
  transcodeRequestedAt?: string;
  /**
   * While set and not past, a delivery holds the item: ingest uploading it, publish publishing it (each once per
   * item: see `ItemStore.claim`); as long as the Lambda that took it may still run. Ends with the step's next move.
   */
  leaseUntil?: string;
  /** Times reconcile started the transcode again after such an unanswered StartTranscode. */
  transcodeRestarts?: number;
  jobId?: string;
  sourceUrl?: string;
  bucket?: string;
  key?: string;
  size?: number;
  /**
   * Set while `state` is 'failed': the state the failing step started from. Failed from 'transcoding' = the
   * service's run failed: final, it waits for a human (reconcile leaves it alone, transcode-on-commit starts no
   * other run); from another state, reconcile drives on what it can (see reconcile.ts) until `attempts` reaches its maxAttempts.
   */
  failedFrom?: ForwardState;
  /** Why the last attempt failed (kept after a later success, for the record). */
  reason?: string;
  /** Failed attempts so far. */
  attempts: number;
  /** Resumable state of an S3 ingest's multipart upload (removed once committed). Secret: holds `auth`. */
  checkpoint?: IngestCheckpoint;
  /** Times `reconcile` drove this item on. */
  reconciled?: number;
  createdAt: string;
  updatedAt: string;
}

/** The forward state the item is at: its state, or for a failed item the state it failed from. */
export function stageOf(item: Pick<Item, 'state' | 'failedFrom'>): ForwardState | undefined {
  return item.state === 'failed' ? item.failedFrom : item.state;
}

/**
 * What anyone may see of an item (item-status is a public route): no upload credential (upload progress kept), and
 * the source URL without user info, query or fragment, where a presigned URL carries its credentials.
 */
export type PublicItem = Omit<Item, 'checkpoint'> & { upload?: { uploadId: string; partSize: number; partsStored: number; stored: boolean } };

/** The item without its secret parts, for HTTP answers and logs. */
export function publicItem(item: Item): PublicItem {
  const { checkpoint, sourceUrl, ...rest } = item;
  const out: PublicItem = sourceUrl === undefined ? rest : { ...rest, sourceUrl: publicUrl(sourceUrl) };
  if (!checkpoint) return out;
  return { ...out, upload: { uploadId: checkpoint.uploadId, partSize: checkpoint.partSize, partsStored: checkpoint.partsStored, stored: checkpoint.stored === true } };
}

/** `{origin}{path}` of a URL: no user info, query or fragment (`[unparsable URL]` if it is not one). */
export function publicUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return '[unparsable URL]';
  }
}

/** The id of the item for one version of an S3 object (version id if versioned, else the ETag without quotes). */
export function s3ItemId(bucket: string, key: string, versionOrEtag: string): string {
  return `s3:${bucket}/${key}@${versionOrEtag.replace(/"/g, '')}`;
}

/** The id of the item of a URL upload job. */
export function urlItemId(jobId: string): string {
  return `url:${jobId}`;
}

/** The id of the item made for a video that reached the pipeline without one (committed elsewhere). */
export function vidItemId(vid: string): string {
  return `vid:${vid}`;
}
