// GET /videos/{vid}/origin-play-info: GetOriginVideoPlayInfo (the original file's play info).
import { vodClient } from '#lib/config';
import { httpHandler, parsePath, parseQuery, type HttpLambda } from '#lib/http';
import type { VodClient } from '#lib/vod';
import { OriginPlayInfoPath, OriginPlayInfoQuery } from './schema.ts';

/** The handler over its VodClient (tests pass one with injected clock and fetch). */
export function createHandler(vod: VodClient): HttpLambda {
  return httpHandler(async (event) => {
    const { vid } = parsePath(event, OriginPlayInfoPath);
    const q = parseQuery(event, OriginPlayInfoQuery);
    const result = await vod.getOriginVideoPlayInfo({ Vid: vid, Ssl: q.ssl });
    return { status: 200, body: result };
  });
}

export const handler = createHandler(vodClient());
