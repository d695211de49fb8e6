// lib/vod uploads when something goes wrong, against the local VOD emulator (the real upload host): a completion
// whose answer is lost, a body that fails half-way, bodies released on early failures, checkpoints of direct
// uploads, option validation, and the SessionKey of a failed CommitUpload.
import assert from 'node:assert/strict';
import fs, { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, afterEach, before, describe, mock, test } from 'node:test';
import { VodClient, VodError, completeMultipart, httpFetch, openBody, type Fetch, type UploadCheckpoint } from '#lib/vod';
import { DEFAULT_CREDENTIALS, startEmulator, type Emulator } from '#local/emulator';

const MiB = 1 << 20;
let emu: Emulator;
let dir: string;
/** Wraps every request of the client under test; tests replace it to inject transport faults. */
let wrap: Fetch = httpFetch;
const client = (): VodClient => new VodClient({ endpoint: emu.url, credentials: DEFAULT_CREDENTIALS, fetch: (u, i) => wrap(u, i), sleep: async () => {}, uniform: () => 0 });
const isCompletion = (url: string, method: string): boolean => method === 'PUT' && /\?uploadID=[^&]+$/.test(url);
const timeout = (): Error => Object.assign(new Error('no complete response within 120000 ms'), { name: 'TimeoutError' });

before(async () => {
  emu = await startEmulator({ port: 0, host: '127.0.0.1', seed: 3, transcodeDelayMs: 0, spaces: ['demo'] });
  dir = mkdtempSync(join(tmpdir(), 'vod-upload-safety-'));
});
after(async () => {
  await emu.close();
  rmSync(dir, { recursive: true, force: true });
});
afterEach(() => {
  wrap = httpFetch;
  emu.setFaults({});
});

describe('completion', () => {
  test('a completion processed but unanswered: the retry\'s NoSuchUpload means completed; upload resolves and the session commits', async () => {
    const sent: string[] = [];
    wrap = async (url, init) => {
      const res = await httpFetch(url, init);
      if (isCompletion(url, init.method)) {
        sent.push(res.status === 200 ? 'completed' : `${res.status}`);
        if (sent.length === 1) throw timeout(); // the host completed it; the answer is lost
      }
      return res;
    };
    const vod = client();
    const r = await vod.upload({ spaceName: 'demo', fileType: 'video', body: Buffer.alloc(11 * MiB, 7), partSize: 5 * MiB });
    assert.deepEqual(sent, ['completed', '404']);
    assert.deepEqual([r.mode, r.size, r.parts?.length], ['multipart', 11 * MiB, 3]);
    const { Results } = await vod.commitUpload({ SpaceName: 'demo', SessionKey: r.sessionKey });
    assert.equal(Results[0]?.VideoMeta?.Size, 11 * MiB);
  });

  test('NoSuchUpload on a first attempt (not a retry after an unknown outcome) stays an error', async () => {
    const vod = client();
    const stored: UploadCheckpoint[] = [];
    await vod.upload({ spaceName: 'demo', fileType: 'video', body: Buffer.alloc(6 * MiB, 1), partSize: 5 * MiB, onCheckpoint: (cp) => { stored.push(cp); } });
    const cp = stored.at(-1)!;
    const ctx = { scheme: 'http:' as const, fetch: httpFetch, timeoutMs: 5000, retry: { retries: 2, baseDelayMs: 0, maxDelayMs: 0, sleep: async () => {}, uniform: () => 0 } };
    // the upload is completed: a completion that is not a retry after an unknown outcome is refused
    const err = await completeMultipart(ctx, cp, cp.uploadId, cp.parts).catch((e: unknown) => e);
    assert.ok(err instanceof VodError);
    assert.deepEqual([err.code, err.httpStatus, err.action], ['NoSuchUpload', 404, 'CompleteMultipartUpload']);
  });
});

describe('a body that fails half-way', () => {
  test('parts in flight finish and are checkpointed before the SourceError VodError (a redelivery resumes after them); nothing after', async () => {
    const held: Array<() => void> = [];
    wrap = (url, init) => {
      if (!/partNumber=/.test(url)) return httpFetch(url, init);
      // a slow part PUT: sent once the test lets it go
      return new Promise((resolve, reject) => { held.push(() => { httpFetch(url, init).then(resolve, reject); }); });
    };
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    async function* source(): AsyncGenerator<Buffer> {
      yield Buffer.alloc(5 * MiB, 1);
      yield Buffer.alloc(5 * MiB, 2);
      yield Buffer.alloc(MiB, 3);
      throw reset;
    }
    let settled = false;
    const before: number[] = [];
    const late: number[] = [];
    const pending = client().upload({
      spaceName: 'demo', fileType: 'video', body: Readable.from(source()), partSize: 5 * MiB,
      onCheckpoint: (cp) => { (settled ? late : before).push(cp.parts.length); },
    }).catch((e: unknown) => e);
    while (held.length < 2) await new Promise((r) => setImmediate(r));
    for (const go of held) go();
    const err = await pending;
    settled = true;
    assert.ok(err instanceof VodError);
    assert.deepEqual([err.code, err.action, err.message, err.cause], ['SourceError', 'Upload', 'Upload: reading the body failed: read ECONNRESET', reset]);
    assert.equal(before.at(-1), 2, 'the last checkpoint, written before the rejection, holds both parts');
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(late, []);
  });
});

describe('bodies are released when the upload fails before reading them', () => {
  test('ApplyUpload refused: a file\'s descriptor is closed, a Node stream destroyed, a web stream cancelled', { timeout: 5000 }, async () => {
    const file = join(dir, 'clip.bin');
    writeFileSync(file, Buffer.alloc(1024, 1));
    const opened = new Map<number, boolean>(); // fd of the file -> closed
    const realOpen = fs.open as (...args: unknown[]) => void;
    const realClose = fs.close;
    const open = mock.method(fs, 'open', (...args: unknown[]) => {
      const cb = args.at(-1) as (err: Error | null, fd?: number) => void;
      return realOpen.call(fs, ...args.slice(0, -1), (err: Error | null, fd?: number) => {
        if (args[0] === file && fd !== undefined) opened.set(fd, false);
        cb(err, fd);
      });
    });
    let closedAll!: () => void;
    const allClosed = new Promise<void>((r) => { closedAll = r; });
    const close = mock.method(fs, 'close', (fd: number, cb: (err: Error | null) => void) => realClose.call(fs, fd, (err: Error | null) => {
      if (opened.has(fd)) opened.set(fd, true);
      if ([...opened.values()].every(Boolean)) closedAll();
      cb(err);
    }));
    try {
      const vod = client();
      const err = await vod.upload({ spaceName: 'unknown-space', fileType: 'video', body: file }).catch((e: unknown) => e);
      assert.deepEqual([(err as VodError).code, (err as VodError).action], ['ResourceNotFound', 'ApplyUpload']);
      await allClosed; // never resolves when the descriptor leaks (the test then times out)
      assert.equal(opened.size, 1);
    } finally {
      open.mock.restore();
      close.mock.restore();
    }
    const node = Readable.from([Buffer.alloc(10)]);
    await client().upload({ spaceName: 'unknown-space', fileType: 'video', body: node }).catch(() => undefined);
    assert.equal(node.destroyed, true);
    let cancelled = false;
    const web = new ReadableStream<Uint8Array>({ pull: (c) => c.enqueue(new Uint8Array(10)), cancel: () => { cancelled = true; } });
    await client().upload({ spaceName: 'unknown-space', fileType: 'video', body: web }).catch(() => undefined);
    assert.equal(cancelled, true);
  });

  test('an invalid partSize: the stream is destroyed and nothing is sent, not even ApplyUpload', async () => {
    const urls: string[] = [];
    wrap = (url, init) => { urls.push(new URL(url).searchParams.get('Action') ?? 'store'); return httpFetch(url, init); };
    const node = Readable.from([Buffer.alloc(10)]);
    const err = await client().upload({ spaceName: 'demo', fileType: 'video', body: node, partSize: 1 }).catch((e: unknown) => e) as VodError;
    assert.deepEqual([err.code, err.message], ['InvalidParameter', `partSize must be an integer of at least ${5 * MiB} bytes`]);
    assert.equal(node.destroyed, true);
    assert.deepEqual(urls, []);
  });

  test('a web stream left half read is cancelled (its source closed), one read to its end is not', async () => {
    let cancelled = 0;
    const endless = new ReadableStream<Uint8Array>({ pull: (c) => c.enqueue(new Uint8Array(4)), cancel: () => { cancelled++; } });
    const opened = await openBody(endless);
    assert.ok('chunks' in opened);
    const it = opened.chunks[Symbol.asyncIterator]();
    assert.deepEqual((await it.next()).value, new Uint8Array(4));
    await it.return?.();
    assert.deepEqual([cancelled, endless.locked], [1, false]);

    const finite = new ReadableStream<Uint8Array>({ start: (c) => { c.enqueue(new Uint8Array(2)); c.close(); }, cancel: () => { cancelled++; } });
    const read = await openBody(finite);
    assert.ok('chunks' in read);
    for await (const _ of read.chunks) { /* to the end */ }
    read.close();
    assert.equal(cancelled, 1);
  });
});

describe('direct upload checkpoint', () => {
  test('a direct PUT reports its stored session; resuming from it PUTs to the same object and commits that one session', async () => {
    const vod = client();
    const body = Buffer.from('a small video');
    const cps: UploadCheckpoint[] = [];
    const r = await vod.upload({ spaceName: 'demo', fileType: 'video', body, onCheckpoint: (cp) => { cps.push(cp); } });
    const auth = emu.state.sessions[r.sessionKey]!.storeInfos[0]!.auth;
    assert.deepEqual(cps, [{ host: `127.0.0.1:${emu.port}`, storeUri: r.storeUri, auth, headers: {}, sessionKey: r.sessionKey, uploadId: '', partSize: 5 * MiB, parts: [] }]);
    const again = await vod.upload({ spaceName: 'demo', fileType: 'video', body, resume: cps[0]! });
    assert.deepEqual(again, r);
    const { Results } = await vod.commitUpload({ SpaceName: 'demo', SessionKey: again.sessionKey });
    assert.equal(Results[0]?.VideoMeta?.Size, body.length);
  });

  test('a failing checkpoint fails the direct upload with its error', async () => {
    const boom = new Error('no store');
    const err = await client().upload({ spaceName: 'demo', fileType: 'video', body: Buffer.from('x'), onCheckpoint: () => Promise.reject(boom) }).catch((e: unknown) => e);
    assert.equal(err, boom);
  });
});

describe('options and errors', () => {
  test('invalid upload options are refused by name before any request, never a hang', { timeout: 5000 }, async () => {
    const urls: string[] = [];
    wrap = (url, init) => { urls.push(url); return httpFetch(url, init); };
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ parallel: Number(undefined) }, 'parallel must be an integer of at least 1, got NaN'],
      [{ parallel: 0 }, 'parallel must be an integer of at least 1, got 0'],
      [{ partTimeoutMs: Number('x') }, 'partTimeoutMs must be a number of ms above 0, got NaN'],
      [{ partTimeoutMs: 0 }, 'partTimeoutMs must be a number of ms above 0, got 0'],
      [{ size: -1 }, 'size must be a non-negative integer, got -1'],
    ];
    for (const [opts, message] of cases) {
      const err = await client().upload({ spaceName: 'demo', fileType: 'video', body: Readable.from([Buffer.alloc(10)]), ...opts }).catch((e: unknown) => e) as VodError;
      assert.deepEqual([err.name, err.code, err.action, err.message], ['VodError', 'InvalidParameter', 'Upload', message]);
    }
    assert.deepEqual(urls, []);
  });

  test('partTimeoutMs Infinity (no timeout) or beyond setTimeout\'s range does not time every request out', async () => {
    for (const partTimeoutMs of [Infinity, 2 ** 31]) {
      const r = await client().upload({ spaceName: 'demo', fileType: 'video', body: Buffer.from('abc'), partTimeoutMs });
      assert.equal(r.size, 3);
    }
  });

  test('client options: NaN and out-of-range values are a RangeError naming the option', () => {
    assert.throws(() => new VodClient({ retries: Number(undefined) }), new RangeError('retries must be an integer of at least 0, got NaN'));
    assert.throws(() => new VodClient({ timeoutMs: -1 }), new RangeError('timeoutMs must be a number of ms above 0 (Infinity: no timeout), got -1'));
    assert.throws(() => new VodClient({ baseDelayMs: Infinity }), new RangeError('baseDelayMs must be a finite number of ms of at least 0, got Infinity'));
    assert.throws(() => new VodClient({ maxDelayMs: Number.NaN }), new RangeError('maxDelayMs must be a finite number of ms of at least 0, got NaN'));
  });

  test('a lone surrogate in a query value is a VodError InvalidParameter naming it; nothing is sent', async () => {
    const urls: string[] = [];
    wrap = (url, init) => { urls.push(url); return httpFetch(url, init); };
    const err = await client().uploadMediaByUrl({ SpaceName: 'demo', Format: 'mp4', SourceUrls: ['http://127.0.0.1/a.mp4'], CallbackArgs: '😀'.slice(0, 1) }).catch((e: unknown) => e);
    assert.ok(err instanceof VodError);
    assert.deepEqual([err.code, err.action, err.message], ['InvalidParameter', 'UploadMediaByUrl', 'UploadMediaByUrl: CallbackArgs is not well-formed Unicode (a lone surrogate)']);
    assert.deepEqual(urls, []);
  });

  test('uploadVideo: a failed CommitUpload carries the stored session; committing it later makes the one video', async () => {
    const vod = client();
    const cps: UploadCheckpoint[] = [];
    const videos = Object.keys(emu.state.videos).length;
    emu.setFaults({ actions: { CommitUpload: 1 }, kinds: ['5xx'] });
    const err = await vod.uploadVideo({ spaceName: 'demo', body: Buffer.from('video bytes'), onCheckpoint: (cp) => { cps.push(cp); } }).catch((e: unknown) => e);
    assert.ok(err instanceof VodError);
    assert.deepEqual([err.action, err.uploaded], ['CommitUpload', { sessionKey: cps[0]!.sessionKey, storeUri: cps[0]!.storeUri }]);
    emu.setFaults({});
    const { Results } = await vod.commitUpload({ SpaceName: 'demo', SessionKey: err.uploaded!.sessionKey });
    assert.equal(Results[0]?.VideoMeta?.Size, 'video bytes'.length);
    assert.equal(Object.keys(emu.state.videos).length, videos + 1);
  });

  test('uploadPoster: a failed ModifyVideoInfo carries the stored image; setting it later needs no second upload', async () => {
    const vod = client();
    const vid = (await vod.uploadVideo({ spaceName: 'demo', body: Buffer.from('a video') })).Results[0]!.Vid!;
    emu.setFaults({ actions: { ModifyVideoInfo: 1 }, kinds: ['5xx'] });
    const err = await vod.uploadPoster({ vid, spaceName: 'demo', body: Buffer.from('a poster') }).catch((e: unknown) => e);
    emu.setFaults({});
    assert.ok(err instanceof VodError);
    assert.equal(err.action, 'ModifyVideoInfo');
    const { storeUri } = err.uploaded!;
    assert.equal(emu.state.objects[storeUri]?.size, 'a poster'.length);
    await vod.modifyVideoInfo({ SpaceName: 'demo', Vid: vid, Info: { PosterUri: storeUri } });
    assert.equal(emu.state.videos[vid]?.posterUri, storeUri);
  });
});
