import { HttpRequest } from '@smithy/protocol-http';
import { escapeUri } from './canonical.ts';
import { SigningError } from './errors.ts';
import type { SignOptions } from './sign-request.ts';
import { smithySigner } from './smithy.ts';

export const DEFAULT_EXPIRES_SECONDS = 900;
export const MAX_EXPIRES_SECONDS = 604_800;
const EXPIRES = 'X-Amz-Expires';
const ADDED_KEYS = ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', EXPIRES, 'X-Amz-NotSignBody', 'X-Amz-SignedHeaders', 'X-Amz-SignedQueries'];
const ADDED_KEYS_WITH_TOKEN = [...ADDED_KEYS, 'X-Amz-Security-Token'];

/** A signed-URL request: `query` holds `Action`, `Version` and the parameters, in the order to send them. */
export interface QueryRequest {
  method: string;
  query: Record<string, string>;
  /** Seconds the URL stays valid, when `query` has no `X-Amz-Expires` (default 900). */
  expiresIn?: number;
}

/** Validates an expiry in seconds: an integer in 1..604800. */
export function checkExpires(value: unknown): number {
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_EXPIRES_SECONDS) {
    throw new SigningError(`X-Amz-Expires must be an integer from 1 to ${MAX_EXPIRES_SECONDS} seconds, got ${JSON.stringify(value)}`);
  }
  return n;
}

/**
 * Signs a request into a signed-URL query string (protocol 6.2): `presign()` of `@smithy/signature-v4` over no
 * headers, with `X-Amz-NotSignBody` and `X-Amz-SignedQueries` as ordinary parameters, always with `X-Amz-Expires`.
 * Parameters keep the original SDK's order, so the result is byte-identical to its tokens.
 * @returns the query string, without `?`.
 * @example await signQuery({ method: 'GET', query: { Action: 'GetPlayInfo', Version: '2019-03-15', video_id: 'v1' } }, { credentials, region: 'cn-north-1' })
 */
export async function signQuery(req: QueryRequest, opts: SignOptions): Promise<string> {
  const src = req.query;
  const callerExpires = src[EXPIRES] !== undefined;
  const expires = checkExpires(callerExpires ? src[EXPIRES] : (req.expiresIn ?? DEFAULT_EXPIRES_SECONDS));
  // one copy of the parameters (presign() copies them again); X-Amz-Expires is presign()'s to add
  const query: Record<string, string> = {};
  const keys: string[] = [];
  for (const key in src) {
    if (key === EXPIRES) continue;
    query[key] = src[key]!;
    keys.push(key);
  }
  const token = opts.credentials.sessionToken;
  const signedQueries = keys.concat(token ? ADDED_KEYS_WITH_TOKEN : ADDED_KEYS).sort().join(';');
  query['X-Amz-NotSignBody'] = '';
  query['X-Amz-SignedQueries'] = signedQueries;
  const request = new HttpRequest({ method: req.method, protocol: 'https:', hostname: '', path: '/', query, headers: {} });
  const presigned = await smithySigner(opts.credentials, opts.region).presign(request, {
    signingDate: opts.now ?? new Date(),
    expiresIn: expires,
  });
  const q = presigned.query as Record<string, string>;

  // The original SDK's order: the caller's parameters (X-Amz-Expires where the caller put it, else last), then
  // the X-Amz-* keys in its fixed order, the signature last.
  let out = '';
  for (const key of callerExpires ? Object.keys(src) : keys) out += `${out ? '&' : ''}${escapeUri(key)}=${escapeUri(q[key]!)}`;
  if (!callerExpires) out += `${out ? '&' : ''}${EXPIRES}=${q[EXPIRES]}`;
  out += `&X-Amz-Date=${q['X-Amz-Date']}&X-Amz-NotSignBody=&X-Amz-Credential=${escapeUri(q['X-Amz-Credential']!)}`;
  out += `&X-Amz-Algorithm=${q['X-Amz-Algorithm']}&X-Amz-SignedHeaders=&X-Amz-SignedQueries=${escapeUri(signedQueries)}`;
  if (token) out += `&X-Amz-Security-Token=${escapeUri(token)}`;
  return `${out}&X-Amz-Signature=${q['X-Amz-Signature']}`;
}
