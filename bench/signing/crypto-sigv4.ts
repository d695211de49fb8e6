/**
 * The fastest straightforward `node:crypto` implementation of the two signing forms our wrapper produces
 * (protocol 6.1 header SigV4 and the 6.2 signed query), used as the speed-of-light baseline of the signing bench.
 * Same algorithm and byte-identical output (checked by the bench before timing); it only skips generality:
 * fixed header set, no request object, one cached signing key per (secret, day, region).
 */
import { createHash, createHmac } from 'node:crypto';
import type { ApiRequest, Credentials } from '#lib/signing';

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const NEEDS_EXTRA_ESCAPE = /[!'()*]/;
const EXTRA_ESCAPE = /[!'()*]/g;

function esc(value: string): string {
  const e = encodeURIComponent(value);
  return NEEDS_EXTRA_ESCAPE.test(e) ? e.replace(EXTRA_ESCAPE, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`) : e;
}

let cachedKeyId = '';
let cachedKey: Buffer = Buffer.alloc(0);

/** The day's signing key, recomputed only when secret, day or region change. */
function signingKey(secret: string, shortDate: string, region: string): Buffer {
  const id = `${secret}\0${shortDate}\0${region}`;
  if (id !== cachedKeyId) {
    let key: Buffer = createHmac('sha256', `AWS4${secret}`).update(shortDate).digest();
    key = createHmac('sha256', key).update(region).digest();
    key = createHmac('sha256', key).update('vod').digest();
    cachedKey = createHmac('sha256', key).update('aws4_request').digest();
    cachedKeyId = id;
  }
  return cachedKey;
}

function amzDate(date: Date): string {
  const iso = date.toISOString(); // 2020-01-01T00:00:00.000Z
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
}

function headerValue(value: string): string {
  return /[\r\n\t]|  |^ | $/.test(value) ? value.replace(/[\r\n]/g, ' ').replace(/[ \t]+/g, ' ').replace(/^ | $/g, '') : value;
}

function canonicalQuery(query: Record<string, string>): string {
  const keys: string[] = [];
  const pairs: Record<string, string> = {};
  for (const k in query) {
    const ek = esc(k);
    keys.push(ek);
    pairs[ek] = `${ek}=${esc(query[k]!)}`;
  }
  keys.sort();
  let out = pairs[keys[0]!] ?? '';
  for (let i = 1; i < keys.length; i++) out += `&${pairs[keys[i]!]}`;
  return out;
}

/** Header SigV4 (protocol 6.1): the headers to send, as `signRequest` returns them. */
export function cryptoSignRequest(req: ApiRequest, opts: { credentials: Credentials; region: string; now: Date }): Record<string, string> {
  const { credentials, region } = opts;
  const longDate = amzDate(opts.now);
  const shortDate = longDate.slice(0, 8);
  const scope = `${shortDate}/${region}/vod/aws4_request`;
  const out: Record<string, string> = {};
  let contentType: string | undefined;
  if (req.headers) {
    for (const name in req.headers) {
      const lower = name.toLowerCase();
      if (lower === 'content-type') contentType = req.headers[name];
      else if (lower !== 'host') out[lower] = req.headers[name]!;
    }
  }
  const payloadHash = req.body === undefined ? EMPTY_SHA256 : createHash('sha256').update(req.body).digest('hex');
  const token = credentials.sessionToken;
  let canonicalHeaders = contentType === undefined ? '' : `content-type:${headerValue(contentType)}\n`;
  canonicalHeaders += `host:${headerValue(req.host)}\nx-amz-content-sha256:${payloadHash}\nx-amz-date:${longDate}\n`;
  if (token) canonicalHeaders += `x-amz-security-token:${headerValue(token)}\n`;
  const signedHeaders = `${contentType === undefined ? '' : 'content-type;'}host;x-amz-content-sha256;x-amz-date${token ? ';x-amz-security-token' : ''}`;
  const canonicalRequest = `${req.method}\n/\n${canonicalQuery(req.query)}\n${canonicalHeaders}\n${signedHeaders}\n${payloadHash}`;
  const stringToSign = `AWS4-HMAC-SHA256\n${longDate}\n${scope}\n${createHash('sha256').update(canonicalRequest).digest('hex')}`;
  const signature = createHmac('sha256', signingKey(credentials.secretAccessKey, shortDate, region)).update(stringToSign).digest('hex');
  out.host = req.host;
  if (contentType !== undefined) out['content-type'] = contentType;
  out['x-amz-date'] = longDate;
  if (token) out['x-amz-security-token'] = token;
  out['x-amz-content-sha256'] = payloadHash;
  out.authorization = `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return out;
}

/** Signed query (protocol 6.2), byte-identical to `signQuery` (parameter order included). */
export function cryptoSignQuery(
  req: { method: string; query: Record<string, string>; expiresIn?: number },
  opts: { credentials: Credentials; region: string; now: Date },
): string {
  const { credentials, region } = opts;
  const longDate = amzDate(opts.now);
  const shortDate = longDate.slice(0, 8);
  const credential = `${credentials.accessKeyId}/${shortDate}/${region}/vod/aws4_request`;
  const callerExpires = req.query['X-Amz-Expires'];
  const expires = String(callerExpires ?? req.expiresIn ?? 900);
  const token = credentials.sessionToken;
  const keys: string[] = [];
  for (const k in req.query) if (k !== 'X-Amz-Expires') keys.push(k);
  const added = ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-NotSignBody', 'X-Amz-SignedHeaders', 'X-Amz-SignedQueries'];
  if (token) added.push('X-Amz-Security-Token');
  const signedQueries = keys.concat(added).sort().join(';');
  const all: Record<string, string> = {};
  for (const k of keys) all[k] = req.query[k]!;
  all['X-Amz-Expires'] = expires;
  all['X-Amz-Date'] = longDate;
  all['X-Amz-NotSignBody'] = '';
  all['X-Amz-Credential'] = credential;
  all['X-Amz-Algorithm'] = 'AWS4-HMAC-SHA256';
  all['X-Amz-SignedHeaders'] = '';
  all['X-Amz-SignedQueries'] = signedQueries;
  if (token) all['X-Amz-Security-Token'] = token;
  const canonicalRequest = `${req.method}\n/\n${canonicalQuery(all)}\n\n\n\n${EMPTY_SHA256}`;
  const stringToSign = `AWS4-HMAC-SHA256\n${longDate}\n${shortDate}/${region}/vod/aws4_request\n${createHash('sha256').update(canonicalRequest).digest('hex')}`;
  const signature = createHmac('sha256', signingKey(credentials.secretAccessKey, shortDate, region)).update(stringToSign).digest('hex');
  let out = '';
  if (callerExpires === undefined) {
    for (const k in all) out += `${out ? '&' : ''}${esc(k)}=${esc(all[k]!)}`;
  } else {
    // the caller's own position of X-Amz-Expires wins, as in the original SDK's tokens
    for (const k in req.query) out += `${out ? '&' : ''}${esc(k)}=${esc(k === 'X-Amz-Expires' ? expires : req.query[k]!)}`;
    for (const k of ['X-Amz-Date', 'X-Amz-NotSignBody', 'X-Amz-Credential', 'X-Amz-Algorithm', 'X-Amz-SignedHeaders', 'X-Amz-SignedQueries']) out += `&${k}=${esc(all[k]!)}`;
    if (token) out += `&X-Amz-Security-Token=${esc(token)}`;
  }
  return `${out}&X-Amz-Signature=${signature}`;
}

/** Upload auth token (protocol 6.3) over the two signed queries; values are pure ASCII, so no JSON escaping. */
export function cryptoUploadToken(space: string, expires: string, opts: { credentials: Credentials; region: string; now: Date }): string {
  const params = { SpaceName: space, 'X-Amz-Expires': expires };
  const apply = cryptoSignQuery({ method: 'GET', query: { Action: 'ApplyUpload', Version: '2018-01-01', ...params } }, opts);
  const commit = cryptoSignQuery({ method: 'POST', query: { Action: 'CommitUpload', Version: '2018-01-01', ...params } }, opts);
  return Buffer.from(`{"Version": "v1", "ApplyUploadToken": "${apply}", "CommitUploadToken": "${commit}"}`).toString('base64');
}
