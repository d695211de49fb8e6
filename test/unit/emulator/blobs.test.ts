import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DiskBlobs, MemoryBlobs, type BlobStore, type Digest } from '../../../local/emulator/blobs.ts';
import { UploadError } from '../../../local/emulator/errors.ts';
import { BatchWriter, WRITE_BATCH, type AppendTarget } from '../../../local/emulator/file-io.ts';

const MiB = 1024 * 1024;
const FOX = 'The quick brown fox jumps over the lazy dog';
/** md5 and CRC32 (IEEE) of FOX: published test vectors, not computed here. */
const FOX_MD5 = '9e107d9d372bb6826bd81d3542a419d6';
const FOX_CRC32 = 0x414fa339;

/** Deterministic bytes: byte i = (i * 31 + (i >> 12)) & 255. */
function pattern(from: number, to: number): Buffer {
  const b = Buffer.alloc(to - from);
  for (let i = from; i < to; i++) b[i - from] = (i * 31 + (i >> 12)) & 255;
  return b;
}

/** `bytes` cut into chunks of the given sizes, cycled (socket reads are neither equal nor aligned). */
function chunked(bytes: Buffer, sizes: number[]): Buffer[] {
  const out: Buffer[] = [];
  for (let off = 0, i = 0; off < bytes.length; i++) {
    const n = sizes[i % sizes.length]!;
    out.push(bytes.subarray(off, off + n));
    off += n;
  }
  return out;
}

async function* slowly(chunks: Buffer[]): AsyncGenerator<Buffer> {
  for (const c of chunks) {
    await new Promise((r) => setImmediate(r));
    yield c;
  }
}

const md5 = (b: Buffer): string => createHash('md5').update(b).digest('hex');

let dir: string;
let disk: DiskBlobs;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vod-emu-blobs-'));
  disk = new DiskBlobs(dir);
  await disk.init();
});
after(() => rm(dir, { recursive: true, force: true }));

for (const [name, store] of [['DiskBlobs', () => disk], ['MemoryBlobs', () => new MemoryBlobs()]] as const) {
  describe(`${name}: digests of known bytes`, () => {
    test('md5 and CRC32 of a published test vector, in uneven chunks; md5 read back equals', async () => {
      const s: BlobStore = store();
      const d = await s.put('fox', chunked(Buffer.from(FOX), [1, 7, 3]));
      assert.deepStrictEqual(d, { size: FOX.length, md5: FOX_MD5, crc32: FOX_CRC32 });
      assert.equal(await s.md5('fox'), FOX_MD5);
      assert.equal(await s.md5(await emptyBlob(s)), 'd41d8cd98f00b204e9800998ecf8427e');
    });

    test('a body of several write batches and hash reads, chunks straddling every boundary', async () => {
      const s: BlobStore = store();
      const bytes = pattern(0, 3 * WRITE_BATCH + 12345);
      const d = await s.put('big', slowly(chunked(bytes, [65536, 1, WRITE_BATCH + 3, 4093])));
      assert.deepStrictEqual(d, { size: bytes.length, md5: md5(bytes), crc32: crc32Of(bytes) });
      assert.ok((await s.read('big', 0, bytes.length)).equals(bytes));
      assert.equal(await s.md5('big'), md5(bytes));
    });

    test('concatenated pieces: CRC32 combined without reading, md5 over the pieces in order', async () => {
      const s: BlobStore = store();
      const parts = [pattern(0, 2 * MiB + 1), Buffer.alloc(0), pattern(7, 3 * MiB), Buffer.from(FOX)];
      const pieces = [];
      for (const [i, p] of parts.entries()) {
        const d = await s.put(`piece${i}`, chunked(p, [65536]), { md5: false });
        assert.equal(d.md5, '');
        pieces.push({ blob: `piece${i}`, size: d.size, crc32: d.crc32 });
      }
      const whole = Buffer.concat(parts);
      assert.deepStrictEqual(await s.concat('whole', pieces), { size: whole.length, md5: '', crc32: crc32Of(whole) });
      assert.equal(await s.md5('whole'), md5(whole));
    });

    test('refused bodies: over maxBytes (413), failing verify, a source that fails', async () => {
      const s: BlobStore = store();
      const bytes = pattern(0, 2 * WRITE_BATCH + 5);
      await assert.rejects(s.put('large', chunked(bytes, [65536]), { maxBytes: bytes.length - 1 }), (e: unknown) => e instanceof UploadError && e.status === 413 && e.error === 'EntityTooLarge');
      let seen: Digest | undefined;
      await assert.rejects(s.put('bad', chunked(bytes, [65536]), { verify: (d) => { seen = d; throw new Error('crc mismatch'); } }), /crc mismatch/);
      assert.deepStrictEqual(seen, { size: bytes.length, md5: md5(bytes), crc32: crc32Of(bytes) });
      async function* failing(): AsyncGenerator<Buffer> {
        yield pattern(0, WRITE_BATCH + 1);
        throw new Error('client went away');
      }
      await assert.rejects(s.put('cut', failing()), /client went away/);
      for (const id of ['large', 'bad', 'cut']) assert.equal(await s.size(id), undefined);
    });
  });
}

test('DiskBlobs: refused bodies leave no file behind', async () => {
  const own = await mkdtemp(join(tmpdir(), 'vod-emu-blobs-'));
  try {
    const s = new DiskBlobs(own);
    await s.init();
    const bytes = pattern(0, 3 * WRITE_BATCH);
    await assert.rejects(s.put('large', chunked(bytes, [65536]), { maxBytes: WRITE_BATCH }));
    await assert.rejects(s.put('bad', chunked(bytes, [65536]), { verify: () => { throw new Error('no'); } }));
    assert.deepStrictEqual([await readdir(join(own, 'blobs')), await readdir(join(own, 'tmp'))], [[], []]);
    await s.put('ok', chunked(bytes, [65536]));
    assert.ok((await readFile(join(own, 'blobs', 'ok'))).equals(bytes));
  } finally {
    await rm(own, { recursive: true, force: true });
  }
});

describe('BatchWriter', () => {
  /** A file that takes at most `most` bytes per writev (as after a partial write), recording what it took. */
  function shortFile(most: number): AppendTarget & { taken: Buffer[]; writes: number; closed: boolean } {
    const f = {
      taken: [] as Buffer[], writes: 0, closed: false,
      writev: async (chunks: Uint8Array[]) => {
        f.writes++;
        const all = Buffer.concat(chunks);
        f.taken.push(all.subarray(0, most));
        return { bytesWritten: Math.min(most, all.length) };
      },
      close: async () => { f.closed = true; },
    };
    return f;
  }

  test('writes every byte in order across partial writes, one batch per WRITE_BATCH bytes', async () => {
    const file = shortFile(100_000);
    const out = new BatchWriter(file);
    const bytes = pattern(0, 2.5 * WRITE_BATCH);
    const batches: number[] = [];
    let pending = 0;
    for (const c of chunked(bytes, [65536, 3, 1000])) {
      pending += c.length;
      if (out.add(c)) { batches.push(pending); pending = 0; await out.flush(); }
    }
    batches.push(pending);
    await out.close();
    assert.ok(Buffer.concat(file.taken).equals(bytes));
    assert.deepStrictEqual(batches.map((b) => b >= WRITE_BATCH && b < WRITE_BATCH + 65536), [true, true, false]);
    assert.deepStrictEqual([file.writes, file.closed], [batches.reduce((n, b) => n + Math.ceil(b / 100_000), 0), true]);
  });

  test('a write that makes no progress fails instead of looping; discard closes without writing', async () => {
    const stuck = new BatchWriter(shortFile(0));
    stuck.add(Buffer.from(FOX));
    await assert.rejects(stuck.close(), /no progress/);
    const file = shortFile(MiB);
    const dropped = new BatchWriter(file);
    dropped.add(Buffer.from(FOX));
    await dropped.discard();
    assert.deepStrictEqual([file.writes, file.closed], [0, true]);
  });
});

async function emptyBlob(s: BlobStore): Promise<string> {
  await s.put('empty', []);
  return 'empty';
}

/** CRC32 (IEEE) by table, independent of node:zlib (which the stores use). */
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  return c >>> 0;
});
function crc32Of(b: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of b) crc = CRC_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
