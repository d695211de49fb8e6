// GET /videos/{vid}/origin-play-info: GetOriginVideoPlayInfo (the original file's play info).
import { configOf, vodApi, VOD_ENDPOINT, VOD_REGION } from '#lib/config';
import { httpHandler, parsePath, parseQuery, type HttpLambda } from '#lib/http';
import { getOriginVideoPlayInfo, type ApiContext } from '#lib/vod';
import { OriginPlayInfoPath, OriginPlayInfoQuery } from './schema.ts';

/** The variables this function reads, validated at cold start. */
export const SETTINGS = [VOD_REGION, VOD_ENDPOINT] as const;

/** The handler over its API context (tests pass one with fixed credentials and clock). */
export function createHandler(api: ApiContext): HttpLambda {
  return httpHandler(async (event) => {
    const { vid } = parsePath(event, OriginPlayInfoPath);
    const q = parseQuery(event, OriginPlayInfoQuery);
    const result = await getOriginVideoPlayInfo(api, { Vid: vid, Ssl: q.ssl });
    return { status: 200, body: result };
  });
}

export const handler = createHandler(vodApi(configOf(SETTINGS)));
