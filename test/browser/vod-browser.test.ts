// web/vod-browser.js in Node (it uses only web platform globals that Node 20 has too): token decoding, CRC32,
// signed-query description; then its upload flow in headless Chromium against the emulator. Tokens come from
// lib/vod's real token functions, not hand-written strings.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { crc32 } from 'node:zlib';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startEmulator, type Emulator } from '#local/emulator';
import { serveWeb, type WebServer } from '../../web/serve.ts';
import { playAuthToken, uploadAuthToken } from '#lib/vod';
import { seededBytes } from '../support/seeded-bytes.ts';

// a plain-JS browser module: imported by URL, so the type-check of this TS project leaves it to `tsc -p web`
const m = (await import(new URL('../../web/vod-browser.js', import.meta.url).href)) as {
  decodeUploadToken(t: string): { Version: string; ApplyUploadToken: string; CommitUploadToken: string };
  decodePlayToken(t: string): { Version: string; GetPlayInfoToken: string };
  describeSignedQuery(q: string): { action: string; version: string; params: Record<string, string>; accessKeyId: string; signedAt: Date | null; expiresAt: Date | null };
  crc32(b: Uint8Array, previous?: number): number;
  crc32Hex(v: number): string;
  crc32OfBlob(b: Blob, o?: { chunkSize?: number }): Promise<string>;
  mainPlayUrl(data: unknown): string;
};

const ctx = { credentials: { accessKeyId: 'AKLTlocalemulator', secretAccessKey: 'local-emulator-secret' }, region: 'cn-north-1', now: new Date('2024-01-02T03:04:05Z') };

describe('vod-browser.js tokens', () => {
  test('decodes an upload token from lib/vod into its two signed queries', async () => {
    const token = await uploadAuthToken({ SpaceName: 'demo-space', 'X-Amz-Expires': 3600 }, ctx);
    const t = m.decodeUploadToken(token);
    assert.equal(t.Version, 'v1');
    const apply = m.describeSignedQuery(t.ApplyUploadToken);
    const commit = m.describeSignedQuery(t.CommitUploadToken);
    assert.deepEqual(
      { ...apply, signedAt: apply.signedAt?.toISOString(), expiresAt: apply.expiresAt?.toISOString() },
      { action: 'ApplyUpload', version: '2018-01-01', params: { SpaceName: 'demo-space' }, accessKeyId: 'AKLTlocalemulator', signedAt: '2024-01-02T03:04:05.000Z', expiresAt: '2024-01-02T04:04:05.000Z' },
    );
    assert.equal(commit.action, 'CommitUpload');
  });

  test('decodes a play token whatever the whitespace, key order, padding and base64 alphabet', async () => {
    const token = await playAuthToken({ video_id: 'v0abc' }, ctx);
    const query = m.decodePlayToken(token).GetPlayInfoToken;
    const json = JSON.stringify({ GetPlayInfoToken: query, Version: 'v1' }, null, 2); // other order, pretty-printed
    const b64 = Buffer.from(json).toString('base64');
    const variants = [
      token,
      b64,
      b64.replace(/=+$/, ''),
      b64.replace(/\+/g, '-').replace(/\//g, '_'),
      `  ${b64.match(/.{1,20}/g)!.join('\n')}\n`,
    ];
    for (const v of variants) assert.deepEqual(m.decodePlayToken(v), { Version: 'v1', GetPlayInfoToken: query });
    assert.deepEqual(m.describeSignedQuery(query).params, { video_id: 'v0abc' });
  });

  test('a malformed token is an InvalidToken error that does not echo the token', () => {
    for (const bad of ['', '!!!', Buffer.from('not json').toString('base64'), Buffer.from('[1]').toString('base64'), Buffer.from('{"Version":"v1"}').toString('base64')]) {
      assert.throws(() => m.decodeUploadToken(bad), (e: Error & { code?: string }) => {
        assert.equal(e.name, 'VodBrowserError');
        assert.equal(e.code, 'InvalidToken');
        assert.ok(bad === '' || !e.message.includes(bad));
        return true;
      });
    }
  });
});

describe('vod-browser.js CRC32', () => {
  test('matches zlib on known and random inputs, in one piece and in chunks', async () => {
    assert.equal(m.crc32Hex(m.crc32(Buffer.from('hello'))), '3610a686');
    assert.equal(m.crc32Hex(m.crc32(new Uint8Array(0))), '00000000');
    const data = seededBytes(300_001, 300_001);
    assert.equal(m.crc32(data), crc32(data));
    assert.equal(m.crc32(data.subarray(1000), m.crc32(data.subarray(0, 1000))), crc32(data));
    assert.equal(await m.crc32OfBlob(new Blob([data]), { chunkSize: 65_536 }), crc32(data).toString(16).padStart(8, '0'));
  });
});

describe('vod-browser.js play URL', () => {
  test('picks the highest bitrate; no stream is a NoPlayUrl error', () => {
    assert.equal(m.mainPlayUrl({ PlayInfoList: [{ Bitrate: 1, MainPlayUrl: 'http://a' }, { Bitrate: 9, MainPlayUrl: 'http://b' }] }), 'http://b');
    assert.throws(() => m.mainPlayUrl({ VideoID: 'v1', Status: 1, PlayInfoList: [] }), { name: 'VodBrowserError', code: 'NoPlayUrl' });
  });
});

// ---------------------------------------------------------------------------------------------------------
// The upload flow in Chromium against the emulator (and, where the emulator cannot misbehave that way, a stub
// server that holds or echoes requests): cancelling, timeouts, retries, redaction. No sleeps: a stalled request
// is one the stub never answers, a fault is the emulator's seeded dice.

const SPACE = 'demo-space';
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const MIB = 1024 * 1024;

/** What the page's `uploadWithToken` did: its result, or its rejection (`isReason`: the abort signal's reason itself). */
type Outcome = ({ ok: true; vid: string; mode: string; parts: number } | { ok: false; name: string; code?: string; action?: string; message: string; isReason: boolean })
  & { /** API calls the module made, by Action (the browser itself may resend on a reused connection) */ fetches: Record<string, number> };
interface Run {
  endpoint: string;
  token: string;
  size: number;
  /** Where the test aborts: as ApplyUpload is sent, in the checksum pass, or between part 1 and part 2. */
  abortAt?: 'apply' | 'checksum' | 'between-parts';
  opts?: Record<string, unknown>;
}

/** A loopback server answering with `handle` (which may never answer: a stalled request), with CORS. */
async function stubServer(handle: (req: IncomingMessage, res: ServerResponse, self: string) => void): Promise<{ url: string; host: string; seen: string[]; close(): Promise<void> }> {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    res.setHeader('access-control-allow-origin', req.headers.origin ?? '*');
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { 'access-control-allow-methods': 'GET, POST, PUT', 'access-control-allow-headers': req.headers['access-control-request-headers'] ?? '*' }).end();
      return;
    }
    const q = new URL(req.url ?? '/', 'http://x').searchParams;
    seen.push(`${req.method} ${q.get('Action') ?? 'upload'}`);
    handle(req, res, `127.0.0.1:${(server.address() as AddressInfo).port}`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url: `http://${host}`, host, seen, close: () => new Promise((resolve) => { server.close(() => resolve()); server.closeAllConnections(); }) };
}

/** ApplyUpload's answer naming `host` as the upload host, with a recognisable upload Auth. */
const UPLOAD_AUTH = 'SECRET-UPLOAD-AUTH-0123456789';
function applyUploadReply(res: ServerResponse, host: string): void {
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({
    ResponseMetadata: { RequestId: '1', Action: 'ApplyUpload' },
    Result: { UploadAddress: { StoreInfos: [{ StoreUri: 'tos-stub/obj', Auth: UPLOAD_AUTH }], UploadHosts: [host], SessionKey: 'sk' } },
  }));
}

describe('vod-browser.js upload in Chromium: cancel, timeouts, retries, redaction', { timeout: 60_000 }, () => {
  let emulator: Emulator;
  let web: WebServer;
  let browser: Browser;
  let page: Page;

  before(async () => {
    emulator = await startEmulator({ port: 0, seed: 1, spaces: [SPACE], log: () => undefined });
    web = await serveWeb({ port: 0 });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
    page = await browser.newPage();
    await page.addInitScript('globalThis.__name ??= (f) => f;'); // tsx's keepNames helper, inside evaluated functions
    await page.goto(web.url);
  });

  after(async () => {
    await browser?.close();
    await web?.close();
    await emulator?.close();
  });

  const uploadToken = () => uploadAuthToken({ SpaceName: SPACE, 'X-Amz-Expires': 3600 }, { ...ctx, now: new Date() });

  /** Runs `uploadWithToken` in the page on `size` bytes, aborting where `abortAt` says. */
  function upload(r: Run): Promise<Outcome> {
    return page.evaluate(async ({ r, moduleUrl }) => {
      const m = await import(moduleUrl);
      const bytes = new Uint8Array(r.size).map((_, i) => (i * 31 + (i >> 12)) & 0xff);
      const file = new Blob([bytes]);
      const ctrl = new AbortController();
      const reason = new Error('cancelled by the test');
      const abort = (): void => ctrl.abort(reason);
      const realFetch = window.fetch;
      const realArrayBuffer = Blob.prototype.arrayBuffer;
      const fetches: Record<string, number> = {};
      window.fetch = (input, init) => {
        const action = new URL(String(input)).searchParams.get('Action') ?? '';
        fetches[action] = (fetches[action] ?? 0) + 1;
        if (r.abortAt === 'apply' && action === 'ApplyUpload') abort();
        return realFetch(input, init);
      };
      if (r.abortAt === 'between-parts') {
        const last = r.size % (5 * 1024 * 1024); // the last part's CRC pass reads a slice of this size, after part 1 is stored
        Blob.prototype.arrayBuffer = function (this: Blob) { if (this.size === last) abort(); return realArrayBuffer.call(this); };
      }
      try {
        const up = await m.uploadWithToken({
          endpoint: r.endpoint, token: r.token, file, signal: ctrl.signal, multipartThreshold: 5 * 1024 * 1024, ...r.opts,
          onProgress: (p: { phase: string }) => { if (r.abortAt === 'checksum' && p.phase === 'checksum') abort(); },
        });
        return { ok: true as const, vid: up.vid as string, mode: up.mode as string, parts: up.parts as number, fetches };
      } catch (e) {
        const v = e as { name: string; code?: string; action?: string; message: string };
        return { ok: false as const, name: v.name, code: v.code, action: v.action, message: v.message, isReason: e === reason, fetches };
      } finally {
        window.fetch = realFetch;
        Blob.prototype.arrayBuffer = realArrayBuffer;
      }
    }, { r, moduleUrl: `${web.url}/vod-browser.js` });
  }

  /** The emulator's requests from index `from` on, as `Action` or `UploadPart#n`, with the fault if any. */
  const requestsSince = (from: number): string[] =>
    emulator.requests.slice(from).map((q) => `${q.action}${q.partNumber ? `#${q.partNumber}` : ''}${q.fault ? ` (${q.fault})` : ''}`);

  const cancelled = { ok: false, name: 'Error', code: undefined, action: undefined, message: 'cancelled by the test', isReason: true };

  test('an abort while ApplyUpload is in flight rejects with the reason and sends nothing more', async () => {
    // Prepare
    const from = emulator.requests.length;
    const videos = Object.keys(emulator.state.videos).length;
    // Act
    const out = await upload({ endpoint: emulator.url, token: await uploadToken(), size: 1000, abortAt: 'apply' });
    // Assess: ApplyUpload itself may or may not have gone out before the abort; nothing after it did
    assert.deepEqual(out, { ...cancelled, fetches: { ApplyUpload: 1 } });
    assert.deepEqual(requestsSince(from).filter((a) => a !== 'ApplyUpload'), []);
    assert.equal(Object.keys(emulator.state.videos).length, videos);
  });

  test('an abort during the checksum pass rejects before the PUT', async () => {
    const from = emulator.requests.length;
    const out = await upload({ endpoint: emulator.url, token: await uploadToken(), size: 1000, abortAt: 'checksum' });
    assert.deepEqual(out, { ...cancelled, fetches: { ApplyUpload: 1 } });
    assert.deepEqual(requestsSince(from), ['ApplyUpload']);
  });

  test('an abort between two parts puts no further part, completes nothing and commits nothing', async () => {
    const from = emulator.requests.length;
    const out = await upload({ endpoint: emulator.url, token: await uploadToken(), size: 5 * MIB + 12_345, abortAt: 'between-parts' });
    assert.deepEqual(out, { ...cancelled, fetches: { ApplyUpload: 1 } });
    assert.deepEqual(requestsSince(from), ['ApplyUpload', 'InitMultipart', 'UploadPart#1']);
  });

  test('an API call with no answer fails with RequestTimeout (retried: ApplyUpload is idempotent)', async () => {
    // Prepare: an endpoint that never answers
    const stall = await stubServer(() => undefined);
    try {
      // Act
      const out = await upload({ endpoint: stall.url, token: await uploadToken(), size: 1000, opts: { timeoutMs: 100, retries: 1 } });
      // Assess
      assert.deepEqual(out, { ok: false, name: 'VodBrowserError', code: 'RequestTimeout', action: 'ApplyUpload', isReason: false, message: `ApplyUpload: RequestTimeout: no answer from ${stall.url} within 100 ms`, fetches: { ApplyUpload: 2 } });
      assert.deepEqual(stall.seen, ['GET ApplyUpload', 'GET ApplyUpload']);
    } finally {
      await stall.close();
    }
  });

  test('a part PUT with no answer fails with RequestTimeout after its retries, and nothing is committed', async () => {
    // Prepare: ApplyUpload names the stub as upload host, which never answers a PUT
    const stall = await stubServer((req, res, self) => { if (req.method === 'GET') applyUploadReply(res, self); });
    try {
      const out = await upload({ endpoint: stall.url, token: await uploadToken(), size: 1000, opts: { partTimeoutMs: 100, retries: 2 } });
      assert.deepEqual(out, { ok: false, name: 'VodBrowserError', code: 'RequestTimeout', action: 'PutObject', isReason: false, message: `PutObject: RequestTimeout: no answer from ${stall.url} within 100 ms`, fetches: { ApplyUpload: 1 } });
      assert.deepEqual(stall.seen, ['GET ApplyUpload', 'PUT upload', 'PUT upload', 'PUT upload']);
    } finally {
      await stall.close();
    }
  });

  test('429 and 5xx on parts and completion are retried: the multipart upload succeeds with the right bytes', async () => {
    // Prepare: seed 17 of this profile faults part 1 twice, part 2 twice and the completion twice (seeded dice)
    emulator.setFaults({ upload: 0.5, kinds: ['5xx', '429'], seed: 17 });
    const from = emulator.requests.length;
    try {
      // Act
      const out = await upload({ endpoint: emulator.url, token: await uploadToken(), size: 5 * MIB + 12_345 });
      // Assess
      assert.equal(out.ok, true, JSON.stringify(out));
      assert.deepEqual(requestsSince(from), [
        'ApplyUpload', 'InitMultipart', 'UploadPart#1 (429)', 'UploadPart#1 (5xx)', 'UploadPart#1',
        'UploadPart#2 (429)', 'UploadPart#2 (429)', 'UploadPart#2', 'CompleteMultipart (5xx)', 'CompleteMultipart (429)', 'CompleteMultipart', 'CommitUpload',
      ]);
      const bytes = new Uint8Array(5 * MIB + 12_345).map((_, i) => (i * 31 + (i >> 12)) & 0xff);
      const stored = emulator.state.objects[emulator.state.videos[(out as { vid: string }).vid]!.uri]!;
      assert.deepEqual({ size: stored.size, crc32: stored.crc32 }, { size: bytes.length, crc32: crc32(bytes) });
    } finally {
      emulator.setFaults();
    }
  });

  test('CommitUpload is retried after a 429 (not processed) but not after a lost answer (maybe processed)', async () => {
    const from = emulator.requests.length;
    try {
      // Act 1: seed 7 throttles the first CommitUpload only
      emulator.setFaults({ actions: { CommitUpload: 0.5 }, kinds: ['429'], seed: 7 });
      const throttled = await upload({ endpoint: emulator.url, token: await uploadToken(), size: 1000 });
      // Act 2: the connection is reset on every CommitUpload
      emulator.setFaults({ actions: { CommitUpload: 1 }, kinds: ['reset'] });
      const reset = await upload({ endpoint: emulator.url, token: await uploadToken(), size: 1000 });
      // Assess: the module sent CommitUpload once after the reset (Chromium itself may resend a request whose reused
      // keep-alive connection closed before any answer, so the emulator can see it twice: not ours to prevent)
      assert.deepEqual({ ok: throttled.ok, fetches: throttled.fetches }, { ok: true, fetches: { ApplyUpload: 1, CommitUpload: 2 } });
      assert.deepEqual(reset.ok ? reset : { ok: reset.ok, code: reset.code, action: reset.action, fetches: reset.fetches }, { ok: false, code: 'NetworkError', action: 'CommitUpload', fetches: { ApplyUpload: 1, CommitUpload: 1 } });
      assert.deepEqual(requestsSince(from).slice(0, 7), ['ApplyUpload', 'PutObject', 'CommitUpload (429)', 'CommitUpload', 'ApplyUpload', 'PutObject', 'CommitUpload (reset)']);
    } finally {
      emulator.setFaults();
    }
  });

  test('a NoSuchUpload completion counts as done only after an attempt that may have been processed', async () => {
    // Prepare: a stub VOD whose completion answers, in turn, from `replies` (status, upload-host error)
    const vodStub = async (replies: Array<[number, string]>): Promise<Awaited<ReturnType<typeof stubServer>>> => stubServer((req, res, self) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const ok = (payload: unknown): void => { res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ success: 0, payload })); };
      req.resume();
      req.on('end', () => {
        if (url.searchParams.get('Action') === 'ApplyUpload') return applyUploadReply(res, self);
        if (url.searchParams.get('Action') === 'CommitUpload') return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ResponseMetadata: {}, Result: { Results: [{ Vid: 'v0stub' }] } }));
        if (url.searchParams.has('uploads')) return ok({ uploadID: 'u1' });
        if (url.searchParams.has('partNumber')) return ok({ crc32: req.headers['content-crc32'] });
        const [status, error] = replies.shift()!;
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ success: status, error: { code: status, error, message: error } }));
      });
    });
    const maybeDone = await vodStub([[502, 'BadGateway'], [404, 'NoSuchUpload']]);
    const unknown = await vodStub([[404, 'NoSuchUpload']]);
    try {
      // Act
      const afterBadGateway = await upload({ endpoint: maybeDone.url, token: await uploadToken(), size: 5 * MIB + 12_345 });
      const firstAttempt = await upload({ endpoint: unknown.url, token: await uploadToken(), size: 5 * MIB + 12_345 });
      // Assess
      assert.deepEqual(afterBadGateway, { ok: true, vid: 'v0stub', mode: 'multipart', parts: 2, fetches: { ApplyUpload: 1, CommitUpload: 1 } });
      assert.deepEqual(maybeDone.seen, ['GET ApplyUpload', 'PUT upload', 'PUT upload', 'PUT upload', 'PUT upload', 'PUT upload', 'POST CommitUpload']);
      assert.deepEqual(firstAttempt.ok ? firstAttempt : { code: firstAttempt.code, action: firstAttempt.action }, { code: 'NoSuchUpload', action: 'CompleteMultipartUpload' });
      assert.deepEqual(unknown.seen, ['GET ApplyUpload', 'PUT upload', 'PUT upload', 'PUT upload', 'PUT upload']);
    } finally {
      await maybeDone.close();
      await unknown.close();
    }
  });

  test('an error quoting a non-JSON body shows no signature, credential or upload Auth', async () => {
    // Prepare: a misconfigured endpoint that echoes the request (signing parameters, Authorization) in an error page
    const echo = await stubServer((req, res, self) => {
      const url = req.url ?? '';
      if (req.method === 'GET' && url.includes('Action=') && !url.includes('SpaceName=echo')) return applyUploadReply(res, self);
      const q = new URL(url, 'http://x').searchParams;
      const signing = ['X-Amz-Signature', 'X-Amz-Credential'].map((k) => `${k}=${encodeURIComponent(q.get(k) ?? '')}`).join('&');
      const quoted = url.includes('Action=') ? `${signing}&X-Amz-Security-Token=STS-SESSION-TOKEN` : `${url} auth=${req.headers.authorization ?? ''}`;
      req.resume();
      req.on('end', () => res.writeHead(url.includes('Action=') ? 502 : 500, { 'content-type': 'text/html' }).end(`<p>bad gateway: ${quoted}</p>`));
    });
    try {
      const token = m.decodeUploadToken(await uploadAuthToken({ SpaceName: 'echo', 'X-Amz-Expires': 3600 }, { ...ctx, now: new Date() }));
      // Act: the API echoes ApplyUpload; then (another token) the upload host echoes the PUT
      const apiErr = await upload({ endpoint: echo.url, token: Buffer.from(JSON.stringify(token)).toString('base64'), size: 10, opts: { retries: 0 } });
      const hostErr = await upload({ endpoint: echo.url, token: await uploadToken(), size: 10, opts: { retries: 0 } });
      // Assess
      assert.equal(apiErr.ok, false);
      assert.equal((apiErr as { message: string }).message,
        'ApplyUpload: InvalidResponse: HTTP 502, not JSON: <p>bad gateway: X-Amz-Signature=[REDACTED]&X-Amz-Credential=[REDACTED]&X-Amz-Security-Token=[REDACTED]</p>');
      assert.equal((hostErr as { message: string }).message, 'PutObject: HttpError: HTTP 500: <p>bad gateway: /tos-stub/obj auth=[REDACTED]</p>');
    } finally {
      await echo.close();
    }
  });
});
