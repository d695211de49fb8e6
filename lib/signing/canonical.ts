import { createHash, createHmac } from 'node:crypto';

/** sha256 of the empty string: the payload hash of bodiless requests and of every signed URL. */
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
export const ALGORITHM = 'AWS4-HMAC-SHA256';
export const SERVICE = 'vod';

const RFC3986_EXTRA = /[!'()*]/;
const RFC3986_EXTRA_ALL = /[!'()*]/g;

/** RFC 3986 escaping as SigV4 canonicalises it (and as `@smithy/signature-v4` does). */
export function escapeUri(value: string): string {
  const escaped = encodeURIComponent(value);
  // the regex replace with a callback is the slow part: run it only when encodeURIComponent left one of !'()*
  return RFC3986_EXTRA.test(escaped)
    ? escaped.replace(RFC3986_EXTRA_ALL, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    : escaped;
}

/** Parses a raw query string into decoded pairs, in order; `+` is a space (form encoding). */
export function parseQuery(rawQuery: string): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  if (rawQuery === '') return pairs;
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const rawKey = eq === -1 ? part : part.slice(0, eq);
    const rawValue = eq === -1 ? '' : part.slice(eq + 1);
    pairs.push([decodeComponent(rawKey), decodeComponent(rawValue)]);
  }
  return pairs;
}

function decodeComponent(value: string): string {
  const spaced = value.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced; // a malformed escape stays literal and simply fails the signature check
  }
}

/** The canonical query of SigV4: every pair escaped, sorted by key then value. */
export function canonicalQuery(pairs: ReadonlyArray<readonly [string, string]>): string {
  return pairs
    .map(([k, v]) => [escapeUri(k), escapeUri(v)] as const)
    .sort(([ka, va], [kb, vb]) => (ka < kb ? -1 : ka > kb ? 1 : va < vb ? -1 : va > vb ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

/** Header values as SigV4 canonicalises them: line breaks and runs of blanks folded, ends trimmed. */
export function canonicalHeaderValue(value: string): string {
  return value.replace(/[\r\n]/g, ' ').replace(/[ \t]+/g, ' ').replace(/^ | $/g, '');
}

/** The canonical path of a VOD request (always `/` in practice), escaped as SigV4 does. */
export function canonicalPath(path: string): string {
  const segments: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const trailing = segments.length > 0 && path.endsWith('/') ? '/' : '';
  return escapeUri(`/${segments.join('/')}${trailing}`).replace(/%2F/g, '/');
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The SigV4 signing key for a day, region and service. */
export function signingKey(secretAccessKey: string, shortDate: string, region: string, service = SERVICE): Buffer {
  const kDate = createHmac('sha256', `AWS4${secretAccessKey}`).update(shortDate).digest();
  const kRegion = createHmac('sha256', kDate).update(region).digest();
  const kService = createHmac('sha256', kRegion).update(service).digest();
  return createHmac('sha256', kService).update('aws4_request').digest();
}

/** The string to sign of a canonical request. */
export function stringToSign(longDate: string, scope: string, canonicalRequest: string): string {
  return `${ALGORITHM}\n${longDate}\n${scope}\n${sha256Hex(canonicalRequest)}`;
}

/** `yyyymmddThhmmssZ` of a date. */
export function longDate(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
}

/** Parses `yyyymmddThhmmssZ`; undefined when malformed. */
export function parseLongDate(value: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  const date = new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`);
  return Number.isNaN(date.getTime()) ? undefined : date;
}
