import { createHash, type Hash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Digest } from './blobs.ts';
import { readBody } from './body.ts';
import type { Ctx } from './context.ts';
import { UploadError } from './errors.ts';
import { newBlobId, recordObject } from './objects.ts';
import type { Multipart, UploadSession } from './state.ts';

const MiB = 1024 * 1024;
const MAX_PARTS = 10000;

export interface UploadReply { status: number; payload: Record<string, unknown> }

const hex8 = (n: number): string => (n >>> 0).toString(16).padStart(8, '0');

/** The first value of a header, trimmed. */
function headerOf(req: IncomingMessage, name: string): string | undefined {
  const raw = req.headers[name];
  return (Array.isArray(raw) ? raw[0] : raw)?.trim();
}

/** Content-CRC32: lowercase/uppercase hex, padded or not, or the literal `Ignore`. */
function expectedCrc(req: IncomingMessage): number | null {
  const v = headerOf(req, 'content-crc32');
  if (!v) throw new UploadError(400, 4001, 'MissingContentCRC32', 'Content-CRC32 header is required (crc32 hex or Ignore)');
  if (v.toLowerCase() === 'ignore') return null;
  if (!/^[0-9a-fA-F]{1,8}$/.test(v)) throw new UploadError(400, 4002, 'InvalidContentCRC32', 'Content-CRC32 must be hex or Ignore');
  return parseInt(v, 16) >>> 0;
}

function crcCheck(expected: number | null) {
  return (d: { crc32: number }): void => {
    if (expected !== null && expected !== d.crc32) {
      throw new UploadError(400, 4003, 'CrcMismatch', `crc32 mismatch: expected ${hex8(expected)}, got ${hex8(d.crc32)}`);
    }
  };
}

function session(ctx: Ctx, oid: string, req: IncomingMessage): UploadSession {
  const key = ctx.state.uploads[oid];
  const s = key ? ctx.state.sessions[key] : undefined;
  if (!s) throw new UploadError(404, 4004, 'NoSuchKey', 'unknown store uri (call ApplyUpload first)');
  const auth = s.storeInfos.find((i) => i.storeUri === oid)?.auth;
  const given = req.headers.authorization;
  if (!given) throw new UploadError(401, 4005, 'MissingAuthorization', 'Authorization header is required');
  if (given !== auth) throw new UploadError(403, 4006, 'InvalidAuthorization', 'Authorization does not match the store uri');
  if (s.committed) throw new UploadError(409, 4009, 'SessionCommitted', 'the session of this store uri is already committed');
  return s;
}

/**
 * md5 of a multipart upload's parts 1..k in part-number order, advanced in the background as parts arrive, so that
 * completion rarely has to read the object again (in memory only: after a restart the md5 is computed lazily).
 * `blobs` are the part blobs hashed, in order: completion uses the md5 only when its parts are exactly those.
 */
interface Md5Cursor { hash: Hash; next: number; blobs: string[]; running: Promise<void> | null; broken: boolean }
const cursors = new WeakMap<Multipart, Md5Cursor>();

function advanceMd5(ctx: Ctx, m: Multipart): void {
  let c = cursors.get(m);
  if (!c) cursors.set(m, (c = { hash: createHash('md5'), next: 1, blobs: [], running: null, broken: false }));
  if (c.running || c.broken || !m.parts[String(c.next)]) return;
  const cur = c;
  cur.running = (async () => {
    await undefined; // the body runs after `running` is set, so its `finally` always clears it
    try {
      // the condition is checked again after each part, in the same tick as `running = null`: no part is missed
      for (let p = m.parts[String(cur.next)]; p && !cur.broken; p = m.parts[String(cur.next)]) {
        await ctx.blobs.hashInto(p.blob, cur.hash);
        cur.blobs.push(p.blob);
        cur.next++;
      }
    } catch {
      cur.broken = true; // e.g. the part was replaced and its blob deleted meanwhile
    } finally {
      cur.running = null;
    }
  })();
}

/** The md5 of `blobs` concatenated if the cursor hashed exactly those, else '' (computed later, when needed). */
async function cursorMd5(m: Multipart, blobs: string[]): Promise<string> {
  const c = cursors.get(m);
  if (!c) return '';
  while (c.running) await c.running;
  cursors.delete(m);
  if (c.broken || c.blobs.length !== blobs.length || c.blobs.some((b, i) => b !== blobs[i])) return '';
  return c.hash.digest('hex');
}

/** Every multipart call (init, part, complete, list) carries `X-Storage-Mode: gateway` (protocol 5). */
function requireGateway(req: IncomingMessage): void {
  const mode = headerOf(req, 'x-storage-mode');
  if (mode?.toLowerCase() !== 'gateway') {
    throw new UploadError(400, 4017, 'InvalidStorageMode', `multipart calls need the header X-Storage-Mode: gateway${mode ? ` (got '${mode.slice(0, 20)}')` : ''}`);
  }
}

function multipart(ctx: Ctx, oid: string, uploadId: string): Multipart {
  const m = ctx.state.multiparts[uploadId];
  if (!m || m.storeUri !== oid) throw new UploadError(404, 4007, 'NoSuchUpload', 'unknown uploadID for this store uri');
  return m;
}

/** One call of the upload host (protocol section 5). `oid` is the decoded store uri. */
export async function runUpload(ctx: Ctx, req: IncomingMessage, oid: string, query: URLSearchParams): Promise<UploadReply> {
  const s = session(ctx, oid, req);
  const uploadId = query.get('uploadID') ?? query.get('uploadId');
  const method = req.method ?? 'GET';
  if (query.has('uploads') || uploadId) requireGateway(req);
  if (method === 'PUT' && query.has('uploads')) {
    const m: Multipart = { uploadId: ctx.rng.hex(32), storeUri: oid, createdAt: ctx.now().toISOString(), parts: {} };
    ctx.state.multiparts[m.uploadId] = m;
    await ctx.store.save();
    return { status: 200, payload: { uploadID: m.uploadId, key: oid } };
  }
  if (method === 'PUT' && uploadId && query.has('partNumber')) return putPart(ctx, req, multipart(ctx, oid, uploadId), query.get('partNumber') ?? '');
  if (method === 'PUT' && uploadId) return complete(ctx, req, s, multipart(ctx, oid, uploadId));
  if (method === 'GET' && uploadId) {
    const m = multipart(ctx, oid, uploadId);
    const partList = Object.entries(m.parts).map(([n, p]) => ({ partNumber: Number(n), crc32: hex8(p.crc32), size: p.size })).sort((a, b) => a.partNumber - b.partNumber);
    return { status: 200, payload: { uploadID: m.uploadId, partList } };
  }
  if (method === 'PUT') return putDirect(ctx, req, s, oid);
  throw new UploadError(405, 4005, 'MethodNotAllowed', `${method} is not an upload-host call`);
}

async function putDirect(ctx: Ctx, req: IncomingMessage, s: UploadSession, oid: string): Promise<UploadReply> {
  const expected = expectedCrc(req);
  const blob = newBlobId(ctx, 'o');
  const digest = await ctx.blobs.put(blob, req, { maxBytes: ctx.opts.maxUploadBytes, verify: crcCheck(expected) });
  await recordObject(ctx, { uri: oid, blob, digest, space: s.space, fileType: s.fileType });
  await ctx.store.save();
  return { status: 200, payload: { key: oid, hash: hex8(digest.crc32), size: digest.size } };
}

async function putPart(ctx: Ctx, req: IncomingMessage, m: Multipart, rawNumber: string): Promise<UploadReply> {
  if (!/^\d{1,5}$/.test(rawNumber) || Number(rawNumber) < 1 || Number(rawNumber) > MAX_PARTS) throw new UploadError(400, 4010, 'InvalidPartNumber', `partNumber must be 1..${MAX_PARTS}`);
  const n = Number(rawNumber);
  const expected = expectedCrc(req);
  const blob = newBlobId(ctx, 'p');
  // a part needs only its CRC32; the object's md5 is hashed over the parts in order (advanceMd5)
  const digest = await ctx.blobs.put(blob, req, { maxBytes: ctx.opts.maxUploadBytes, verify: crcCheck(expected), md5: false });
  if (!ctx.state.multiparts[m.uploadId]) { await ctx.blobs.delete(blob); throw new UploadError(404, 4007, 'NoSuchUpload', 'upload was completed meanwhile'); }
  const old = m.parts[String(n)];
  m.parts[String(n)] = { crc32: digest.crc32, size: digest.size, blob };
  advanceMd5(ctx, m);
  if (old) await ctx.blobs.delete(old.blob);
  await ctx.store.save();
  return { status: 200, payload: { partNumber: n, crc32: hex8(digest.crc32), size: digest.size } };
}

/** Body "1:crc,2:crc,..." (0-based accepted: entries are then mapped onto the uploaded parts in order). */
async function complete(ctx: Ctx, req: IncomingMessage, s: UploadSession, m: Multipart): Promise<UploadReply> {
  let text: string;
  try { text = (await readBody(req, MiB)).toString('utf8').trim(); } catch { throw new UploadError(413, 4013, 'EntityTooLarge', 'completion body too large'); }
  const entries = text.split(',').map((e) => e.trim()).filter(Boolean).map((e) => {
    const [num, crc, ...rest] = e.split(':');
    if (rest.length > 0 || !num || !crc || !/^\d+$/.test(num) || !/^[0-9a-fA-F]{1,8}$/.test(crc)) {
      throw new UploadError(400, 4011, 'InvalidCompleteBody', 'completion body must be "partNumber:crc32,..."');
    }
    return { n: Number(num), crc: parseInt(crc, 16) >>> 0 };
  });
  if (entries.length === 0) throw new UploadError(400, 4011, 'InvalidCompleteBody', 'completion body lists no parts');
  if (entries.length > MAX_PARTS) throw new UploadError(400, 4012, 'TooManyParts', `at most ${MAX_PARTS} parts`);
  const shift = entries.some((e) => e.n === 0) && !m.parts['0'] ? 1 : 0;
  const parts = entries.map((e, i) => {
    const p = m.parts[String(e.n + shift)];
    if (!p) throw new UploadError(400, 4014, 'InvalidPart', `part ${e.n} was not uploaded`);
    if (p.crc32 !== e.crc) throw new UploadError(400, 4003, 'CrcMismatch', `crc32 of part ${e.n} does not match`);
    if (i > 0 && entries[i - 1]!.n >= e.n) throw new UploadError(400, 4015, 'InvalidPartOrder', 'parts must be listed in ascending order');
    if (i < entries.length - 1 && p.size < 5 * MiB) throw new UploadError(400, 4016, 'EntityTooSmall', `part ${e.n} is smaller than 5 MiB and not the last`);
    return p;
  });
  // Claimed before the first await: a concurrent completion or part of this upload is refused (NoSuchUpload).
  delete ctx.state.multiparts[m.uploadId];
  const blob = newBlobId(ctx, 'o');
  let digest: Digest;
  try {
    const md5 = await cursorMd5(m, parts.map((p) => p.blob));
    // the object is its parts, in order (a manifest, no copy); parts were CRC-checked on arrival
    digest = { ...(await ctx.blobs.concat(blob, parts.map((p) => ({ blob: p.blob, size: p.size, crc32: p.crc32 })))), md5 };
  } catch (e) {
    ctx.state.multiparts[m.uploadId] = m;
    throw e;
  }
  const used = new Set(parts.map((p) => p.blob));
  for (const p of Object.values(m.parts)) if (!used.has(p.blob)) await ctx.blobs.delete(p.blob);
  await recordObject(ctx, { uri: m.storeUri, blob, digest, space: s.space, fileType: s.fileType });
  await ctx.store.save();
  return { status: 200, payload: { key: m.storeUri, hash: hex8(digest.crc32), size: digest.size } };
}
