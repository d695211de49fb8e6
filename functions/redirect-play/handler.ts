// GET /videos/{vid}/play: 302 to the signed RedirectPlay URL (the service then redirects to the play URL).
import { configOf, signContext, TOKEN_MAX_EXPIRES, VOD_ENDPOINT, VOD_REGION, type ConfigOf } from '#lib/config';
import { parsePath, parseQuery, signingHandler, type HttpLambda } from '#lib/http';
import { apiOrigin, redirectPlayUrl, type SignContext } from '#lib/vod';
import { RedirectPlayPath, redirectPlayQuery } from './schema.ts';

/** The signed URL is followed at once by the browser: a short default lifetime (the service's own default). */
const DEFAULT_EXPIRES = 900;

/** The variables this function reads, validated at cold start. */
export const SETTINGS = [VOD_REGION, VOD_ENDPOINT, TOKEN_MAX_EXPIRES] as const;

/** The handler over its dependencies (tests pass a signing context with fixed credentials and clock). */
export function createHandler(context: () => SignContext, cfg: ConfigOf<typeof SETTINGS>): HttpLambda {
  const Query = redirectPlayQuery(cfg.tokenMaxExpires);
  const defaultExpires = Math.min(DEFAULT_EXPIRES, cfg.tokenMaxExpires);
  const origin = apiOrigin(cfg.region, cfg.vodEndpoint);
  return signingHandler(async (event) => {
    const { vid } = parsePath(event, RedirectPlayPath);
    const q = parseQuery(event, Query);
    const location = await redirectPlayUrl(origin, {
      Vid: vid, Definition: q.definition, Watermark: q.watermark, 'X-Amz-Expires': q.expiresIn ?? defaultExpires,
    }, context());
    return { status: 302, headers: { location } };
  });
}

const cfg = configOf(SETTINGS);
export const handler = createHandler(signContext(cfg), cfg);
