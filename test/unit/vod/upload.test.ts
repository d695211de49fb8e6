import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { inspect } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { crc32 } from 'node:zlib';
import { after, before, beforeEach, describe, test } from 'node:test';
import { VodClient, VodError, crc32Hex, httpFetch, type UploadCheckpoint } from '#lib/vod';
import { seededBytes } from '../../support/seeded-bytes.ts';
import { VodTestServer, type Recorded, type Reply } from '../../support/vod-test-server.ts';

const MiB = 1 << 20;
const credentials = { accessKeyId: 'AKLTuploadTest01', secretAccessKey: 'upload-secret-key' };
const AUTH = 'SpaceKey/upload-auth-SECRET-value';
let server: VodTestServer;
let vod: VodClient;
let applied = 0;

before(async () => {
  server = await new VodTestServer().start();
  vod = new VodClient({ endpoint: server.origin, credentials, retries: 2, uniform: () => 0, sleep: async () => {} });
});
after(() => server.close());
beforeEach(() => {
  server.requests.length = 0;
  server.intercept = undefined;
  server.results.set('ApplyUpload', (r: Recorded) => ({
    UploadAddress: {
      StoreInfos: [{ StoreUri: `tos-test/${r.query.FileType}-${++applied}`, Auth: AUTH }],
      UploadHosts: [`127.0.0.1:${server.port}`],
      UploadHeader: { 'X-Test-Header': 'h1' },
      SessionKey: `session-${applied}`,
      AdvanceOption: { Parallel: 3, Stream: 0, SliceSize: Number(r.query.SliceHint ?? 0) || 6 * MiB },
    },
  }));
});

const store = (): Recorded[] => server.requests.filter((r) => r.path !== '/');
const partPuts = (): Recorded[] => store().filter((r) => r.query.partNumber !== undefined);

/** `total` deterministic bytes as a stream of 256 KiB chunks (every chunk distinct). */
const block = seededBytes(256 * 1024, 256);
function* chunksOf(total: number): Generator<Buffer> {
  for (let off = 0, i = 0; off < total; off += block.length, i++) {
    const c = Buffer.from(block.subarray(0, Math.min(block.length, total - off)));
    c.writeUInt32BE(i, 0);
    yield c;
  }
}
/** The expected CRC32 of each part of `total` bytes cut at `partSize`. */
function partCrcs(total: number, partSize: number): string[] {
  const out: string[] = [];
  let crc = 0;
  let fill = 0;
  for (const c of chunksOf(total)) {
    for (let off = 0; off < c.length; ) {
      const n = Math.min(c.length - off, partSize - fill);
      crc = crc32(c.subarray(off, off + n), crc);
      fill += n;
      off += n;
      if (fill === partSize) {
        out.push(crc32Hex(new Uint8Array(), crc));
        crc = 0;
        fill = 0;
      }
    }
  }
  if (fill > 0) out.push(crc32Hex(new Uint8Array(), crc));
  return out;
}

describe('direct upload', () => {
  test('a small Buffer: ApplyUpload, then one PUT with verbatim Authorization and zero-padded CRC32', async () => {
    let data = Buffer.from('x');
    for (let i = 0; !crc32Hex(data).startsWith('0'); i++) data = Buffer.from(`body-${i}`); // a CRC with a leading zero
    const progress: Array<[number, number | undefined]> = [];
    const res = await vod.upload({ spaceName: 'sp', fileType: 'video', body: data, onProgress: (s, t) => progress.push([s, t]) });
    assert.deepEqual(res, { sessionKey: `session-${applied}`, storeUri: `tos-test/video-${applied}`, size: data.length, mode: 'direct', crc32: crc32Hex(data) });
    const [apply] = server.calls('ApplyUpload');
    assert.deepEqual([apply!.query.SpaceName, apply!.query.FileType, apply!.query.FileSize], ['sp', 'video', String(data.length)]);
    const [put] = store();
    assert.equal(store().length, 1);
    assert.deepEqual([put!.method, put!.path, put!.rawQuery], ['PUT', `/tos-test/video-${applied}`, '']);
    assert.deepEqual([put!.headers.authorization, put!.headers['content-crc32'], put!.headers['x-test-header']], [AUTH, crc32Hex(data), 'h1']);
    assert.match(put!.headers['content-crc32']!, /^0[0-9a-f]{7}$/);
    assert.equal(put!.headers['content-length'], String(data.length));
    assert.deepEqual(put!.body, data);
    assert.deepEqual(progress, [[data.length, data.length]]);
  });

  test('a web ReadableStream of unknown size that fits one part goes direct', async () => {
    const data = Buffer.from('hello web stream');
    const body = new ReadableStream<Uint8Array>({ start(c) { c.enqueue(data.subarray(0, 5)); c.enqueue(data.subarray(5)); c.close(); } });
    const res = await vod.upload({ spaceName: 'sp', fileType: 'object', body });
    assert.equal(res.mode, 'direct');
    assert.equal(server.calls('ApplyUpload')[0]!.query.FileSize, undefined);
    assert.deepEqual(server.objects.get(res.storeUri), { crc32: crc32Hex(data), size: data.length });
  });

  test('a stream shorter than the declared size is refused before anything is stored', async () => {
    const err = await vod.upload({ spaceName: 'sp', fileType: 'video', body: Readable.from([Buffer.alloc(50)]), size: 100 }).catch((e) => e);
    assert.ok(err instanceof VodError);
    assert.deepEqual([err.code, store().length], ['InvalidParameter', 0]);
  });

  test('an upload-host error is a VodError with its code and X-Tt-Logid, and the auth never shows', async () => {
    server.intercept = (r) => (r.path !== '/' ? { status: 403, json: { success: 4030, error: { code: 4030, error: 'AuthFailed', message: `bad auth ${AUTH}` } }, headers: { 'x-tt-logid': 'log-403' } } : undefined);
    const err = await vod.upload({ spaceName: 'sp', fileType: 'video', body: Buffer.from('abc') }).catch((e) => e);
    assert.ok(err instanceof VodError);
    assert.deepEqual([err.code, err.httpStatus, err.requestId, err.action, err.message], ['AuthFailed', 403, 'log-403', 'PutObject', 'bad auth [REDACTED]']);
    assert.ok(!inspect(err, { depth: 5 }).includes(AUTH));
    assert.equal(store().length, 1, '4xx is not retried');
  });
});

describe('multipart upload', () => {
  test('>= 64 MiB from a stream of unknown size: exact part CRCs, parallel parts, bounded memory', async () => {
    const total = 64 * MiB + 12_345;
    const partSize = 5 * MiB;
    const expected = partCrcs(total, partSize);
    // garbage (stream chunks, socket buffers) is not the bound: measure what is live, after a full GC, at
    // every stored part (when parallel parts and the part being read are all held)
    setFlagsFromString('--expose-gc');
    const gcOnce = runInNewContext('gc') as () => void;
    const gc = (): void => (gcOnce(), gcOnce()); // the second GC finishes the first one's concurrent ArrayBuffer sweep
    gc();
    const base = process.memoryUsage();
    let liveAb = 0;
    let peakRss = 0;
    const sample = (): void => {
      gc();
      const m = process.memoryUsage();
      liveAb = Math.max(liveAb, m.arrayBuffers - base.arrayBuffers);
      peakRss = Math.max(peakRss, m.rss - base.rss);
    };
    let active = 0;
    let maxActive = 0;
    const counting = new VodClient({
      endpoint: server.origin, credentials, sleep: async () => {},
      fetch: async (input, init) => {
        const part = String(input).includes('partNumber=');
        if (part) maxActive = Math.max(maxActive, ++active);
        try {
          return await httpFetch(input, init);
        } finally {
          if (part) active--;
        }
      },
    });
    const progress: Array<[number, number | undefined]> = [];
    const res = await counting.upload({
      spaceName: 'sp', fileType: 'video', body: Readable.from(chunksOf(total)), partSize, parallel: 3,
      onProgress: (s, t) => (sample(), progress.push([s, t])),
    });

    assert.equal(res.mode, 'multipart');
    assert.equal(res.size, total);
    assert.equal(maxActive, 3, 'three parts in flight at once');
    assert.deepEqual(res.parts!.map((p) => p.crc32), expected);
    const upload = server.uploads.get(res.uploadId!)!;
    assert.deepEqual([...upload.parts].sort((a, b) => a[0] - b[0]).map(([n, p]) => [n, p.crc32, p.size]), expected.map((c, i) => [i + 1, c, i < expected.length - 1 ? partSize : total % partSize]));
    assert.equal(upload.completed, expected.map((c, i) => `${i + 1}:${c}`).join(','));
    const puts = partPuts();
    assert.equal(puts.length, expected.length);
    for (const p of puts) {
      assert.deepEqual([p.headers.authorization, p.headers['x-storage-mode'], p.headers['content-crc32']], [AUTH, 'gateway', expected[Number(p.query.partNumber) - 1]]);
    }
    const init = store()[0]!;
    assert.deepEqual([init.method, init.rawQuery, init.headers['x-storage-mode']], ['PUT', 'uploads', 'gateway']);
    assert.equal(progress.at(-1)![0], total);
    assert.ok(progress.every(([, t]) => t === undefined), 'unknown size: total undefined');
    assert.ok(progress.every(([s], i) => i === 0 || s > progress[i - 1]![0]), 'progress grows');
    // the body is never held whole: at most (parallel + 1) part buffers = 20 MiB, plus the source stream's
    // read-ahead (16 chunks of 256 KiB)
    assert.ok(liveAb < partSize * 4 + 4 * MiB, `live arrayBuffers grew by ${(liveAb / MiB).toFixed(1)} MiB`);
    // rss also counts the test server (same process) and pages the allocator keeps: a looser check
    assert.ok(peakRss < total, `rss grew by ${(peakRss / MiB).toFixed(1)} MiB`);
    console.log(`# memory: live arrayBuffers +${(liveAb / MiB).toFixed(1)} MiB, rss +${(peakRss / MiB).toFixed(1)} MiB for ${(total / MiB).toFixed(0)} MiB`);
  });

  test('a file path of known size uses SliceSize parts and declares FileSize', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vod-up-'));
    try {
      const file = join(dir, 'v.mp4');
      const total = 13 * MiB;
      writeFileSync(file, Buffer.concat([...chunksOf(total)]));
      const progress: Array<[number, number | undefined]> = [];
      const res = await vod.upload({ spaceName: 'sp', fileType: 'video', body: file, onProgress: (s, t) => progress.push([s, t]) });
      assert.equal(server.calls('ApplyUpload')[0]!.query.FileSize, String(total));
      assert.deepEqual(res.parts!.map((p) => p.crc32), partCrcs(total, 6 * MiB));
      assert.deepEqual(partPuts().map((p) => p.size).sort((a, b) => a - b), [MiB, 6 * MiB, 6 * MiB]);
      assert.deepEqual(progress.at(-1), [total, total]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a large body of known size gets bigger parts (>= 16 parts, partSize x (parallel + 1) <= 40 MiB); a stream of unknown size keeps SliceSize', async () => {
    const total = 128 * MiB + 3;
    const body = Buffer.alloc(total, 7);
    const res = await vod.upload({ spaceName: 'sp', fileType: 'video', body });
    assert.deepEqual([res.parts!.length, partPuts()[0]!.size], [17, 8 * MiB]);
    server.requests.length = 0;
    const big = await vod.upload({ spaceName: 'sp', fileType: 'video', body: Readable.from([body, body]), size: 2 * total, parallel: 7 });
    assert.deepEqual([big.parts!.length, Math.max(...partPuts().map((p) => p.size))], [43, 6 * MiB], 'parallel 7: 5 MiB x 8 fits 40 MiB, below SliceSize: SliceSize');
    server.requests.length = 0;
    const huge = await vod.upload({ spaceName: 'sp', fileType: 'video', body: Readable.from([body, body, body]), size: 3 * total });
    assert.deepEqual([huge.parts!.length, Math.max(...partPuts().map((p) => p.size))], [39, 10 * MiB], 'parallel 3: 10 MiB x 4 = 40 MiB');
    server.requests.length = 0;
    await vod.upload({ spaceName: 'sp', fileType: 'video', body: Readable.from([body]) });
    assert.equal(Math.max(...partPuts().map((p) => p.size)), 6 * MiB);
  });

  test('a failing part is retried; a part timing out is retried', { timeout: 20_000 }, async () => {
    const tries = new Map<string, number>();
    // part 1's first try is never answered (held until the test ends); the others are answered at once, and a
    // part timeout of 2 s leaves them room however loaded the machine
    let release!: () => void;
    const held = new Promise<Reply>((r) => (release = () => r({ destroy: true })));
    server.intercept = (r) => {
      const n = r.query.partNumber;
      if (n === undefined) return undefined;
      tries.set(n, (tries.get(n) ?? 0) + 1);
      if (n === '2' && tries.get(n) === 1) return { status: 500, json: { success: 5000, error: { code: 5000, error: 'InternalError', message: 'x' } } };
      if (n === '1' && tries.get(n) === 1) return held;
      return undefined;
    };
    const total = 11 * MiB;
    try {
      const res = await vod.upload({ spaceName: 'sp', fileType: 'video', body: Buffer.concat([...chunksOf(total)]), partSize: 5 * MiB, partTimeoutMs: 2000 });
      assert.deepEqual([...tries].sort(), [['1', 2], ['2', 2], ['3', 1]]);
      assert.deepEqual(res.parts!.map((p) => p.crc32), partCrcs(total, 5 * MiB));
    } finally {
      release();
    }
  });

  test('a part that keeps failing aborts the upload; complete is never sent', async () => {
    server.intercept = (r) => (r.query.partNumber === '2' ? { status: 503, json: { success: 5030, error: { code: 5030, error: 'Busy', message: 'busy' } } } : undefined);
    const err = await vod.upload({ spaceName: 'sp', fileType: 'video', body: Readable.from(chunksOf(16 * MiB)), partSize: 5 * MiB }).catch((e) => e);
    assert.ok(err instanceof VodError);
    assert.deepEqual([err.code, err.action, err.httpStatus], ['Busy', 'UploadPart', 503]);
    assert.equal(partPuts().filter((p) => p.query.partNumber === '2').length, 3, 'first try + 2 retries');
    assert.equal(store().filter((r) => r.method === 'PUT' && r.query.uploadID && !r.query.partNumber).length, 0);
  });

  test('a CRC32 echoed differently by the host is CrcMismatch, never completed', async () => {
    server.intercept = (r) => (r.query.partNumber === '1' ? { json: { success: 0, payload: { crc32: 'deadbeef' } } } : undefined);
    const err = await vod.upload({ spaceName: 'sp', fileType: 'video', body: Buffer.concat([...chunksOf(6 * MiB)]), partSize: 5 * MiB }).catch((e) => e);
    assert.deepEqual([err.code, err.action], ['CrcMismatch', 'UploadPart']);
    assert.equal(store().filter((r) => r.query.uploadID && !r.query.partNumber).length, 0);
  });

  test('resume: an interrupted upload continues from listParts, re-sending only missing or mismatching parts', async () => {
    const total = 22 * MiB;
    const partSize = 5 * MiB;
    const expected = partCrcs(total, partSize);
    const checkpoints: UploadCheckpoint[] = [];
    server.intercept = (r) => (r.query.partNumber === '4' ? { destroy: true } : undefined);
    const first = await vod.upload({
      spaceName: 'sp', fileType: 'video', body: Readable.from(chunksOf(total)), partSize, parallel: 1,
      onCheckpoint: async (c) => {
        await new Promise((r) => setTimeout(r, 1)); // an async store: checkpoints must still arrive in order
        checkpoints.push(c);
      },
    }).catch((e) => e);
    assert.equal(first.code, 'NetworkError');
    assert.deepEqual(checkpoints.map((c) => c.parts.length), [0, 1, 2, 3]);
    const cp = checkpoints.at(-1)!;
    assert.deepEqual([cp.auth, cp.host, cp.partSize, cp.sessionKey], [AUTH, `127.0.0.1:${server.port}`, partSize, `session-${applied}`]);
    assert.deepEqual(cp.parts, expected.slice(0, 3).map((crc32, i) => ({ partNumber: i + 1, crc32 })));

    // a torn part on the host: its CRC does not match ours, so it is sent again
    server.uploads.get(cp.uploadId)!.parts.set(2, { crc32: '00000000', size: partSize });
    server.requests.length = 0;
    server.intercept = undefined;
    // the size is known now, but a resumed upload keeps the checkpoint's part size
    const resumed = await vod.upload({ spaceName: 'sp', fileType: 'video', body: Readable.from(chunksOf(total)), size: total, resume: cp });
    assert.equal(server.calls('ApplyUpload').length, 0);
    assert.deepEqual(store()[0]!.method + ' ' + store()[0]!.rawQuery, `GET uploadID=${cp.uploadId}`);
    assert.deepEqual(partPuts().map((p) => Number(p.query.partNumber)).sort(), [2, 4, 5]);
    assert.deepEqual([resumed.uploadId, resumed.sessionKey, resumed.size], [cp.uploadId, cp.sessionKey, total]);
    assert.equal(server.uploads.get(cp.uploadId)!.completed, expected.map((c, i) => `${i + 1}:${c}`).join(','));
  });
});

describe('upload checkpoints', () => {
  const total = 16 * MiB;
  const partSize = 5 * MiB;
  const completes = (): Recorded[] => store().filter((r) => r.method === 'PUT' && r.query.uploadID !== undefined && r.query.partNumber === undefined);
  const increasing = (xs: number[]) => xs.every((x, i) => i === 0 || x > xs[i - 1]!);

  test('a slow checkpoint store does not hold the parts: part 2 is sent while checkpoint 1 is still being written', { timeout: 10_000 }, async () => {
    let part2Arrived!: () => void;
    const part2 = new Promise<void>((r) => (part2Arrived = r));
    server.intercept = (r) => {
      if (r.query.partNumber === '2') part2Arrived();
      return undefined;
    };
    const written: number[] = [];
    const res = await vod.upload({
      spaceName: 'sp', fileType: 'video', body: Readable.from(chunksOf(total)), partSize, parallel: 1,
      onCheckpoint: async (c) => {
        // the checkpoint of part 1 finishes only once part 2 reached the host: with one part in flight, that
        // can happen only if the part's slot was freed before its checkpoint was written
        if (c.parts.length === 1) await part2;
        written.push(c.parts.length);
      },
    });
    assert.deepEqual(written.slice(0, 2), [0, 1]);
    assert.ok(increasing(written), `checkpoints in order: ${written}`);
    assert.equal(written.at(-1), 4);
    assert.equal(res.parts?.length, 4);
  });

  test('a stalled store gets the latest state once it answers, not one call per part, and the upload completes after it', { timeout: 10_000 }, async () => {
    let allSent!: () => void;
    const sentAll = new Promise<void>((r) => (allSent = r));
    const log: string[] = [];
    server.intercept = (r) => {
      if (r.method === 'PUT' && r.query.uploadID !== undefined && r.query.partNumber === undefined) log.push('complete');
      return undefined;
    };
    await vod.upload({
      spaceName: 'sp', fileType: 'video', body: Readable.from(chunksOf(total)), partSize, parallel: 1,
      onProgress: (sent) => { if (sent === total) allSent(); },
      onCheckpoint: async (c) => {
        if (c.parts.length === 1) await sentAll; // the store stalls until every part is stored
        log.push(`checkpoint ${c.parts.length}`);
      },
    });
    assert.deepEqual(log, ['checkpoint 0', 'checkpoint 1', 'checkpoint 4', 'complete']);
  });

  test('the upload completes only after the latest checkpoint was written', async () => {
    const log: string[] = [];
    server.intercept = (r) => {
      if (r.method === 'PUT' && r.query.uploadID !== undefined && r.query.partNumber === undefined) log.push('complete');
      return undefined;
    };
    await vod.upload({
      spaceName: 'sp', fileType: 'video', body: Readable.from(chunksOf(total)), partSize,
      onCheckpoint: async (c) => {
        await new Promise((r) => setTimeout(r, 5));
        log.push(`checkpoint ${c.parts.length}`);
      },
    });
    assert.deepEqual(log.slice(-2), ['checkpoint 4', 'complete']);
    assert.equal(log[0], 'checkpoint 0');
    assert.ok(increasing(log.slice(0, -1).map((l) => Number(l.split(' ')[1]))));
  });

  test('a failing checkpoint fails the upload with its error, writes no later checkpoint and never completes', async () => {
    const calls: number[] = [];
    const err = await vod.upload({
      spaceName: 'sp', fileType: 'video', body: Readable.from(chunksOf(total)), partSize, parallel: 1,
      onCheckpoint: (c) => {
        calls.push(c.parts.length);
        if (c.parts.length === 2) throw new Error('checkpoint store unavailable');
      },
    }).catch((e: unknown) => e);
    assert.equal((err as Error).message, 'checkpoint store unavailable');
    assert.deepEqual(calls, [0, 1, 2]);
    assert.equal(completes().length, 0);
  });

  test('a failing first checkpoint (after init) fails the upload before any part is sent', async () => {
    const err = await vod.upload({
      spaceName: 'sp', fileType: 'video', body: Readable.from(chunksOf(total)), partSize,
      onCheckpoint: () => Promise.reject(new Error('no store')),
    }).catch((e: unknown) => e);
    assert.equal((err as Error).message, 'no store');
    assert.equal(partPuts().length, 0);
  });
});

describe('uploadVideo and uploadPoster', () => {
  test('uploadVideo = upload + CommitUpload with Functions and CallbackArgs', async () => {
    server.results.set('CommitUpload', (r: Recorded) => ({ Results: [{ Vid: 'v-new', SessionKey: JSON.parse(r.body.toString()).SessionKey }] }));
    const res = await vod.uploadVideo({ spaceName: 'sp', body: Buffer.from('video bytes'), functions: [{ Name: 'GetMeta' }], callbackArgs: 'cb-1' });
    const [commit] = server.calls('CommitUpload');
    assert.deepEqual(commit!.query.SpaceName, 'sp');
    assert.deepEqual(JSON.parse(commit!.body.toString()), { SessionKey: res.upload.sessionKey, CallbackArgs: 'cb-1', Functions: [{ Name: 'GetMeta' }] });
    assert.equal(res.Results[0]!.Vid, 'v-new');
    assert.equal(server.calls('ApplyUpload')[0]!.query.FileType, 'video');
  });

  test('uploadPoster = upload image + ModifyVideoInfo {Info:{PosterUri}}; a non-zero StatusCode fails', async () => {
    server.results.set('ModifyVideoInfo', { BaseResp: { StatusCode: 0 } });
    const res = await vod.uploadPoster({ vid: 'v1', spaceName: 'sp', body: Buffer.from('png') });
    assert.equal(server.calls('ApplyUpload')[0]!.query.FileType, 'image');
    assert.deepEqual(JSON.parse(server.calls('ModifyVideoInfo')[0]!.body.toString()), { SpaceName: 'sp', Vid: 'v1', Info: { PosterUri: res.posterUri } });
    assert.match(res.posterUri, /^tos-test\/image-\d+$/);
    server.results.set('ModifyVideoInfo', { BaseResp: { StatusCode: 1, StatusMessage: 'no such video' } });
    await assert.rejects(vod.uploadPoster({ vid: 'v2', spaceName: 'sp', body: Buffer.from('png') }), { name: 'VodError', code: 'ModifyVideoInfoFailed' });
  });
});
