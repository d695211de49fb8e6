import type { Readable } from 'node:stream';
import { escapeUri } from '#lib/signing';
import { MAX_TIMER_MS, readText, send, timeoutTimer, withRetry, type WireAnswer, type WireBody } from '#lib/vod';
import { AwsError, errorFromException, errorFromResponse, isRetryableAws } from './errors.ts';
import { signAws, type AwsContext } from './request.ts';

/** S3 as this process calls it: path-style URLs (`{endpoint}/{bucket}/{key}`) or virtual-hosted (`{bucket}.{host}`). */
export interface S3Context extends AwsContext {
  pathStyle: boolean;
}

export interface ObjectRef { bucket: string; key: string; versionId?: string | undefined }

/**
 * Opens an object for reading: the body streams from the socket as the caller reads it (nothing is held in
 * memory beyond the stream's buffer). The request is signed with an unsigned payload, as GetObject is; opening
 * is retried as {@link awsJson} retries. `timeoutMs` bounds the wait for the answer's headers, and then each wait
 * of the reader for body bytes: a body stalled that long fails the stream with `RequestTimeout` (time the reader
 * spends elsewhere, e.g. sending what it read, does not count).
 * @throws AwsError (`NoSuchKey`, `AccessDenied`, `NetworkError`, ...) when the object cannot be opened.
 */
export async function getObject(ctx: S3Context, ref: ObjectRef): Promise<Readable> {
  const action = 's3.GetObject';
  const { origin, path, query } = objectLocation(ctx, ref);
  // sent exactly as signed: a URL would resolve `.` and `..` segments of a key and fetch another path
  const target = `${path}${query ? `?versionId=${escapeUri(query.versionId)}` : ''}`;
  const attempt = async (): Promise<Readable> => {
    const headers = await signAws({ ...ctx, origin }, { method: 'GET', path, headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' }, ...(query ? { query } : {}) });
    let res: WireAnswer;
    try {
      res = await open(origin, target, headers, ctx.timeoutMs);
    } catch (err) {
      throw errorFromException(action, err, ctx.timeoutMs);
    }
    if (res.status === 200) return idleTimeout(res.body, ctx.timeoutMs, action);
    // an error's body stalled as long as a body may stall ends the wait: the answer's status is error enough
    idleTimeout(res.body, ctx.timeoutMs, action);
    const text = await readText(res.body).catch(() => '');
    throw errorFromResponse(action, res.status, text, null);
  };
  return withRetry(attempt, ctx.retry, isRetryableAws);
}

/**
 * Where an object is: path-style `{endpoint}/{bucket}/{key}` or virtual-hosted `{bucket}.{host}/{key}`; the path
 * escaped once per segment (RFC 3986, `/` kept), as S3 signs it. A bucket name that is not a single DNS label
 * (dots, upper case) goes path-style whatever the context says, as the AWS SDK does: `a.b.s3...` would not match
 * S3's TLS certificate.
 */
export function objectLocation(ctx: S3Context, ref: ObjectRef): { origin: string; path: string; query?: { versionId: string } } {
  const base = new URL(ctx.origin);
  const pathStyle = ctx.pathStyle || !DNS_LABEL.test(ref.bucket);
  const origin = pathStyle ? base.origin : `${base.protocol}//${ref.bucket}.${base.host}`;
  const path = `${pathStyle ? `/${escapeUri(ref.bucket)}` : ''}/${ref.key.split('/').map(escapeUri).join('/')}`;
  return ref.versionId ? { origin, path, query: { versionId: ref.versionId } } : { origin, path };
}

const DNS_LABEL = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;

/** A GET of `path` (sent verbatim) whose answer resolves at its head; `timeoutMs` bounds the wait for it. */
async function open(origin: string, path: string, headers: Record<string, string>, timeoutMs: number): Promise<WireAnswer> {
  const call = send(new URL(origin), { method: 'GET', path, headers });
  const timer = timeoutTimer(timeoutMs, () => call.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { name: 'TimeoutError' })));
  try {
    return await call.answer;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Fails `res` with `RequestTimeout` when its socket gets no byte for `ms` while the reader waits for one. The
 * socket's idle timer also runs while the reader is away and backpressure pauses the socket: then bytes wait in
 * the stream's buffer, so that is not a stall, and the timer starts again; nor is it one before anyone has started
 * reading (ingest opens the object while it claims its item).
 */
function idleTimeout(res: WireBody, ms: number, action: string): Readable {
  if (ms === Infinity) return res;
  const delay = Math.min(ms, MAX_TIMER_MS);
  res.setTimeout(delay, () => {
    // bytes wait in the buffer, or no one has started reading (the object was opened ahead of its reader)
    if (res.readableLength > 0 || res.readableFlowing === null) {
      res.setTimeout(delay);
      return;
    }
    res.destroy(new AwsError({ code: 'RequestTimeout', message: `${action}: no body data within ${ms} ms`, action, httpStatus: 0 }));
  });
  return res;
}
