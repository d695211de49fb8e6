// POST /tokens/upload (protected): an upload auth token (signed ApplyUpload + CommitUpload) for one space.
import { config, requireConfig, vodSigner, type Config } from '#lib/config';
import { authorizeRequest, httpHandler, parseJsonBody, type HttpLambda } from '#lib/http';
import type { VodSigner } from '#lib/vod';
import { uploadTokenRequest } from './schema.ts';

/** The handler over its dependencies (tests pass a VodClient or VodSigner with an injected clock). */
export function createHandler(vod: VodSigner, cfg: Config): HttpLambda {
  const apiKeys = requireConfig('apiKeys', cfg);
  const Request = uploadTokenRequest(cfg.tokenMaxExpires);
  return httpHandler(async (event) => {
    authorizeRequest(event, apiKeys);
    const req = parseJsonBody(event, Request);
    const space = req.space ?? cfg.space;
    const expiresIn = req.expiresIn ?? cfg.tokenDefaultExpires;
    const token = await vod.getUploadAuthToken({ SpaceName: space, 'X-Amz-Expires': expiresIn });
    return { status: 200, body: { token, space, expiresIn } };
  });
}

export const handler = createHandler(vodSigner(), config());
