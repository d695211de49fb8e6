// Every function that touches DynamoDB run through its own IAM role: the function (a child process, configured as
// serverless.yml configures it) reaches dynalite only through test/support/iam-guard.ts, which allows what the
// function's role allows and refuses the rest as AWS does. Each run takes the function's paths that read or write
// differently (a new item, a repeat, an event naming no item, a failure); a call its role does not grant fails it.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { VodClient } from '#lib/vod';
import { callbackSignature } from '#lib/pipeline';
import { allows, roleGrants, startIamGuard, type GuardedCall } from '../support/iam-guard.ts';
import { API_KEY, BUCKET, CALLBACK_KEY, CALLBACK_URL, fixture, startHarness, type Harness } from '../unit/pipeline/harness.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const YML = join(ROOT, 'serverless.yml');
const ITEMS = 'table/vod-serverless-local-items';
const CLOCK = '2026-11-25T10:00:00.000Z';
let h: Harness;
let dir: string;
let vod: VodClient;
let sample: Buffer;
let n = 0;

before(async () => {
  h = await startHarness();
  dir = await mkdtemp(join(tmpdir(), 'iam-roles-'));
  vod = new VodClient({ endpoint: h.emulator.url, credentials: { accessKeyId: 'AKLTlocalemulator', secretAccessKey: 'local-emulator-secret' } });
  sample = await readFile(join(ROOT, 'samples/sample.mp4'));
});
after(async () => {
  await h.close();
  await rm(dir, { recursive: true, force: true });
});

interface Outcome { ok: boolean; out?: { statusCode?: number } & Record<string, unknown>; error?: string }

/** Runs `fn`'s handler on `events` in a child whose DynamoDB is the guard of `fn`'s role; what it answered and called. */
async function runAs(fn: string, events: unknown[]): Promise<{ outcomes: Outcome[]; calls: GuardedCall[] }> {
  const guard = await startIamGuard(h.dynamo.endpoint, await roleGrants(YML, fn));
  try {
    const files = await Promise.all(events.map(async (e) => {
      const file = join(dir, `event-${++n}.json`);
      await writeFile(file, JSON.stringify(e));
      return file;
    }));
    const { NODE_TEST_CONTEXT: _, ...env } = process.env;
    const stdout = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test/support/invoke-handler.ts'), join(ROOT, 'functions', fn, 'handler.ts'), ...files], {
        env: { ...env, AWS_ENDPOINT_URL_DYNAMODB: guard.url, LOG_LEVEL: 'SILENT', INVOKE_CLOCK: CLOCK }, stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d));
      child.stderr.on('data', (d: Buffer) => (err += d));
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${fn} exited ${code}: ${err.slice(-800)}`))));
    });
    const outcomes = stdout.split('\n').filter((l) => l.startsWith('@@result ')).map((l) => JSON.parse(l.slice(9)) as Outcome);
    return { outcomes, calls: guard.calls };
  } finally {
    await guard.close();
  }
}

/** Asserts every invocation succeeded (no error, no 5xx) and every DynamoDB call was allowed; returns the calls made. */
function allowedOnly(fn: string, r: { outcomes: Outcome[]; calls: GuardedCall[] }, invocations: number): string[] {
  assert.equal(r.outcomes.length, invocations, `${fn}: one answer per event`);
  for (const o of r.outcomes) assert.ok(o.ok && !((o.out?.statusCode ?? 0) >= 500), `${fn}: ${JSON.stringify(o)}`);
  assert.deepEqual(r.calls.filter((c) => !c.allowed), [], `${fn}: calls its role does not grant`);
  return [...new Set(r.calls.map((c) => `${c.action} ${c.resource}`))].sort();
}

async function newVid(): Promise<string> {
  const vid = (await vod.uploadVideo({ spaceName: 'demo-space', body: sample, fileType: 'video' })).Results[0]?.Vid;
  assert.ok(vid);
  return vid;
}

async function httpEvent(routeKey: string, rawPath: string, opts: { body?: unknown; pathParameters?: Record<string, string> }): Promise<Record<string, unknown>> {
  const e = await fixture<Record<string, unknown> & { headers: Record<string, string>; requestContext: { http: Record<string, unknown> } }>('http/issue-upload-token.json');
  const [method] = routeKey.split(' ');
  return {
    ...e, headers: { ...e.headers, authorization: `Bearer ${API_KEY}` }, routeKey, rawPath, rawQueryString: '', ...(opts.body ? { body: JSON.stringify(opts.body) } : { body: undefined }),
    ...(opts.pathParameters ? { pathParameters: opts.pathParameters } : {}),
    requestContext: { ...e.requestContext, routeKey, http: { ...e.requestContext.http, method, path: rawPath } },
  };
}

test('the guard allows what a role grants and refuses the rest', async () => {
  const transcode = await roleGrants(YML, 'transcode-on-commit');
  assert.equal(allows(transcode, 'dynamodb:UpdateItem', ITEMS), true);
  assert.equal(allows(transcode, 'dynamodb:Query', `${ITEMS}/index/vid-index`), true);
  assert.equal(allows(transcode, 'dynamodb:Query', `${ITEMS}/index/state-index`), false);
  assert.equal(allows(transcode, 'dynamodb:PutItem', ITEMS), false);
  assert.equal(allows(transcode, 'dynamodb:GetItem', 'table/vod-serverless-local-idempotency'), false);
  assert.equal(allows(await roleGrants(YML, 'play-info'), 'dynamodb:GetItem', ITEMS), false);
  // and a function run under a role that lacks a grant fails: the check can fail
  const refused = await (async () => {
    const guard = await startIamGuard(h.dynamo.endpoint, transcode.filter((g) => !g.actions.includes('dynamodb:UpdateItem')));
    try {
      const res = await fetch(`${guard.url}/`, { method: 'POST', headers: { 'x-amz-target': 'DynamoDB_20120810.UpdateItem' }, body: JSON.stringify({ TableName: 'vod-serverless-local-items' }) });
      return { status: res.status, body: await res.json() as { __type: string } };
    } finally {
      await guard.close();
    }
  })();
  assert.deepEqual([refused.status, refused.body.__type], [400, 'com.amazon.coral.service#AccessDeniedException']);
});

test('each pipeline function makes only the DynamoDB calls its role grants, on every path', async () => {
  // upload-by-url: one item per URL
  const byUrl = await runAs('upload-by-url', [await httpEvent('POST /uploads/by-url', '/uploads/by-url', { body: { urls: ['http://127.0.0.1:9/iam.mp4'] } })]);
  assert.deepEqual(byUrl.outcomes.map((o) => o.out?.statusCode), [202]);
  assert.deepEqual(allowedOnly('upload-by-url', byUrl, 1), [`dynamodb:PutItem ${ITEMS}`]);

  // ingest-object: a new object, then its repeat (the claim refused: the item read)
  const key = 'incoming/iam roles.mp4';
  const put = await h.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: sample }));
  const s3 = await fixture<{ Records: Array<{ s3: { object: Record<string, unknown> } }> }>('s3/object-created-put.json');
  Object.assign(s3.Records[0]!.s3.object, { key: 'incoming/iam+roles.mp4', eTag: (put.ETag ?? '').replace(/"/g, ''), size: sample.length });
  const ingest = await runAs('ingest-object', [s3, s3]);
  assert.deepEqual(allowedOnly('ingest-object', ingest, 2), [`dynamodb:GetItem ${ITEMS}`, `dynamodb:UpdateItem ${ITEMS}`]);
  const { itemId, vid } = (ingest.outcomes[0]!.out as unknown as Array<{ itemId: string; vid: string }>)[0]!;

  // transcode-on-commit: the ingested item, its repeat, a video committed outside the pipeline (found by Vid)
  const outside = await newVid();
  const committed = async (detail: Record<string, unknown>) => ({ ...(await fixture('eventbridge/upload-committed.json')), detail });
  const transcode = await runAs('transcode-on-commit', [
    await committed({ vid, spaceName: 'demo-space', itemId }), await committed({ vid, spaceName: 'demo-space', itemId }),
    await committed({ vid: outside, spaceName: 'demo-space' }),
  ]);
  assert.deepEqual(allowedOnly('transcode-on-commit', transcode, 3),
    [`dynamodb:GetItem ${ITEMS}`, `dynamodb:Query ${ITEMS}/index/vid-index`, `dynamodb:UpdateItem ${ITEMS}`]);
  const runId = String((transcode.outcomes[0]!.out as { runId?: string }).runId);

  // publish: the run's completion, its repeat, a failed run of the other video
  await h.emulator.idle();
  const completed = async (detail: Record<string, unknown>) => ({ ...(await fixture('eventbridge/transcode-completed.json')), detail });
  const publish = await runAs('publish', [
    await completed({ vid, runId, spaceName: 'demo-space', code: 'Success', itemId }), await completed({ vid, runId, spaceName: 'demo-space', code: 'Success', itemId }),
    await completed({ vid: outside, runId: 'run-x', spaceName: 'demo-space', code: 'InvalidInput' }),
  ]);
  assert.deepEqual(allowedOnly('publish', publish, 3), [`dynamodb:GetItem ${ITEMS}`, `dynamodb:Query ${ITEMS}/index/vid-index`, `dynamodb:UpdateItem ${ITEMS}`]);

  // vod-callback: a signed FileUploadComplete (its Powertools record), then a failed URL upload (its item failed)
  const signed = async (file: string): Promise<unknown> => {
    const body = JSON.stringify(await fixture(`callback/${file}`));
    const ts = String(Date.parse(CLOCK) / 1000);
    const e = await fixture<{ headers: Record<string, string> }>('callback/api-gateway-v2.json');
    return { ...e, body, headers: { ...e.headers, 'x-vod-timestamp': ts, 'x-vod-signature': callbackSignature(CALLBACK_URL, ts, CALLBACK_KEY, Buffer.from(body)) } };
  };
  const callback = await runAs('vod-callback', [await signed('file-upload-complete.json'), await signed('file-upload-by-url-failed.json')]);
  assert.deepEqual(allowedOnly('vod-callback', callback, 2), [
    `dynamodb:GetItem ${ITEMS}`, 'dynamodb:PutItem table/vod-serverless-local-idempotency', 'dynamodb:UpdateItem table/vod-serverless-local-idempotency',
    `dynamodb:UpdateItem ${ITEMS}`,
  ]);

  // reconcile, a month later: every state's query, and what it drives on
  const schedule = { ...(await fixture('schedule/reconcile.json')), time: new Date(Date.parse(CLOCK) + 86_400_000 * 30).toISOString() };
  const reconcile = await runAs('reconcile', [schedule]);
  assert.deepEqual(allowedOnly('reconcile', reconcile, 1), [`dynamodb:Query ${ITEMS}/index/state-index`, `dynamodb:UpdateItem ${ITEMS}`]);

  // item-status: by item id, by Vid, and one that does not exist (404)
  const status = await runAs('item-status', [
    await httpEvent('GET /items/{id}', `/items/${encodeURIComponent(itemId)}`, { pathParameters: { id: itemId } }),
    await httpEvent('GET /items/{id}', `/items/${outside}`, { pathParameters: { id: outside } }),
    await httpEvent('GET /items/{id}', '/items/nope', { pathParameters: { id: 'nope' } }),
  ]);
  assert.deepEqual(allowedOnly('item-status', status, 3), [`dynamodb:GetItem ${ITEMS}`, `dynamodb:Query ${ITEMS}/index/vid-index`]);
  assert.deepEqual(status.outcomes.map((o) => o.out?.statusCode), [200, 200, 404]);
});
