// GET /posters: main and backup poster URLs, CDN domains drawn by weight (GetCdnDomainWeights of the space).
import { configOf, vodApi, POSTER_FALLBACK_WEIGHTS, VOD_ENDPOINT, VOD_REGION, VOD_SPACE, type ConfigOf } from '#lib/config';
import { httpHandler, parseQuery, type HttpLambda } from '#lib/http';
import { posterUrlSource, type ApiContext } from '#lib/vod';
import { PosterQuery } from './schema.ts';

/** The variables this function reads, validated at cold start. */
export const SETTINGS = [VOD_REGION, VOD_ENDPOINT, VOD_SPACE, POSTER_FALLBACK_WEIGHTS] as const;

/** The handler over its dependencies (tests pass an API context with fixed credentials, clock and draws). */
export function createHandler(api: ApiContext, cfg: ConfigOf<typeof SETTINGS>): HttpLambda {
  const posterUrls = posterUrlSource(api, cfg.posterFallbackWeights && { ...cfg.posterFallbackWeights });
  return httpHandler(async (event) => {
    const q = parseQuery(event, PosterQuery);
    const urls = await posterUrls({
      SpaceName: q.space ?? cfg.space, Uri: q.uri, Template: q.template, Width: q.width, Height: q.height, Format: q.format, Https: q.https,
    });
    return { status: 200, body: { mainUrl: urls.MainUrl, backupUrl: urls.BackupUrl } };
  });
}

const cfg = configOf(SETTINGS);
export const handler = createHandler(vodApi(cfg), cfg);
