import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import { ConfigError, loadConfig, readConfig } from '#lib/config';
import { captureLogs } from '../unit/http/log-capture.ts';
import { API_KEY, AUTH_REFUSALS, fixture, OTHER_API_KEY } from '../unit/http/handler-kit.ts';

const EVENT = fixture<APIGatewayRequestAuthorizerEventV2>('authorizer-request');
const cfg = loadConfig({ API_KEYS: `${API_KEY},${OTHER_API_KEY}` });
process.env.API_KEYS = `${API_KEY},${OTHER_API_KEY}`;
const { createAuthorizer, handler, SETTINGS } = await import('../../functions/authorizer/handler.ts');
const authorize = createAuthorizer(cfg);

function withHeaders(headers: Record<string, string | undefined>): APIGatewayRequestAuthorizerEventV2 {
  const out: Record<string, string | undefined> = { ...EVENT.headers };
  for (const [k, v] of Object.entries(headers)) if (v === undefined) delete out[k]; else out[k] = v;
  return { ...EVENT, headers: out as Record<string, string> };
}

describe('authorizer (HTTP API REQUEST, simple responses)', () => {
  it('allows a configured Bearer key, passing only a fingerprint on', async () => {
    const { result, lines } = await captureLogs(() => authorize(EVENT));
    assert.equal(result.isAuthorized, true);
    assert.match(result.isAuthorized ? result.context.keyId : '', /^[0-9a-f]{12}$/);
    assert.equal(lines.join('\n').includes(API_KEY), false);
  });

  it('allows x-api-key and the raw-case headers serverless-offline passes', async () => {
    for (const headers of [{ authorization: undefined, 'x-api-key': OTHER_API_KEY }, { authorization: undefined, 'X-Api-Key': API_KEY }, { authorization: undefined, Authorization: `Bearer ${API_KEY}` }]) {
      const { result } = await captureLogs(() => authorize(withHeaders(headers)));
      assert.equal(result.isAuthorized, true, JSON.stringify(headers));
    }
  });

  for (const [what, headers, status] of AUTH_REFUSALS) {
    it(`refuses ${what} (the route itself would say ${status})`, async () => {
      const { result, logs } = await captureLogs(() => authorize(withHeaders(headers)));
      assert.deepEqual(result, { isAuthorized: false });
      assert.deepEqual([logs[0]?.message, logs[0]?.status], ['authorizer refused', status]);
      assert.equal(JSON.stringify(logs).includes(API_KEY), false);
    });
  }

  it('refuses an event without headers', async () => {
    const { result } = await captureLogs(() => authorize({ ...EVENT, headers: undefined } as unknown as APIGatewayRequestAuthorizerEventV2));
    assert.deepEqual(result, { isAuthorized: false });
  });

  it('reads API_KEYS alone, and fails its cold start loudly without it', () => {
    assert.deepEqual(readConfig({ API_KEYS: API_KEY, VOD_REGION: 'mars' }, SETTINGS), { apiKeys: [API_KEY] });
    assert.throws(() => readConfig({}, SETTINGS), (err: unknown) => err instanceof ConfigError && err.message === 'invalid configuration: API_KEYS must be set (a comma list of API keys) for a protected route');
  });

  it('is wired from the environment at module scope', async () => {
    const { result } = await captureLogs(() => handler(EVENT));
    assert.equal(result.isAuthorized, true);
  });
});
