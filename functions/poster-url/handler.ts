// GET /posters: main and backup poster URLs, CDN domains drawn by weight (GetCdnDomainWeights of the space).
import { config, vodClient, type Config } from '#lib/config';
import { httpHandler, parseQuery, type HttpLambda } from '#lib/http';
import type { VodClient } from '#lib/vod';
import { PosterQuery } from './schema.ts';

/** The handler over its dependencies (tests pass a VodClient with injected fetch and draws). */
export function createHandler(vod: VodClient, cfg: Config): HttpLambda {
  return httpHandler(async (event) => {
    const q = parseQuery(event, PosterQuery);
    const urls = await vod.getPosterUrl({
      SpaceName: q.space ?? cfg.space, Uri: q.uri, Template: q.template, Width: q.width, Height: q.height, Format: q.format, Https: q.https,
    });
    return { status: 200, body: { mainUrl: urls.MainUrl, backupUrl: urls.BackupUrl } };
  });
}

export const handler = createHandler(vodClient(), config());
