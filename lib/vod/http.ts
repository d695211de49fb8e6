import type { Readable } from 'node:stream';
import { send } from './wire.ts';

/** One request as the VOD client sends it: the whole body in memory (an API call's JSON, one upload part). */
export interface HttpRequestInit {
  method: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
  /**
   * The whole exchange (answer and body) must end within this many ms, else the call rejects with an Error named
   * `TimeoutError` (as `AbortSignal.timeout`'s reason is) and the connection is closed.
   */
  timeoutMs?: number;
  /** Aborts the exchange (a sibling part failed); the call rejects with `signal.reason`. */
  signal?: AbortSignal;
}

/** What the client reads of a response. */
export interface HttpResponse {
  status: number;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
}

/**
 * The client's HTTP transport: {@link httpFetch} by default; tests inject a wrapper of it to count, time or break
 * requests.
 */
export type Fetch = (url: string, init: HttpRequestInit) => Promise<HttpResponse>;

/** setTimeout's longest delay (2^31 - 1 ms, about 24.8 days); Node fires a longer one after 1 ms. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The timer of a timeout of `ms` (> 0): none for Infinity, and a delay beyond setTimeout's range is cut to that
 * range (24.8 days outlive any Lambda), because setTimeout would fire it at once and time every request out.
 */
export function timeoutTimer(ms: number, onTimeout: () => void): ReturnType<typeof setTimeout> | undefined {
  return ms === Infinity ? undefined : setTimeout(onTimeout, Math.min(ms, MAX_TIMER_MS));
}

/**
 * {@link Fetch} over lib/vod's HTTP/1.1 transport ({@link send}: node:net / node:tls, keep-alive connections). It
 * reads the whole response before resolving. Why not the global `fetch`: Node loads undici lazily, and a process's
 * first `fetch` costs 60-100 ms more than its first `http.request` (bench/README.md, cold start), which every cold
 * container paid on its first VOD call; why not `node:http`: wire.ts.
 * Errors are the socket's (`code` ECONNREFUSED, ECONNRESET, EPROTO for a malformed answer, ...); `timeoutMs`
 * rejects with a `TimeoutError`; an abort rejects with `signal.reason`, as `fetch` does. The timeout is a timer,
 * not an `AbortSignal.timeout`: a process's first AbortSignal loads Node's abort_controller (1.1-2.2 ms of every
 * cold container's first call).
 */
export async function httpFetch(url: string, init: HttpRequestInit): Promise<HttpResponse> {
  const target = new URL(url);
  const { signal, timeoutMs } = init;
  signal?.throwIfAborted();
  if (timeoutMs !== undefined && !(timeoutMs > 0)) throw new RangeError(`timeoutMs must be above 0 ms (Infinity: none), got ${timeoutMs}`);
  const call = send(target, { method: init.method, path: `${target.pathname}${target.search}`, headers: init.headers, ...(init.body === undefined ? {} : { body: init.body }) });
  const onAbort = (): void => call.destroy(signal?.reason as Error);
  signal?.addEventListener('abort', onAbort, { once: true });
  const timer = timeoutMs === undefined ? undefined
    : timeoutTimer(timeoutMs, () => call.destroy(Object.assign(new Error(`no complete response within ${timeoutMs} ms`), { name: 'TimeoutError' })));
  try {
    const { status, headers, body } = await call.answer;
    const text = await readText(body);
    return { status, headers: { get: (name) => headers.get(name.toLowerCase()) ?? null }, text: async () => text };
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}

/** The whole body as UTF-8 (a character split across chunks decoded whole). */
export function readText(body: Readable): Promise<string> {
  return new Promise((resolve, reject) => {
    // an end met before this call was emitted to no one: its error is the stream's `errored`
    if (body.destroyed) return reject(body.errored ?? new Error('the body was closed before its end'));
    const chunks: Buffer[] = [];
    body.on('data', (chunk: Buffer) => chunks.push(chunk));
    // most answers come in one chunk: decoded as it is, without a copy
    body.on('end', () => resolve((chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)).toString('utf8')));
    body.on('error', reject);
    // destroyed without an error (its reader gave up): after 'end' this changes nothing
    body.on('close', () => reject(new Error('the body was closed before its end')));
  });
}
