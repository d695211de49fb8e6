// The browser reference client end to end in a real headless Chromium: the demo page gets an upload token from
// issue-upload-token, uploads the sample MP4 straight to the VOD emulator with it (ApplyUpload, PUT, CommitUpload),
// gets a play token from issue-play-token, plays the video (readyState >= 2) and shows a poster; then the module
// alone does a multipart upload, and a tampered token surfaces the service's error. Screenshot: docs/screenshot.png.
//
// The API is the real local stack (startStack: osls offline, with its CORS) once serverless.yml declares the token
// and poster routes; until then, or with BROWSER_TEST_STACK=0, the same real handlers behind a loopback adapter
// (test/browser/lambda-http.ts). The VOD service is the real emulator in process either way: no mocks.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32 } from 'node:zlib';
import { chromium, type BrowserContext, type Page, type Route } from 'playwright-core';
import { startEmulator, type Emulator, type EmulatorOptions } from '#local/emulator';
import { startStack } from '#local/stack';
import { serveWeb, type WebServer } from '../../web/serve.ts';
import { serveLambdas } from './lambda-http.ts';
import { tinyMp4 } from './tiny-mp4.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CHROMIUM = '/usr/bin/chromium';
const API_KEY = 'browser-test-api-key';
const SPACE = 'demo-space';
const CHROMIUM_FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

interface Api { url: string; key: string; emulator: Emulator; mode: string; close(): Promise<void> }

const EMULATOR: EmulatorOptions = { seed: 6, transcodeDelayMs: 60_000, spaces: [SPACE] };

/** The whole local stack, when serverless.yml routes the token and poster functions (and it is not opted out). */
async function stackApi(): Promise<Api | undefined> {
  const yml = await readFile(join(ROOT, 'serverless.yml'), 'utf8');
  const routed = ['/tokens/upload', '/tokens/play', '/posters'].every((p) => new RegExp(`path:\\s*'?${p}'?\\s*}`).test(yml));
  if (!routed || process.env.BROWSER_TEST_STACK === '0') return undefined;
  const s = await startStack({ ports: 'ephemeral', cwd: ROOT, emulator: EMULATOR, env: { LOG_LEVEL: 'ERROR' } });
  return { url: s.endpoints.api, key: s.apiKey, emulator: s.emulator, mode: `local stack (osls offline, ready in ${s.startMs} ms)`, close: () => s.close() };
}

/** The real handlers in process behind a loopback httpApi adapter, talking to an emulator in process. */
async function inProcessApi(): Promise<Api> {
  const emulator = await startEmulator({ ...EMULATOR, port: 0 });
  // the functions' configuration, read once at their cold start (the import below)
  Object.assign(process.env, {
    VOD_REGION: 'cn-north-1', VOD_ENDPOINT: emulator.url, VOD_SPACE: SPACE, API_KEYS: API_KEY,
    VCLOUD_ACCESSKEY: 'AKLTlocalemulator', VCLOUD_SECRETKEY: 'local-emulator-secret', LOG_LEVEL: 'ERROR',
  });
  const [upload, play, poster] = await Promise.all([
    import('../../functions/issue-upload-token/handler.ts'),
    import('../../functions/issue-play-token/handler.ts'),
    import('../../functions/poster-url/handler.ts'),
  ]);
  const http = await serveLambdas([
    { method: 'POST', path: '/tokens/upload', handler: upload.handler },
    { method: 'POST', path: '/tokens/play', handler: play.handler },
    { method: 'GET', path: '/posters', handler: poster.handler },
  ]);
  return { url: http.url, key: API_KEY, emulator, mode: 'handlers in process', close: async () => { await http.close(); await emulator.close(); } };
}

/** The repository's sample MP4 (samples/, smallest first) or, until one is committed, a generated one. */
async function sampleMp4(): Promise<{ name: string; bytes: Buffer }> {
  const dir = join(ROOT, 'samples');
  const names = existsSync(dir) ? (await readdir(dir)).filter((n) => n.toLowerCase().endsWith('.mp4')) : [];
  const sized = await Promise.all(names.map(async (n) => ({ n, size: (await stat(join(dir, n))).size })));
  const pick = sized.filter((s) => s.size < 20 * 1024 * 1024).sort((a, b) => a.size - b.size)[0];
  if (pick) return { name: pick.n, bytes: await readFile(join(dir, pick.n)) };
  return { name: 'generated.mp4', bytes: tinyMp4() };
}

describe('browser reference client: upload and play with tokens in Chromium', { timeout: 60_000 }, () => {
  let emulator: Emulator;
  let apiServer: Api | undefined;
  let api: { url: string; key: string };
  let web: WebServer;
  let browser: BrowserContext;
  let page: Page;
  let profile: string;
  const issuedTokens: string[] = [];
  const consoleLines: string[] = [];

  before(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} is missing: this test drives Debian's Chromium. Install it with .ci/browser-deps ` +
        '(apt-get install -y --no-install-recommends chromium), then run the test again.');
    }
    apiServer = (await stackApi()) ?? (await inProcessApi());
    api = apiServer;
    emulator = apiServer.emulator;
    web = await serveWeb({ port: 0 });
    profile = await mkdtemp(join(tmpdir(), 'vod-browser-profile-'));
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS, viewport: { width: 1000, height: 1040 },
    });
    // tsx compiles this file with esbuild's keepNames, whose __name() helper then appears inside the functions
    // handed to page.evaluate; the page needs it too
    await browser.addInitScript('globalThis.__name ??= (f) => f;');
    page = browser.pages()[0] ?? (await browser.newPage());
    page.on('console', (m) => consoleLines.push(m.text()));
    page.on('pageerror', (e) => consoleLines.push(`pageerror: ${e.message}`));
    page.on('response', async (r) => {
      if (r.url().startsWith(`${api.url}/tokens/`) && r.request().method() === 'POST' && r.ok()) {
        issuedTokens.push(((await r.json()) as { token: string }).token);
      }
    });
  });

  after(async () => {
    await browser?.close();
    await web?.close();
    await apiServer?.close();
    if (profile) await rm(profile, { recursive: true, force: true });
  });

  test('the page uploads the sample MP4 with an upload token and plays it with a play token', async (t) => {
    // Prepare
    const sample = await sampleMp4();
    t.diagnostic(`API: ${apiServer?.mode}; sample: ${sample.name} (${sample.bytes.length} bytes)`);
    await page.goto(web.url);
    await page.fill('#api-base', api.url);
    await page.fill('#api-key', api.key);
    await page.fill('#vod-endpoint', emulator.url);
    await page.setInputFiles('#file', { name: sample.name, mimeType: 'video/mp4', buffer: sample.bytes });

    // Act
    await page.click('#start');
    await page.waitForFunction(() => document.body.dataset.state === 'playing' || document.body.dataset.state === 'error', null, { timeout: 30_000 });

    // Assess
    const error = await page.textContent('#error');
    assert.equal(await page.getAttribute('body', 'data-state'), 'playing', `the page reported: ${error}`);
    const video = await page.$eval('#video', (v: HTMLVideoElement) => ({ readyState: v.readyState, width: v.videoWidth, height: v.videoHeight, src: v.currentSrc, error: v.error?.code ?? null }));
    assert.ok(video.readyState >= 2, `video readyState ${video.readyState}`);
    assert.equal(video.error, null);
    assert.ok(video.width > 0 && video.height > 0);
    assert.ok(video.src.startsWith(`${emulator.url}/play/`), video.src);

    const videos = Object.values(emulator.state.videos);
    assert.equal(videos.length, 1);
    const stored = emulator.state.objects[videos[0]!.uri]!;
    assert.deepEqual({ size: stored.size, crc32: stored.crc32 }, { size: sample.bytes.length, crc32: crc32(sample.bytes) });

    const poster = await page.$eval('#poster', (img: HTMLImageElement) => ({ hidden: img.hidden, src: img.src }));
    assert.equal(poster.hidden, false);
    assert.match(poster.src, /^http:\/\/127\.0\.0\.1:\d+\/tos-emu-i-0001\/[0-9a-f]+~tplv-vod-rs:160:90\.image$/);
    await page.waitForFunction(() => (document.getElementById('poster') as HTMLImageElement).complete, null, { timeout: 5_000 });
    assert.ok(await page.$eval('#poster', (img: HTMLImageElement) => img.naturalWidth > 0), 'the poster image loaded');

    const rows = await page.$$eval('#tokens tbody tr', (trs) => trs.map((tr) => [...tr.children].slice(0, 2).map((td) => td.textContent)));
    assert.deepEqual(rows, [
      ['upload: ApplyUploadToken', 'ApplyUpload (2018-01-01)'],
      ['upload: CommitUploadToken', 'CommitUpload (2018-01-01)'],
      ['play: GetPlayInfoToken', 'GetPlayInfo (2019-03-15)'],
    ]);
    assert.equal(issuedTokens.length, 2);
    const html = await page.content();
    for (const token of issuedTokens) {
      assert.ok(!consoleLines.some((l) => l.includes(token)), 'a token reached the console');
      assert.ok(!html.includes(token), 'a token is shown raw on the page');
    }

    // docs/screenshot.png (the README's) is rewritten only on request or when missing, so a test run leaves the
    // tree clean; otherwise the screenshot goes to a temporary file
    const docs = join(ROOT, 'docs', 'screenshot.png');
    const shot = process.env.UPDATE_SCREENSHOT === '1' || !existsSync(docs) ? docs : join(tmpdir(), 'vod-serverless-screenshot.png');
    await mkdir(dirname(shot), { recursive: true });
    await page.screenshot({ path: shot, fullPage: true });
    t.diagnostic(`screenshot: ${shot === docs ? docs : `${shot} (UPDATE_SCREENSHOT=1 writes docs/screenshot.png)`}`);
  });

  test('a second run starts with an empty player, no poster and a reset progress bar', async () => {
    // Prepare: the page is playing the previous test's video, with its poster; this run fails at its first step
    assert.equal(await page.getAttribute('body', 'data-state'), 'playing');
    await page.fill('#api-key', 'not-the-api-key');

    // Act
    try {
      await page.click('#start');
      await page.waitForFunction(() => document.body.dataset.state === 'error', null, { timeout: 10_000 });
    } finally {
      await page.fill('#api-key', api.key);
    }

    // Assess
    const left = await page.evaluate(() => {
      const v = document.getElementById('video') as HTMLVideoElement;
      const img = document.getElementById('poster') as HTMLImageElement;
      return {
        // an emptied element: no resource (networkState NETWORK_EMPTY), no frame (readyState HAVE_NOTHING)
        video: { src: v.getAttribute('src'), networkState: v.networkState, readyState: v.readyState, poster: v.poster },
        poster: { hidden: img.hidden, src: img.getAttribute('src') },
        progress: (document.getElementById('progress') as HTMLProgressElement).value,
        progressText: document.getElementById('progress-text')?.textContent,
      };
    });
    assert.deepEqual(left, { video: { src: null, networkState: 0, readyState: 0, poster: '' }, poster: { hidden: true, src: null }, progress: 0, progressText: 'idle' });
  });

  test('a video that never loads ends the run with an error instead of leaving it running', async () => {
    // Prepare: a page whose clock the test moves, and play URLs that never answer
    const p = await browser.newPage();
    const held: Route[] = [];
    try {
      await p.clock.install();
      await p.route(/\/play\//, (route) => { held.push(route); });
      await p.goto(web.url);
      await p.fill('#api-base', api.url);
      await p.fill('#api-key', api.key);
      await p.fill('#vod-endpoint', emulator.url);
      const sample = await sampleMp4();
      await p.setInputFiles('#file', { name: sample.name, mimeType: 'video/mp4', buffer: sample.bytes });

      // Act: once the page waits for the video, 20 s pass
      await p.click('#start');
      await p.waitForFunction(() => document.body.dataset.state === 'error' || [...document.querySelectorAll('#steps li')].some((li) => li.textContent === 'play in <video>'), null, { timeout: 20_000 });
      await p.clock.runFor(20_000);
      await p.waitForFunction(() => document.body.dataset.state !== 'running', null, { timeout: 10_000 });

      // Assess
      assert.deepEqual(
        { state: await p.getAttribute('body', 'data-state'), error: await p.textContent('#error'), held: held.length > 0, networkState: await p.$eval('#video', (v: HTMLVideoElement) => v.networkState) },
        { state: 'error', error: 'the video did not load within 20 s; is the play URL reachable from this browser?', held: true, networkState: 0 },
      );
    } finally {
      for (const r of held) await r.abort().catch(() => undefined);
      await p.close();
    }
  });

  test('an API that never answers ends the run with an error instead of leaving it running', async () => {
    // Prepare: an API base whose server accepts every request and never answers, and a page whose clock the test moves
    const stall = createServer((req, res) => {
      res.setHeader('access-control-allow-origin', '*');
      if (req.method === 'OPTIONS') res.writeHead(204, { 'access-control-allow-headers': '*', 'access-control-allow-methods': 'POST' }).end();
    });
    await new Promise<void>((resolve) => stall.listen(0, '127.0.0.1', resolve));
    const p = await browser.newPage();
    try {
      await p.clock.install();
      await p.goto(web.url);
      await p.fill('#api-base', `http://127.0.0.1:${(stall.address() as AddressInfo).port}`);
      await p.setInputFiles('#file', { name: 'a.mp4', mimeType: 'video/mp4', buffer: Buffer.from('x') });
      const requested = new Promise((resolve) => stall.on('request', (req) => { if (req.method === 'POST') resolve(undefined); }));

      // Act: once the token request is held, 10 s pass
      await p.click('#start');
      await requested;
      await p.clock.runFor(10_000);
      await p.waitForFunction(() => document.body.dataset.state !== 'running', null, { timeout: 10_000 });

      // Assess
      assert.deepEqual({ state: await p.getAttribute('body', 'data-state'), error: (await p.textContent('#error'))?.replace(/:\d+/, ':PORT') },
        { state: 'error', error: 'POST /tokens/upload: no answer from the API at http://127.0.0.1:PORT within 10 s' });
    } finally {
      await p.close();
      await new Promise((resolve) => { stall.close(resolve); stall.closeAllConnections(); });
    }
  });

  test('vod-browser.js alone: a multipart upload (2 parts) that plays', async () => {
    // Prepare: the sample plus a 'free' box of padding, > 5 MiB so it goes up in two parts; still a valid MP4
    const sample = await sampleMp4();
    const pad = 6 * 1024 * 1024;
    const free = Buffer.alloc(pad);
    free.writeUInt32BE(pad, 0);
    free.write('free', 4, 'latin1');
    const bytes = Buffer.concat([sample.bytes, free]);
    const before = new Set(Object.keys(emulator.state.videos));

    // Act
    const out = await page.evaluate(async ({ b64, apiBase, key, endpoint, moduleUrl }) => {
      const m = await import(moduleUrl); // the page's own copy of web/vod-browser.js
      const post = async (path: string, body: unknown): Promise<{ token: string }> => {
        const r = await fetch(`${apiBase}${path}`, { method: 'POST', headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
        return r.json();
      };
      const file = new Blob([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], { type: 'video/mp4' });
      const seen: number[] = [];
      const up = await m.uploadWithToken({
        endpoint, token: (await post('/tokens/upload', {})).token, file, multipartThreshold: 5 * 1024 * 1024,
        onProgress: (p: { phase: string; loaded: number }) => { if (p.phase === 'upload') seen.push(p.loaded); },
      });
      const play = await m.playWithToken({ endpoint, token: (await post('/tokens/play', { vid: up.vid })).token });
      const v = document.createElement('video');
      v.muted = true;
      v.src = play.url;
      await new Promise((resolve, reject) => { v.onloadeddata = resolve; v.onerror = () => reject(new Error(`MediaError ${v.error?.code}`)); });
      return { mode: up.mode, parts: up.parts, vid: up.vid, readyState: v.readyState, progressSteps: seen.length, lastProgress: seen.at(-1) };
    }, { b64: bytes.toString('base64'), apiBase: api.url, key: api.key, endpoint: emulator.url, moduleUrl: `${web.url}/vod-browser.js` });

    // Assess
    assert.deepEqual({ mode: out.mode, parts: out.parts, lastProgress: out.lastProgress }, { mode: 'multipart', parts: 2, lastProgress: bytes.length });
    assert.ok(out.readyState >= 2, `readyState ${out.readyState}`);
    assert.ok(out.progressSteps >= 3, `progress reported ${out.progressSteps} times`);
    assert.ok(!before.has(out.vid));
    const stored = emulator.state.objects[emulator.state.videos[out.vid]!.uri]!;
    assert.deepEqual({ size: stored.size, crc32: stored.crc32 }, { size: bytes.length, crc32: crc32(bytes) });
  });

  test('a VOD error reaches the page with its Code, Message and RequestId', async () => {
    // Prepare: a space the service does not have (the token is validly signed for it)
    await page.fill('#space', 'no-such-space');

    // Act
    await page.click('#start');
    await page.waitForFunction(() => document.body.dataset.state === 'error', null, { timeout: 10_000 });

    // Assess
    const text = (await page.textContent('#error')) ?? '';
    assert.match(text, /^VOD error ResourceNotFound in ApplyUpload \(HTTP 404\): .*no-such-space.*\nRequestId \d+/s);
    await page.fill('#space', '');
  });

  test('vod-browser.js alone: a tampered token fails with SignatureDoesNotMatch', async () => {
    // Prepare: a token whose ApplyUpload query names another space than it was signed for
    const err = await page.evaluate(async ({ apiBase, key, endpoint, moduleUrl }) => {
      const m = await import(moduleUrl); // the page's own copy of web/vod-browser.js
      const r = await fetch(`${apiBase}/tokens/upload`, { method: 'POST', headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' }, body: '{}' });
      const t = m.decodeUploadToken(((await r.json()) as { token: string }).token);
      const forged = { ...t, ApplyUploadToken: t.ApplyUploadToken.replace('SpaceName=demo-space', 'SpaceName=other-space') };
      // Act
      try {
        await m.uploadWithToken({ endpoint, token: forged, file: new Blob(['x']) });
        return null;
      } catch (e) {
        const v = e as { name: string; code: string; action: string; httpStatus: number; requestId: string };
        return { name: v.name, code: v.code, action: v.action, httpStatus: v.httpStatus, hasRequestId: /\d/.test(v.requestId) };
      }
    }, { apiBase: api.url, key: api.key, endpoint: emulator.url, moduleUrl: `${web.url}/vod-browser.js` });

    // Assess
    assert.deepEqual(err, { name: 'VodBrowserError', code: 'SignatureDoesNotMatch', action: 'ApplyUpload', httpStatus: 403, hasRequestId: true });
  });

  test('no form control of the page has a name, so a native submit (script not loaded yet) sends no API key', async () => {
    await page.goto(web.url);
    const named = await page.$$eval('form input, form select, form textarea, form button, input, select, textarea, button', (els) =>
      els.filter((e) => e.hasAttribute('name')).map((e) => e.id || e.outerHTML));
    assert.deepEqual(named, []);
  });
});
