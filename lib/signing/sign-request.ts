import { HttpRequest } from '@smithy/protocol-http';
import type { Credentials } from './credentials.ts';
import { EMPTY_SHA256, sha256Hex } from './canonical.ts';
import { smithySigner } from './smithy.ts';

/** A VOD API call before signing. `query` holds `Action`, `Version` and the parameters. */
export interface ApiRequest {
  method: string;
  /** `host` or `host:port`, as sent in the Host header. */
  host: string;
  query: Record<string, string>;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
}

export interface SignOptions {
  credentials: Credentials;
  region: string;
  /** The signing time (default: now). */
  now?: Date;
}

/**
 * Signs an API call with SigV4 headers (protocol 6.1) through `@smithy/signature-v4`.
 * Signs `host`, `content-type` (when given), `x-amz-date`, `x-amz-content-sha256` and, for STS2 credentials,
 * `x-amz-security-token`; other headers in `req.headers` are sent unsigned, as the original SDK does.
 * @returns every header to send, lower-case names.
 */
export async function signRequest(req: ApiRequest, opts: SignOptions): Promise<Record<string, string>> {
  // The payload hash is given to Smithy, which then signs it as is: node:crypto's hex digest costs less than
  // Smithy's Hash wrapper (Uint8Array copy, async digest, JS hex loop).
  const signed: Record<string, string> = { host: req.host, 'x-amz-content-sha256': req.body === undefined ? EMPTY_SHA256 : sha256Hex(req.body) };
  let unsigned: Record<string, string> | undefined;
  const headers = req.headers;
  if (headers) {
    for (const name in headers) {
      const lower = name.toLowerCase();
      if (lower === 'content-type') signed[lower] = headers[name]!;
      else if (lower !== 'host') (unsigned ??= {})[lower] = headers[name]!;
    }
  }
  const request = new HttpRequest({ method: req.method, protocol: 'https:', hostname: req.host, path: '/', query: req.query, headers: signed, body: req.body });
  const result = (await smithySigner(opts.credentials, opts.region).sign(request, { signingDate: opts.now ?? new Date() })).headers as Record<string, string>;
  // Smithy's result is a fresh object: the unsigned headers go into it (never over a signed one)
  if (unsigned) for (const name in unsigned) if (!(name in result)) result[name] = unsigned[name]!;
  return result;
}
