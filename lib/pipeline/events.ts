/** Source of every event this bundle puts on the bus. */
export const EVENT_SOURCE = 'vod-serverless';

/** detail-type 'UploadCommitted': a video exists (CommitUpload done, or the service says a URL upload finished). */
export interface UploadCommittedDetail { vid: string; spaceName: string; itemId?: string; callbackArgs?: string }

/** detail-type 'TranscodeCompleted': the service finished a transcode run (code 'Success' or an error code). */
export interface TranscodeCompletedDetail { vid: string; runId: string; spaceName: string; code: string }

/** The bus events, by detail-type. */
export interface PipelineEvents {
  UploadCommitted: UploadCommittedDetail;
  TranscodeCompleted: TranscodeCompletedDetail;
}
