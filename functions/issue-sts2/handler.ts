// POST /sts2 (protected): STS2 temporary credentials whose policy is built here from the scope (play or upload).
import {
  configOf, PROTECTED_API_KEYS, signContext, STS2_MAX_EXPIRES, TOKEN_DEFAULT_EXPIRES, VOD_REGION, VOD_SPACE, type ConfigOf,
} from '#lib/config';
import { authorizeRequest, parseJsonBody, signingHandler, type HttpLambda } from '#lib/http';
import { issueSts2, playPolicy, uploadPolicy, type Randomness } from '#lib/signing';
import type { SignContext } from '#lib/vod';
import { STS2_MIN_EXPIRES, sts2Request } from './schema.ts';

/** The variables this function reads, validated at cold start (API_KEYS required). */
export const SETTINGS = [VOD_REGION, VOD_SPACE, PROTECTED_API_KEYS, TOKEN_DEFAULT_EXPIRES, STS2_MAX_EXPIRES] as const;

/** The handler over its dependencies (tests pass a signing context with fixed credentials and clock, and fixed randomness). */
export function createHandler(context: () => SignContext, cfg: ConfigOf<typeof SETTINGS>, random?: Randomness): HttpLambda {
  const Request = sts2Request(cfg.sts2MaxExpires);
  const defaultExpires = Math.max(STS2_MIN_EXPIRES, Math.min(cfg.tokenDefaultExpires, cfg.sts2MaxExpires));
  return signingHandler(async (event) => {
    authorizeRequest(event, cfg.apiKeys);
    const req = parseJsonBody(event, Request);
    const { credentials, region, now } = context();
    const policy = req.scope === 'play'
      ? playPolicy(req.vids, req.streamTypes ?? [], req.watermarks ?? [])
      : uploadPolicy(req.space ?? cfg.space, region);
    const expireSeconds = req.expiresIn ?? defaultExpires;
    return { status: 200, body: issueSts2({ credentials, policy, expireSeconds, now, random }) };
  });
}

const cfg = configOf(SETTINGS);
export const handler = createHandler(signContext(cfg), cfg);
