import type { Readable } from 'node:stream';

/**
 * Where an interrupted multipart upload stands (lib/vod's UploadCheckpoint without the part list: the upload
 * host lists the stored parts on resume). `auth` is the upload host's credential: a secret.
 */
export interface UploadCheckpoint {
  host: string;
  storeUri: string;
  auth: string;
  headers?: Record<string, string>;
  sessionKey: string;
  uploadId: string;
  partSize: number;
}

/**
 * The part of `VodClient` (#lib/vod) the pipeline uses. Structural, so tests may pass the real client (against
 * the emulator) or a recording fake.
 */
export interface PipelineVod {
  upload(opts: {
    spaceName: string; fileType: 'video'; body: Readable; size?: number;
    resume?: Omit<UploadCheckpoint, 'parts'>;
    onCheckpoint?: (checkpoint: UploadCheckpoint & { parts: unknown[] }) => void | Promise<void>;
  }): Promise<{ sessionKey: string }>;
  commitUpload(p: {
    SpaceName: string; SessionKey: string; CallbackArgs?: string; Functions?: ReadonlyArray<{ Name: string; Input?: Record<string, unknown> }>;
  }): Promise<{ Results: Array<{ Vid?: string }> }>;
  startTranscode(p: { TemplateId: string; Vid: string; CallbackArgs?: string }): Promise<{ RunId: string }>;
  setVideoPublishStatus(p: { SpaceName: string; Vid: string; Status: 'Published' | 'Unpublished' }): Promise<unknown>;
  queryUploadTaskInfo(p: { JobIds: readonly string[] }): Promise<{
    Data: { MediaInfoList: Array<{ JobId: string; State: string; Vid: string; SpaceName: string }>; NotExistJobIds?: string[] | null };
  }>;
  /** `Data.Status` is 10 for a published video. */
  getPlayInfo(p: { video_id: string }): Promise<{ Data: { Status?: number; PlayInfoList?: unknown[] | null } }>;
}

/** Where steps report what they did (the redacting JSON logger of #lib/http in Lambda; a recorder in tests). */
export interface StepLog {
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
}

/** Discards step logs. */
export const silentLog: StepLog = { info() {}, warn() {} };

/** The message of anything thrown, for an item's `reason` (never a serialised error object). */
export function reasonOf(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return `${err.name}${typeof code === 'string' && code ? ` ${code}` : ''}: ${err.message}`;
  }
  return String(err);
}
