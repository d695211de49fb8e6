/** Source of every event this bundle puts on the bus. */
export const EVENT_SOURCE = 'vod-serverless';

/** detail-type 'UploadCommitted': a video exists (CommitUpload done, or the service says a URL upload finished). */
export interface UploadCommittedDetail {
  vid: string; spaceName: string; itemId?: string; callbackArgs?: string;
  /** Set by reconcile when it starts again a transcode whose StartTranscode was never answered: the n-th restart. */
  restart?: number;
}

/**
 * detail-type 'TranscodeCompleted': the service finished a transcode run (code 'Success' or an error code).
 * `runId` is '' when reconcile found the renditions of a run whose StartTranscode was never answered. `itemId`
 * (from the run's CallbackArgs, or reconcile's item) names the item, so publish need not look it up by Vid on an
 * eventually consistent index, which may not show a Vid recorded a moment before.
 */
export interface TranscodeCompletedDetail { vid: string; runId: string; spaceName: string; code: string; itemId?: string }

/** The bus events, by detail-type. */
export interface PipelineEvents {
  UploadCommitted: UploadCommittedDetail;
  TranscodeCompleted: TranscodeCompletedDetail;
}
