// The floor of issue-upload-token: the same operation on our lib with nothing else loaded (no Powertools logger,
// no VodClient class, no AWS SDK): what the function could cost after the fixes in bench/README.md "Findings".
import { resolveCredentials } from '#lib/signing';
import { uploadAuthToken } from '#lib/vod';

const credentials = resolveCredentials();
const region = process.env.VOD_REGION ?? 'cn-north-1';
const keys = new Set((process.env.API_KEYS ?? '').split(',').filter(Boolean));

export const handler = async (event: { headers?: Record<string, string | undefined>; body?: string }) => {
  const auth = event.headers?.authorization ?? '';
  if (!keys.has(auth.replace(/^Bearer /, '')) && !keys.has(event.headers?.['x-api-key'] ?? '')) return { statusCode: 401, body: '{"error":"Unauthorized"}' };
  const req = JSON.parse(event.body ?? '{}') as { space?: string; expiresIn?: number };
  const space = req.space ?? process.env.VOD_SPACE ?? 'demo-space';
  const expiresIn = req.expiresIn ?? 3600;
  const token = await uploadAuthToken({ SpaceName: space, 'X-Amz-Expires': expiresIn }, { credentials, region, now: new Date() });
  return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token, space, expiresIn }) };
};
