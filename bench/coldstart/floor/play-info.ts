// The floor of play-info: one GetPlayInfo signed by lib/signing (Smithy) and sent with httpFetch (lib/vod's transport), the
// envelope parsed, and nothing else: no validation, no logging, no retries, no error mapping. What is left of its
// cold start is Node loading node:crypto and making its first HTTP request; the function's distance to this floor
// is what our code costs.
import { resolveCredentials, signRequest } from '#lib/signing';
import { httpFetch } from '#lib/vod';

const origin = process.env.VOD_ENDPOINT ?? 'https://vod.bytedanceapi.com';
const region = process.env.VOD_REGION ?? 'cn-north-1';

export const handler = async (event: { pathParameters?: Record<string, string> }) => {
  const query = { Action: 'GetPlayInfo', Version: '2019-03-15', video_id: event.pathParameters?.vid ?? 'v', Ssl: '1' };
  const host = new URL(origin).host;
  const headers = await signRequest({ method: 'GET', host, query }, { credentials: resolveCredentials(), region, now: new Date() });
  delete headers.host;
  const res = await httpFetch(`${origin}/?${new URLSearchParams(query)}`, { method: 'GET', headers });
  const body = JSON.parse(await res.text()) as { Result?: { Data?: unknown } };
  return { statusCode: res.status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body.Result?.Data) };
};
