// GET /videos/{vid}/play-info: GetPlayInfo (play URLs of every stream), filtered by definition / format / codec.
import { configOf, vodApi, VOD_ENDPOINT, VOD_REGION } from '#lib/config';
import { httpHandler, parsePath, parseQuery, type HttpLambda } from '#lib/http';
import { getPlayInfo, type ApiContext } from '#lib/vod';
import { PlayInfoPath, PlayInfoQuery } from './schema.ts';

/** The variables this function reads, validated at cold start. */
export const SETTINGS = [VOD_REGION, VOD_ENDPOINT] as const;

/** The handler over its API context (tests pass one with fixed credentials and clock). */
export function createHandler(api: ApiContext): HttpLambda {
  return httpHandler(async (event) => {
    const { vid } = parsePath(event, PlayInfoPath);
    const q = parseQuery(event, PlayInfoQuery);
    const result = await getPlayInfo(api, { video_id: vid, Definition: q.definition, Format: q.format, Codec: q.codec, Ssl: q.ssl });
    return { status: 200, body: result.Data };
  });
}

export const handler = createHandler(vodApi(configOf(SETTINGS)));
