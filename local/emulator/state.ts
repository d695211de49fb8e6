import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';

export type FileType = 'video' | 'image' | 'object';

/** A stored object (the bytes live in the blob store under `blob`). */
export interface StoredObject {
  uri: string; space: string; fileType: FileType; blob: string;
  size: number; md5: string; crc32: number; createdAt: string;
  format: string; width: number; height: number; duration: number; codec: string; audioCodec: string;
}

export interface StoreInfo { storeUri: string; auth: string }

export interface UploadSession {
  sessionKey: string; space: string; fileType: FileType; storeInfos: StoreInfo[]; createdAt: string;
  /** CommitUpload result once committed (a repeated commit answers it again). */
  committed?: unknown;
}

export interface Multipart {
  uploadId: string; storeUri: string; createdAt: string;
  parts: Record<string, { crc32: number; size: number; blob: string }>;
}

export interface Rendition {
  definition: string; width: number; height: number; bitrate: number; fileId: string;
}

export type VideoState = 'uploaded' | 'transcoding' | 'transcoded';

export interface Video {
  vid: string; space: string; uri: string; createdAt: string;
  state: VideoState; publishStatus: 'Published' | 'Unpublished';
  title: string; description: string; category: string; tags: string[]; posterUri: string;
  renditions: Rendition[];
  transcode?: { runId: string; templateId: string; startedAt: string; callbackArgs: string; callbackUri: string };
}

export interface UrlJob {
  jobId: string; sourceUrl: string; space: string; state: 'initial' | 'processing' | 'success' | 'failed';
  callbackArgs: string; vid: string; message: string; md5: string; templateId: string;
  title: string; description: string; category: string; tags: string[]; fileName: string; createdAt: string;
}

export interface State {
  version: 1;
  /** Secret of the play-URL signatures (generated once, persisted). */
  playSecret: string;
  sessions: Record<string, UploadSession>;
  /** storeUri -> session key, for the upload host. */
  uploads: Record<string, string>;
  objects: Record<string, StoredObject>;
  multiparts: Record<string, Multipart>;
  videos: Record<string, Video>;
  jobs: Record<string, UrlJob>;
}

export function emptyState(playSecret: string): State {
  return { version: 1, playSecret, sessions: {}, uploads: {}, objects: {}, multiparts: {}, videos: {}, jobs: {} };
}

/**
 * Holds the state; with a directory, writes it as `state.json` atomically (temp file, fsync, rename),
 * coalescing writes so that a burst of mutations costs one write.
 */
export class StateStore {
  private writing: Promise<void> = Promise.resolve();
  private pending: Promise<void> | null = null;

  private constructor(readonly state: State, private readonly dir: string | undefined) {}

  static async open(dir: string | undefined, playSecret: string): Promise<StateStore> {
    if (!dir) return new StateStore(emptyState(playSecret), undefined);
    await mkdir(dir, { recursive: true });
    let state = emptyState(playSecret);
    try {
      const parsed = JSON.parse(await readFile(join(dir, 'state.json'), 'utf8')) as State;
      if (parsed && parsed.version === 1) state = { ...emptyState(parsed.playSecret || playSecret), ...parsed };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`cannot read ${join(dir, 'state.json')}: ${(e as Error).message}`);
    }
    return new StateStore(state, dir);
  }

  /** Persists the current state; resolves once a write that includes every mutation so far is on disk. */
  save(): Promise<void> {
    if (!this.dir) return Promise.resolve();
    if (this.pending) return this.pending;
    const dir = this.dir;
    this.pending = this.writing.then(async () => {
      this.pending = null;
      const tmp = join(dir, `state.json.${process.pid}.tmp`);
      const fh = await open(tmp, 'w');
      try {
        await fh.writeFile(JSON.stringify(this.state));
        await fh.sync();
      } finally { await fh.close(); }
      await rename(tmp, join(dir, 'state.json'));
    });
    this.writing = this.pending.catch(() => undefined);
    return this.pending;
  }

  async flush(): Promise<void> { await this.writing; }
}
