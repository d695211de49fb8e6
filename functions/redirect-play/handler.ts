// GET /videos/{vid}/play: 302 to the signed RedirectPlay URL (the service then redirects to the play URL).
import { config, vodSigner, type Config } from '#lib/config';
import { httpHandler, parsePath, parseQuery, type HttpLambda } from '#lib/http';
import type { VodSigner } from '#lib/vod';
import { RedirectPlayPath, redirectPlayQuery } from './schema.ts';

/** The signed URL is followed at once by the browser: a short default lifetime (the service's own default). */
const DEFAULT_EXPIRES = 900;

/** The handler over its dependencies (tests pass a VodClient or VodSigner with an injected clock). */
export function createHandler(vod: VodSigner, cfg: Config): HttpLambda {
  const Query = redirectPlayQuery(cfg.tokenMaxExpires);
  const defaultExpires = Math.min(DEFAULT_EXPIRES, cfg.tokenMaxExpires);
  return httpHandler(async (event) => {
    const { vid } = parsePath(event, RedirectPlayPath);
    const q = parseQuery(event, Query);
    const location = await vod.getRedirectPlayUrl({
      Vid: vid, Definition: q.definition, Watermark: q.watermark, 'X-Amz-Expires': q.expiresIn ?? defaultExpires,
    });
    return { status: 302, headers: { location } };
  });
}

export const handler = createHandler(vodSigner(), config());
