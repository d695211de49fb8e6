/** Codes the client itself produces when the service gave no error envelope. */
export type ClientErrorCode = 'NetworkError' | 'RequestTimeout' | 'InvalidResponse' | 'HttpError' | 'InvalidParameter' | 'CrcMismatch' | 'SourceError';

/** What a {@link VodError} is built from. */
export interface VodErrorInit {
  code: string;
  message: string;
  action: string;
  requestId?: string;
  httpStatus?: number;
  /** The raw response body (already redacted, truncated), kept so no failure ever loses what the service said. */
  body?: string;
  cause?: unknown;
}

/**
 * Every failure of a VOD call: the service's error envelope (`ResponseMetadata.Error`), an upload-host error,
 * a network error or a timeout. `httpStatus` is 0 when no response arrived; `requestId` is the service's
 * RequestId (the upload host's `X-Tt-Logid`) or '' when there was none. Messages never contain a secret.
 */
export class VodError extends Error {
  override readonly name = 'VodError' as const;
  readonly code: string;
  readonly requestId: string;
  readonly httpStatus: number;
  readonly action: string;
  readonly body: string | undefined;
  /**
   * Set by `uploadVideo` / `uploadPoster` when the call after the upload (CommitUpload / ModifyVideoInfo) failed:
   * the bytes are stored, so repeat that call with them (`commitUpload({ SpaceName, SessionKey: sessionKey })`,
   * `modifyVideoInfo({ ..., Info: { PosterUri: storeUri } })`) instead of uploading again.
   */
  uploaded?: { sessionKey: string; storeUri: string };

  constructor(init: VodErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.code = init.code;
    this.requestId = init.requestId ?? '';
    this.httpStatus = init.httpStatus ?? 0;
    this.action = init.action;
    this.body = init.body;
  }
}

const MAX_BODY = 4096;

/**
 * Replaces every occurrence of each secret (and of its URL-encoded form) in `text` with `[REDACTED]`.
 * Secrets shorter than 4 characters are ignored (they would redact ordinary words).
 */
export function redact(text: string, secrets: ReadonlyArray<string | undefined>): string {
  let out = text;
  for (const secret of secrets) {
    if (!secret || secret.length < 4) continue;
    for (const form of new Set([secret, encodeURIComponent(secret)])) out = out.split(form).join('[REDACTED]');
  }
  return out;
}

/** Truncates a response body for keeping on an error. */
export function clip(text: string): string {
  return text.length > MAX_BODY ? `${text.slice(0, MAX_BODY)}...(${text.length - MAX_BODY} more chars)` : text;
}

interface Envelope {
  ResponseMetadata?: { RequestId?: unknown; Error?: { Code?: unknown; Message?: unknown } };
}

/**
 * Maps a failed API response to a {@link VodError}: the envelope's Error.Code / Message / RequestId when the
 * body is the protocol's envelope, else `HttpError` / `InvalidResponse` carrying the start of the body.
 */
export function errorFromResponse(action: string, status: number, text: string, secrets: ReadonlyArray<string | undefined>): VodError {
  const body = clip(redact(text, secrets));
  let parsed: Envelope | undefined;
  try {
    parsed = JSON.parse(text) as Envelope;
  } catch {
    parsed = undefined;
  }
  const meta = parsed && typeof parsed === 'object' ? parsed.ResponseMetadata : undefined;
  const requestId = typeof meta?.RequestId === 'string' ? meta.RequestId : '';
  const err = meta?.Error;
  if (err && typeof err.Code === 'string') {
    const message = typeof err.Message === 'string' && err.Message ? err.Message : err.Code;
    return new VodError({ code: err.Code, message: redact(message, secrets), requestId, httpStatus: status, action, body });
  }
  const code = status >= 200 && status < 300 ? 'InvalidResponse' : 'HttpError';
  const what = status >= 200 && status < 300 ? 'a body that is not the VOD response envelope' : `HTTP ${status} without an error envelope`;
  return new VodError({ code, message: `${action}: ${what}: ${body.slice(0, 200)}`, requestId, httpStatus: status, action, body });
}

/** Low-level error code of a failed request (`ECONNREFUSED`, `ECONNRESET`, ...), looking through `cause` chains. */
export function networkErrorCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let i = 0; i < 5 && e && typeof e === 'object'; i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z_]+$/.test(code)) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Maps an exception of the transport (request or response body) to a {@link VodError}. */
export function errorFromException(action: string, err: unknown, timeoutMs: number): VodError {
  if (err instanceof VodError) return err;
  const name = err && typeof err === 'object' ? (err as { name?: unknown }).name : undefined;
  if (name === 'TimeoutError') {
    return new VodError({ code: 'RequestTimeout', message: `${action}: no complete response within ${timeoutMs} ms`, action, cause: err });
  }
  const low = networkErrorCode(err);
  const detail = low ?? (err instanceof Error ? err.message : String(err));
  return new VodError({ code: 'NetworkError', message: `${action}: network error (${detail})`, action, cause: err });
}
