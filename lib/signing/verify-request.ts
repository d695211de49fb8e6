import { createHmac, timingSafeEqual } from 'node:crypto';
import {
  ALGORITHM, EMPTY_SHA256, SERVICE, canonicalHeaderValue, canonicalPath, canonicalQuery, parseLongDate, parseQuery,
  sha256Hex, signingKey, stringToSign,
} from './canonical.ts';
import type { Policy } from './policy.ts';
import { DEFAULT_EXPIRES_SECONDS, MAX_EXPIRES_SECONDS } from './sign-query.ts';
import { verifySts2 } from './sts2.ts';

export type VerifyErrorCode = 'SignatureDoesNotMatch' | 'RequestExpired' | 'InvalidTimestamp' | 'InvalidCredential' | 'InvalidAuthorization';

/** A request as a server received it. */
export interface IncomingRequest {
  method: string;
  path: string;
  /** The raw query string, without `?`. */
  rawQuery: string;
  /** Lower-case header names. */
  headers: Record<string, string | undefined>;
  body: Uint8Array;
}

export type VerifyResult =
  | { ok: true; form: 'header' | 'query'; accessKeyId: string; principal: string; policy: Policy | null }
  | { ok: false; code: VerifyErrorCode; status: number; message: string };

export interface VerifyOptions {
  /** The secret key of a long-term access key id, or undefined when unknown. */
  lookupSecret: (accessKeyId: string) => string | undefined;
  /** The region this server serves: the credential scope must name it. */
  region: string;
  now: Date;
  /** Allowed clock skew in seconds (default 900). */
  skewSeconds?: number;
  /** The service the credential scope must name (default `vod`; tests of lib/aws verify `dynamodb`, `events`, `s3`). */
  service?: string;
}

const STATUS: Record<VerifyErrorCode, number> = {
  InvalidAuthorization: 401,
  InvalidCredential: 401,
  SignatureDoesNotMatch: 403,
  RequestExpired: 403,
  InvalidTimestamp: 403,
};

function fail(code: VerifyErrorCode, message: string): VerifyResult {
  return { ok: false, code, status: STATUS[code], message };
}

interface Parsed {
  form: 'header' | 'query';
  accessKeyId: string;
  scope: string[];
  date: string;
  signedHeaders: string[];
  signature: string;
  canonicalQuery: string;
  payloadHash: string;
  sessionToken: string | undefined;
  expires: number | undefined;
}

const AUTH_RE = /^AWS4-HMAC-SHA256\s+Credential=([^,\s]+),\s*SignedHeaders=([^,\s]*),\s*Signature=([0-9a-f]{64})\s*$/;

/** The service whose requests may leave the payload unsigned: S3 (GetObject, as lib/aws sends it). */
const UNSIGNED_PAYLOAD_SERVICE = 's3';

function parseHeaderForm(req: IncomingRequest, authorization: string, service: string): Parsed | VerifyResult {
  const m = AUTH_RE.exec(authorization);
  if (!m) return fail('InvalidAuthorization', 'the Authorization header is not of the form "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=..."');
  const [ak, ...scope] = m[1]!.split('/');
  const date = req.headers['x-amz-date'];
  if (date === undefined) return fail('InvalidAuthorization', 'the X-Amz-Date header is missing');
  const declared = req.headers['x-amz-content-sha256'];
  const bodyHash = req.body.length === 0 ? EMPTY_SHA256 : sha256Hex(req.body);
  // Protocol 6.1: the payload is always signed, a GET's too (sha256 of ''); an unsigned payload would let the body
  // be swapped after signing. Only S3 knows UNSIGNED-PAYLOAD.
  if (declared === 'UNSIGNED-PAYLOAD' && service !== UNSIGNED_PAYLOAD_SERVICE) {
    return fail('SignatureDoesNotMatch', `X-Amz-Content-Sha256 UNSIGNED-PAYLOAD is not accepted by ${service}: sign the sha256 of the body`);
  }
  if (declared !== undefined && declared !== 'UNSIGNED-PAYLOAD' && declared !== bodyHash) {
    return fail('SignatureDoesNotMatch', 'X-Amz-Content-Sha256 does not match the body');
  }
  return {
    form: 'header', accessKeyId: ak!, scope, date,
    signedHeaders: m[2] === '' ? [] : m[2]!.split(';'),
    signature: m[3]!,
    canonicalQuery: canonicalQuery(parseQuery(req.rawQuery)),
    payloadHash: declared ?? bodyHash,
    sessionToken: req.headers['x-amz-security-token'],
    expires: undefined,
  };
}

function parseQueryForm(pairs: Array<[string, string]>): Parsed | VerifyResult {
  const get = (k: string) => pairs.find(([key]) => key === k)?.[1];
  const credential = get('X-Amz-Credential');
  const date = get('X-Amz-Date');
  const signature = get('X-Amz-Signature');
  if (get('X-Amz-Algorithm') !== ALGORITHM) return fail('InvalidAuthorization', `X-Amz-Algorithm must be ${ALGORITHM}`);
  if (!credential || !date || !signature) return fail('InvalidAuthorization', 'a signed URL needs X-Amz-Credential, X-Amz-Date and X-Amz-Signature');
  const rawExpires = get('X-Amz-Expires');
  const expires = rawExpires === undefined ? DEFAULT_EXPIRES_SECONDS : /^\d+$/.test(rawExpires) ? Number(rawExpires) : NaN;
  if (!(expires >= 1 && expires <= MAX_EXPIRES_SECONDS)) return fail('InvalidAuthorization', `X-Amz-Expires must be an integer from 1 to ${MAX_EXPIRES_SECONDS}`);
  const listed = get('X-Amz-SignedQueries');
  const signedKeys = listed === undefined ? undefined : new Set(listed.split(';'));
  const covered = pairs.filter(([k]) => k !== 'X-Amz-Signature' && (signedKeys === undefined || signedKeys.has(k)));
  const signedHeaders = get('X-Amz-SignedHeaders');
  const [ak, ...scope] = credential.split('/');
  return {
    form: 'query', accessKeyId: ak!, scope, date,
    signedHeaders: signedHeaders ? signedHeaders.split(';') : [],
    signature,
    canonicalQuery: canonicalQuery(covered),
    payloadHash: EMPTY_SHA256,
    sessionToken: get('X-Amz-Security-Token'),
    expires,
  };
}

function equalHex(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Verifies a signed request as the VOD service does (protocol 6.1, 6.2, 6.4): header SigV4 over the declared
 * SignedHeaders, or a signed URL over X-Amz-SignedQueries with its expiry; clock skew; the credential scope; and
 * STS2 session tokens, whose decrypted temporary secret must have signed the request. The payload hash must be the
 * body's sha256; `UNSIGNED-PAYLOAD` is accepted for the service `s3` only.
 * @returns the verdict with the policy the request runs under (null: unrestricted), or the error to answer.
 */
export async function verifyRequest(req: IncomingRequest, opts: VerifyOptions): Promise<VerifyResult> {
  const authorization = req.headers.authorization;
  const pairs = parseQuery(req.rawQuery);
  let parsed: Parsed | VerifyResult;
  const served = opts.service ?? SERVICE;
  if (authorization !== undefined) parsed = parseHeaderForm(req, authorization, served);
  else if (pairs.some(([k]) => k === 'X-Amz-Signature')) parsed = parseQueryForm(pairs);
  else return fail('InvalidAuthorization', 'the request is not signed: no Authorization header and no X-Amz-Signature');
  if ('ok' in parsed) return parsed;

  const signedAt = parseLongDate(parsed.date);
  if (!signedAt) return fail('InvalidAuthorization', `X-Amz-Date '${parsed.date}' is not of the form yyyymmddThhmmssZ`);
  const [shortDate, region, service, terminator] = parsed.scope;
  if (parsed.scope.length !== 4 || service !== served || terminator !== 'aws4_request') {
    return fail('InvalidCredential', `the credential scope must be {AK}/{yyyymmdd}/{region}/${served}/aws4_request`);
  }
  if (shortDate !== parsed.date.slice(0, 8)) return fail('InvalidCredential', 'the credential scope date does not match X-Amz-Date');
  if (region !== opts.region) return fail('InvalidCredential', `the credential scope names region '${region}', this endpoint serves '${opts.region}'`);

  const skewMs = (opts.skewSeconds ?? 900) * 1000;
  const now = opts.now.getTime();
  if (parsed.form === 'header' && Math.abs(now - signedAt.getTime()) > skewMs) {
    return fail('InvalidTimestamp', `X-Amz-Date is more than ${skewMs / 60000} minutes away from the server time`);
  }
  if (parsed.form === 'query') {
    if (signedAt.getTime() - now > skewMs) return fail('InvalidTimestamp', 'X-Amz-Date lies in the future beyond the allowed clock skew');
    if (now > signedAt.getTime() + parsed.expires! * 1000) return fail('RequestExpired', 'the signed URL has expired');
  }

  let secret: string | undefined;
  let principal = parsed.accessKeyId;
  let policy: Policy | null = null;
  if (parsed.sessionToken !== undefined) {
    const sts = verifySts2(parsed.sessionToken, { lookupSecret: opts.lookupSecret, now: opts.now });
    if (!sts.ok) return fail(sts.code, sts.message);
    if (sts.accessKeyId !== parsed.accessKeyId) return fail('InvalidCredential', 'the security token belongs to another access key');
    secret = sts.secretAccessKey;
    principal = sts.principal;
    policy = sts.policy;
  } else {
    secret = opts.lookupSecret(parsed.accessKeyId);
    if (secret === undefined) return fail('InvalidCredential', `unknown access key ${parsed.accessKeyId}`);
  }

  const headerLines: string[] = [];
  for (const name of parsed.signedHeaders) {
    const value = req.headers[name];
    if (value === undefined) return fail('SignatureDoesNotMatch', `signed header '${name}' is missing from the request`);
    headerLines.push(`${name}:${canonicalHeaderValue(value)}`);
  }
  const canonicalRequest = [
    req.method.toUpperCase(), canonicalPath(req.path), parsed.canonicalQuery,
    headerLines.join('\n'), '', parsed.signedHeaders.join(';'), parsed.payloadHash,
  ].join('\n');
  const scope = parsed.scope.join('/');
  const expected = createHmac('sha256', signingKey(secret, shortDate!, region!, served))
    .update(stringToSign(parsed.date, scope, canonicalRequest))
    .digest('hex');
  if (!equalHex(expected, parsed.signature)) {
    return fail('SignatureDoesNotMatch', 'the request signature does not match: check the secret key and the signing method');
  }
  return { ok: true, form: parsed.form, accessKeyId: parsed.accessKeyId, principal, policy };
}
