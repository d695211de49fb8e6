import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { ResponseParser } from './response-parser.ts';

/**
 * HTTP/1.1 exchanges over `node:net` / `node:tls`, with a keep-alive pool per origin: the transport of lib/vod
 * ({@link import('./http.ts').httpFetch}) and lib/aws (S3 GetObject).
 *
 * Why not `node:http`: a process's first `http.request` runs 10 ms of Node's HTTP client (its modules, the agent,
 * the request and parser set-up: 31.5 ms -> 21.1 ms median cold start of one signed GetPlayInfo, bench/README.md),
 * which every cold container paid before its first byte went out. What the clients need of HTTP is small: one
 * request at a time per connection, bodies held in memory (an API call's JSON, one upload part), answers framed by
 * Content-Length, chunked or the close, read whole or streamed with backpressure (S3 objects).
 */

/** One request: `path` is sent as given (already escaped, with its query). */
export interface WireRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
}

/** The body of an answer: a stream with the socket's idle timer (as `IncomingMessage.setTimeout`). */
export type WireBody = Readable & {
  /**
   * Calls `onIdle` when the connection gets no byte for `ms` (0: off) while the body is being read; without
   * `onIdle`, restarts the timer for the listener set before.
   */
  setTimeout(ms: number, onIdle?: () => void): void;
};

export interface WireAnswer {
  status: number;
  /** Field names in lower case; repeated fields joined with ", ". */
  headers: Map<string, string>;
  body: WireBody;
}

export interface WireCall {
  /** Resolves at the answer's head; its body streams after. Rejects with the socket's error (`code`). */
  answer: Promise<WireAnswer>;
  /** Ends the exchange with `err` (a timeout, an abort): the answer rejects, or its body fails; the connection closes. */
  destroy(err: Error): void;
}

/**
 * Sends `req` to `origin` (`http:` or `https:`) on an idle connection of the pool or a new one. The connection goes
 * back to the pool when the answer's body has been read to its end, if HTTP/1.1 framing allows it.
 * @throws TypeError (`code` ERR_INVALID_CHAR, ERR_INVALID_HTTP_TOKEN, ERR_UNESCAPED_CHARACTERS) for a path or
 * field that cannot be sent, or for a scheme other than http: and https:; nothing is sent then.
 */
export function send(origin: URL, request: WireRequest): WireCall {
  const key = poolKey(origin);
  // methods are case-sensitive on the wire: sent in upper case, as node:http does
  const req = { ...request, method: request.method.toUpperCase() };
  const head = requestHead(origin, req);
  const socket = take(key) ?? connect(origin);
  let body: WireBody | undefined;
  let over = false;
  let idleListener: (() => void) | undefined;
  let headers: Map<string, string> | undefined;
  /** The request is all written (its last write's callback ran). */
  let sent = false;
  let resolve!: (a: WireAnswer) => void;
  let reject!: (e: unknown) => void;
  const answer = new Promise<WireAnswer>((res, rej) => {
    resolve = res;
    reject = rej;
  });

  const parser = new ResponseParser(req.method === 'HEAD', {
    head(status, fields) {
      headers = fields;
      body = openBody();
      resolve({ status, headers: fields, body });
    },
    data(chunk) {
      if (!body!.push(chunk)) socket.pause();
    },
  });

  function openBody(): WireBody {
    const { Readable } = process.getBuiltinModule('node:stream');
    const stream = new Readable({
      read: () => void socket.resume(),
      destroy: (err, cb) => {
        // the reader gave up before the end: the rest of the answer is unread, so the connection cannot be reused
        if (!over) stop();
        cb(err);
      },
    });
    // an answer's error reaches its reader through the stream; this keeps an unread body's from crashing the process
    stream.on('error', () => {});
    return Object.assign(stream, {
      setTimeout(ms: number, onIdle?: () => void) {
        if (over) return;
        if (onIdle) {
          if (idleListener) socket.removeListener('timeout', idleListener);
          socket.on('timeout', (idleListener = onIdle));
        }
        socket.setTimeout(ms);
      },
    });
  }

  function onData(chunk: Buffer): void {
    try {
      parser.push(chunk);
    } catch (err) {
      fail(err);
      return;
    }
    if (parser.done) finish();
  }
  function onEnd(): void {
    try {
      parser.end();
    } catch (err) {
      fail(err);
      return;
    }
    finish();
  }
  function onClose(): void {
    if (!over) fail(Object.assign(new Error(parser.started ? 'connection closed before the response ended' : 'socket hang up'), { code: 'ECONNRESET' }));
  }
  function detach(): void {
    over = true;
    socket.removeListener('data', onData);
    socket.removeListener('end', onEnd);
    socket.removeListener('error', fail);
    socket.removeListener('close', onClose);
    if (idleListener) socket.removeListener('timeout', idleListener);
    socket.setTimeout(0);
  }
  function stop(): void {
    detach();
    socket.destroy();
  }
  function finish(): void {
    detach();
    // an answer that came before the request was all written (an early 4xx) leaves the rest of it in flight
    if (parser.reusable && sent) put(key, socket, idleMsAfter(headers!));
    else socket.destroy();
    body!.push(null);
  }
  function fail(err: unknown): void {
    if (over) return;
    stop();
    if (body) body.destroy(err as Error);
    else reject(err);
  }

  socket.on('data', onData);
  socket.on('end', onEnd);
  socket.on('error', fail);
  socket.on('close', onClose);
  const written = (): void => void (sent = true);
  socket.cork();
  if (req.body !== undefined && req.body.length > 0) {
    socket.write(head, 'latin1');
    socket.write(req.body, written);
  } else socket.write(head, 'latin1', written);
  socket.uncork();
  return { answer, destroy: fail };
}

/**
 * Opens a connection to `origin` (`http:` or `https:`) for the next request, unless one is idle already: its
 * TCP (and TLS) handshake then runs while the caller waits for other answers instead of before its request. The
 * connection idles as a used one does ({@link IDLE_MS}, never keeping the process alive); one that fails to open
 * is dropped, and the next request opens its own.
 * @throws TypeError for a scheme other than http: and https: (nothing is opened).
 */
export function preconnect(origin: URL): void {
  const key = poolKey(origin);
  if ((pool.get(key)?.length ?? 0) > 0) return;
  put(key, connect(origin), IDLE_MS);
}

/** The request line and fields; `Host` and `Content-Length` added unless given. */
function requestHead(origin: URL, req: WireRequest): string {
  if (!TOKEN.test(req.method)) throw Object.assign(new TypeError(`invalid HTTP method ${JSON.stringify(req.method.slice(0, 20))}`), { code: 'ERR_INVALID_HTTP_TOKEN' });
  if (!PATH.test(req.path)) throw Object.assign(new TypeError('request path contains unescaped characters'), { code: 'ERR_UNESCAPED_CHARACTERS' });
  let head = `${req.method} ${req.path} HTTP/1.1\r\n`;
  let host = false;
  let length = false;
  for (const name in req.headers) {
    const value = req.headers[name]!;
    // the name only: a field's value may be a credential
    if (!TOKEN.test(name)) throw Object.assign(new TypeError(`invalid header name ${JSON.stringify(name.slice(0, 40))}`), { code: 'ERR_INVALID_HTTP_TOKEN' });
    if (!VALUE.test(value)) throw Object.assign(new TypeError(`invalid character in header content ["${name}"]`), { code: 'ERR_INVALID_CHAR' });
    const lower = name.toLowerCase();
    if (lower === 'host') host = true;
    else if (lower === 'content-length') length = true;
    head += `${name}: ${value}\r\n`;
  }
  if (!host) head += `Host: ${origin.host}\r\n`;
  if (!length && (req.body !== undefined || BODY_METHODS.has(req.method))) {
    const bytes = req.body === undefined ? 0 : typeof req.body === 'string' ? Buffer.byteLength(req.body) : req.body.byteLength;
    head += `Content-Length: ${bytes}\r\n`;
  }
  return `${head}\r\n`;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** A request target as node:http accepts it: no space, control character or character past U+00FF. */
const PATH = /^[\u0021-\u00ff]+$/;
/** A field value: visible characters, space, tab and obs-text; no CR, LF or NUL. */
const VALUE = /^[\t\u0020-\u007e\u0080-\u00ff]*$/;
/** Methods whose request has a body: without one they send `Content-Length: 0`, as node:http does. */
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

// --- connections

/** Idle connections per origin, the most recently used last. */
const pool = new Map<string, Socket[]>();
/** How long a connection may stay idle: under the 5 s keep-alive timeout of Node servers, so we close first. */
const IDLE_MS = 4000;
/** Idle connections kept per origin (the clients run at most a few requests at once). */
const MAX_IDLE = 8;
/**
 * Each idle connection's release (its listeners' handler) and the wall-clock time it expires at: a frozen Lambda
 * runs no timer, and on thaw its first request is sent before any expired timer fires.
 */
const idleState = new WeakMap<Socket, { gone: () => void; expires: number }>();
/** The last TLS session of each https origin, resumed by its next connection (one round trip less), as https.Agent does. */
const sessions = new Map<string, Buffer>();
const MAX_SESSIONS = 100;

/**
 * The pool's key of `origin`: its scheme and host.
 * @throws TypeError for a scheme other than http: and https:.
 */
function poolKey(origin: URL): string {
  if (origin.protocol !== 'http:' && origin.protocol !== 'https:') throw new TypeError(`unsupported protocol ${origin.protocol}`);
  return `${origin.protocol}//${origin.host}`;
}

/** A new connection to `origin` (http: or https:, as {@link poolKey} checked). */
function connect(origin: URL): Socket {
  const host = origin.hostname.startsWith('[') ? origin.hostname.slice(1, -1) : origin.hostname;
  if (origin.protocol === 'https:') {
    const net = process.getBuiltinModule('node:net');
    const session = sessions.get(origin.host);
    // SNI carries a name, never an address
    const socket = process.getBuiltinModule('node:tls').connect({
      host, port: Number(origin.port || 443), ALPNProtocols: ['http/1.1'], ...(net.isIP(host) ? {} : { servername: host }), ...(session ? { session } : {}),
    });
    socket.on('session', (next: Buffer) => {
      sessions.delete(origin.host);
      sessions.set(origin.host, next);
      if (sessions.size > MAX_SESSIONS) sessions.delete(sessions.keys().next().value!);
    });
    return socket;
  }
  return process.getBuiltinModule('node:net').connect({ host, port: Number(origin.port || 80), noDelay: true });
}

/** An idle connection to reuse, if one is still open and not past its time. */
function take(key: string): Socket | undefined {
  const idle = pool.get(key);
  while (idle && idle.length > 0) {
    const socket = idle.pop()!;
    const { gone, expires } = idleState.get(socket)!;
    idleState.delete(socket);
    for (const event of IDLE_EVENTS) socket.removeListener(event, gone);
    socket.setTimeout(0);
    if (!socket.destroyed && socket.readable && socket.writable && Date.now() < expires) {
      socket.ref();
      return socket;
    }
    socket.destroy();
  }
  return undefined;
}

/**
 * Keeps an open connection for the next request for `idleMs`; it closes itself then, or when the server ends it.
 */
function put(key: string, socket: Socket, idleMs: number): void {
  let idle = pool.get(key);
  if (!idle) pool.set(key, (idle = []));
  if (idle.length >= MAX_IDLE || socket.destroyed || idleMs <= 0) {
    socket.destroy();
    return;
  }
  const gone = (): void => {
    const at = idle.indexOf(socket);
    if (at >= 0) idle.splice(at, 1);
    idleState.delete(socket);
    socket.destroy();
  };
  idleState.set(socket, { gone, expires: Date.now() + idleMs });
  // bytes the server sends unasked (a 408, a close notice) or its end make the connection unusable
  for (const event of IDLE_EVENTS) socket.on(event, gone);
  socket.setTimeout(idleMs);
  // an idle connection does not keep the process (a test, a script) alive
  socket.unref();
  socket.resume();
  idle.push(socket);
}

/**
 * How long a connection may idle after `headers`' answer: {@link IDLE_MS}, or less when the server says so
 * (`Keep-Alive: timeout=N`: N - 1 s, as node:http's agent; N <= 1: not kept).
 */
function idleMsAfter(headers: Map<string, string>): number {
  const timeout = /(?:^|[,;\s])timeout=(\d+)/i.exec(headers.get('keep-alive') ?? '')?.[1];
  return timeout === undefined ? IDLE_MS : Math.min(IDLE_MS, Number(timeout) * 1000 - 1000);
}

const IDLE_EVENTS = ['data', 'end', 'error', 'close', 'timeout'] as const;
