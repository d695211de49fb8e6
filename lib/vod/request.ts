import { signRequest, type Credentials } from '#lib/signing';
import { VodError, errorFromException, errorFromResponse, networkErrorCode } from './errors.ts';
import { httpFetch, type Fetch, type HttpRequestInit, type HttpResponse } from './http.ts';
import { encodeQuery } from './query.ts';

/** How failed attempts are retried: exponential backoff with full jitter. */
export interface RetryPolicy {
  /** Retries after the first attempt (so `retries + 1` attempts at most). */
  retries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  sleep: (ms: number) => Promise<void>;
  /** Uniform [0, 1) source for the jitter. */
  uniform: () => number;
}

/** Everything one API call needs besides its own parameters: built by {@link apiContext}. */
export interface ApiContext {
  /** `{scheme}://{host[:port]}` of the API, no trailing slash. */
  origin: string;
  region: string;
  credentials: () => Credentials;
  now: () => Date;
  fetch: Fetch;
  timeoutMs: number;
  retry: RetryPolicy;
}

/** Where and as whom API calls are made. */
export interface ApiTarget {
  /** `{scheme}://{host[:port]}` of the API (see `apiOrigin`). */
  origin: string;
  region: string;
  /** The credentials of one call (called at every attempt; resolve once and keep them). */
  credentials: () => Credentials;
  now: () => Date;
}

/** Transport, timeout and retries of API calls; every field has a default. */
export interface ApiOptions {
  /** Per API request (default 5000). */
  timeoutMs?: number;
  /** Retries after the first attempt (default 3), for idempotent calls or provably unprocessed ones. */
  retries?: number;
  /** Backoff: full jitter in [0, min(maxDelayMs, baseDelayMs x 2^retry)); defaults 100 and 5000 ms. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** HTTP transport of API and upload requests (default {@link httpFetch}, lib/vod's HTTP/1.1 transport). */
  fetch?: Fetch;
  /** Uniform [0, 1) source of backoff jitter and poster domain draws (default Math.random). */
  uniform?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * The context API calls are sent with: `target` plus the options' defaults. Makes no request and reads no
 * environment.
 * @example const api = apiContext({ origin: 'http://127.0.0.1:4100', region: 'cn-north-1', credentials: () => creds, now: () => new Date() });
 */
export function apiContext(target: ApiTarget, opts: ApiOptions = {}): ApiContext {
  // a NaN from an unset environment variable would otherwise retry forever (retries) or time out at once (timeoutMs).
  // Plain conditions, no helper: every function runs this at cold start, where each new function compiled costs.
  const { timeoutMs, retries, baseDelayMs, maxDelayMs } = opts;
  if (timeoutMs !== undefined && !(timeoutMs > 0)) throw new RangeError(`timeoutMs must be a number of ms above 0 (Infinity: no timeout), got ${timeoutMs}`);
  if (retries !== undefined && !(Number.isInteger(retries) && retries >= 0)) throw new RangeError(`retries must be an integer of at least 0, got ${retries}`);
  if (baseDelayMs !== undefined && !(Number.isFinite(baseDelayMs) && baseDelayMs >= 0)) throw new RangeError(`baseDelayMs must be a finite number of ms of at least 0, got ${baseDelayMs}`);
  if (maxDelayMs !== undefined && !(Number.isFinite(maxDelayMs) && maxDelayMs >= 0)) throw new RangeError(`maxDelayMs must be a finite number of ms of at least 0, got ${maxDelayMs}`);
  return {
    ...target,
    fetch: opts.fetch ?? httpFetch,
    timeoutMs: opts.timeoutMs ?? 5000,
    retry: {
      retries: opts.retries ?? 3,
      baseDelayMs: opts.baseDelayMs ?? 100,
      maxDelayMs: opts.maxDelayMs ?? 5000,
      sleep: opts.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
      uniform: opts.uniform ?? Math.random,
    },
  };
}

/** One API call: protocol section 4 row. */
export interface ApiCall {
  action: string;
  version: string;
  method: 'GET' | 'POST';
  /** Params after Action and Version, in order, already stringified. */
  query?: Record<string, string>;
  /** JSON body (POST actions of the protocol). */
  json?: unknown;
  /** Safe to send twice (reads; writes that set a value). Others are retried only when provably not processed. */
  idempotent: boolean;
}

/** Network failures that prove the request never reached the server (safe to resend even a non-idempotent call). */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * Whether a failed attempt may be retried. Idempotent calls: 429, 5xx, network errors, timeouts.
 * Others only when the failure proves the request was not processed: connection never opened, or throttled (429).
 */
export function isRetryable(err: VodError, idempotent: boolean): boolean {
  if (err.httpStatus === 429) return true;
  if (err.code === 'NetworkError' && NOT_SENT.has(networkErrorCode(err.cause) ?? '')) return true;
  if (!idempotent) return false;
  return err.httpStatus >= 500 || err.code === 'NetworkError' || err.code === 'RequestTimeout';
}

/**
 * Whether a failed call may still have taken effect: no response came (a timeout, or a connection lost after
 * the request could have been sent). An error response means the service did not do it; a connection never
 * opened proves it. Callers of a call that is not idempotent (StartTranscode) must find out before repeating it.
 */
export function outcomeUnknown(err: unknown): boolean {
  if (!(err instanceof VodError) || err.httpStatus !== 0) return false;
  return err.code === 'RequestTimeout' || (err.code === 'NetworkError' && !NOT_SENT.has(networkErrorCode(err.cause) ?? ''));
}

/** Full-jitter backoff before retry number `retry` (0-based): uniform in [0, min(max, base * 2^retry)). */
export function backoffDelay(retry: number, policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs' | 'uniform'>): number {
  return Math.floor(policy.uniform() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry));
}

/**
 * Runs `attempt` until it succeeds, a failure is not retryable, or the retries are used up; the last error is
 * thrown. Each attempt must build (and sign) its request afresh.
 */
export async function withRetry<T>(
  attempt: (n: number) => Promise<T>,
  policy: RetryPolicy,
  retryable: (err: unknown) => boolean,
): Promise<T> {
  for (let n = 0; ; n++) {
    try {
      return await attempt(n);
    } catch (err) {
      if (n >= policy.retries || !retryable(err)) throw err;
      await policy.sleep(backoffDelay(n, policy));
    }
  }
}

/** A response read to its end. */
export interface TextResponse { status: number; headers: HttpResponse['headers']; text: string }

/**
 * One HTTP exchange with a timeout covering the whole body; fetch failures become `NetworkError` /
 * `RequestTimeout` VodErrors of `action`. `signal` (optional) aborts it as well.
 */
export async function fetchText(fetchFn: Fetch, url: string, init: Omit<HttpRequestInit, 'signal' | 'timeoutMs'>, action: string, timeoutMs: number, signal?: AbortSignal): Promise<TextResponse> {
  try {
    const res = await fetchFn(url, { ...init, timeoutMs, ...(signal ? { signal } : {}) });
    return { status: res.status, headers: res.headers, text: await res.text() };
  } catch (err) {
    throw errorFromException(action, err, timeoutMs);
  }
}

/**
 * Sends one signed API call with timeout and retries and returns the envelope's `Result`.
 * Signing happens inside every attempt (a retried request is never a replayed signature).
 *
 * @throws VodError for every failure (envelope error, HTTP error, network error, timeout).
 */
export async function sendApi<T>(ctx: ApiContext, call: ApiCall): Promise<T> {
  const query = { Action: call.action, Version: call.version, ...call.query };
  // a lone surrogate (a title cut in the middle of an emoji) cannot be percent-encoded: refuse it by name
  for (const [k, v] of Object.entries(query)) {
    if (!v.isWellFormed()) throw new VodError({ code: 'InvalidParameter', message: `${call.action}: ${k} is not well-formed Unicode (a lone surrogate)`, action: call.action });
  }
  const url = `${ctx.origin}/?${encodeQuery(query)}`;
  const host = new URL(ctx.origin).host;
  const body = call.json === undefined ? undefined : Buffer.from(JSON.stringify(call.json), 'utf8');
  const attempt = async (): Promise<T> => {
    const credentials = ctx.credentials();
    const signed = await signRequest(
      { method: call.method, host, query, headers: body ? { 'content-type': 'application/json' } : {}, ...(body ? { body } : {}) },
      { credentials, region: ctx.region, now: ctx.now() },
    );
    const headers: Record<string, string> = { accept: 'application/json' };
    for (const [k, v] of Object.entries(signed)) if (k.toLowerCase() !== 'host') headers[k] = v;
    const secrets = [credentials.secretAccessKey, credentials.sessionToken, signed.authorization ?? signed.Authorization];
    const { status, text } = await fetchText(ctx.fetch, url, { method: call.method, headers, ...(body ? { body } : {}) }, call.action, ctx.timeoutMs);
    if (status !== 200) throw errorFromResponse(call.action, status, text, secrets);
    let parsed: { ResponseMetadata?: { Error?: unknown }; Result?: T };
    try {
      parsed = JSON.parse(text) as typeof parsed;
    } catch {
      throw errorFromResponse(call.action, status, text, secrets);
    }
    if (!parsed || typeof parsed !== 'object' || parsed.ResponseMetadata?.Error) throw errorFromResponse(call.action, status, text, secrets);
    return parsed.Result as T;
  };
  return withRetry(attempt, ctx.retry, (err) => err instanceof VodError && isRetryable(err, call.idempotent));
}
