import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * X-VOD-SIGNATURE of a callback (protocol section 8):
 * md5hex(callbackUrl + "|" + timestamp + "|" + key + "|" + base64(rawBody)).
 * @example callbackSignature('https://api.example.com/vod/callback', '1700000000', key, Buffer.from(body))
 */
export function callbackSignature(callbackUrl: string, timestamp: string, key: string, rawBody: Uint8Array): string {
  const b64 = Buffer.from(rawBody).toString('base64');
  return createHash('md5').update(`${callbackUrl}|${timestamp}|${key}|${b64}`, 'utf8').digest('hex');
}

export type CallbackVerdict =
  | { ok: true }
  | { ok: false; reason: 'MissingSignature' | 'BadTimestamp' | 'TimestampOutOfWindow' | 'SignatureDoesNotMatch'; message: string };

/**
 * Checks a callback's X-VOD-TIMESTAMP (unix seconds, within `skewSeconds` of `now`) and X-VOD-SIGNATURE
 * (constant-time compare). A replay outside the window fails even with a valid signature.
 */
export function verifyCallbackSignature(input: {
  callbackUrl: string;
  key: string;
  timestamp: string | undefined;
  signature: string | undefined;
  rawBody: Uint8Array;
  now: Date;
  skewSeconds: number;
}): CallbackVerdict {
  const { timestamp, signature } = input;
  if (!timestamp || !signature) {
    return { ok: false, reason: 'MissingSignature', message: 'X-VOD-TIMESTAMP and X-VOD-SIGNATURE headers are required' };
  }
  if (!/^\d{1,12}$/.test(timestamp)) {
    return { ok: false, reason: 'BadTimestamp', message: 'X-VOD-TIMESTAMP must be unix seconds' };
  }
  const skew = Math.abs(input.now.getTime() / 1000 - Number(timestamp));
  if (skew > input.skewSeconds) {
    return { ok: false, reason: 'TimestampOutOfWindow', message: `X-VOD-TIMESTAMP is more than ${input.skewSeconds} s away from now` };
  }
  const expected = Buffer.from(callbackSignature(input.callbackUrl, timestamp, input.key, input.rawBody), 'utf8');
  const given = Buffer.from(signature.trim().toLowerCase(), 'utf8');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: 'SignatureDoesNotMatch', message: 'X-VOD-SIGNATURE does not match' };
  }
  return { ok: true };
}
