import { openBody, type OpenedBody, type UploadBody } from './body.ts';
import { crc32Hex, sameCrc32 } from './crc.ts';
import { VodError } from './errors.ts';
import { completeMultipart, initMultipart, listParts, putObject, uploadPart, type StoreContext, type StoredPart, type StoreTarget } from './multipart.ts';
import { BufferPool, bytesParts, streamParts, type Part } from './parts.ts';
import { applyUpload } from './actions.ts';
import type { ApiContext } from './request.ts';
import type { ApplyUploadParams, ApplyUploadResult, FileType } from './types.ts';

const MiB = 1 << 20;
/** Smallest part the upload host accepts (except the last). */
export const MIN_PART_SIZE = 5 * MiB;
/** Part size when neither the caller nor ApplyUpload's SliceSize says otherwise. */
export const DEFAULT_PART_SIZE = 8 * MiB;
/** Most parts of one multipart upload. */
export const MAX_PARTS = 10_000;
/** Part size for a large body of known size when the caller gives none: 3 x fewer requests than 5 MiB parts. */
export const LARGE_PART_SIZE = 16 * MiB;
/**
 * Part buffers of a streaming upload (partSize x (parallel + 1)) stay within this when the part size is chosen here:
 * 10 MiB parts at parallel 3 (16 MiB parts measured 169-171 MiB peak RSS in the ingest bench, over its 160 MiB target).
 */
export const PART_MEMORY = 40 * MiB;

/**
 * Everything needed to continue an interrupted multipart upload (persist it from `onCheckpoint`). `auth` is the
 * upload host's authorization: store the checkpoint as a secret. `parts` are the parts known stored. A direct
 * (single PUT) upload reports one checkpoint, with `uploadId` '', once its bytes are stored.
 */
export interface UploadCheckpoint extends StoreTarget {
  sessionKey: string;
  uploadId: string;
  partSize: number;
  parts: StoredPart[];
}

export interface UploadOptions {
  spaceName: string;
  fileType: FileType;
  body: UploadBody;
  /** Byte size of a stream body when known (a Buffer's or file's size is known anyway); checked at the end. */
  size?: number;
  /**
   * Default: ApplyUpload's `AdvanceOption.SliceSize` when at least 5 MiB, else 8 MiB; for a body of known size,
   * raised up to 16 MiB (at least 16 parts; partSize x (parallel + 1) <= 40 MiB: 10 MiB at parallel 3) and to fit 10000 parts.
   */
  partSize?: number;
  /** Parts in flight at once (default 3). Memory in use is about partSize x (parallel + 1). */
  parallel?: number;
  /** Timeout of each upload-host request, e.g. one part (default 120 s). */
  partTimeoutMs?: number;
  /** Called after each stored part (and after a direct PUT) with the bytes stored so far. */
  onProgress?: (bytesSent: number, total: number | undefined) => void;
  /** Continue this multipart upload (skips ApplyUpload; parts listed as stored with our CRC32 are not resent). */
  resume?: Omit<UploadCheckpoint, 'parts'> & { parts?: StoredPart[] };
  /**
   * Called with what `resume` needs: after init (awaited before any part is sent), then as parts are stored, one
   * call at a time while the next parts are sent (a slow store never holds a part's buffer or slot). Parts stored
   * while a call is running are written together by the next call, so every call has the latest state and at most
   * one is pending; the upload completes, or fails, only once the latest state is written. A call that throws fails
   * the upload.
   */
  onCheckpoint?: (checkpoint: UploadCheckpoint) => void | Promise<void>;
}

export interface UploadResult {
  sessionKey: string;
  storeUri: string;
  size: number;
  mode: 'direct' | 'multipart';
  /** CRC32 of the whole body (direct mode). */
  crc32?: string;
  uploadId?: string;
  parts?: StoredPart[];
}

/** What {@link upload} needs from the client. */
export interface UploadDeps {
  applyUpload: (params: ApplyUploadParams) => Promise<ApplyUploadResult>;
  store: Omit<StoreContext, 'timeoutMs' | 'signal'>;
}

/**
 * {@link upload} over an API context: ApplyUpload through it, the upload host on the API's scheme, its transport and
 * retries. What VodClient.upload runs, and what a function that uploads without the whole client calls.
 * @example const { sessionKey } = await uploadTo(api)({ spaceName: 'demo', fileType: 'video', body: stream, size });
 */
export function uploadTo(api: ApiContext): (opts: UploadOptions) => Promise<UploadResult> {
  const store = { scheme: api.origin.startsWith('http:') ? 'http:' as const : 'https:' as const, fetch: api.fetch, retry: api.retry };
  return (opts) => upload({ applyUpload: (p) => applyUpload(api, p), store }, opts);
}

/**
 * Stores a body on the upload host (protocol section 5): ApplyUpload, then one direct PUT when the body fits in
 * one part, else a gateway multipart upload with `parallel` parts in flight, per-part CRC32, retries and
 * timeouts. Streams are read part by part: memory stays about partSize x (parallel + 1), never the whole body.
 * The result's `sessionKey` is what CommitUpload needs.
 *
 * @example
 * const { sessionKey } = await upload(deps, { spaceName: 'demo', fileType: 'video', body: '/tmp/a.mp4' });
 */
export async function upload(deps: UploadDeps, opts: UploadOptions): Promise<UploadResult> {
  let opened: OpenedBody;
  try {
    opened = await openBody(opts.body, opts.size);
  } catch (err) {
    throw sourceError(err);
  }
  let iterator: AsyncIterator<Part> | undefined;
  try {
    // the caller's options, before any request (a bad one closes the opened body, as any failure does)
    const { parallel, partTimeoutMs } = checkOptions(opts);
    const total = opened.size;
    let target: StoreTarget;
    let sessionKey: string;
    let partSize: number;
    if (opts.resume) {
      ({ sessionKey, partSize } = opts.resume);
      target = { host: opts.resume.host, storeUri: opts.resume.storeUri, auth: opts.resume.auth, ...(opts.resume.headers ? { headers: opts.resume.headers } : {}) };
    } else {
      const applied = await deps.applyUpload({ SpaceName: opts.spaceName, FileType: opts.fileType, ...(total !== undefined ? { FileSize: total } : {}) });
      const address = applied?.UploadAddress;
      const store = address?.StoreInfos?.[0];
      const host = address?.UploadHosts?.[0];
      if (!store || !host || !address.SessionKey) {
        throw new VodError({ code: 'InvalidResponse', message: 'ApplyUpload: reply without StoreInfos, UploadHosts or SessionKey', action: 'ApplyUpload' });
      }
      target = { host, storeUri: store.StoreUri, auth: store.Auth, ...(address.UploadHeader ? { headers: address.UploadHeader } : {}) };
      sessionKey = address.SessionKey;
      partSize = choosePartSize(opts.partSize, address.AdvanceOption?.SliceSize, total, parallel);
    }
    const ctx: StoreContext = { ...deps.store, timeoutMs: partTimeoutMs };
    const pool = new BufferPool(partSize, parallel + 1);
    const parts = 'bytes' in opened ? bytesParts(opened.bytes, partSize) : streamParts(opened.chunks, partSize, pool);
    iterator = Symbol.asyncIterator in parts ? parts[Symbol.asyncIterator]() : toAsync(parts);
    const first = await nextPart(iterator);
    if (!first) throw new Error('unreachable: a body has at least one part');
    // a checkpoint without uploadId is a direct upload's: resuming it PUTs the body again (a PUT replaces)
    if (first.last && !opts.resume?.uploadId) {
      const data = first.data;
      checkSize(total, data.byteLength);
      const crc32 = first.crc32 ?? crc32Hex(data);
      await putObject(ctx, target, data, crc32);
      opts.onProgress?.(data.byteLength, total);
      // the bytes are stored: report it as a multipart upload reports its parts, so that a caller who persists
      // checkpoints commits this session after a lost CommitUpload answer instead of uploading (and committing) again
      await opts.onCheckpoint?.({ ...target, sessionKey, uploadId: '', partSize, parts: [] });
      return { sessionKey, storeUri: target.storeUri, size: data.byteLength, mode: 'direct', crc32 };
    }
    return await multipart(ctx, target, sessionKey, partSize, parallel, total, first, iterator, opts);
  } finally {
    await iterator?.return?.();
    if ('close' in opened) opened.close(); // also when no part was read (ApplyUpload failed): no fd or socket left open
  }
}

/** An upload option or body the caller got wrong. */
function invalid(message: string): VodError {
  return new VodError({ code: 'InvalidParameter', message, action: 'Upload' });
}

/** The upload's own options, checked before any request: a NaN `parallel` would otherwise hang the upload. */
function checkOptions(opts: UploadOptions): { parallel: number; partTimeoutMs: number } {
  const parallel = opts.parallel ?? 3;
  if (!Number.isInteger(parallel) || parallel < 1) throw invalid(`parallel must be an integer of at least 1, got ${parallel}`);
  const partTimeoutMs = opts.partTimeoutMs ?? 120_000;
  if (typeof partTimeoutMs !== 'number' || !(partTimeoutMs > 0)) throw invalid(`partTimeoutMs must be a number of ms above 0, got ${partTimeoutMs}`);
  if (opts.size !== undefined && (!Number.isSafeInteger(opts.size) || opts.size < 0)) throw invalid(`size must be a non-negative integer, got ${opts.size}`);
  if (opts.partSize !== undefined && (!Number.isInteger(opts.partSize) || opts.partSize < MIN_PART_SIZE)) {
    throw invalid(`partSize must be an integer of at least ${MIN_PART_SIZE} bytes`);
  }
  return { parallel, partTimeoutMs };
}

/** The next part, or undefined at the end; a failure to read the body (a reset S3 stream) is a `SourceError`. */
async function nextPart(parts: AsyncIterator<Part>): Promise<Part | undefined> {
  try {
    const r = await parts.next();
    return r.done ? undefined : r.value;
  } catch (err) {
    throw sourceError(err);
  }
}

function sourceError(err: unknown): VodError {
  if (err instanceof VodError) return err;
  const detail = err instanceof Error ? err.message : String(err);
  return new VodError({ code: 'SourceError', message: `Upload: reading the body failed: ${detail}`, action: 'Upload', cause: err });
}

function choosePartSize(requested: number | undefined, slice: number | undefined, total: number | undefined, parallel: number): number {
  let size = requested ?? (slice !== undefined && slice >= MIN_PART_SIZE ? slice : DEFAULT_PART_SIZE);
  // A large body of known size: bigger parts (fewer requests), keeping at least 16 parts so that reading and
  // sending overlap, and partSize x (parallel + 1) within PART_MEMORY. A resumed upload keeps its checkpoint's size.
  if (requested === undefined && total !== undefined) {
    const cap = Math.min(LARGE_PART_SIZE, Math.floor(PART_MEMORY / (parallel + 1) / MiB) * MiB);
    const wanted = Math.min(cap, Math.floor(total / 16 / MiB) * MiB);
    if (wanted > size) size = wanted;
  }
  if (total !== undefined && Math.ceil(total / size) > MAX_PARTS) size = Math.ceil(total / MAX_PARTS / MiB) * MiB;
  return size;
}

function checkSize(expected: number | undefined, actual: number): void {
  if (expected !== undefined && expected !== actual) {
    throw invalid(`body has ${actual} bytes but size says ${expected}`);
  }
}

async function* toAsync<T>(it: Iterator<T>): AsyncGenerator<T> {
  for (let r = it.next(); !r.done; r = it.next()) yield r.value;
}

async function multipart(
  base: StoreContext, target: StoreTarget, sessionKey: string, partSize: number, parallel: number, total: number | undefined,
  first: Part, rest: AsyncIterator<Part>, opts: UploadOptions,
): Promise<UploadResult> {
  const abort = new AbortController();
  const ctx: StoreContext = { ...base, signal: abort.signal };
  const resumed = opts.resume?.uploadId;
  const uploadId = resumed || (await initMultipart(ctx, target));
  const stored = new Map((resumed ? await listParts(ctx, target, uploadId) : []).map((p) => [p.partNumber, p.crc32]));
  const done: StoredPart[] = [];
  let sent = 0;
  let size = 0;
  const inflight = new Set<Promise<void>>();
  let failure: unknown;
  // One checkpoint writer: a request while a write runs marks the state dirty, and the writer writes the latest
  // state when the running write ends (bounded memory and writes however slow the store). A failed write fails the
  // upload like a failed part and ends the writer; a failed part leaves the parts stored before it to be written.
  let writer: Promise<void> | undefined;
  let dirty = false;
  let checkpointFailed = false;
  const writeCheckpoints = async (): Promise<void> => {
    while (dirty && !checkpointFailed) {
      dirty = false;
      const snapshot: UploadCheckpoint = { ...target, sessionKey, uploadId, partSize, parts: [...done].sort((a, b) => a.partNumber - b.partNumber) };
      try {
        await opts.onCheckpoint?.(snapshot);
      } catch (err) {
        checkpointFailed = true;
        failure ??= err;
        abort.abort();
      }
    }
    writer = undefined;
  };
  const checkpoint = (): void => {
    dirty = true;
    writer ??= writeCheckpoints();
  };
  checkpoint();
  await writer;
  if (failure !== undefined) throw failure;

  const send = async (part: Part): Promise<void> => {
    try {
      const crc = part.crc32 ?? crc32Hex(part.data);
      const have = stored.get(part.partNumber);
      // a stored part counts only with our CRC32: a mismatch (changed source, torn write) is sent again
      if (have === undefined || !sameCrc32(have, crc)) await uploadPart(ctx, target, uploadId, part.partNumber, part.data, crc);
      done.push({ partNumber: part.partNumber, crc32: crc });
      sent += part.data.byteLength;
      opts.onProgress?.(sent, total);
      checkpoint(); // written while the next parts go; awaited below, before completing or failing
    } catch (err) {
      failure ??= err;
      abort.abort();
    } finally {
      part.release();
    }
  };
  for (let part: Part | undefined = first; part && failure === undefined; ) {
    if (part.partNumber > MAX_PARTS) {
      part.release();
      failure = new VodError({ code: 'InvalidParameter', message: `more than ${MAX_PARTS} parts of ${partSize} bytes: raise partSize or pass size`, action: 'UploadPart' });
      break;
    }
    size += part.data.byteLength;
    const task = send(part).finally(() => inflight.delete(task));
    inflight.add(task);
    if (inflight.size >= parallel) await Promise.race(inflight);
    if (part.last || failure !== undefined) break;
    try {
      part = await nextPart(rest);
    } catch (err) {
      // the body failed (a reset S3 stream, a Lambda out of time): read no more, but let the parts in flight finish
      // (their bytes are whole) and be checkpointed before failing, so that a redelivery resumes after them
      failure ??= err;
    }
  }
  await Promise.all(inflight);
  await writer;
  if (failure !== undefined) throw failure;
  checkSize(total, size);
  const parts = [...done].sort((a, b) => a.partNumber - b.partNumber);
  await completeMultipart(ctx, target, uploadId, parts);
  return { sessionKey, storeUri: target.storeUri, size, mode: 'multipart', uploadId, parts };
}
