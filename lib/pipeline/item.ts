import type { ForwardState, ItemState } from './states.ts';

/** One unit of pipeline work (an S3 object or a URL upload job), as stored in ITEMS_TABLE. */
export interface Item {
  /** `s3:{bucket}/{key}@{versionId|etag}`, `url:{jobId}` or `vid:{vid}` (a video committed outside the pipeline). */
  id: string;
  source: 's3' | 'url' | 'vid';
  state: ItemState;
  spaceName: string;
  vid?: string;
  runId?: string;
  jobId?: string;
  sourceUrl?: string;
  bucket?: string;
  key?: string;
  size?: number;
  /** Set while `state` is 'failed': the state the failing step started from. */
  failedFrom?: ForwardState;
  /** Why the last attempt failed (kept after a later success, for the record). */
  reason?: string;
  /** Failed attempts so far. */
  attempts: number;
  /** Times `reconcile` drove this item on. */
  reconciled?: number;
  createdAt: string;
  updatedAt: string;
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
