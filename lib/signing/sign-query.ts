import { HttpRequest } from '@smithy/protocol-http';
import { escapeUri } from './canonical.ts';
import { SigningError } from './errors.ts';
import type { SignOptions } from './sign-request.ts';
import { smithySigner } from './smithy.ts';

export const DEFAULT_EXPIRES_SECONDS = 900;
export const MAX_EXPIRES_SECONDS = 604_800;
const EXPIRES = 'X-Amz-Expires';

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
  const expires = checkExpires(req.query[EXPIRES] ?? req.expiresIn ?? DEFAULT_EXPIRES_SECONDS);
  const params: Record<string, string> = {};
  for (const [key, value] of Object.entries(req.query)) if (key !== EXPIRES) params[key] = value;

  const addedKeys = ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', EXPIRES, 'X-Amz-NotSignBody', 'X-Amz-SignedHeaders', 'X-Amz-SignedQueries'];
  if (opts.credentials.sessionToken) addedKeys.push('X-Amz-Security-Token');
  const signedQueries = [...Object.keys(params), ...addedKeys].sort().join(';');

  const request = new HttpRequest({
    method: req.method,
    protocol: 'https:',
    hostname: '',
    path: '/',
    query: { ...params, 'X-Amz-NotSignBody': '', 'X-Amz-SignedQueries': signedQueries },
    headers: {},
  });
  const presigned = await smithySigner(opts.credentials, opts.region).presign(request, {
    signingDate: opts.now ?? new Date(),
    expiresIn: expires,
  });
  const q = presigned.query as Record<string, string>;

  const order = [...Object.keys(params), EXPIRES, 'X-Amz-Date', 'X-Amz-NotSignBody', 'X-Amz-Credential', 'X-Amz-Algorithm', 'X-Amz-SignedHeaders', 'X-Amz-SignedQueries'];
  if (opts.credentials.sessionToken) order.push('X-Amz-Security-Token');
  order.push('X-Amz-Signature');
  // The caller's own position of X-Amz-Expires wins, as in the original SDK's tokens.
  const keys = EXPIRES in req.query ? Object.keys(req.query).concat(order.slice(order.indexOf(EXPIRES) + 1)) : order;
  return keys.map((k) => `${escapeUri(k)}=${escapeUri(q[k] ?? '')}`).join('&');
}
