import { pythonJson, signQuery, type Credentials } from '#lib/signing';
import { toQuery } from './query.ts';
import type { PlayAuthTokenParams, RedirectPlayParams, UploadAuthTokenParams } from './types.ts';

/** Credentials, region and clock of one signing. */
export interface SignContext { credentials: Credentials; region: string; now: Date }

/**
 * `json.dumps` of a flat string object as the original Python SDK writes it: `", "` and `": "` separators,
 * DEL and non-ASCII escaped as `\uXXXX` (ensure_ascii). The token bytes must match that SDK's exactly.
 */
export function pythonJsonDumps(obj: Record<string, string>): string {
  let out = '';
  for (const key in obj) out += `${out ? ', ' : ''}${jsonString(key)}: ${jsonString(obj[key]!)}`;
  return `{${out}}`;
}

/** A JSON string as Python writes it; a signed query (printable ASCII, no `"` or `\`) is just quoted. */
function jsonString(value: string): string {
  return /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/.test(value) ? `"${value}"` : pythonJson(value);
}

function sign(method: 'GET' | 'POST', action: string, version: string, params: object, ctx: SignContext): Promise<string> {
  return signQuery(
    { method, query: { Action: action, Version: version, ...toQuery(params) } },
    { credentials: ctx.credentials, region: ctx.region, now: ctx.now },
  );
}

/**
 * Upload auth token (protocol 6.3): base64 of `{"Version": "v1", "ApplyUploadToken": <GET signed query>,
 * "CommitUploadToken": <POST signed query>}`, both over the same params (usually SpaceName, X-Amz-Expires).
 */
export async function uploadAuthToken(params: UploadAuthTokenParams, ctx: SignContext): Promise<string> {
  const apply = await sign('GET', 'ApplyUpload', '2018-01-01', params, ctx);
  const commit = await sign('POST', 'CommitUpload', '2018-01-01', params, ctx);
  return Buffer.from(pythonJsonDumps({ Version: 'v1', ApplyUploadToken: apply, CommitUploadToken: commit })).toString('base64');
}

/** Play auth token (protocol 6.3): base64 of `{"Version": "v1", "GetPlayInfoToken": <signed GetPlayInfo query>}`. */
export async function playAuthToken(params: PlayAuthTokenParams, ctx: SignContext): Promise<string> {
  const query = await sign('GET', 'GetPlayInfo', '2019-03-15', params, ctx);
  return Buffer.from(pythonJsonDumps({ Version: 'v1', GetPlayInfoToken: query })).toString('base64');
}

/** Signed RedirectPlay URL: `{origin}/?{signed query}`; the service answers it with a 302 to the play URL. */
export async function redirectPlayUrl(origin: string, params: RedirectPlayParams, ctx: SignContext): Promise<string> {
  return `${origin}/?${await sign('GET', 'RedirectPlay', '2018-01-01', params, ctx)}`;
}
