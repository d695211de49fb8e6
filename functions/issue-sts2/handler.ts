// POST /sts2 (protected): STS2 temporary credentials whose policy is built here from the scope (play or upload).
import { config, requireConfig, vodSigner, type Config } from '#lib/config';
import { authorizeRequest, httpHandler, parseJsonBody, type HttpLambda } from '#lib/http';
import type { VodSigner } from '#lib/vod';
import { STS2_MIN_EXPIRES, sts2Request } from './schema.ts';

/** The handler over its dependencies (tests pass a VodClient or VodSigner with injected clock and randomness). */
export function createHandler(vod: VodSigner, cfg: Config): HttpLambda {
  const apiKeys = requireConfig('apiKeys', cfg);
  const Request = sts2Request(cfg.sts2MaxExpires);
  const defaultExpires = Math.max(STS2_MIN_EXPIRES, Math.min(cfg.tokenDefaultExpires, cfg.sts2MaxExpires));
  return httpHandler(async (event) => {
    authorizeRequest(event, apiKeys);
    const req = parseJsonBody(event, Request);
    const expiresIn = req.expiresIn ?? defaultExpires;
    const credentials = req.scope === 'play'
      ? vod.getVideoPlayAuth(req.vids, req.streamTypes ?? [], req.watermarks ?? [], expiresIn)
      : vod.getUploadAuth(req.space ?? cfg.space, expiresIn);
    return { status: 200, body: credentials };
  });
}

export const handler = createHandler(vodSigner(), config());
