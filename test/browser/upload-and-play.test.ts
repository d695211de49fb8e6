// The browser reference client end to end in a real headless Chromium: the demo page gets an upload token from
// issue-upload-token, uploads the sample MP4 straight to the VOD emulator with it (ApplyUpload, PUT, CommitUpload),
// gets a play token from issue-play-token, plays the video (readyState >= 2) and shows a poster; then the module
// alone does a multipart upload, and a tampered token surfaces the service's error. Screenshot: docs/screenshot.png.
//
// The token and poster routes are the real Lambda handlers behind a loopback adapter (test/browser/lambda-http.ts),
// the VOD service is the real emulator in process: no mocks, and no serverless-offline start-up in the budget.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32 } from 'node:zlib';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { startEmulator, type Emulator } from '#local/emulator';
import { serveWeb, type WebServer } from '../../web/serve.ts';
import { serveLambdas, type LambdaHttp } from './lambda-http.ts';
import { tinyMp4 } from './tiny-mp4.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CHROMIUM = '/usr/bin/chromium';
const API_KEY = 'browser-test-api-key';
const SPACE = 'demo-space';
const CHROMIUM_FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

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
  let api: LambdaHttp;
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
    emulator = await startEmulator({ port: 0, seed: 6, transcodeDelayMs: 60_000, spaces: [SPACE] });
    // the functions' configuration, read once at their cold start (the import below)
    Object.assign(process.env, {
      VOD_REGION: 'cn-north-1', VOD_ENDPOINT: emulator.url, VOD_SPACE: SPACE, API_KEYS: API_KEY,
      VCLOUD_ACCESSKEY: 'AKLTlocalemulator', VCLOUD_SECRETKEY: 'local-emulator-secret',
      POWERTOOLS_LOG_LEVEL: 'ERROR',
    });
    const [upload, play, poster] = await Promise.all([
      import('../../functions/issue-upload-token/handler.ts'),
      import('../../functions/issue-play-token/handler.ts'),
      import('../../functions/poster-url/handler.ts'),
    ]);
    api = await serveLambdas([
      { method: 'POST', path: '/tokens/upload', handler: upload.handler },
      { method: 'POST', path: '/tokens/play', handler: play.handler },
      { method: 'GET', path: '/posters', handler: poster.handler },
    ]);
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
    await api?.close();
    await emulator?.close();
    if (profile) await rm(profile, { recursive: true, force: true });
  });

  test('the page uploads the sample MP4 with an upload token and plays it with a play token', async () => {
    // Prepare
    const sample = await sampleMp4();
    await page.goto(web.url);
    await page.fill('#api-base', api.url);
    await page.fill('#api-key', API_KEY);
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

    await page.evaluate(() => { window.scrollTo(0, 0); });
    await mkdir(join(ROOT, 'docs'), { recursive: true });
    await page.screenshot({ path: join(ROOT, 'docs', 'screenshot.png'), fullPage: true });
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
    }, { b64: bytes.toString('base64'), apiBase: api.url, key: API_KEY, endpoint: emulator.url, moduleUrl: `${web.url}/vod-browser.js` });

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
    }, { apiBase: api.url, key: API_KEY, endpoint: emulator.url, moduleUrl: `${web.url}/vod-browser.js` });

    // Assess
    assert.deepEqual(err, { name: 'VodBrowserError', code: 'SignatureDoesNotMatch', action: 'ApplyUpload', httpStatus: 403, hasRequestId: true });
  });
});
