// web/serve.ts: the demo page's server (npm start) serves the page and the sample video, nothing else of the repo.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { serveWeb, type WebServer } from '../../../web/serve.ts';

let web: WebServer;
before(async () => { web = await serveWeb({ port: 0 }); });
after(() => web.close());

test('serves samples/sample.mp4 at /sample.mp4 (the source of the README\'s upload by URL), byte for byte', async () => {
  const res = await fetch(`${web.url}/sample.mp4`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'video/mp4');
  assert.deepEqual(Buffer.from(await res.arrayBuffer()), await readFile(new URL('../../../samples/sample.mp4', import.meta.url)));
});

test('serves the page and nothing else of the repository', async () => {
  assert.equal((await fetch(`${web.url}/`)).headers.get('content-type'), 'text/html; charset=utf-8');
  for (const path of ['/serve.ts', '/samples/sample.mp4', '/%2e%2e/samples/sample.mp4', '/../package.json', '/index.html/x']) {
    const res = await fetch(`${web.url}${path}`);
    assert.equal(res.status, 404, path);
    await res.arrayBuffer();
  }
});
