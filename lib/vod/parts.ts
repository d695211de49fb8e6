import { crc32, formatCrc32 } from './crc.ts';

/**
 * A part of an upload body: 1-based number, its bytes, whether it is the last one, and its CRC32 (8 hex digits)
 * when it was computed while the bytes were read.
 */
export interface Part { partNumber: number; data: Uint8Array; last: boolean; release: () => void; crc32?: string }

/**
 * A fixed set of part buffers handed out and returned: the memory bound of a streaming upload. `acquire`
 * waits while all `count` buffers are in use, which is the backpressure on the reader.
 */
export class BufferPool {
  readonly #size: number;
  readonly #free: Buffer[] = [];
  readonly #waiters: Array<(b: Buffer) => void> = [];
  #allocated = 0;

  constructor(size: number, readonly count: number) {
    this.#size = size;
  }

  acquire(): Promise<Buffer> {
    const free = this.#free.pop();
    if (free) return Promise.resolve(free);
    if (this.#allocated < this.count) {
      this.#allocated++;
      return Promise.resolve(Buffer.allocUnsafeSlow(this.#size));
    }
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  release(buf: Buffer): void {
    const waiter = this.#waiters.shift();
    if (waiter) waiter(buf);
    else this.#free.push(buf);
  }
}

/**
 * Cuts bytes in memory into parts of `partSize` (views, no copy). An empty body is one empty part.
 */
export function* bytesParts(bytes: Uint8Array, partSize: number): Generator<Part> {
  const count = Math.max(1, Math.ceil(bytes.byteLength / partSize));
  for (let i = 0; i < count; i++) {
    const data = bytes.subarray(i * partSize, (i + 1) * partSize);
    yield { partNumber: i + 1, data, last: i === count - 1, release: () => {} };
  }
}

/**
 * Cuts a chunk stream into parts of exactly `partSize` bytes (the last one shorter), copying into buffers of
 * `pool`; a part's buffer goes back to the pool when its `release` is called. Reads one chunk ahead to know
 * which part is the last, so the memory in use is the pool plus one chunk.
 */
export async function* streamParts(chunks: AsyncIterable<Uint8Array>, partSize: number, pool: BufferPool): AsyncGenerator<Part> {
  const it = chunks[Symbol.asyncIterator]();
  let carry: Uint8Array | undefined;
  const next = async (): Promise<Uint8Array | undefined> => {
    if (carry) {
      const c = carry;
      carry = undefined;
      return c;
    }
    for (;;) {
      const r = await it.next();
      if (r.done) return undefined;
      if (r.value.byteLength > 0) return r.value;
    }
  };
  try {
    for (let partNumber = 1, ended = false; !ended; partNumber++) {
      const buf = await pool.acquire();
      let filled = 0;
      let crc = 0;
      while (filled < partSize && !ended) {
        const chunk = await next();
        if (!chunk) {
          ended = true;
          break;
        }
        const n = Math.min(chunk.byteLength, partSize - filled);
        const piece = n < chunk.byteLength ? chunk.subarray(0, n) : chunk;
        buf.set(piece, filled);
        crc = crc32(piece, crc); // while the chunk is in cache, not over the whole part afterwards
        filled += n;
        if (n < chunk.byteLength) carry = chunk.subarray(n);
      }
      if (!ended) {
        carry = await next();
        ended = carry === undefined;
      }
      yield { partNumber, data: buf.subarray(0, filled), last: ended, release: () => pool.release(buf), crc32: formatCrc32(crc) };
    }
  } finally {
    await it.return?.(); // closes a file or destroys a stream left half read
  }
}
