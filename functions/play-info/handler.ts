// GET /videos/{vid}/play-info: GetPlayInfo (play URLs of every stream), filtered by definition / format / codec.
import { vodClient } from '#lib/config';
import { httpHandler, parsePath, parseQuery, type HttpLambda } from '#lib/http';
import type { VodClient } from '#lib/vod';
import { PlayInfoPath, PlayInfoQuery } from './schema.ts';

/** The handler over its VodClient (tests pass one with injected clock and fetch). */
export function createHandler(vod: VodClient): HttpLambda {
  return httpHandler(async (event) => {
    const { vid } = parsePath(event, PlayInfoPath);
    const q = parseQuery(event, PlayInfoQuery);
    const result = await vod.getPlayInfo({ video_id: vid, Definition: q.definition, Format: q.format, Codec: q.codec, Ssl: q.ssl });
    return { status: 200, body: result.Data };
  });
}

export const handler = createHandler(vodClient());
