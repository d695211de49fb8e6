import { crc32Hex, sameCrc32 } from './crc.ts';
import { VodError, clip, redact } from './errors.ts';
import type { Fetch } from './http.ts';
import { fetchText, isRetryable, outcomeUnknown, withRetry, type RetryPolicy } from './request.ts';

/** Where the bytes go: from ApplyUpload's UploadHosts[0] and StoreInfos[0]. */
export interface StoreTarget {
  /** `host[:port]` of the upload host. */
  host: string;
  storeUri: string;
  /** Opaque upload authorization, sent verbatim. A secret: never logged, redacted from errors. */
  auth: string;
  /** `UploadAddress.UploadHeader`, sent on every data-plane request. */
  headers?: Record<string, string>;
}

/** Transport of the upload host: scheme (the API endpoint's), fetch, per-request timeout, retries. */
export interface StoreContext {
  scheme: 'http:' | 'https:';
  fetch: Fetch;
  timeoutMs: number;
  retry: RetryPolicy;
  /** Aborts every request of the upload (a sibling part failed). */
  signal?: AbortSignal;
}

/** A stored part as the upload host lists it. */
export interface StoredPart { partNumber: number; crc32: string }

interface StoreReply { success?: unknown; payload?: Record<string, unknown>; error?: { code?: unknown; error?: unknown; message?: unknown } }

/**
 * One upload-host request with timeout and retries (a part PUT carries the same bytes, listing reads; completion
 * is repeatable only with `afterMaybeDone`). Returns the reply's `payload`. Each attempt sends the same bytes (no
 * copy of a part is made per attempt). `afterMaybeDone(err)` is asked about a failure that follows an attempt which
 * may have been processed (no answer, or a 5xx): a payload it returns is the result.
 */
async function storeCall(
  ctx: StoreContext, target: StoreTarget, action: string, method: 'PUT' | 'GET', query: string, extra: Record<string, string>, data?: Uint8Array | string,
  afterMaybeDone?: (err: VodError) => Record<string, unknown> | undefined,
): Promise<Record<string, unknown>> {
  const url = `${ctx.scheme}//${target.host}/${target.storeUri}${query}`;
  const exchange = async (): Promise<Record<string, unknown>> => {
    const headers: Record<string, string> = { ...target.headers, ...extra, Authorization: target.auth };
    const res = await fetchText(ctx.fetch, url, { method, headers, ...(data === undefined ? {} : { body: data }) }, action, ctx.timeoutMs, ctx.signal);
    const { status, text } = res;
    const logid = res.headers.get('x-tt-logid') ?? '';
    let reply: StoreReply | undefined;
    try {
      reply = JSON.parse(text) as StoreReply;
    } catch {
      reply = undefined;
    }
    if (status === 200 && reply && reply.success === 0) return reply.payload ?? {};
    const body = clip(redact(text, [target.auth]));
    const e = reply?.error;
    const code = typeof e?.error === 'string' && e.error ? e.error : e?.code !== undefined ? String(e.code) : status === 200 ? 'InvalidResponse' : 'HttpError';
    const message = typeof e?.message === 'string' && e.message ? e.message : `${action}: HTTP ${status}: ${body.slice(0, 200)}`;
    throw new VodError({ code, message: redact(message, [target.auth]), requestId: logid, httpStatus: status, action, body });
  };
  let maybeDone = false;
  const attempt = async (): Promise<Record<string, unknown>> => {
    try {
      return await exchange();
    } catch (err) {
      const known = maybeDone && err instanceof VodError ? afterMaybeDone?.(err) : undefined;
      if (known) return known;
      // a gateway's 5xx may come after the host did the work, as a lost answer may
      if (err instanceof VodError && (outcomeUnknown(err) || err.httpStatus >= 500)) maybeDone = true;
      throw err;
    }
  };
  return withRetry(attempt, ctx.retry, (err) => err instanceof VodError && isRetryable(err, true) && !ctx.signal?.aborted);
}

const GATEWAY = { 'X-Storage-Mode': 'gateway' };

/** Direct upload: `PUT /{storeUri}` with `Content-CRC32` (protocol 5). Returns the reply's payload. */
export function putObject(ctx: StoreContext, target: StoreTarget, data: Uint8Array, crc = crc32Hex(data)): Promise<Record<string, unknown>> {
  return storeCall(ctx, target, 'PutObject', 'PUT', '', contentHeaders(data, crc), data);
}

/** Multipart step 1: `PUT /{oid}?uploads` -> the upload id. */
export async function initMultipart(ctx: StoreContext, target: StoreTarget): Promise<string> {
  const payload = await storeCall(ctx, target, 'InitMultipartUpload', 'PUT', '?uploads', { ...GATEWAY, 'Content-Length': '0' }, '');
  const id = payload.uploadID;
  if (typeof id !== 'string' || !id) throw new VodError({ code: 'InvalidResponse', message: 'InitMultipartUpload: no payload.uploadID in the reply', action: 'InitMultipartUpload' });
  return id;
}

/**
 * Multipart step 2: `PUT /{oid}?partNumber={n}&uploadID={id}` with the part's CRC32; the host's `payload.crc32`
 * must equal ours (else `CrcMismatch`). Returns the part's CRC32 (8 hex digits).
 */
export async function uploadPart(ctx: StoreContext, target: StoreTarget, uploadId: string, partNumber: number, data: Uint8Array, crc = crc32Hex(data)): Promise<string> {
  const q = `?partNumber=${partNumber}&uploadID=${encodeURIComponent(uploadId)}`;
  const payload = await storeCall(ctx, target, 'UploadPart', 'PUT', q, { ...GATEWAY, ...contentHeaders(data, crc) }, data);
  const echoed = payload.crc32;
  if (typeof echoed === 'string' && !sameCrc32(echoed, crc)) {
    throw new VodError({ code: 'CrcMismatch', message: `UploadPart ${partNumber}: upload host stored CRC32 ${echoed}, sent ${crc}`, action: 'UploadPart' });
  }
  return crc;
}

/** Multipart step 4 (for resuming): `GET /{oid}?uploadID={id}` -> the stored parts, sorted by number. */
export async function listParts(ctx: StoreContext, target: StoreTarget, uploadId: string): Promise<StoredPart[]> {
  const payload = await storeCall(ctx, target, 'ListParts', 'GET', `?uploadID=${encodeURIComponent(uploadId)}`, GATEWAY);
  const list = Array.isArray(payload.partList) ? (payload.partList as Array<{ partNumber?: unknown; crc32?: unknown }>) : [];
  return list
    .map((p) => ({ partNumber: Number(p.partNumber), crc32: String(p.crc32 ?? '') }))
    .filter((p) => Number.isInteger(p.partNumber) && p.partNumber > 0)
    .sort((a, b) => a.partNumber - b.partNumber);
}

/**
 * Multipart step 3: `PUT /{oid}?uploadID={id}` with body `1:{crc},2:{crc},...` -> `payload.key`.
 *
 * Completing is not repeatable: a completion consumes the upload id, and a repeat gets 404 `NoSuchUpload`. So a
 * 404 NoSuchUpload counts as completed only on a retry after an attempt that may have been processed (no answer,
 * or a 5xx): the upload id existed (init returned it, our parts were stored under it) and the protocol has no
 * other step that ends an upload, so it is gone because a completion with our part list (every CRC32 checked by
 * the host) was accepted. A NoSuchUpload on the first attempt stays an error (an unknown or expired upload). If
 * that accepted completion still failed inside the host, CommitUpload fails on the missing bytes: nothing is
 * committed wrongly.
 */
export async function completeMultipart(ctx: StoreContext, target: StoreTarget, uploadId: string, parts: readonly StoredPart[]): Promise<string> {
  const text = [...parts].sort((a, b) => a.partNumber - b.partNumber).map((p) => `${p.partNumber}:${p.crc32}`).join(',');
  const completed = (err: VodError): Record<string, unknown> | undefined => (err.httpStatus === 404 && err.code === 'NoSuchUpload' ? {} : undefined);
  const payload = await storeCall(ctx, target, 'CompleteMultipartUpload', 'PUT', `?uploadID=${encodeURIComponent(uploadId)}`, { ...GATEWAY, 'Content-Type': 'text/plain' }, text, completed);
  return typeof payload.key === 'string' ? payload.key : target.storeUri;
}

function contentHeaders(data: Uint8Array, crc = crc32Hex(data)): Record<string, string> {
  return { 'Content-CRC32': crc, 'Content-Length': String(data.byteLength), 'Content-Type': 'application/octet-stream' };
}
