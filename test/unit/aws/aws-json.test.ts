// lib/aws's AWS JSON calls against a loopback server that verifies each signature with lib/signing's verifier
// (scope dynamodb / events) and answers as the service would: a scripted status and body per request.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, test } from 'node:test';
import { AwsError, DynamoDb, awsJson, type AwsContext } from '#lib/aws';
import { verifyRequest } from '#lib/signing';
import { apiContext } from '#lib/vod';

const NOW = new Date('2026-11-25T10:00:00.000Z');
const CREDS = { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret-key' };

interface Seen { target: string | undefined; contentType: string | undefined; body: unknown; verified: true | string }
let server: Server;
let origin: string;
let seen: Seen[] = [];
let tokens: Array<{ token: string | undefined; signedHeaders: string | undefined }> = [];
let answers: Array<{ status: number; body: string; type?: string } | 'hang' | 'drop'> = [];

function read(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
  });
}

before(async () => {
  server = createServer(async (req, res) => {
    const body = await read(req);
    const [path, rawQuery = ''] = (req.url ?? '/').split('?');
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : v]));
    const service = String(req.headers['x-amz-target']).startsWith('AWSEvents') ? 'events' : 'dynamodb';
    tokens.push({ token: req.headers['x-amz-security-token'] as string | undefined, signedHeaders: /SignedHeaders=([^,]+)/.exec(String(req.headers.authorization))?.[1] });
    const v = await verifyRequest({ method: req.method ?? '', path: path!, rawQuery, headers, body }, {
      lookupSecret: (ak) => (ak === CREDS.accessKeyId ? CREDS.secretAccessKey : undefined), region: 'us-east-1', now: NOW, service,
    });
    seen.push({
      target: req.headers['x-amz-target'] as string | undefined, contentType: req.headers['content-type'],
      body: JSON.parse(body.toString('utf8')), verified: v.ok ? true : v.message,
    });
    const answer = answers.shift() ?? { status: 200, body: '{}' };
    if (answer === 'hang') return;
    if (answer === 'drop') return void req.socket.destroy();
    res.writeHead(answer.status, { 'content-type': 'application/x-amz-json-1.0', ...(answer.type ? { 'x-amzn-errortype': answer.type } : {}) });
    res.end(answer.body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }));
beforeEach(() => { seen = []; answers = []; tokens = []; });

function ctx(service: string, opts: { retries?: number; timeoutMs?: number; origin?: string; sessionToken?: string } = {}): AwsContext & { delays: number[] } {
  const delays: number[] = [];
  const credentials = opts.sessionToken ? { ...CREDS, sessionToken: opts.sessionToken } : CREDS;
  const api = apiContext({ origin: opts.origin ?? origin, region: 'us-east-1', credentials: () => credentials, now: () => NOW }, {
    retries: opts.retries ?? 3, timeoutMs: opts.timeoutMs ?? 2000, uniform: () => 0.5, sleep: async (ms) => { delays.push(ms); },
  });
  return { ...api, service, delays };
}

test('a call is signed for its service (verified by the server), names its target and content type, and returns the parsed answer', async () => {
  answers.push({ status: 200, body: '{"Item":{"id":{"S":"a"}}}' });
  const out = await awsJson(ctx('dynamodb'), 'DynamoDB_20120810.GetItem', '1.0', { TableName: 't', Key: { id: { S: 'a' } } });
  assert.deepEqual(out, { Item: { id: { S: 'a' } } });
  assert.deepEqual(seen, [{
    target: 'DynamoDB_20120810.GetItem', contentType: 'application/x-amz-json-1.0',
    body: { TableName: 't', Key: { id: { S: 'a' } } }, verified: true,
  }]);
  await awsJson(ctx('events'), 'AWSEvents.PutEvents', '1.1', { Entries: [] });
  assert.deepEqual(seen[1], { target: 'AWSEvents.PutEvents', contentType: 'application/x-amz-json-1.1', body: { Entries: [] }, verified: true });
  assert.deepEqual(tokens[1], { token: undefined, signedHeaders: 'content-type;host;x-amz-content-sha256;x-amz-date;x-amz-target' });
});

test("a Lambda role's session token is sent and signed", async () => {
  await awsJson(ctx('dynamodb', { sessionToken: 'role-session-token' }), 'DynamoDB_20120810.GetItem', '1.0', {});
  assert.deepEqual(tokens, [{ token: 'role-session-token', signedHeaders: 'content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token;x-amz-target' }]);
});

test('a service error becomes an AwsError named by its code, with the message and the body fields; a client error is not retried', async () => {
  answers.push({ status: 400, body: '{"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException","message":"The conditional request failed","Item":{"id":{"S":"a"}}}' });
  const c = ctx('dynamodb');
  const err = await awsJson(c, 'DynamoDB_20120810.PutItem', '1.0', {}).catch((e: unknown) => e);
  assert.ok(err instanceof AwsError);
  assert.equal(err.name, 'ConditionalCheckFailedException');
  assert.equal(err.message, 'dynamodb.PutItem: ConditionalCheckFailedException: The conditional request failed (HTTP 400)');
  assert.equal(err.httpStatus, 400);
  assert.deepEqual(err.fields.Item, { id: { S: 'a' } });
  assert.equal(seen.length, 1);
  assert.deepEqual(c.delays, []);
});

test('throttling and server errors are retried with backoff, each attempt signed afresh; the last error is thrown when retries run out', async () => {
  answers.push(
    { status: 400, body: '{"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException","message":"slow down"}' },
    { status: 500, body: '', type: 'InternalServerError' },
    { status: 200, body: '{"ok":1}' },
  );
  const c = ctx('dynamodb');
  assert.deepEqual(await awsJson(c, 'DynamoDB_20120810.UpdateItem', '1.0', {}), { ok: 1 });
  assert.equal(seen.length, 3);
  assert.ok(seen.every((s) => s.verified === true));
  assert.deepEqual(c.delays, [50, 100]);

  seen = [];
  answers.push(...Array.from({ length: 3 }, () => ({ status: 503, body: '{"__type":"ServiceUnavailable","message":"busy"}' })));
  const few = ctx('dynamodb', { retries: 2 });
  const err = await awsJson(few, 'DynamoDB_20120810.Query', '1.0', {}).catch((e: unknown) => e) as AwsError;
  assert.equal(err.name, 'ServiceUnavailable');
  assert.equal(err.message, 'dynamodb.Query: ServiceUnavailable: busy (HTTP 503)');
  assert.equal(seen.length, 3);
});

test('no answer: a timeout is RequestTimeout, a dropped or refused connection NetworkError (status 0, retried), never a hang', async () => {
  answers.push('hang');
  const slow = await awsJson(ctx('dynamodb', { retries: 0, timeoutMs: 100 }), 'DynamoDB_20120810.GetItem', '1.0', {}).catch((e: unknown) => e) as AwsError;
  assert.deepEqual([slow.name, slow.httpStatus, slow.message], ['RequestTimeout', 0, 'dynamodb.GetItem: no answer within 100 ms']);

  answers.push('drop', { status: 200, body: '{}' });
  const c = ctx('dynamodb');
  assert.deepEqual(await awsJson(c, 'DynamoDB_20120810.GetItem', '1.0', {}), {});
  assert.equal(c.delays.length, 1);

  const closed = createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  const port = (closed.address() as AddressInfo).port;
  await new Promise<void>((r) => closed.close(() => r()));
  const refused = await awsJson(ctx('dynamodb', { retries: 1, origin: `http://127.0.0.1:${port}` }), 'DynamoDB_20120810.GetItem', '1.0', {}).catch((e: unknown) => e) as AwsError;
  assert.deepEqual([refused.name, refused.httpStatus, refused.message], ['NetworkError', 0, 'dynamodb.GetItem: network error (ECONNREFUSED)']);
});

test('an answer that is not JSON is InvalidResponse; no error holds the secret key', async () => {
  answers.push({ status: 200, body: '<html>proxy</html>' });
  const err = await awsJson(ctx('dynamodb', { retries: 0 }), 'DynamoDB_20120810.GetItem', '1.0', {}).catch((e: unknown) => e) as AwsError;
  assert.deepEqual([err.name, err.message], ['InvalidResponse', 'dynamodb.GetItem: the answer is not JSON (HTTP 200)']);
  answers.push({ status: 403, body: '{"__type":"UnrecognizedClientException","message":"The security token included in the request is invalid."}' });
  const denied = await awsJson(ctx('dynamodb', { retries: 0 }), 'DynamoDB_20120810.GetItem', '1.0', {}).catch((e: unknown) => e) as AwsError;
  assert.equal(denied.name, 'UnrecognizedClientException');
  for (const e of [err, denied]) assert.ok(!JSON.stringify({ m: e.message, f: e.fields, s: e.stack }).includes(CREDS.secretAccessKey));
});

test("DynamoDb marshals the document fields of a request and unmarshals the item of a refused condition (ALL_OLD)", async () => {
  answers.push({ status: 400, body: '{"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException","message":"The conditional request failed","Item":{"id":{"S":"a"},"n":{"N":"2"}}}' });
  const err = await new DynamoDb(ctx('dynamodb')).put({
    TableName: 't', Item: { id: 'a', n: 1, skip: undefined }, ConditionExpression: 'attribute_not_exists(id)',
    ExpressionAttributeValues: { ':x': ['s', 3] }, ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  }).catch((e: unknown) => e) as AwsError;
  assert.deepEqual(seen[0]!.body, {
    TableName: 't', Item: { id: { S: 'a' }, n: { N: '1' } }, ConditionExpression: 'attribute_not_exists(id)',
    ExpressionAttributeValues: { ':x': { L: [{ S: 's' }, { N: '3' }] } }, ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  });
  assert.deepEqual([err.name, err.fields.Item], ['ConditionalCheckFailedException', { id: 'a', n: 2 }]);
});
