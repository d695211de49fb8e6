import type { IncomingHttpHeaders } from 'node:http';
import { isAllowed, verifyRequest, type Policy } from '#lib/signing';
import { ApiError } from './errors.ts';
import type { Ctx } from './context.ts';

export interface Principal { form: 'header' | 'query'; accessKeyId: string; principal: string; policy: Policy | null }

export function lowerHeaders(h: IncomingHttpHeaders): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(h)) out[k.toLowerCase()] = Array.isArray(v) ? v.join(',') : v;
  return out;
}

/** Verifies the request's SigV4 header, signed query or STS2 session token with lib/signing. */
export async function authenticate(ctx: Ctx, req: { method: string; path: string; rawQuery: string; headers: Record<string, string | undefined>; body: Uint8Array }): Promise<Principal> {
  const secrets = new Map(ctx.opts.credentials.map((c) => [c.accessKeyId, c.secretAccessKey]));
  const r = await verifyRequest(req, { lookupSecret: (ak) => secrets.get(ak), region: ctx.opts.region, now: ctx.now() });
  if (!r.ok) throw new ApiError(r.code, r.message, r.status);
  return { form: r.form, accessKeyId: r.accessKeyId, principal: r.principal, policy: r.policy };
}

/** Enforces an STS2 policy (null = unrestricted long-term key). */
export function authorize(policy: Policy | null, action: string, resources: string[]): void {
  if (!isAllowed(policy, `vod:${action}`, resources)) {
    throw new ApiError('AccessDenied', `User is not authorized to perform: vod:${action} on resource: ${resources.join(', ') || '*'}.`);
  }
}
