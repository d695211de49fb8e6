// The whole local stack (npm start's startStack: dynalite, emulator, osls offline with s3-local and the local bus):
// an object put in S3 ends published; a URL upload ends published. Everything on ephemeral 127.0.0.1 ports.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { startStack, type LocalStack } from '../../local/stack/index.ts';
import { recordLines } from '../support/log-guard.ts';

const sample = await readFile(new URL('../../samples/sample.mp4', import.meta.url));
let stack: LocalStack;
const source = createServer((req, res) => {
  if (req.url === '/clip.mp4') { res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': sample.length }); res.end(sample); }
  else { res.writeHead(404); res.end(); }
});

before(async () => {
  stack = await startStack({ ports: 'ephemeral', watch: false, emulator: { transcodeDelayMs: 200, seed: 11 }, onOfflineLine: (l) => recordLines('osls offline', [l]) });
  await new Promise<void>((r) => source.listen(0, '127.0.0.1', r));
});
after(async () => {
  source.close();
  await stack?.close();
});

interface ItemView { id: string; state: string; vid?: string; runId?: string; reason?: string; attempts: number }

/** Polls GET /items/{id} until the item is published or failed. */
async function settle(id: string, timeoutMs: number): Promise<{ item: ItemView; ms: number }> {
  const t0 = Date.now();
  let last: unknown;
  while (Date.now() - t0 < timeoutMs) {
    const res = await fetch(`${stack.endpoints.api}/items/${encodeURIComponent(id)}`, { signal: AbortSignal.timeout(15_000) });
    if (res.status === 200) {
      const item = (await res.json()) as ItemView;
      last = item;
      if (item.state === 'published' || item.state === 'failed') return { item, ms: Date.now() - t0 };
    } else last = `${res.status} ${await res.text()}`;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`item ${id} not settled after ${timeoutMs} ms; last ${JSON.stringify(last)}\n${stack.offlineTail()}`);
}

test('an MP4 put in the ingest bucket is uploaded, transcoded and published', { timeout: 60_000 }, async () => {
  const s3 = new S3Client({ endpoint: stack.endpoints.s3, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
  const key = `${stack.ingestPrefix}e2e clip.mp4`;
  const out = await s3.send(new PutObjectCommand({ Bucket: stack.ingestBucket, Key: key, Body: sample, ContentType: 'video/mp4' }));
  s3.destroy();
  const id = `s3:${stack.ingestBucket}/${key}@${(out.ETag ?? '').replace(/"/g, '')}`;

  const { item, ms } = await settle(id, 45_000);
  console.log(`# s3 put -> published in ${ms} ms`);

  assert.equal(item.state, 'published', item.reason);
  assert.ok(item.vid && item.runId);
  const video = stack.emulator.state.videos[item.vid];
  assert.deepEqual([video?.publishStatus, video?.transcode?.runId], ['Published', item.runId]);
  assert.equal(Object.values(stack.emulator.state.videos).filter((v) => v.transcode).length, 1, 'one transcode');
});

test('POST /uploads/by-url ends published', { timeout: 60_000 }, async () => {
  const url = `http://127.0.0.1:${(source.address() as AddressInfo).port}/clip.mp4`;
  const res = await fetch(`${stack.endpoints.api}/uploads/by-url`, {
    signal: AbortSignal.timeout(15_000),
    method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${stack.apiKey}` }, body: JSON.stringify({ urls: [url] }),
  });
  assert.equal(res.status, 202, await res.clone().text());
  const { items } = (await res.json()) as { items: Array<{ id: string; jobId: string; sourceUrl: string }> };
  assert.equal(items.length, 1);

  const { item, ms } = await settle(items[0]!.id, 45_000);
  console.log(`# upload-by-url -> published in ${ms} ms`);

  assert.equal(item.state, 'published', item.reason);
  assert.equal(stack.emulator.state.videos[item.vid ?? '']?.publishStatus, 'Published');
});
