import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { once } from 'node:events';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { UploadError } from './errors.ts';

/** Size, md5 (hex) and CRC32 (IEEE) of stored bytes, computed while streaming. */
export interface Digest { size: number; md5: string; crc32: number }

/** Stored bytes by id: in memory, or as files under a directory (bounded memory for big uploads). */
export interface BlobStore {
  /** Streams `source` into blob `id`. `verify` may throw to reject the bytes, which are then discarded. */
  put(id: string, source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, opts?: { maxBytes?: number; verify?: (d: Digest) => void }): Promise<Digest>;
  /** Builds blob `id` from the given blobs in order (they are kept). */
  concat(id: string, parts: string[]): Promise<Digest>;
  size(id: string): Promise<number | undefined>;
  /** Bytes [start, end] inclusive. */
  stream(id: string, start: number, end: number): AsyncIterable<Uint8Array>;
  read(id: string, offset: number, length: number): Promise<Buffer>;
  delete(id: string): Promise<void>;
}

class Hasher {
  private md5 = createHash('md5');
  private crc = 0;
  size = 0;
  constructor(private readonly maxBytes = Number.POSITIVE_INFINITY) {}
  update(chunk: Uint8Array): void {
    this.size += chunk.length;
    if (this.size > this.maxBytes) throw new UploadError(413, 4013, 'EntityTooLarge', `body larger than ${this.maxBytes} bytes`);
    this.md5.update(chunk);
    this.crc = crc32(chunk, this.crc);
  }
  digest(): Digest { return { size: this.size, md5: this.md5.digest('hex'), crc32: this.crc >>> 0 }; }
}

export class MemoryBlobs implements BlobStore {
  private readonly blobs = new Map<string, Buffer[]>();

  async put(id: string, source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, opts: { maxBytes?: number; verify?: (d: Digest) => void } = {}): Promise<Digest> {
    const h = new Hasher(opts.maxBytes);
    const chunks: Buffer[] = [];
    for await (const c of source) { h.update(c); chunks.push(Buffer.from(c.buffer, c.byteOffset, c.byteLength)); }
    const d = h.digest();
    opts.verify?.(d);
    this.blobs.set(id, chunks);
    return d;
  }

  async concat(id: string, parts: string[]): Promise<Digest> {
    const h = new Hasher();
    const chunks: Buffer[] = [];
    for (const p of parts) for (const c of this.get(p)) { h.update(c); chunks.push(c); }
    this.blobs.set(id, chunks);
    return h.digest();
  }

  async size(id: string): Promise<number | undefined> {
    const b = this.blobs.get(id);
    return b ? b.reduce((n, c) => n + c.length, 0) : undefined;
  }

  async *stream(id: string, start: number, end: number): AsyncIterable<Uint8Array> {
    let pos = 0;
    for (const c of this.get(id)) {
      const cStart = pos;
      pos += c.length;
      if (pos <= start) continue;
      if (cStart > end) break;
      yield c.subarray(Math.max(0, start - cStart), Math.min(c.length, end - cStart + 1));
    }
  }

  async read(id: string, offset: number, length: number): Promise<Buffer> {
    const out: Uint8Array[] = [];
    for await (const c of this.stream(id, offset, offset + length - 1)) out.push(c);
    return Buffer.concat(out);
  }

  async delete(id: string): Promise<void> { this.blobs.delete(id); }

  private get(id: string): Buffer[] {
    const b = this.blobs.get(id);
    if (!b) throw new Error(`blob ${id} not found`);
    return b;
  }
}

export class DiskBlobs implements BlobStore {
  private seq = 0;
  constructor(private readonly dir: string) {}

  async init(): Promise<void> {
    await mkdir(join(this.dir, 'blobs'), { recursive: true });
    await rm(join(this.dir, 'tmp'), { recursive: true, force: true });
    await mkdir(join(this.dir, 'tmp'), { recursive: true });
  }

  private path(id: string): string {
    if (!/^[A-Za-z0-9._-]+$/.test(id)) throw new Error('bad blob id');
    return join(this.dir, 'blobs', id);
  }

  private async write(id: string, fill: (write: (c: Uint8Array) => Promise<void>) => Promise<void>, verify?: (d: Digest) => void, maxBytes?: number): Promise<Digest> {
    const tmp = join(this.dir, 'tmp', `${id}.${process.pid}.${++this.seq}`);
    const ws = createWriteStream(tmp);
    const h = new Hasher(maxBytes);
    try {
      await fill(async (c) => {
        h.update(c);
        if (!ws.write(c)) await Promise.race([once(ws, 'drain'), once(ws, 'error').then(([e]) => { throw e; })]);
      });
      ws.end();
      await once(ws, 'finish');
      const d = h.digest();
      verify?.(d);
      await rename(tmp, this.path(id));
      return d;
    } catch (e) {
      ws.destroy();
      await rm(tmp, { force: true });
      throw e;
    }
  }

  put(id: string, source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, opts: { maxBytes?: number; verify?: (d: Digest) => void } = {}): Promise<Digest> {
    return this.write(id, async (w) => { for await (const c of source) await w(c); }, opts.verify, opts.maxBytes);
  }

  concat(id: string, parts: string[]): Promise<Digest> {
    return this.write(id, async (w) => {
      for (const p of parts) for await (const c of createReadStream(this.path(p))) await w(c as Buffer);
    });
  }

  async size(id: string): Promise<number | undefined> {
    try { return (await stat(this.path(id))).size; } catch { return undefined; }
  }

  stream(id: string, start: number, end: number): AsyncIterable<Uint8Array> {
    return createReadStream(this.path(id), { start, end });
  }

  async read(id: string, offset: number, length: number): Promise<Buffer> {
    const fh = await open(this.path(id), 'r');
    try {
      const buf = Buffer.alloc(length);
      const { bytesRead } = await fh.read(buf, 0, length, offset);
      return buf.subarray(0, bytesRead);
    } finally { await fh.close(); }
  }

  async delete(id: string): Promise<void> { await rm(this.path(id), { force: true }); }
}
