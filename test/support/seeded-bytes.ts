// Test data that looks random but is the same on every run: a failure reproduces with the same bytes.

/**
 * `size` deterministic pseudo-random bytes (xorshift32 from `seed`; the last `size % 4` bytes are 7), so parts
 * and chunks differ and CRCs and digests mean something.
 * @example const body = seededBytes(5 * 1024 * 1024, 11);
 */
export function seededBytes(size: number, seed: number): Buffer<ArrayBuffer> {
  const out = Buffer.allocUnsafe(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i + 4 <= size; i += 4) {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    out.writeUInt32LE(x, i);
  }
  out.fill(7, size - (size % 4));
  return out;
}
