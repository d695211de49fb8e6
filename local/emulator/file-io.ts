import type { Hash } from 'node:crypto';
import { open } from 'node:fs/promises';

/**
 * File I/O of the disk blob store, shaped by the upload host's CPU cost per byte (measured with
 * measure-upload-cpu.ts: md5 and CRC32 are most of it, and these keep the rest small).
 */

const MiB = 1024 * 1024;

/** Bytes per read when hashing a file. */
const HASH_READ = MiB;

/**
 * Feeds a file's bytes to `hash` through one buffer, reused for every read. A read stream allocates a new buffer
 * per read: hashing a multipart upload's parts that way made a GiB of garbage per GiB uploaded, and V8 ran 2-3
 * times as many full collections during the upload (about 70 instead of 25-35 for 1 GiB).
 */
export async function hashFile(path: string, hash: Hash): Promise<void> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.allocUnsafeSlow(Math.min(HASH_READ, (await fh.stat()).size));
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) return;
      hash.update(buf.subarray(0, bytesRead));
    }
  } finally {
    await fh.close();
  }
}

/** Bytes queued before a file write: see {@link BatchWriter}. */
export const WRITE_BATCH = MiB;

/** What {@link BatchWriter} needs of a file: a FileHandle opened for writing. */
export interface AppendTarget {
  writev(chunks: Uint8Array[]): Promise<{ bytesWritten: number }>;
  close(): Promise<void>;
}

/**
 * Appends chunks to a file in batches of WRITE_BATCH bytes (one writev each), one batch written while the next
 * fills. Request bodies arrive in socket reads of up to 64 KiB: a thread-pool write per chunk (a write stream
 * waiting for 'drain' after each) cost about 2.5 times the CPU of one write per MiB, in thread hand-offs and
 * syscalls rather than in the copy to the page cache.
 */
export class BatchWriter {
  private batch: Uint8Array[] = [];
  private batched = 0;
  private writing: Promise<void> = Promise.resolve();
  constructor(private readonly file: AppendTarget) {}

  /** Queues `c` (kept by reference until written); true when the batch is full and should be flushed. */
  add(c: Uint8Array): boolean {
    this.batch.push(c);
    this.batched += c.length;
    return this.batched >= WRITE_BATCH;
  }

  /** Waits for the previous batch, then starts writing this one. */
  async flush(): Promise<void> {
    await this.writing;
    const chunks = this.batch;
    this.batch = [];
    this.batched = 0;
    this.writing = writeAll(this.file, chunks);
    this.writing.catch(() => undefined); // awaited by the next flush or close; not an unhandled rejection meanwhile
  }

  /** Writes what is queued, then closes the file. */
  async close(): Promise<void> {
    try {
      await this.flush();
      await this.writing;
    } finally {
      await this.file.close();
    }
  }

  /** Closes the file without writing what is queued (the bytes were refused, or writing failed). */
  async discard(): Promise<void> {
    await this.writing.catch(() => undefined);
    await this.file.close();
  }
}

/** writev until every byte is written: after a partial write (e.g. the disk filled up) the retry reports the error. */
async function writeAll(file: AppendTarget, chunks: Uint8Array[]): Promise<void> {
  let rest = chunks;
  while (rest.length > 0) {
    const { bytesWritten } = await file.writev(rest);
    if (bytesWritten === 0) throw new Error('file write made no progress');
    rest = after(rest, bytesWritten);
  }
}

/** The chunks without their first `n` bytes. */
function after(chunks: Uint8Array[], n: number): Uint8Array[] {
  let i = 0;
  let skip = n;
  while (i < chunks.length && skip >= chunks[i]!.length) skip -= chunks[i++]!.length;
  const rest = chunks.slice(i);
  if (skip > 0) rest[0] = rest[0]!.subarray(skip);
  return rest;
}
