import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { runApi } from './api.ts';
import { lowerHeaders } from './auth.ts';
import { BodyTooLarge, drain, readBody } from './body.ts';
import { parseParams } from './call.ts';
import { newRequestId, type Ctx, type RequestRecord } from './context.ts';
import { ApiError, ERROR_CODES, UploadError } from './errors.ts';
import type { FaultKind } from './faults.ts';
import { servePlay, servePoster } from './serve.ts';
import { runUpload } from './upload-host.ts';

const CORS_EXPOSE = 'X-Tt-Logid, X-Request-Id, Content-Range, Content-Length, Accept-Ranges, ETag, Location';
const CORS_ALLOW = 'Authorization, Content-Type, Content-CRC32, X-Storage-Mode, X-Amz-Date, X-Amz-Content-Sha256, X-Amz-Security-Token, Range, Accept';

function cors(req: IncomingMessage, res: ServerResponse): void {
  res.setHeader('access-control-allow-origin', req.headers.origin ?? '*');
  res.setHeader('vary', 'Origin');
  res.setHeader('access-control-expose-headers', CORS_EXPOSE);
}

function preflight(req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(204, {
    'access-control-allow-methods': 'GET, HEAD, POST, PUT, OPTIONS',
    'access-control-allow-headers': req.headers['access-control-request-headers'] ?? CORS_ALLOW,
    'access-control-max-age': '600',
  });
  res.end();
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}

function safeDecode(s: string): string {
  try { return decodeURIComponent(s); } catch { return s; }
}

/** The Vid named in a JSON API body (StartTranscode, SetVideoPublishStatus, ModifyVideoInfo), for the request log. */
function vidOfBody(body: Buffer): string | undefined {
  if (body.length === 0 || body.length > 65536 || body[0] !== 0x7b) return undefined;
  try {
    const vid = (JSON.parse(body.toString('utf8')) as { Vid?: unknown }).Vid;
    return typeof vid === 'string' && vid ? vid : undefined;
  } catch { return undefined; }
}

function sleep(ms: number): Promise<void> { return new Promise((r) => setTimeout(r, ms)); }

/**
 * Applies a drawn fault: 'slow' waits and lets the request proceed (on the API, `slowAfter` moves the wait to
 * after the action ran: a client that gives up first never learns that it happened); the others answer (or
 * drop) it before it is processed. Returns true when handled.
 */
async function applyFault(ctx: Ctx, kind: FaultKind | null, req: IncomingMessage, reply: (code: 'ServiceUnavailable' | 'RequestLimitExceeded') => void, slowAfter = false): Promise<boolean> {
  if (!kind) return false;
  if (kind === 'slow') { if (!slowAfter) await sleep(ctx.faults.slowMs); return false; }
  if (kind === 'reset') { req.socket.destroy(); return true; }
  await drain(req);
  reply(kind === '429' ? 'RequestLimitExceeded' : 'ServiceUnavailable');
  return true;
}

async function handleApi(ctx: Ctx, req: IncomingMessage, res: ServerResponse, rawQuery: string): Promise<void> {
  const requestId = newRequestId(ctx.now(), ctx.rng);
  const params = parseParams(rawQuery);
  const meta = { RequestId: requestId, Action: params.Action ?? '', Version: params.Version ?? '', Service: 'vod', Region: ctx.opts.region };
  const fail = (e: ApiError, extra: Record<string, string> = {}): void => {
    json(res, e.status, { ResponseMetadata: { ...meta, Error: { Code: e.code, CodeN: ERROR_CODES[e.code][1], Message: e.message } } }, { 'x-tt-logid': requestId, ...extra });
  };
  const rec: RequestRecord = { plane: 'api', action: meta.Action, status: 0, at: ctx.now().toISOString() };
  const vidParam = params.Vid ?? params.video_id;
  if (vidParam) rec.vid = vidParam;
  ctx.requests.push(rec);
  res.once('finish', () => { rec.status = res.statusCode; });
  const fault = ctx.faults.draw('api', meta.Action);
  if (fault) rec.fault = fault;
  const faulted = await applyFault(ctx, fault, req, (code) =>
    fail(new ApiError(code, code === 'RequestLimitExceeded' ? 'Request rate limit exceeded (injected fault).' : 'Service is unavailable (injected fault).'), code === 'RequestLimitExceeded' ? { 'retry-after': '1' } : {}), true);
  if (faulted) return;
  let body: Buffer;
  try {
    body = await readBody(req, ctx.opts.maxApiBodyBytes);
  } catch (e) {
    if (e instanceof BodyTooLarge) {
      res.setHeader('connection', 'close');
      fail(new ApiError('InvalidParameter', `Request body larger than ${ctx.opts.maxApiBodyBytes} bytes.`, 413));
      return;
    }
    throw e;
  }
  if (!rec.vid) {
    const vid = vidOfBody(body);
    if (vid) rec.vid = vid;
  }
  try {
    const out = await runApi(ctx, { method: req.method ?? 'GET', rawQuery, headers: lowerHeaders(req.headers), body, requestId });
    rec.processed = true;
    if (fault === 'slow') await sleep(ctx.faults.slowMs);
    if (!rec.vid) {
      const vid = (out as { result?: { Results?: Array<{ Vid?: unknown }> } }).result?.Results?.[0]?.Vid;
      if (typeof vid === 'string' && vid) rec.vid = vid;
    }
    if (out.status === 302) {
      res.writeHead(302, { location: out.location, 'x-tt-logid': requestId, 'content-length': '0' });
      res.end();
      return;
    }
    json(res, 200, out.result === undefined ? { ResponseMetadata: meta } : { ResponseMetadata: meta, Result: out.result }, { 'x-tt-logid': requestId });
  } catch (e) {
    if (e instanceof ApiError) return fail(e);
    ctx.opts.log(`emulator: internal error in ${meta.Action}: ${(e as Error).stack ?? String(e)}`);
    fail(new ApiError('InternalError', 'Service has some internal error.'));
  }
}

async function handleUpload(ctx: Ctx, req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams): Promise<void> {
  const logid = newRequestId(ctx.now(), ctx.rng);
  const fail = (status: number, code: number, error: string, message: string): void =>
    json(res, status, { success: code, error: { code, error, message } }, { 'x-tt-logid': logid });
  const uploadId = query.get('uploadID') ?? query.get('uploadId') ?? undefined;
  const method = req.method ?? 'GET';
  const step = method === 'GET' ? 'ListParts' : query.has('uploads') ? 'InitMultipart' : uploadId && query.has('partNumber') ? 'UploadPart' : uploadId ? 'CompleteMultipart' : 'PutObject';
  const rec: RequestRecord = { plane: 'upload', action: step, status: 0, storeUri: safeDecode(path.slice(1)), at: ctx.now().toISOString() };
  if (uploadId) rec.uploadId = uploadId;
  if (step === 'UploadPart') rec.partNumber = Number(query.get('partNumber'));
  ctx.requests.push(rec);
  res.once('finish', () => { rec.status = res.statusCode; });
  const fault = ctx.faults.draw('upload');
  if (fault) rec.fault = fault;
  const faulted = await applyFault(ctx, fault, req, (code) =>
    code === 'RequestLimitExceeded' ? fail(429, 4029, 'TooManyRequests', 'upload rate limit exceeded (injected fault)') : fail(503, 5003, 'ServiceUnavailable', 'upload host unavailable (injected fault)'));
  if (faulted) return;
  let oid: string;
  try { oid = decodeURIComponent(path.slice(1)); } catch { await drain(req); return fail(400, 4000, 'InvalidPath', 'malformed store uri'); }
  try {
    const out = await runUpload(ctx, req, oid, query);
    json(res, out.status, { success: 0, payload: out.payload }, { 'x-tt-logid': logid });
  } catch (e) {
    await drain(req);
    if (e instanceof UploadError) return fail(e.status, e.code, e.error, e.message);
    ctx.opts.log(`emulator: upload host error: ${(e as Error).stack ?? String(e)}`);
    fail(500, 5000, 'InternalError', 'upload host internal error');
  }
}

async function handleInternal(ctx: Ctx, res: ServerResponse, path: string): Promise<void> {
  if (path === '/__emulator/health') return json(res, 200, { ok: true, region: ctx.opts.region });
  const m = /^\/__emulator\/videos\/([A-Za-z0-9]+)$/.exec(path);
  const v = m ? ctx.state.videos[m[1]!] : undefined;
  if (v) return json(res, 200, v);
  json(res, 404, { error: 'not found' });
}

/** Routes one request: API at `/`, upload host, play and poster URLs, and `/__emulator/*` inspection. */
export async function route(ctx: Ctx, req: IncomingMessage, res: ServerResponse): Promise<void> {
  cors(req, res);
  const raw = req.url ?? '/';
  const q = raw.indexOf('?');
  const path = q < 0 ? raw : raw.slice(0, q);
  const rawQuery = q < 0 ? '' : raw.slice(q + 1);
  const method = req.method ?? 'GET';
  if (method === 'OPTIONS') return preflight(req, res);
  if (path === '/' || path === '') return handleApi(ctx, req, res, rawQuery);
  const query = new URLSearchParams(rawQuery);
  if (path.startsWith('/__emulator/')) return handleInternal(ctx, res, path);
  if ((method === 'GET' || method === 'HEAD') && path.startsWith('/play/')) return servePlay(ctx, req, res, path, query);
  if (method === 'PUT' || (method === 'GET' && (query.has('uploadID') || query.has('uploadId')))) return handleUpload(ctx, req, res, path, query);
  if ((method === 'GET' || method === 'HEAD') && path.includes('~')) return servePoster(ctx, req, res, path);
  await drain(req);
  json(res, 404, { error: 'not found' });
}

/** The node:http server; a handler error never crashes it. */
export function createEmulatorServer(ctx: Ctx): Server {
  const server = createServer((req, res) => {
    req.on('error', () => undefined);
    res.on('error', () => undefined);
    route(ctx, req, res).catch((e: unknown) => {
      ctx.opts.log(`emulator: unhandled ${(e as Error).stack ?? String(e)}`);
      if (!res.headersSent) json(res, 500, { error: 'InternalError' });
      else res.destroy();
    });
  });
  server.on('clientError', (_e, socket) => { if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n'); else socket.destroy(); });
  server.requestTimeout = 0;
  // Idle connections stay open 65 s, as behind the service's load balancers: longer than a client pool keeps them
  // (node:http's global agent: 5 s; undici: 4 s), so a client never sends on a connection the server is closing.
  // Node's default (5 s) races the clients' and, under load, fails a reused connection's request with no answer.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  return server;
}
