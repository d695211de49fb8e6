// POST /tokens/upload (protected): an upload auth token (signed ApplyUpload + CommitUpload) for one space.
import {
  configOf, PROTECTED_API_KEYS, signContext, TOKEN_DEFAULT_EXPIRES, TOKEN_MAX_EXPIRES, VOD_REGION, VOD_SPACE, type ConfigOf,
} from '#lib/config';
import { authorizeRequest, parseJsonBody, signingHandler, type HttpLambda } from '#lib/http';
import { uploadAuthToken, type SignContext } from '#lib/vod';
import { uploadTokenRequest } from './schema.ts';

/** The variables this function reads, validated at cold start (API_KEYS required). */
export const SETTINGS = [VOD_REGION, VOD_SPACE, PROTECTED_API_KEYS, TOKEN_DEFAULT_EXPIRES, TOKEN_MAX_EXPIRES] as const;

/** The handler over its dependencies (tests pass a signing context with fixed credentials and clock). */
export function createHandler(context: () => SignContext, cfg: ConfigOf<typeof SETTINGS>): HttpLambda {
  const Request = uploadTokenRequest(cfg.tokenMaxExpires);
  return signingHandler(async (event) => {
    authorizeRequest(event, cfg.apiKeys);
    const req = parseJsonBody(event, Request);
    const space = req.space ?? cfg.space;
    const expiresIn = req.expiresIn ?? cfg.tokenDefaultExpires;
    const token = await uploadAuthToken({ SpaceName: space, 'X-Amz-Expires': expiresIn }, context());
    return { status: 200, body: { token, space, expiresIn } };
  });
}

const cfg = configOf(SETTINGS);
export const handler = createHandler(signContext(cfg), cfg);
