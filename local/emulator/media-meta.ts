/** Random access to stored bytes, as the metadata parsers need it. */
export interface ByteSource { size: number; read(offset: number, length: number): Promise<Buffer> }

export interface MediaMeta {
  format: string;          // 'mp4' | 'png' | 'jpeg' | 'unknown'
  width: number;
  height: number;
  duration: number;        // seconds, 3 decimals
  codec: string;           // 'h264' | 'h265' | '' ...
  audioCodec: string;
}

const EMPTY: MediaMeta = { format: 'unknown', width: 0, height: 0, duration: 0, codec: '', audioCodec: '' };
const MAX_MOOV = 64 * 1024 * 1024;
const CONTAINERS = new Set(['moov', 'trak', 'mdia', 'minf', 'stbl', 'edts', 'udta']);
const CODECS: Record<string, string> = { avc1: 'h264', avc3: 'h264', hvc1: 'h265', hev1: 'h265', av01: 'av1', vp09: 'vp9', mp4a: 'aac', 'ac-3': 'ac3', Opus: 'opus' };

interface Box { type: string; start: number; header: number; size: number }

function* boxes(buf: Buffer, from: number, to: number): Generator<Box> {
  let pos = from;
  while (pos + 8 <= to) {
    let size = buf.readUInt32BE(pos);
    const type = buf.toString('latin1', pos + 4, pos + 8);
    let header = 8;
    if (size === 1) {
      if (pos + 16 > to) return;
      size = Number(buf.readBigUInt64BE(pos + 8));
      header = 16;
    } else if (size === 0) size = to - pos;
    if (size < header || pos + size > to) return;
    yield { type, start: pos, header, size };
    pos += size;
  }
}

interface Track { handler: string; width: number; height: number; codec: string }

function parseMoov(buf: Buffer): MediaMeta {
  let duration = 0;
  const tracks: Track[] = [];
  const walk = (from: number, to: number, track: Track | null): void => {
    for (const b of boxes(buf, from, to)) {
      const body = b.start + b.header;
      if (b.type === 'mvhd') {
        const v = buf[body] ?? 0;
        const ts = v === 1 ? buf.readUInt32BE(body + 20) : buf.readUInt32BE(body + 12);
        const d = v === 1 ? Number(buf.readBigUInt64BE(body + 24)) : buf.readUInt32BE(body + 16);
        if (ts > 0) duration = Math.round((d / ts) * 1000) / 1000;
      } else if (b.type === 'trak') {
        const t: Track = { handler: '', width: 0, height: 0, codec: '' };
        tracks.push(t);
        walk(body, b.start + b.size, t);
      } else if (b.type === 'tkhd' && track) {
        const v = buf[body] ?? 0;
        const off = body + (v === 1 ? 4 + 8 + 8 + 4 + 4 + 8 : 4 + 4 + 4 + 4 + 4 + 4) + 8 + 2 + 2 + 2 + 2 + 36;
        if (off + 8 <= b.start + b.size) {
          track.width = Math.round(buf.readUInt32BE(off) / 65536);
          track.height = Math.round(buf.readUInt32BE(off + 4) / 65536);
        }
      } else if (b.type === 'hdlr' && track && body + 12 <= b.start + b.size) {
        track.handler = buf.toString('latin1', body + 8, body + 12);
      } else if (b.type === 'stsd' && track && body + 16 <= b.start + b.size) {
        const fourcc = buf.toString('latin1', body + 12, body + 16);
        track.codec = CODECS[fourcc] ?? fourcc;
      } else if (CONTAINERS.has(b.type)) {
        walk(body, b.start + b.size, track);
      }
    }
  };
  walk(0, buf.length, null);
  const video = tracks.find((t) => t.handler === 'vide') ?? tracks.find((t) => t.width > 0);
  const audio = tracks.find((t) => t.handler === 'soun');
  return { format: 'mp4', width: video?.width ?? 0, height: video?.height ?? 0, duration, codec: video?.codec ?? '', audioCodec: audio?.codec ?? '' };
}

/** Walks the top-level boxes of an ISO-BMFF file (moov may be at the end) and reads mvhd/tkhd/hdlr/stsd. */
async function mp4Meta(src: ByteSource): Promise<MediaMeta> {
  let pos = 0;
  while (pos + 8 <= src.size) {
    const h = await src.read(pos, 16);
    if (h.length < 8) break;
    let size = h.readUInt32BE(0);
    const type = h.toString('latin1', 4, 8);
    let header = 8;
    if (size === 1) { if (h.length < 16) break; size = Number(h.readBigUInt64BE(8)); header = 16; }
    else if (size === 0) size = src.size - pos;
    if (size < header) break;
    if (type === 'moov') {
      if (size > MAX_MOOV) break;
      const moov = await src.read(pos + header, size - header);
      return parseMoov(moov);
    }
    pos += size;
  }
  return { ...EMPTY, format: 'mp4' };
}

function pngMeta(h: Buffer): MediaMeta {
  return { ...EMPTY, format: 'png', width: h.readUInt32BE(16), height: h.readUInt32BE(20) };
}

async function jpegMeta(src: ByteSource): Promise<MediaMeta> {
  const buf = await src.read(0, Math.min(src.size, 256 * 1024));
  let pos = 2;
  while (pos + 9 < buf.length) {
    if (buf[pos] !== 0xff) { pos++; continue; }
    const marker = buf[pos + 1] ?? 0;
    const len = buf.readUInt16BE(pos + 2);
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { ...EMPTY, format: 'jpeg', height: buf.readUInt16BE(pos + 5), width: buf.readUInt16BE(pos + 7) };
    }
    pos += 2 + len;
  }
  return { ...EMPTY, format: 'jpeg' };
}

/** Detects the container by its magic bytes and reads its dimensions/duration; never throws on bad input. */
export async function mediaMeta(src: ByteSource): Promise<MediaMeta> {
  try {
    const head = await src.read(0, Math.min(src.size, 32));
    if (head.length >= 8 && head.toString('latin1', 4, 8) === 'ftyp') return await mp4Meta(src);
    if (head.length >= 24 && head.readUInt32BE(0) === 0x89504e47) return pngMeta(head);
    if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8) return await jpegMeta(src);
  } catch {
    // malformed file: report what is known
  }
  return { ...EMPTY };
}
