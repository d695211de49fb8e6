import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type { Ctx } from './context.ts';
import { objectMd5 } from './objects.ts';
import type { StoredObject } from './state.ts';
import { playAuth } from './videos.ts';

const TYPES: Record<string, string> = { mp4: 'video/mp4', png: 'image/png', jpeg: 'image/jpeg' };

function plain(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
  res.end(text);
}

/** Parses a single `bytes=` range; null = whole file, 'bad' = unsatisfiable. */
function range(header: string | undefined, size: number): [number, number] | null | 'bad' {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return header.includes(',') ? null : 'bad';
  if (m[1] === '') {
    const n = Number(m[2]);
    if (n === 0 || size === 0) return 'bad';
    return [Math.max(0, size - n), size - 1];
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size || end < start) return 'bad';
  return [start, end];
}

/** Sends stored bytes with Range support (one range; multi-range requests get the whole file). */
async function sendObject(ctx: Ctx, req: IncomingMessage, res: ServerResponse, o: StoredObject, contentType: string): Promise<void> {
  const r = range(req.headers.range, o.size);
  const md5 = await objectMd5(ctx, o);
  const common = { 'content-type': contentType, 'accept-ranges': 'bytes', etag: `"${md5}"`, 'cache-control': 'private, max-age=60' };
  if (r === 'bad') return plain(res, 416, 'range not satisfiable', { 'content-range': `bytes */${o.size}` });
  const [start, end] = r ?? [0, o.size - 1];
  const length = o.size === 0 ? 0 : end - start + 1;
  res.writeHead(r ? 206 : 200, { ...common, 'content-length': String(length), ...(r ? { 'content-range': `bytes ${start}-${end}/${o.size}` } : {}) });
  if (req.method === 'HEAD' || length === 0) { res.end(); return; }
  await pipeline(Readable.from(ctx.blobs.stream(o.blob, start, end)), res);
}

/** GET/HEAD /play/{vid}/{fileId}.mp4?auth_key=exp-rand-0-md5 */
export async function servePlay(ctx: Ctx, req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams): Promise<void> {
  const m = /^\/play\/([A-Za-z0-9]+)\/([A-Za-z0-9]+)\.mp4$/.exec(path);
  const v = m ? ctx.state.videos[m[1]!] : undefined;
  if (!m || !v || (m[2] !== 'origin' && !v.renditions.some((r) => r.fileId === m[2]))) return plain(res, 404, 'not found');
  const [exp, rand, zero, sig] = (query.get('auth_key') ?? '').split('-');
  if (!exp || !rand || zero !== '0' || !sig || playAuth(ctx, path, Number(exp), rand) !== `${exp}-${rand}-0-${sig}`) return plain(res, 403, 'bad auth_key');
  if (Number(exp) < Math.floor(ctx.now().getTime() / 1000)) return plain(res, 403, 'play URL expired');
  const o = ctx.state.objects[v.uri];
  if (!o) return plain(res, 404, 'not found');
  await sendObject(ctx, req, res, o, 'video/mp4');
}

/** GET/HEAD /{uri}~{template}.{format}: poster/image URLs (the template is not applied). */
export async function servePoster(ctx: Ctx, req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
  const uri = path.slice(1, path.indexOf('~'));
  const o = ctx.state.objects[uri];
  if (!o) return plain(res, 404, 'not found');
  await sendObject(ctx, req, res, o, TYPES[o.format] ?? 'application/octet-stream');
}
