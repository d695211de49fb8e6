// POST /tokens/play (protected): a play auth token (signed GetPlayInfo query) for one video.
import { configOf, PROTECTED_API_KEYS, signContext, TOKEN_DEFAULT_EXPIRES, TOKEN_MAX_EXPIRES, VOD_REGION, type ConfigOf } from '#lib/config';
import { authorizeRequest, parseJsonBody, signingHandler, type HttpLambda } from '#lib/http';
import { playAuthToken, type SignContext } from '#lib/vod';
import { playTokenRequest } from './schema.ts';

/** The variables this function reads, validated at cold start (API_KEYS required). */
export const SETTINGS = [VOD_REGION, PROTECTED_API_KEYS, TOKEN_DEFAULT_EXPIRES, TOKEN_MAX_EXPIRES] as const;

/** The handler over its dependencies (tests pass a signing context with fixed credentials and clock). */
export function createHandler(context: () => SignContext, cfg: ConfigOf<typeof SETTINGS>): HttpLambda {
  const Request = playTokenRequest(cfg.tokenMaxExpires);
  return signingHandler(async (event) => {
    authorizeRequest(event, cfg.apiKeys);
    const req = parseJsonBody(event, Request);
    const expiresIn = req.expiresIn ?? cfg.tokenDefaultExpires;
    const token = await playAuthToken({ video_id: req.vid, 'X-Amz-Expires': expiresIn }, context());
    return { status: 200, body: { token, vid: req.vid, expiresIn } };
  });
}

const cfg = configOf(SETTINGS);
export const handler = createHandler(signContext(cfg), cfg);
