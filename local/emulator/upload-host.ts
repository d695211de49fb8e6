import type { IncomingMessage } from 'node:http';
import { readBody } from './body.ts';
import type { Ctx } from './context.ts';
import { UploadError } from './errors.ts';
import { newBlobId, recordObject } from './objects.ts';
import type { Multipart, UploadSession } from './state.ts';

const MiB = 1024 * 1024;
const MAX_PARTS = 10000;

export interface UploadReply { status: number; payload: Record<string, unknown> }

const hex8 = (n: number): string => (n >>> 0).toString(16).padStart(8, '0');

/** Content-CRC32: lowercase/uppercase hex, padded or not, or the literal `Ignore`. */
function expectedCrc(req: IncomingMessage): number | null {
  const raw = req.headers['content-crc32'];
  const v = (Array.isArray(raw) ? raw[0] : raw)?.trim();
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
  if (!/^\d{1,5}$/.test(rawNumber) || Number(rawNumber) > MAX_PARTS) throw new UploadError(400, 4010, 'InvalidPartNumber', `partNumber must be 0..${MAX_PARTS}`);
  const n = Number(rawNumber);
  const expected = expectedCrc(req);
  const blob = newBlobId(ctx, 'p');
  const digest = await ctx.blobs.put(blob, req, { maxBytes: ctx.opts.maxUploadBytes, verify: crcCheck(expected) });
  if (!ctx.state.multiparts[m.uploadId]) { await ctx.blobs.delete(blob); throw new UploadError(404, 4007, 'NoSuchUpload', 'upload was completed meanwhile'); }
  const old = m.parts[String(n)];
  m.parts[String(n)] = { crc32: digest.crc32, size: digest.size, blob };
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
  const blob = newBlobId(ctx, 'o');
  const digest = await ctx.blobs.concat(blob, parts.map((p) => p.blob));
  delete ctx.state.multiparts[m.uploadId];
  for (const p of Object.values(m.parts)) await ctx.blobs.delete(p.blob);
  await recordObject(ctx, { uri: m.storeUri, blob, digest, space: s.space, fileType: s.fileType });
  await ctx.store.save();
  return { status: 200, payload: { key: m.storeUri, hash: hex8(digest.crc32), size: digest.size } };
}
