import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { crc32Combine } from './crc32-combine.ts';
import { BatchWriter, hashFile } from './file-io.ts';
import { UploadError } from './errors.ts';

const MiB = 1024 * 1024;

/** Size, md5 (hex; '' when not computed) and CRC32 (IEEE) of stored bytes, computed while streaming. */
export interface Digest { size: number; md5: string; crc32: number }

/** A stored blob as one piece of a concatenated blob (its size and CRC32 as computed when it was stored). */
export interface PieceRef { blob: string; size: number; crc32: number }

/** Stored bytes by id: in memory, or as files under a directory (bounded memory for big uploads). */
export interface BlobStore {
  /**
   * Streams `source` into blob `id`. `verify` may throw to reject the bytes, which are then discarded. Chunks are
   * kept by reference until stored: a source must not reuse a chunk's memory after yielding it (streams do not).
   * `md5: false` skips the md5 (the digest's md5 is then ''): multipart parts need only their CRC32.
   */
  put(id: string, source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, opts?: { maxBytes?: number; verify?: (d: Digest) => void; md5?: boolean }): Promise<Digest>;
  /**
   * Makes blob `id` the given blobs in order without copying a byte: they become pieces of `id` (deleted with
   * it; do not delete them on their own). Size and CRC32 come from the pieces' own (CRC32 combined, nothing is
   * read); the digest's md5 is '' (see {@link BlobStore.md5}).
   */
  concat(id: string, pieces: readonly PieceRef[]): Promise<Digest>;
  /** md5 (hex) of the blob's bytes, read in order. */
  md5(id: string): Promise<string>;
  /** Feeds the blob's bytes, in order, to `hash`. */
  hashInto(id: string, hash: Hash): Promise<void>;
  size(id: string): Promise<number | undefined>;
  /** Bytes [start, end] inclusive. */
  stream(id: string, start: number, end: number): AsyncIterable<Uint8Array>;
  read(id: string, offset: number, length: number): Promise<Buffer>;
  delete(id: string): Promise<void>;
}

class Hasher {
  private readonly md5: ReturnType<typeof createHash> | undefined;
  private crc = 0;
  size = 0;
  constructor(private readonly maxBytes = Number.POSITIVE_INFINITY, withMd5 = true) {
    this.md5 = withMd5 ? createHash('md5') : undefined;
  }
  update(chunk: Uint8Array): void {
    this.size += chunk.length;
    if (this.size > this.maxBytes) throw new UploadError(413, 4013, 'EntityTooLarge', `body larger than ${this.maxBytes} bytes`);
    this.md5?.update(chunk);
    this.crc = crc32(chunk, this.crc);
  }
  digest(): Digest { return { size: this.size, md5: this.md5?.digest('hex') ?? '', crc32: this.crc >>> 0 }; }
}

function concatDigest(pieces: readonly PieceRef[]): Digest {
  let size = 0;
  let crc = 0;
  for (const p of pieces) {
    crc = crc32Combine(crc, p.crc32, p.size);
    size += p.size;
  }
  return { size, md5: '', crc32: crc };
}

async function md5Of(store: BlobStore, id: string): Promise<string> {
  const h = createHash('md5');
  await store.hashInto(id, h);
  return h.digest('hex');
}

async function collect(chunks: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const out: Uint8Array[] = [];
  for await (const c of chunks) out.push(c);
  return Buffer.concat(out);
}

export class MemoryBlobs implements BlobStore {
  private readonly blobs = new Map<string, Buffer[]>();

  async put(id: string, source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, opts: { maxBytes?: number; verify?: (d: Digest) => void; md5?: boolean } = {}): Promise<Digest> {
    const h = new Hasher(opts.maxBytes, opts.md5 ?? true);
    const chunks: Buffer[] = [];
    for await (const c of source) { h.update(c); chunks.push(Buffer.from(c.buffer, c.byteOffset, c.byteLength)); }
    const d = h.digest();
    opts.verify?.(d);
    this.blobs.set(id, chunks);
    return d;
  }

  async concat(id: string, pieces: readonly PieceRef[]): Promise<Digest> {
    const chunks: Buffer[] = [];
    for (const p of pieces) for (const c of this.get(p.blob)) chunks.push(c);
    for (const p of pieces) this.blobs.delete(p.blob);
    this.blobs.set(id, chunks);
    return concatDigest(pieces);
  }

  md5(id: string): Promise<string> { return md5Of(this, id); }

  async hashInto(id: string, hash: Hash): Promise<void> { for (const c of this.get(id)) hash.update(c); }

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

  read(id: string, offset: number, length: number): Promise<Buffer> {
    return collect(this.stream(id, offset, offset + length - 1));
  }

  async delete(id: string): Promise<void> { this.blobs.delete(id); }

  private get(id: string): Buffer[] {
    const b = this.blobs.get(id);
    if (!b) throw new Error(`blob ${id} not found`);
    return b;
  }
}

/**
 * Blobs as files: `blobs/{id}` for stored bytes, `manifests/{id}.json` (the ordered pieces with their sizes) for a
 * concatenated blob, whose bytes stay in its pieces' files. Both survive a restart.
 */
export class DiskBlobs implements BlobStore {
  private seq = 0;
  private readonly manifests = new Map<string, PieceRef[]>();
  constructor(private readonly dir: string) {}

  async init(): Promise<void> {
    await mkdir(join(this.dir, 'blobs'), { recursive: true });
    await mkdir(join(this.dir, 'manifests'), { recursive: true });
    await rm(join(this.dir, 'tmp'), { recursive: true, force: true });
    await mkdir(join(this.dir, 'tmp'), { recursive: true });
  }

  private path(id: string): string {
    if (!/^[A-Za-z0-9._-]+$/.test(id)) throw new Error('bad blob id');
    return join(this.dir, 'blobs', id);
  }

  private manifestPath(id: string): string {
    if (!/^[A-Za-z0-9._-]+$/.test(id)) throw new Error('bad blob id');
    return join(this.dir, 'manifests', `${id}.json`);
  }

  /** The pieces of a concatenated blob, or undefined for a plain one. */
  private async manifest(id: string): Promise<PieceRef[] | undefined> {
    const cached = this.manifests.get(id);
    if (cached) return cached;
    let text: string;
    try {
      text = await readFile(this.manifestPath(id), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
    const pieces = (JSON.parse(text) as { pieces: PieceRef[] }).pieces;
    this.manifests.set(id, pieces);
    return pieces;
  }

  private async write(id: string, source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, h: Hasher, verify?: (d: Digest) => void): Promise<Digest> {
    const tmp = join(this.dir, 'tmp', `${id}.${process.pid}.${++this.seq}`);
    const out = new BatchWriter(await open(tmp, 'w'));
    try {
      for await (const c of source) {
        h.update(c);
        if (out.add(c)) await out.flush();
      }
      await out.close();
      const d = h.digest();
      verify?.(d);
      await rename(tmp, this.path(id));
      return d;
    } catch (e) {
      await out.discard();
      await rm(tmp, { force: true });
      throw e;
    }
  }

  put(id: string, source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, opts: { maxBytes?: number; verify?: (d: Digest) => void; md5?: boolean } = {}): Promise<Digest> {
    return this.write(id, source, new Hasher(opts.maxBytes, opts.md5 ?? true), opts.verify);
  }

  async concat(id: string, pieces: readonly PieceRef[]): Promise<Digest> {
    const list = pieces.map((p) => ({ blob: p.blob, size: p.size, crc32: p.crc32 }));
    for (const p of list) this.path(p.blob); // validates the ids
    const tmp = join(this.dir, 'tmp', `${id}.${process.pid}.${++this.seq}.json`);
    await writeFile(tmp, JSON.stringify({ pieces: list }));
    await rename(tmp, this.manifestPath(id));
    this.manifests.set(id, list);
    return concatDigest(list);
  }

  md5(id: string): Promise<string> { return md5Of(this, id); }

  async hashInto(id: string, hash: Hash): Promise<void> {
    const m = await this.manifest(id);
    if (!m) return hashFile(this.path(id), hash);
    for (const p of m) await hashFile(this.path(p.blob), hash);
  }

  async size(id: string): Promise<number | undefined> {
    const m = await this.manifest(id);
    if (m) return m.reduce((n, p) => n + p.size, 0);
    try { return (await stat(this.path(id))).size; } catch { return undefined; }
  }

  async *stream(id: string, start: number, end: number): AsyncIterable<Uint8Array> {
    const m = await this.manifest(id);
    if (!m) {
      yield* createReadStream(this.path(id), { start, end, highWaterMark: MiB }) as AsyncIterable<Buffer>;
      return;
    }
    let pos = 0;
    for (const p of m) {
      const pStart = pos;
      pos += p.size;
      if (pos <= start || p.size === 0) continue;
      if (pStart > end) break;
      const range = { start: Math.max(0, start - pStart), end: Math.min(p.size - 1, end - pStart), highWaterMark: MiB };
      yield* createReadStream(this.path(p.blob), range) as AsyncIterable<Buffer>;
    }
  }

  async read(id: string, offset: number, length: number): Promise<Buffer> {
    if (length <= 0) return Buffer.alloc(0);
    if (await this.manifest(id)) return collect(this.stream(id, offset, offset + length - 1));
    const fh = await open(this.path(id), 'r');
    try {
      const buf = Buffer.alloc(length);
      const { bytesRead } = await fh.read(buf, 0, length, offset);
      return buf.subarray(0, bytesRead);
    } finally { await fh.close(); }
  }

  async delete(id: string): Promise<void> {
    const m = await this.manifest(id);
    if (m) {
      for (const p of m) await rm(this.path(p.blob), { force: true });
      await rm(this.manifestPath(id), { force: true });
      this.manifests.delete(id);
    }
    await rm(this.path(id), { force: true });
  }
}
