import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { AwsError } from '#lib/aws';
import { BadRequest, eventHandler, httpHandler, signingHandler, toHttpError, Unauthorized } from '#lib/http';
import { captureLogs } from './log-capture.ts';

function event(overrides: Partial<APIGatewayProxyEventV2> = {}): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: 'GET /things',
    rawPath: '/things',
    rawQueryString: '',
    headers: { authorization: 'Bearer super-secret-api-key-1' },
    requestContext: {
      accountId: '123456789012', apiId: 'api', domainName: 'api.example.com', domainPrefix: 'api', requestId: 'req-1',
      routeKey: 'GET /things', stage: '$default', time: '25/Nov/2026:18:00:00 +0000', timeEpoch: 1795629600000,
      http: { method: 'GET', path: '/things', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
    },
    isBase64Encoded: false,
    ...overrides,
  };
}

/** A stand-in with lib/vod's VodError shape (lib/http matches it by name). */
class VodError extends Error {
  override readonly name = 'VodError';
  constructor(readonly code: string, message: string, readonly httpStatus: number, readonly action = 'GetPlayInfo', readonly requestId = '2024') {
    super(message);
  }
}

const BASE = { 'access-control-allow-origin': '*', 'cache-control': 'no-store', 'x-request-id': 'req-1' };
const JSON_HEADERS = { ...BASE, 'content-type': 'application/json; charset=utf-8' };

describe('httpHandler', () => {
  it('answers JSON with CORS and request id headers, and logs one access line', async () => {
    const handler = httpHandler(async () => ({ status: 200, body: { ok: true } }));
    const { result, logs } = await captureLogs(() => handler(event()));
    assert.deepEqual(result, { statusCode: 200, headers: JSON_HEADERS, body: '{"ok":true}', isBase64Encoded: false });
    assert.equal(logs.length, 1);
    assert.deepEqual(
      { message: logs[0]?.message, requestId: logs[0]?.requestId, route: logs[0]?.route, status: logs[0]?.status, method: logs[0]?.method, path: logs[0]?.path },
      { message: 'request', requestId: 'req-1', route: 'GET /things', status: 200, method: 'GET', path: '/things' },
    );
  });

  it('answers a 302 with a location and no body', async () => {
    const handler = httpHandler(async () => ({ status: 302, headers: { Location: 'https://play.example.com/v.mp4' } }));
    const { result } = await captureLogs(() => handler(event()));
    assert.deepEqual(result, { statusCode: 302, headers: { ...BASE, location: 'https://play.example.com/v.mp4' }, body: '', isBase64Encoded: false });
  });

  it('shows a 4xx message to the caller', async () => {
    const handler = httpHandler(async () => { throw new BadRequest('body.vid: is required'); });
    const { result } = await captureLogs(() => handler(event()));
    assert.deepEqual(result, {
      statusCode: 400, headers: JSON_HEADERS, isBase64Encoded: false,
      body: '{"error":"BadRequest","message":"body.vid: is required","requestId":"req-1"}',
    });
  });

  it('maps VOD errors', async () => {
    const cases: Array<[VodError, number, string, Record<string, string>]> = [
      [new VodError('ResourceNotFound', 'video v0x not found', 404), 404, '{"error":"NotFound","message":"video v0x not found","requestId":"req-1"}', {}],
      [new VodError('InvalidParameter', 'Definition is invalid', 400), 400, '{"error":"BadRequest","message":"Definition is invalid","requestId":"req-1"}', {}],
      [new VodError('SignatureDoesNotMatch', 'signature mismatch for AK AKLT...', 403), 502, '{"error":"BadGateway","message":"the video service failed","requestId":"req-1"}', {}],
      [new VodError('InternalError', 'boom', 500), 502, '{"error":"BadGateway","message":"the video service failed","requestId":"req-1"}', {}],
      [new VodError('NetworkError', 'GetPlayInfo: network error (ECONNREFUSED)', 0), 502, '{"error":"BadGateway","message":"the video service failed","requestId":"req-1"}', {}],
      [new VodError('RequestLimitExceeded', 'slow down', 429), 503, '{"error":"ServiceUnavailable","message":"the video service is busy; retry later","requestId":"req-1"}', { 'retry-after': '1' }],
      [new VodError('RequestTimeout', 'GetPlayInfo: no complete response within 5000 ms', 0), 504, '{"error":"GatewayTimeout","message":"the video service did not answer in time","requestId":"req-1"}', {}],
    ];
    for (const [err, status, body, headers] of cases) {
      const handler = httpHandler(async () => { throw err; });
      const { result, logs } = await captureLogs(() => handler(event()));
      assert.deepEqual(result, { statusCode: status, headers: { ...JSON_HEADERS, ...headers }, body, isBase64Encoded: false }, err.code);
      assert.equal(logs[0]?.level, status >= 500 ? 'ERROR' : 'INFO');
    }
  });

  it('answers 500 InternalError leaking nothing, and logs the cause without secrets', async () => {
    const secret = new Error('failed with SecretAccessKey=abc and token STS2eyJzZWNyZXQiOiJ4In0xxxxxxxx', { cause: new Error('inner') });
    Object.assign(secret, { code: 'EBOOM' });
    const handler = httpHandler(async () => { throw secret; });
    const { result, lines, logs } = await captureLogs(() => handler(event()));
    assert.deepEqual(result, { statusCode: 500, headers: JSON_HEADERS, body: '{"error":"InternalError","requestId":"req-1"}', isBase64Encoded: false });
    assert.equal(logs[0]?.level, 'ERROR');
    const error = logs[0]?.error as Record<string, unknown>;
    assert.equal(error.name, 'Error');
    assert.equal(error.code, 'EBOOM');
    assert.equal(error.message, 'failed with SecretAccessKey=[REDACTED] and token STS2[REDACTED]');
    assert.deepEqual((error.cause as Record<string, unknown>).message, 'inner');
    assert.equal(lines.join('\n').includes('super-secret-api-key-1'), false);
  });

  it('uses the Lambda request id when the event has none', async () => {
    const handler = httpHandler(async () => ({ status: 204 }));
    const e = event();
    const { result } = await captureLogs(() => handler({ ...e, requestContext: { ...e.requestContext, requestId: undefined as unknown as string } }, { awsRequestId: 'lambda-1' } as never));
    assert.equal(result.headers?.['x-request-id'], 'lambda-1');
  });

  it('leaves unknown errors unmapped', () => {
    assert.equal(toHttpError(new TypeError('x')), undefined);
  });

  it('answers 503 with Retry-After when DynamoDB throttles or does not answer, 500 for any other AWS error', () => {
    const aws = (code: string, httpStatus: number) => new AwsError({ code, message: `dynamodb.GetItem: ${code}`, action: 'dynamodb.GetItem', httpStatus });
    for (const busy of [aws('ProvisionedThroughputExceededException', 400), aws('ThrottlingException', 400), aws('InternalServerError', 500), aws('RequestTimeout', 0)]) {
      const mapped = toHttpError(busy);
      assert.deepEqual([mapped?.statusCode, mapped?.message, mapped?.headers], [503, 'the item store is busy; retry later', { 'retry-after': '1' }], busy.name);
    }
    assert.equal(toHttpError(aws('ValidationException', 400)), undefined);
    assert.equal(toHttpError(aws('ConditionalCheckFailedException', 400)), undefined);
  });
});

describe('signingHandler', () => {
  it('answers and logs as httpHandler does, 4xx messages included', async () => {
    const ok = signingHandler(async () => ({ status: 200, body: { ok: true } }));
    const refused = signingHandler(async () => { throw new Unauthorized('missing credentials'); });
    const a = await captureLogs(() => ok(event()));
    const b = await captureLogs(() => refused(event()));
    assert.deepEqual(a.result, { statusCode: 200, headers: JSON_HEADERS, body: '{"ok":true}', isBase64Encoded: false });
    assert.deepEqual(b.result, {
      statusCode: 401, headers: { ...JSON_HEADERS, 'www-authenticate': 'Bearer realm="vod-serverless"' }, isBase64Encoded: false,
      body: '{"error":"Unauthorized","message":"missing credentials","requestId":"req-1"}',
    });
    assert.deepEqual(b.logs.map((l) => [l.level, l.message, l.status, l.error]), [['INFO', 'request refused', 401, { name: 'Unauthorized', message: 'missing credentials' }]]);
  });

  it('maps no VOD error: a route that only signs cannot meet one, so it is a 500', async () => {
    const handler = signingHandler(async () => { throw new VodError('ResourceNotFound', 'video v0x not found', 404); });
    const { result, logs } = await captureLogs(() => handler(event()));
    assert.deepEqual(result, { statusCode: 500, headers: JSON_HEADERS, body: '{"error":"InternalError","requestId":"req-1"}', isBase64Encoded: false });
    assert.deepEqual(logs.map((l) => [l.level, l.message, l.status]), [['ERROR', 'request failed', 500]]);
  });
});

describe('eventHandler', () => {
  it('returns the result', async () => {
    const handler = eventHandler(async (e: { n: number }) => e.n + 1);
    const { result } = await captureLogs(() => handler({ n: 1 }, { awsRequestId: 'aws-1' } as never));
    assert.equal(result, 2);
  });

  it('logs with the request id and rethrows', async () => {
    const boom = new Error('boom');
    const handler = eventHandler(async () => { throw boom; });
    const { result, logs } = await captureLogs(async () => handler({}, { awsRequestId: 'aws-2' } as never).then(() => 'ok', (e: unknown) => e));
    assert.equal(result, boom);
    assert.deepEqual({ level: logs[0]?.level, message: logs[0]?.message, requestId: logs[0]?.requestId }, { level: 'ERROR', message: 'event handler failed', requestId: 'aws-2' });
  });
});
