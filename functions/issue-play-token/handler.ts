// POST /tokens/play (protected): a play auth token (signed GetPlayInfo query) for one video.
import { config, requireConfig, vodSigner, type Config } from '#lib/config';
import { authorizeRequest, httpHandler, parseJsonBody, type HttpLambda } from '#lib/http';
import type { VodSigner } from '#lib/vod';
import { playTokenRequest } from './schema.ts';

/** The handler over its dependencies (tests pass a VodClient or VodSigner with an injected clock). */
export function createHandler(vod: VodSigner, cfg: Config): HttpLambda {
  const apiKeys = requireConfig('apiKeys', cfg);
  const Request = playTokenRequest(cfg.tokenMaxExpires);
  return httpHandler(async (event) => {
    authorizeRequest(event, apiKeys);
    const req = parseJsonBody(event, Request);
    const expiresIn = req.expiresIn ?? cfg.tokenDefaultExpires;
    const token = await vod.getPlayAuthToken({ video_id: req.vid, 'X-Amz-Expires': expiresIn });
    return { status: 200, body: { token, vid: req.vid, expiresIn } };
  });
}

export const handler = createHandler(vodSigner(), config());
