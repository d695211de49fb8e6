import type { Readable } from 'node:stream';

/**
 * The part of `VodClient` (#lib/vod) the pipeline uses. Structural, so tests may pass the real client (against
 * the emulator) or a recording fake.
 */
export interface PipelineVod {
  upload(opts: { spaceName: string; fileType: 'video'; body: Readable; size?: number }): Promise<{ sessionKey: string }>;
  commitUpload(p: {
    SpaceName: string; SessionKey: string; CallbackArgs?: string; Functions?: ReadonlyArray<{ Name: string; Input?: Record<string, unknown> }>;
  }): Promise<{ Results: Array<{ Vid?: string }> }>;
  startTranscode(p: { TemplateId: string; Vid: string; CallbackArgs?: string }): Promise<{ RunId: string }>;
  setVideoPublishStatus(p: { SpaceName: string; Vid: string; Status: 'Published' | 'Unpublished' }): Promise<unknown>;
  queryUploadTaskInfo(p: { JobIds: readonly string[] }): Promise<{
    Data: { MediaInfoList: Array<{ JobId: string; State: string; Vid: string; SpaceName: string }>; NotExistJobIds?: string[] | null };
  }>;
  getPlayInfo(p: { video_id: string }): Promise<{ Data: { PlayInfoList?: unknown[] | null } }>;
}

/** Where steps report what they did (the Powertools logger in Lambda; a recorder in tests). */
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
