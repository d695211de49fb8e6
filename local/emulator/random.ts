import { randomBytes } from 'node:crypto';

/** Source of identifiers: seeded (deterministic tests) or crypto-random. */
export interface Rng {
  /** Uniform float in [0, 1). */
  next(): number;
  hex(n: number): string;
  /** Lower-case letters and digits. */
  alnum(n: number): string;
}

const ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';

function fromNext(next: () => number): Rng {
  const pick = (alphabet: string, n: number): string => {
    let s = '';
    for (let i = 0; i < n; i++) s += alphabet[Math.floor(next() * alphabet.length)];
    return s;
  };
  return { next, hex: (n) => pick('0123456789abcdef', n), alnum: (n) => pick(ALNUM, n) };
}

/** mulberry32: tiny, fast, good enough for ids and fault dice. */
export function seededRng(seed: number): Rng {
  let a = seed >>> 0;
  return fromNext(() => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  });
}

export function cryptoRng(): Rng {
  return fromNext(() => randomBytes(4).readUInt32BE(0) / 4294967296);
}

export function createRng(seed?: number): Rng {
  return seed === undefined ? cryptoRng() : seededRng(seed);
}
