// `npm run demo`: drives the pipeline of a running local stack (`npm start`) end to end and prints what happened
// plus curl commands to repeat each step by hand.
//   1. put samples/sample.mp4 into the ingest bucket -> poll GET /items/{id} until published -> play URLs
//   2. POST /uploads/by-url with a loopback URL serving the same file -> poll until published
//   3. the token routes (upload token, play token, STS2)
// Options (env): DEMO_API (http://127.0.0.1:3000), DEMO_S3 (http://127.0.0.1:4569), DEMO_API_KEY (local-dev-api-key-0001),
// DEMO_BUCKET (vod-serverless-local-ingest), DEMO_PREFIX (incoming/).
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

const api = process.env.DEMO_API ?? 'http://127.0.0.1:3000';
const s3Url = process.env.DEMO_S3 ?? 'http://127.0.0.1:4569';
// not API_KEY: a developer's key for some other service would be sent (and printed) here
const apiKey = process.env.DEMO_API_KEY ?? 'local-dev-api-key-0001';
const bucket = process.env.DEMO_BUCKET ?? 'vod-serverless-local-ingest';
const prefix = process.env.DEMO_PREFIX ?? 'incoming/';
const sample = await readFile(new URL('../samples/sample.mp4', import.meta.url));
const auth = { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' };
const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

interface Item { id: string; state: string; vid?: string; runId?: string; reason?: string }

async function waitPublished(id: string, timeoutMs = 60_000): Promise<Item> {
  const t0 = Date.now();
  let seen = '';
  for (;;) {
    const res = await fetch(`${api}/items/${encodeURIComponent(id)}`);
    const item = res.status === 200 ? ((await res.json()) as Item) : undefined;
    if (item && item.state !== seen) {
      seen = item.state;
      console.log(`   +${String(Date.now() - t0).padStart(5)} ms  ${item.state}${item.vid ? `  vid ${item.vid}` : ''}${item.reason ? `  (${item.reason})` : ''}`);
    }
    if (item?.state === 'published') return item;
    if (item?.state === 'failed' || Date.now() - t0 > timeoutMs) throw new Error(`item ${id} ended ${item?.state ?? 'unknown'}: ${item?.reason ?? 'timeout'}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

/** Answers that were not the one expected: the demo ends with exit 1 after showing everything. */
const unexpected: string[] = [];

async function show(title: string, res: Response, expected = [200]): Promise<unknown> {
  if (!expected.includes(res.status)) unexpected.push(`${title}: HTTP ${res.status}`);
  const text = await res.text();
  let body: unknown = text;
  try { body = JSON.parse(text); } catch { /* not JSON */ }
  const shown = JSON.stringify(body, (_k, v: unknown) => (typeof v === 'string' && v.length > 120 ? `${v.slice(0, 117)}...` : v), 2);
  console.log(`   ${title}: HTTP ${res.status}${res.headers.get('location') ? ` -> ${res.headers.get('location')}` : ''}\n${shown.replace(/^/gm, '     ')}`);
  return body;
}

async function playUrls(vid: string): Promise<void> {
  await show(`GET /videos/${vid}/play-info`, await fetch(`${api}/videos/${vid}/play-info`));
  await show(`GET /videos/${vid}/play`, await fetch(`${api}/videos/${vid}/play`, { redirect: 'manual' }), [302]);
  console.log(`   curl -s ${api}/videos/${vid}/play-info\n   curl -sI ${api}/videos/${vid}/play`);
}

try {
  await fetch(`${api}/items/ping`);
} catch {
  console.error(`no stack at ${api}: start it first with \`npm start\``);
  process.exit(1);
}

// 1. S3 ingest
const key = `${prefix}demo-${Date.now()}.mp4`;
console.log(`1. S3 ingest: put samples/sample.mp4 (${sample.length} bytes) as s3://${bucket}/${key}`);
const s3 = new S3Client({ endpoint: s3Url, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: sample, ContentType: 'video/mp4' }));
s3.destroy();
const id = `s3:${bucket}/${key}@${(put.ETag ?? '').replace(/"/g, '')}`;
const item = await waitPublished(id);
console.log(`   curl -s ${api}/items/${encodeURIComponent(id)}`);
await playUrls(item.vid as string);

// 2. URL upload
const server = createServer((req, res) => {
  if (req.url === '/sample.mp4') { res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': sample.length }); res.end(sample); }
  else { res.writeHead(404); res.end(); }
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const sourceUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sample.mp4`;
console.log(`\n2. URL upload of ${sourceUrl}`);
const byUrlBody = JSON.stringify({ urls: [sourceUrl] });
const started = (await show('POST /uploads/by-url', await fetch(`${api}/uploads/by-url`, { method: 'POST', headers: auth, body: byUrlBody }), [202])) as { items?: Item[] };
console.log(`   curl -s -X POST ${api}/uploads/by-url -H 'authorization: Bearer ${apiKey}' -H 'content-type: application/json' -d ${q(byUrlBody)}`);
const urlItem = started.items?.[0];
if (urlItem) await waitPublished(urlItem.id);
server.close();

// 3. token routes
console.log('\n3. tokens (protected routes: Authorization: Bearer <API key>)');
const vid = item.vid as string;
for (const [path, body] of [['/tokens/upload', {}], ['/tokens/play', { vid }], ['/sts2', { scope: 'play', vids: [vid] }]] as const) {
  await show(`POST ${path}`, await fetch(`${api}${path}`, { method: 'POST', headers: auth, body: JSON.stringify(body) }));
  console.log(`   curl -s -X POST ${api}${path} -H 'authorization: Bearer ${apiKey}' -H 'content-type: application/json' -d ${q(JSON.stringify(body))}`);
}
await show('POST /tokens/play without a key (refused)', await fetch(`${api}/tokens/play`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ vid }) }), [401, 403]);
if (unexpected.length > 0) {
  console.error(`\ndemo failed: ${unexpected.join('; ')}`);
  process.exit(1);
}
console.log('\ndemo done');
