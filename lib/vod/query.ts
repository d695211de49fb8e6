import { escapeUri } from '#lib/signing';
import type { QueryValue } from './types.ts';

/**
 * Turns typed params into the protocol's query values, keeping their order and dropping `undefined`:
 * numbers stringified, booleans "1"/"0", lists comma-joined.
 *
 * @example toQuery({ JobIds: ['a', 'b'], Ssl: true }) // { JobIds: 'a,b', Ssl: '1' }
 */
export function toQuery(params: object): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(params) as Array<[string, QueryValue | undefined | null]>) {
    if (v === undefined || v === null) continue;
    out[k] = Array.isArray(v) ? v.join(',') : typeof v === 'boolean' ? (v ? '1' : '0') : String(v);
  }
  return out;
}

/** RFC 3986 query encoding (what SigV4 canonicalises to), so the wire query and the signed one agree. */
export function encodeQuery(query: Record<string, string>): string {
  return Object.entries(query).map(([k, v]) => `${escapeUri(k)}=${escapeUri(v)}`).join('&');
}
