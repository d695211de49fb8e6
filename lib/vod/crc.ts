/**
 * zlib's CRC32 (IEEE), node:zlib loaded at the first checksum: the functions that never upload (most of them) do not
 * load it at cold start (~1 ms). process.getBuiltinModule, not import(): see `sender` in http.ts.
 */
export function crc32(data: Uint8Array, previous?: number): number {
  return process.getBuiltinModule('node:zlib').crc32(data, previous);
}

/** Loads node:zlib now (while the caller waits on the network), so that the first checksum does not. */
export function preloadCrc32(): void {
  process.getBuiltinModule('node:zlib');
}

/**
 * CRC32 (IEEE) of `data` as the upload host expects it in `Content-CRC32`: lowercase hex, zero-padded to 8 digits.
 * Pass `previous` (the numeric CRC of the bytes before) to checksum a body chunk by chunk.
 *
 * @example crc32Hex(Buffer.from('hello')) // '3610a686'
 */
export function crc32Hex(data: Uint8Array, previous?: number): string {
  return formatCrc32(crc32(data, previous));
}

/** Formats a numeric CRC32 as 8 lowercase hex digits (`0x0000abcd` -> `'0000abcd'`). */
export function formatCrc32(value: number): string {
  return (value >>> 0).toString(16).padStart(8, '0');
}

/**
 * Compares two CRC32 hex strings the way the upload host does: case-insensitive, leading zeros optional
 * (one old SDK drops them). `Ignore` is not accepted here: the client always knows the checksum.
 */
export function sameCrc32(a: string, b: string): boolean {
  const norm = (s: string): number => Number.parseInt(s, 16);
  return /^[0-9a-fA-F]{1,8}$/.test(a) && /^[0-9a-fA-F]{1,8}$/.test(b) && norm(a) === norm(b);
}
