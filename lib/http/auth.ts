import { createHash, timingSafeEqual } from 'node:crypto';
import { Forbidden, Unauthorized } from './errors.ts';
import { headerValue, type Headers } from './header.ts';
import { addSecrets } from './redact.ts';

/** The outcome of checking a request's API key. `keyId` is a short, non-secret fingerprint of the key used. */
export type ApiKeyCheck =
  | { ok: true; keyId: string }
  | { ok: false; status: 401 | 403; message: string };

const MAX_KEY_LENGTH = 512;
const digests = new WeakMap<readonly string[], Buffer[]>();

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** The key presented: `Authorization: Bearer <key>` first, else `x-api-key`; undefined = none, null = garbled. */
function presented(headers: Headers): string | undefined | null {
  const authorization = headerValue(headers, 'authorization')?.trim();
  const bearer = authorization ? /^Bearer +([\x21-\x7e]+)$/i.exec(authorization)?.[1] : undefined;
  if (bearer !== undefined) return bearer.length <= MAX_KEY_LENGTH ? bearer : null;
  const apiKey = headerValue(headers, 'x-api-key')?.trim();
  if (apiKey) return /^[\x21-\x7e]{1,512}$/.test(apiKey) ? apiKey : null;
  return authorization ? null : undefined;
}

/**
 * Checks the API key of a request against the configured keys, in constant time: the SHA-256 of the presented
 * key is compared with `timingSafeEqual` to the SHA-256 of every configured key (all of them, no early exit).
 * Headers are matched case-insensitively (serverless-offline passes an authorizer raw-case headers).
 * No or garbled credentials -> 401; a well-formed key that is not configured (or no keys configured) -> 403.
 */
export function checkApiKey(headers: Headers, apiKeys: readonly string[]): ApiKeyCheck {
  const key = presented(headers);
  if (!key) return { ok: false, status: 401, message: `${key === null ? 'malformed' : 'missing'} credentials: send 'Authorization: Bearer' and the API key, or x-api-key` };
  let known = digests.get(apiKeys);
  if (!known) {
    known = apiKeys.map(sha256);
    digests.set(apiKeys, known);
    addSecrets(...apiKeys);
  }
  const candidate = sha256(key);
  let match = -1;
  known.forEach((digest, i) => {
    if (timingSafeEqual(digest, candidate)) match = i;
  });
  if (match < 0) return { ok: false, status: 403, message: 'invalid API key' };
  return { ok: true, keyId: candidate.subarray(0, 6).toString('hex') };
}

/**
 * The in-process guard of a protected route (defence in depth behind the gateway authorizer).
 * @returns the fingerprint of the key used.
 * @throws Unauthorized (401) without or with garbled credentials, Forbidden (403) for a wrong key.
 */
export function authorizeRequest(event: { headers?: Headers }, apiKeys: readonly string[]): string {
  const result = checkApiKey(event.headers, apiKeys);
  if (result.ok) return result.keyId;
  throw result.status === 401 ? new Unauthorized(result.message) : new Forbidden(result.message);
}
