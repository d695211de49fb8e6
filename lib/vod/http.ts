import type { ClientRequest, IncomingMessage, RequestOptions } from 'node:http';

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

/** `http.request` / `https.request`. */
export type Send = (url: URL, options: RequestOptions, callback: (res: IncomingMessage) => void) => ClientRequest;

// Loaded on first use: functions that sign but never call the API (token issuers) do not pay for node:http, and
// only an https endpoint loads node:https (and TLS). process.getBuiltinModule, not import(): a bundled import()
// stays an ES module load, and its first use loads Node's ESM loader as well (+3-5 ms).
export function sender(protocol: string): Send {
  if (protocol === 'http:') return process.getBuiltinModule('node:http').request;
  if (protocol === 'https:') return process.getBuiltinModule('node:https').request;
  throw new TypeError(`unsupported protocol ${protocol}`);
}

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
 * {@link Fetch} over `node:http` / `node:https` with the default keep-alive agents. It reads the whole response
 * before resolving. Why not the global `fetch`: Node loads undici lazily, and a process's first `fetch` costs
 * 60-100 ms more than its first `http.request` (bench/README.md, cold start), which every cold container paid on
 * its first VOD call; and a part body is written to the socket as is, without a stream around it.
 * Errors are those of node:http (`code` ECONNREFUSED, ECONNRESET, ...); `timeoutMs` rejects with a `TimeoutError`;
 * an abort rejects with `signal.reason`, as `fetch` does. The timeout is a timer, not an `AbortSignal.timeout`:
 * a process's first AbortSignal loads Node's abort_controller (1.1-2.2 ms of every cold container's first call).
 */
export async function httpFetch(url: string, init: HttpRequestInit): Promise<HttpResponse> {
  const target = new URL(url);
  const send = sender(target.protocol);
  const { signal, timeoutMs } = init;
  signal?.throwIfAborted();
  if (timeoutMs !== undefined && !(timeoutMs > 0)) throw new RangeError(`timeoutMs must be above 0 ms (Infinity: none), got ${timeoutMs}`);
  return new Promise<HttpResponse>((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const req = send(target, { method: init.method, headers: init.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', fail);
      res.on('end', () => {
        settle();
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: { get: (name) => header(res, name) }, text: async () => text });
      });
      // the connection closed before the body ended
      res.on('close', () => {
        if (!res.complete) fail(Object.assign(new Error('connection closed before the response ended'), { code: 'ECONNRESET' }));
      });
    });
    function settle(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
    function fail(err: unknown): void {
      settle();
      reject(err);
      req.destroy();
    }
    function onAbort(): void {
      fail(signal?.reason);
    }
    if (timeoutMs !== undefined) {
      timer = timeoutTimer(timeoutMs, () => fail(Object.assign(new Error(`no complete response within ${timeoutMs} ms`), { name: 'TimeoutError' })));
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    req.on('error', fail);
    req.end(init.body);
  });
}

function header(res: IncomingMessage, name: string): string | null {
  const v = res.headers[name.toLowerCase()];
  return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
}
