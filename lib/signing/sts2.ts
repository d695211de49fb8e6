import { createCipheriv, createDecipheriv, createHash, createHmac, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Credentials } from './credentials.ts';
import { SigningError } from './errors.ts';
import { type Policy, parsePolicy } from './policy.ts';
import { pythonJson } from './python-json.ts';

/** Temporary credentials as the service returns them (times in RFC 3339). */
export interface Sts2Credentials {
  AccessKeyId: string;
  SecretAccessKey: string;
  SessionToken: string;
  CurrentTime: string;
  ExpiredTime: string;
}

/** The randomness STS2 draws, injectable so that tests are reproducible. */
export interface Randomness {
  /** A version 4 UUID, with dashes. */
  uuid4(): string;
  /** `n` random ASCII letters. */
  letters(n: number): string;
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** Cryptographic randomness from `node:crypto`. */
export const cryptoRandomness: Randomness = {
  uuid4: () => randomUUID(),
  letters: (n) => Array.from({ length: n }, () => LETTERS[randomInt(LETTERS.length)]).join(''),
};

export const STS2_PREFIX = 'STS2';
export const MIN_STS2_EXPIRE_SECONDS = 60;
const TEMP_SK_KEY = Buffer.from('bytedance-isgood');

/** The fields inside an STS2 SessionToken. */
export interface Sts2Token {
  LTAccessKeyId: string;
  AccessKeyId: string;
  SignedSecretAccessKey: string;
  ExpiredTime: number;
  PolicyString: string;
  Signature: string;
}

function zeroPad(data: Buffer): Buffer {
  return Buffer.concat([data, Buffer.alloc(16 - (data.length % 16))]);
}

function aesEncrypt(key: Buffer, plain: string): string {
  const cipher = createCipheriv('aes-128-cbc', key, key).setAutoPadding(false);
  return Buffer.concat([cipher.update(zeroPad(Buffer.from(plain, 'utf8'))), cipher.final()]).toString('base64');
}

function aesDecrypt(key: Buffer, encrypted: string): string | undefined {
  const data = Buffer.from(encrypted, 'base64');
  if (data.length === 0 || data.length % 16 !== 0) return undefined;
  const decipher = createDecipheriv('aes-128-cbc', key, key).setAutoPadding(false);
  return Buffer.concat([decipher.update(data), decipher.final()]).toString('utf8').replace(/\0+$/, '');
}

const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest();

function tokenSignature(key: Buffer, t: Omit<Sts2Token, 'Signature'>): string {
  return createHmac('sha256', key)
    .update(`${t.LTAccessKeyId}|${t.AccessKeyId}|${t.ExpiredTime}|${t.SignedSecretAccessKey}|${t.PolicyString}`)
    .digest('hex');
}

const rfc3339 = (seconds: number) => new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, '+00:00');

export interface IssueSts2Options {
  /** The long-term credentials the temporary ones derive from. */
  credentials: Credentials;
  /** The inline policy, or null for the full rights of the long-term key. */
  policy: Policy | null;
  /** Lifetime in seconds, at least 60. */
  expireSeconds: number;
  now?: Date;
  random?: Randomness;
}

/**
 * Issues STS2 temporary credentials (protocol 6.4), reproducing the original SDK byte for byte.
 * @example issueSts2({ credentials, policy: playPolicy(['v1']), expireSeconds: 3600 }).SessionToken // 'STS2eyJ...'
 */
export function issueSts2(opts: IssueSts2Options): Sts2Credentials {
  const { credentials, policy, expireSeconds } = opts;
  if (!Number.isInteger(expireSeconds) || expireSeconds < MIN_STS2_EXPIRE_SECONDS) {
    throw new SigningError(`STS2 expiry must be an integer of at least ${MIN_STS2_EXPIRE_SECONDS} seconds, got ${expireSeconds}`);
  }
  const random = opts.random ?? cryptoRandomness;
  const nowSeconds = Math.floor((opts.now ?? new Date()).getTime() / 1000);
  const key = md5(credentials.secretAccessKey);

  const uuidHex = random.uuid4().replace(/-/g, '');
  const accessKeyId = `AKTP${Buffer.from(uuidHex, 'utf8').toString('base64').replace(/[=/+-]/g, '')}`;
  const secretAccessKey = aesEncrypt(TEMP_SK_KEY, random.letters(32));
  const unsigned = {
    LTAccessKeyId: credentials.accessKeyId,
    AccessKeyId: accessKeyId,
    SignedSecretAccessKey: aesEncrypt(key, secretAccessKey),
    ExpiredTime: nowSeconds + expireSeconds,
    PolicyString: policy === null ? '' : pythonJson(policy),
  };
  const token: Sts2Token = { ...unsigned, Signature: tokenSignature(key, unsigned) };
  return {
    AccessKeyId: accessKeyId,
    SecretAccessKey: secretAccessKey,
    SessionToken: STS2_PREFIX + Buffer.from(pythonJson(token), 'utf8').toString('base64'),
    CurrentTime: rfc3339(nowSeconds),
    ExpiredTime: rfc3339(token.ExpiredTime),
  };
}

/** Decodes the fields of an STS2 SessionToken without checking them; undefined when malformed. */
export function decodeSts2Token(sessionToken: string): Sts2Token | undefined {
  if (!sessionToken.startsWith(STS2_PREFIX)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(sessionToken.slice(STS2_PREFIX.length), 'base64').toString('utf8'));
  } catch {
    return undefined;
  }
  const t = parsed as Partial<Sts2Token> | null;
  const ok =
    t !== null && typeof t === 'object' &&
    typeof t.LTAccessKeyId === 'string' && typeof t.AccessKeyId === 'string' &&
    typeof t.SignedSecretAccessKey === 'string' && typeof t.ExpiredTime === 'number' &&
    typeof t.PolicyString === 'string' && typeof t.Signature === 'string';
  return ok ? (t as Sts2Token) : undefined;
}

export type Sts2Check =
  | { ok: true; principal: string; accessKeyId: string; secretAccessKey: string; policy: Policy | null; expiredTime: number }
  | { ok: false; code: 'InvalidCredential' | 'RequestExpired'; message: string };

/**
 * Checks an STS2 SessionToken: its signature with md5 of the long-term secret, its expiry, its policy; and
 * decrypts the temporary secret that must have signed the request.
 */
export function verifySts2(sessionToken: string, opts: { lookupSecret: (ak: string) => string | undefined; now: Date }): Sts2Check {
  const token = decodeSts2Token(sessionToken);
  if (!token) return { ok: false, code: 'InvalidCredential', message: 'the security token is not a well-formed STS2 token' };
  const secret = opts.lookupSecret(token.LTAccessKeyId);
  if (secret === undefined) return { ok: false, code: 'InvalidCredential', message: `the security token names an unknown access key ${token.LTAccessKeyId}` };
  const key = md5(secret);
  const expected = Buffer.from(tokenSignature(key, token), 'utf8');
  const given = Buffer.from(token.Signature, 'utf8');
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    return { ok: false, code: 'InvalidCredential', message: 'the security token signature does not match' };
  }
  if (Math.floor(opts.now.getTime() / 1000) >= token.ExpiredTime) {
    return { ok: false, code: 'RequestExpired', message: `the security token expired at ${rfc3339(token.ExpiredTime)}` };
  }
  const policy = parsePolicy(token.PolicyString);
  if (policy === undefined) return { ok: false, code: 'InvalidCredential', message: 'the security token carries a malformed policy' };
  const secretAccessKey = aesDecrypt(key, token.SignedSecretAccessKey);
  if (!secretAccessKey) return { ok: false, code: 'InvalidCredential', message: 'the security token carries a malformed secret' };
  return { ok: true, principal: token.LTAccessKeyId, accessKeyId: token.AccessKeyId, secretAccessKey, policy, expiredTime: token.ExpiredTime };
}
