import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { crc32 } from 'node:zlib';
import { verifyRequest, type VerifyResult } from '#lib/signing';

/**
 * A tiny loopback stand-in for the VOD API and its upload host, for lib/vod's unit tests: it records every request,
 * answers API calls with programmable Results (or faults), optionally verifies signatures with '#lib/signing',
 * and implements the upload host (direct PUT and gateway multipart) checking Content-CRC32 while streaming, so
 * a large upload is never held in memory.
 */
export interface Recorded {
  method: string;
  path: string;
  rawQuery: string;
  query: Record<string, string>;
  headers: Record<string, string | undefined>;
  /** API bodies and small upload bodies (<= 64 KiB); empty for larger uploads, which are only checksummed. */
  body: Buffer;
  size: number;
  crc32: string;
  verified?: VerifyResult;
}

export interface Reply { status?: number; json?: unknown; text?: string; headers?: Record<string, string>; delayMs?: number; destroy?: boolean }

export interface TestServerOptions {
  /** Verify API signatures (401/403 envelope on failure) with these long-term keys. */
  secrets?: Record<string, string>;
  region?: string;
  now?: () => Date;
}

export interface StoredUpload { parts: Map<number, { crc32: string; size: number }>; completed?: string }

const KEEP = 64 * 1024;
const hex = (n: number): string => (n >>> 0).toString(16).padStart(8, '0');

export class VodTestServer {
  readonly requests: Recorded[] = [];
  /** API Results by action (a function gets the recorded request). */
  readonly results = new Map<string, unknown | ((r: Recorded) => unknown)>();
  /** Consulted first for every request: a Reply overrides the normal answer. */
  intercept: ((r: Recorded) => Reply | undefined | Promise<Reply | undefined>) | undefined;
  readonly uploads = new Map<string, StoredUpload>();
  /** Direct PUTs by object path: crc32 and size. */
  readonly objects = new Map<string, { crc32: string; size: number }>();
  #server: Server;
  #nextId = 1;
  port = 0;

  constructor(readonly opts: TestServerOptions = {}) {
    this.#server = createServer((req, res) => void this.#handle(req, res));
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.port = (this.#server.address() as AddressInfo).port;
    return this;
  }

  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The recorded API calls of one action. */
  calls(action: string): Recorded[] {
    return this.requests.filter((r) => r.path === '/' && r.query.Action === action);
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const rawQuery = url.search.slice(1);
    const chunks: Buffer[] = [];
    let size = 0;
    let crc = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      crc = crc32(chunk, crc);
      if (size <= KEEP) chunks.push(chunk);
      else chunks.length = 0;
    }
    const rec: Recorded = {
      method: req.method ?? '', path: url.pathname, rawQuery, query: Object.fromEntries(url.searchParams),
      headers: req.headers as Record<string, string | undefined>, body: size <= KEEP ? Buffer.concat(chunks) : Buffer.alloc(0),
      size, crc32: hex(crc),
    };
    this.requests.push(rec);
    const reply = (await this.intercept?.(rec)) ?? (rec.path === '/' ? await this.#api(rec) : this.#store(rec, url));
    if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
    if (reply.destroy) return void req.socket.destroy();
    const text = reply.text ?? JSON.stringify(reply.json ?? {});
    res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', 'x-tt-logid': `logid-${this.requests.length}`, ...reply.headers });
    res.end(text);
  }

  async #api(rec: Recorded): Promise<Reply> {
    const action = rec.query.Action ?? '';
    if (this.opts.secrets) {
      const secrets = this.opts.secrets;
      rec.verified = await verifyRequest(
        { method: rec.method, path: rec.path, rawQuery: rec.rawQuery, headers: rec.headers, body: rec.body },
        { lookupSecret: (ak) => secrets[ak], region: this.opts.region ?? 'cn-north-1', now: this.opts.now?.() ?? new Date() },
      );
      if (!rec.verified.ok) return envelope(action, rec.verified.status, undefined, { Code: rec.verified.code, Message: rec.verified.message });
    }
    const result = this.results.get(action);
    if (result === undefined) return envelope(action, 400, undefined, { Code: 'InvalidAction', Message: `no result for ${action}` });
    return envelope(action, 200, typeof result === 'function' ? (result as (r: Recorded) => unknown)(rec) : result);
  }

  #store(rec: Recorded, url: URL): Reply {
    const oid = rec.path.slice(1);
    const fail = (status: number, code: number, message: string): Reply => ({ status, json: { success: code, error: { code, error: 'UploadError', message } } });
    const ok = (payload: unknown): Reply => ({ json: { success: 0, payload } });
    if (!rec.headers.authorization) return fail(401, 4001, 'missing Authorization');
    const sentCrc = rec.headers['content-crc32'];
    const uploadId = url.searchParams.get('uploadID');
    if (rec.method === 'PUT' && url.searchParams.has('uploads')) {
      const id = `up-${this.#nextId++}`;
      this.uploads.set(id, { parts: new Map() });
      return ok({ uploadID: id });
    }
    const upload = uploadId ? this.uploads.get(uploadId) : undefined;
    if (uploadId && !upload) return fail(404, 4004, 'no such upload');
    if (rec.method === 'PUT' && upload && url.searchParams.has('partNumber')) {
      if (sentCrc !== rec.crc32) return fail(400, 4002, `crc32 mismatch: header ${sentCrc}, body ${rec.crc32}`);
      const n = Number(url.searchParams.get('partNumber'));
      upload.parts.set(n, { crc32: rec.crc32, size: rec.size });
      return ok({ crc32: rec.crc32 });
    }
    if (rec.method === 'GET' && upload) {
      return ok({ partList: [...upload.parts].map(([partNumber, p]) => ({ partNumber, crc32: p.crc32 })) });
    }
    if (rec.method === 'PUT' && upload) {
      for (const item of rec.body.toString('utf8').split(',')) {
        const [n, c] = item.split(':');
        if (upload.parts.get(Number(n))?.crc32 !== c) return fail(400, 4003, `part ${n} crc ${c} does not match the stored part`);
      }
      upload.completed = rec.body.toString('utf8');
      return ok({ key: oid });
    }
    if (rec.method === 'PUT') {
      if (sentCrc !== rec.crc32) return fail(400, 4002, `crc32 mismatch: header ${sentCrc}, body ${rec.crc32}`);
      this.objects.set(oid, { crc32: rec.crc32, size: rec.size });
      return ok({ hash: rec.crc32 });
    }
    return fail(405, 4005, 'unsupported');
  }
}

/** The protocol's response envelope. */
export function envelope(action: string, status: number, result?: unknown, error?: { Code: string; Message: string }): Reply {
  const ResponseMetadata = {
    RequestId: `2024010203040501020304050607${String(status).padStart(4, '0')}`, Action: action, Version: 'v', Service: 'vod', Region: 'cn-north-1',
    ...(error ? { Error: { ...error, CodeN: 100000 } } : {}),
  };
  return { status, json: error ? { ResponseMetadata } : { ResponseMetadata, ...(result === undefined ? {} : { Result: result }) } };
}
