/**
 * Option B for lib/signing's signQuery, kept to measure what it would buy: Smithy only derives the key and
 * computes the HMAC (`SignatureV4.sign(stringToSign)`), our code builds the canonical request and escapes every
 * pair once. Not adopted: the design keeps signed queries on Smithy's presign() (see the main README).
 * The presign-based fix this file first prototyped is now lib/signing's own code.
 */
import { createHash } from 'node:crypto';
import { checkExpires, pythonJson, type Credentials } from '#lib/signing';
import type { SignatureV4 } from '@smithy/signature-v4';

const EXPIRES = 'X-Amz-Expires';
const EXTRA = /[!'()*]/;
const EXTRA_G = /[!'()*]/g;
function esc(value: string): string {
  const e = encodeURIComponent(value);
  return EXTRA.test(e) ? e.replace(EXTRA_G, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`) : e;
}
const ADDED = ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', EXPIRES, 'X-Amz-NotSignBody', 'X-Amz-SignedHeaders', 'X-Amz-SignedQueries'];
const ADDED_TOKEN = [...ADDED, 'X-Amz-Security-Token'];

/** pythonJson of a string, with the common case (printable ASCII, nothing to escape) as a plain quote. */
function jsonString(s: string): string {
  return /^[\x20-\x21\x23-\x5b\x5d-\x7e]*$/.test(s) ? `"${s}"` : pythonJson(s);
}

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
function amzDate(date: Date): string {
  const iso = date.toISOString();
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
}

/**
 * Option B for signQuery: Smithy still derives and caches the signing key and computes the HMAC
 * (`SignatureV4.sign(stringToSign)`), but our code builds the protocol 6.2 canonical request itself, escaping every pair
 * once and reusing the escaped pairs for the returned query (presign() escapes them, and the wrapper escapes them
 * all again afterwards). Byte-identical output on the bench inputs.
 */
export async function signStringSignQuery(
  signer: SignatureV4,
  req: { method: string; query: Record<string, string>; expiresIn?: number },
  opts: { credentials: Credentials; region: string; now?: Date },
): Promise<string> {
  const src = req.query;
  const hasExpires = src[EXPIRES] !== undefined;
  const expires = checkExpires(hasExpires ? src[EXPIRES] : (req.expiresIn ?? 900));
  const now = opts.now ?? new Date();
  const longDate = amzDate(now);
  const scope = `${longDate.slice(0, 8)}/${opts.region}/vod/aws4_request`;
  const token = opts.credentials.sessionToken;
  const keys: string[] = [];
  for (const k in src) if (k !== EXPIRES) keys.push(k);
  const signedQueries = keys.concat(token ? ADDED_TOKEN : ADDED).sort().join(';');
  // escaped pair of every parameter, by raw key
  const pair: Record<string, string> = {};
  const byEscaped: Array<[string, string]> = [];
  const add = (k: string, ek: string, p: string) => { pair[k] = p; byEscaped.push([ek, p]); };
  for (const k of keys) { const ek = esc(k); add(k, ek, `${ek}=${esc(src[k]!)}`); }
  add(EXPIRES, EXPIRES, `${EXPIRES}=${expires}`);
  add('X-Amz-Date', 'X-Amz-Date', `X-Amz-Date=${longDate}`);
  add('X-Amz-NotSignBody', 'X-Amz-NotSignBody', 'X-Amz-NotSignBody=');
  add('X-Amz-Credential', 'X-Amz-Credential', `X-Amz-Credential=${esc(`${opts.credentials.accessKeyId}/${scope}`)}`);
  add('X-Amz-Algorithm', 'X-Amz-Algorithm', 'X-Amz-Algorithm=AWS4-HMAC-SHA256');
  add('X-Amz-SignedHeaders', 'X-Amz-SignedHeaders', 'X-Amz-SignedHeaders=');
  add('X-Amz-SignedQueries', 'X-Amz-SignedQueries', `X-Amz-SignedQueries=${esc(signedQueries)}`);
  if (token) add('X-Amz-Security-Token', 'X-Amz-Security-Token', `X-Amz-Security-Token=${esc(token)}`);
  byEscaped.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  let canonicalQuery = byEscaped[0]![1];
  for (let i = 1; i < byEscaped.length; i++) canonicalQuery += `&${byEscaped[i]![1]}`;
  const canonicalRequest = `${req.method}\n/\n${canonicalQuery}\n\n\n\n${EMPTY_SHA256}`;
  const stringToSign = `AWS4-HMAC-SHA256\n${longDate}\n${scope}\n${createHash('sha256').update(canonicalRequest).digest('hex')}`;
  const signature = await signer.sign(stringToSign, { signingDate: now });
  const order = hasExpires ? Object.keys(src) : [...keys, EXPIRES];
  let out = '';
  for (const k of order) out += `${out ? '&' : ''}${pair[k]}`;
  out += `&${pair['X-Amz-Date']}&X-Amz-NotSignBody=&${pair['X-Amz-Credential']}&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-SignedHeaders=&${pair['X-Amz-SignedQueries']}`;
  if (token) out += `&${pair['X-Amz-Security-Token']}`;
  return `${out}&X-Amz-Signature=${signature}`;
}

export async function signStringUploadToken(
  signer: SignatureV4,
  params: { SpaceName: string; 'X-Amz-Expires'?: string | number },
  opts: { credentials: Credentials; region: string; now?: Date },
): Promise<string> {
  const query: Record<string, string> = { Action: 'ApplyUpload', Version: '2018-01-01' };
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null) query[k] = String(v);
  const apply = await signStringSignQuery(signer, { method: 'GET', query }, opts);
  query.Action = 'CommitUpload';
  const commit = await signStringSignQuery(signer, { method: 'POST', query }, opts);
  return Buffer.from(`{"Version": "v1", "ApplyUploadToken": ${jsonString(apply)}, "CommitUploadToken": ${jsonString(commit)}}`).toString('base64');
}
