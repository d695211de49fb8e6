/** Shared pieces of the HTTP handler tests (test/handlers/*): fixtures, a loopback emulator, response decoding. */
import '../../support/log-guard.ts';
import { readFileSync } from 'node:fs';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { loadConfig, newVodClient, vodApi, type Config } from '#lib/config';
import type { HttpLambda } from '#lib/http';
import { verifyRequest, type VerifyResult } from '#lib/signing';
import type { ApiContext, SignContext, VodClient } from '#lib/vod';
import { startEmulator, type Emulator } from '#local/emulator';
import { captureLogs } from './log-capture.ts';

export const NOW = new Date('2026-11-25T18:00:00Z');
export const API_KEY = 'test-api-key-0001';
export const OTHER_API_KEY = 'test-api-key-0002';
export const CREDENTIALS = { accessKeyId: 'AKLTlocalemulator', secretAccessKey: 'local-emulator-secret' };
export const RANDOM = { uuid4: () => '0123456789abcdef0123456789abcdef', letters: (n: number) => 'q'.repeat(n) };

/** A real API Gateway HTTP API (payload 2.0) event from test/events/http, deep-copied so tests may change it. */
export function fixture<T = APIGatewayProxyEventV2>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../../events/http/${name}.json`, import.meta.url), 'utf8')) as T;
}

/** The fixture with another JSON body (a string is sent as is) and content-length. */
export function withBody(event: APIGatewayProxyEventV2, body: unknown): APIGatewayProxyEventV2 {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return { ...event, body: text, headers: { ...event.headers, 'content-length': String(Buffer.byteLength(text)) } };
}

/** The fixture with other headers (`undefined` removes one). */
export function withHeaders(event: APIGatewayProxyEventV2, headers: Record<string, string | undefined>): APIGatewayProxyEventV2 {
  const out: Record<string, string | undefined> = { ...event.headers };
  for (const [k, v] of Object.entries(headers)) if (v === undefined) delete out[k]; else out[k] = v;
  return { ...event, headers: out };
}

/** The fixture with another query string (queryStringParameters kept consistent, as API Gateway does). */
export function withQuery(event: APIGatewayProxyEventV2, rawQueryString: string): APIGatewayProxyEventV2 {
  const params: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(rawQueryString)) params[k] = k in params ? `${params[k]},${v}` : v;
  const out: APIGatewayProxyEventV2 = { ...event, rawQueryString };
  if (rawQueryString === '') delete out.queryStringParameters; else out.queryStringParameters = params;
  return out;
}

/** The fixture with another path parameter `vid` (rawPath kept consistent). */
export function withVid(event: APIGatewayProxyEventV2, vid: string): APIGatewayProxyEventV2 {
  const old = event.pathParameters?.vid ?? '';
  const rawPath = event.rawPath.replace(old, vid);
  return { ...event, rawPath, pathParameters: { vid }, requestContext: { ...event.requestContext, http: { ...event.requestContext.http, path: rawPath } } };
}

export interface Reply { status: number; headers: Record<string, string | number | boolean>; body: unknown; logs: string[] }

/** Invokes a handler, capturing its log lines, and parses the JSON body. */
export async function invoke(handler: HttpLambda, event: APIGatewayProxyEventV2): Promise<Reply> {
  const { result, lines } = await captureLogs(() => handler(event));
  const r = result as APIGatewayProxyStructuredResultV2;
  return { status: r.statusCode ?? 0, headers: { ...r.headers }, body: r.body ? JSON.parse(r.body) : '', logs: lines };
}

/** Headers of every JSON response for a fixture's request id. */
export function jsonHeaders(requestId: string, extra: Record<string, string> = {}): Record<string, string> {
  return { 'access-control-allow-origin': '*', 'cache-control': 'no-store', 'x-request-id': requestId, 'content-type': 'application/json; charset=utf-8', ...extra };
}

export interface Stack { emu: Emulator; vod: VodClient; api: ApiContext; sign: () => SignContext; cfg: Config; env: Record<string, string>; close(): Promise<void> }

/**
 * Starts the VOD emulator on 127.0.0.1 (ephemeral port, fixed clock and seed), builds the configuration, a real
 * VodClient (fixed clock and STS2 randomness, no retries) pointed at it, the API context of the functions that make
 * one call (the same credentials, clock, draws and retries) and the signing context of the sign-only functions, and exports the environment to process.env so the handler module's
 * own wiring (`export const handler`) also loads.
 */
export async function startStack(extraEnv: Record<string, string> = {}): Promise<Stack> {
  const emu = await startEmulator({ port: 0, host: '127.0.0.1', seed: 7, now: () => NOW, transcodeDelayMs: 0 });
  const env = {
    VOD_ENDPOINT: emu.url, API_KEYS: `${API_KEY},${OTHER_API_KEY}`, VCLOUD_ACCESSKEY: CREDENTIALS.accessKeyId,
    VCLOUD_SECRETKEY: CREDENTIALS.secretAccessKey, TOKEN_MAX_EXPIRES: '7200', STS2_MAX_EXPIRES: '3600', POWERTOOLS_DEV: '',
    ...extraEnv,
  };
  Object.assign(process.env, env);
  const cfg = loadConfig(env);
  const vod = newVodClient(cfg, { credentials: CREDENTIALS, now: () => NOW, random: RANDOM, retries: 0, uniform: () => 0 });
  const api = vodApi(cfg, { credentials: CREDENTIALS, now: () => NOW, retries: 0, uniform: () => 0 });
  const sign = (): SignContext => ({ credentials: CREDENTIALS, region: cfg.region, now: NOW });
  return { emu, vod, api, sign, cfg, env, close: () => emu.close() };
}

/** Verifies a signed query (as a token or URL carries it) with lib/signing, as the service would at `at`. */
export function verifySignedQuery(method: string, rawQuery: string, at: Date = NOW): Promise<VerifyResult> {
  return verifyRequest(
    { method, path: '/', rawQuery, headers: {}, body: new Uint8Array() },
    { lookupSecret: (ak) => (ak === CREDENTIALS.accessKeyId ? CREDENTIALS.secretAccessKey : undefined), region: 'cn-north-1', now: at },
  );
}

/** Uploads a small video to the emulator and returns its Vid. */
export async function uploadVideo(vod: VodClient, space = 'demo-space'): Promise<string> {
  const result = await vod.uploadVideo({ spaceName: space, body: Buffer.from('a small test video') });
  const vid = result.Results[0]?.Vid;
  if (!vid) throw new Error('no Vid from the emulator');
  return vid;
}

/** Every 401/403 case of a protected route: [what, headers to set, status, message]. */
export const AUTH_REFUSALS: ReadonlyArray<[string, Record<string, string | undefined>, 401 | 403, string]> = [
  ['no credentials', { authorization: undefined }, 401, 'missing credentials: send \'Authorization: Bearer\' and the API key, or x-api-key'],
  ['Basic credentials', { authorization: 'Basic dGVzdDp0ZXN0' }, 401, 'malformed credentials: send \'Authorization: Bearer\' and the API key, or x-api-key'],
  ['an empty Bearer', { authorization: 'Bearer ' }, 401, 'malformed credentials: send \'Authorization: Bearer\' and the API key, or x-api-key'],
  ['a garbled x-api-key', { authorization: undefined, 'x-api-key': 'two words' }, 401, 'malformed credentials: send \'Authorization: Bearer\' and the API key, or x-api-key'],
  ['a wrong Bearer key', { authorization: 'Bearer test-api-key-0003' }, 403, 'invalid API key'],
  ['a wrong x-api-key', { authorization: undefined, 'x-api-key': 'test-api-key-000' }, 403, 'invalid API key'],
  ['a key differing in case', { authorization: 'Bearer TEST-API-KEY-0001' }, 403, 'invalid API key'],
];

/** A JSON value with the play URLs' per-call random `auth_key` replaced by `*` (the emulator draws one per URL). */
export function withoutAuthKeys(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value).replace(/auth_key=[^&"]+/g, 'auth_key=*'));
}
