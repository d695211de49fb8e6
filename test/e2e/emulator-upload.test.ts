import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { crc32 } from 'node:zlib';
import { VodClient, type FileType } from '#lib/vod';
import { startEmulator, type Emulator } from '#local/emulator';
import { LOCAL, buildMp4, callbackReceiver, fixedClock, md5 } from '../fixtures/emulator/helpers.ts';

const SPACE = 'demo-space';
const MiB = 1024 * 1024;
const clock = fixedClock();
const cleanups: Array<() => Promise<unknown>> = [];
after(async () => { for (const c of cleanups.reverse()) await c(); });

async function start(opts: Parameters<typeof startEmulator>[0] = {}): Promise<{ emu: Emulator; vod: VodClient }> {
  const emu = await startEmulator({ port: 0, seed: 5, now: clock.now, transcodeDelayMs: 0, ...opts });
  cleanups.push(() => emu.close());
  return { emu, vod: new VodClient({ endpoint: emu.url, credentials: LOCAL, now: clock.now, retries: 0 }) };
}

/** Deterministic bytes: byte i = (i * 31 + (i >> 12)) & 255. */
function pattern(from: number, to: number): Buffer<ArrayBuffer> {
  const b = Buffer.alloc(to - from);
  for (let i = from; i < to; i++) b[i - from] = (i * 31 + (i >> 12)) & 255;
  return b;
}

async function uploadHostCall(url: string, init: RequestInit): Promise<{ status: number; logid: string | null; body: Record<string, unknown> }> {
  const res = await fetch(url, init);
  return { status: res.status, logid: res.headers.get('x-tt-logid'), body: (await res.json()) as Record<string, unknown> };
}

describe('emulator upload host', () => {
  it('direct PUT: CRC32 padded, unpadded and Ignore accepted; mismatch and bad auth refused in the envelope', async () => {
    const { emu, vod } = await start();
    const apply = await vod.applyUpload({ SpaceName: SPACE, FileType: 'object', UploadNum: 2 });
    const [a, b] = apply.UploadAddress.StoreInfos as [{ StoreUri: string; Auth: string }, { StoreUri: string; Auth: string }];
    assert.deepStrictEqual(apply.UploadAddress.AdvanceOption, { Parallel: 3, Stream: 0, SliceSize: 5 * MiB });
    let i = 0;
    while ((crc32(`data-${i}`) >>> 0) >= 0x10000000) i++;
    const data = Buffer.from(`data-${i}`);
    const crc = (crc32(data) >>> 0).toString(16);
    assert.ok(crc.length < 8);
    const url = `${emu.url}/${a.StoreUri}`;
    const ok = await uploadHostCall(url, { method: 'PUT', body: data, headers: { Authorization: a.Auth, 'Content-CRC32': crc } });
    assert.deepStrictEqual({ ...ok, logid: /^\d{14}[0-9A-F]{18}$/.test(ok.logid ?? '') }, { status: 200, logid: true, body: { success: 0, payload: { key: a.StoreUri, hash: crc.padStart(8, '0'), size: data.length } } });
    const upper = await uploadHostCall(url, { method: 'PUT', body: data, headers: { Authorization: a.Auth, 'Content-CRC32': crc.padStart(8, '0').toUpperCase() } });
    assert.equal(upper.status, 200);
    const ignore = await uploadHostCall(`${emu.url}/${b.StoreUri}`, { method: 'PUT', body: 'other', headers: { Authorization: b.Auth, 'Content-CRC32': 'Ignore' } });
    assert.equal(ignore.status, 200);
    const bad = await uploadHostCall(url, { method: 'PUT', body: data, headers: { Authorization: a.Auth, 'Content-CRC32': '00000001' } });
    assert.deepStrictEqual(bad.body, { success: 4003, error: { code: 4003, error: 'CrcMismatch', message: `crc32 mismatch: expected 00000001, got ${crc.padStart(8, '0')}` } });
    assert.equal(bad.status, 400);
    assert.deepStrictEqual((await uploadHostCall(url, { method: 'PUT', body: data, headers: { Authorization: b.Auth, 'Content-CRC32': 'Ignore' } })).status, 403);
    assert.deepStrictEqual((await uploadHostCall(url, { method: 'PUT', body: data, headers: { 'Content-CRC32': 'Ignore' } })).status, 401);
    assert.deepStrictEqual((await uploadHostCall(url, { method: 'PUT', body: data, headers: { Authorization: a.Auth } })).status, 400);
    const commit = await vod.commitUpload({ SpaceName: SPACE, SessionKey: apply.UploadAddress.SessionKey });
    assert.deepStrictEqual(commit.Results[0]!.ObjectMeta, { Uri: a.StoreUri, Md5: md5(data) });
    assert.equal(commit.Results[0]!.Vid, '');
    assert.deepStrictEqual((await uploadHostCall(url, { method: 'PUT', body: data, headers: { Authorization: a.Auth, 'Content-CRC32': 'Ignore' } })).status, 409);
  });

  /** An upload session by hand: its store URL and the headers of its gateway multipart calls. */
  async function gateway(fileType: FileType) {
    const { emu, vod } = await start();
    const apply = await vod.applyUpload({ SpaceName: SPACE, FileType: fileType });
    const { StoreUri, Auth } = apply.UploadAddress.StoreInfos[0]!;
    return { emu, vod, apply, StoreUri, Auth, url: `${emu.url}/${StoreUri}`, h: { Authorization: Auth, 'X-Storage-Mode': 'gateway' } };
  }

  it('gateway multipart by hand: init, parts, list, complete with a 0-based body; small middle parts refused', async () => {
    const { emu, vod, apply, StoreUri, url, h } = await gateway('video');
    const init = await uploadHostCall(`${url}?uploads`, { method: 'PUT', headers: h });
    const uploadID = (init.body.payload as { uploadID: string }).uploadID;
    assert.match(uploadID, /^[0-9a-f]{32}$/);
    const p1 = pattern(0, 5 * MiB);
    const p2 = pattern(5 * MiB, 5 * MiB + 1000);
    const c = (b: Buffer): string => (crc32(b) >>> 0).toString(16).padStart(8, '0');
    for (const [n, p] of [[1, p1], [2, p2]] as const) {
      const r = await uploadHostCall(`${url}?partNumber=${n}&uploadID=${uploadID}`, { method: 'PUT', body: p, headers: { ...h, 'Content-CRC32': c(p) } });
      assert.deepStrictEqual(r.body, { success: 0, payload: { partNumber: n, crc32: c(p), size: p.length } });
    }
    const list = await uploadHostCall(`${url}?uploadID=${uploadID}`, { method: 'GET', headers: h });
    assert.deepStrictEqual(list.body, { success: 0, payload: { uploadID, partList: [{ partNumber: 1, crc32: c(p1), size: p1.length }, { partNumber: 2, crc32: c(p2), size: p2.length }] } });
    const wrong = await uploadHostCall(`${url}?uploadID=${uploadID}`, { method: 'PUT', headers: h, body: `1:${c(p2)},2:${c(p2)}` });
    assert.deepStrictEqual([wrong.status, (wrong.body.error as { error: string }).error], [400, 'CrcMismatch']);
    const done = await uploadHostCall(`${url}?uploadID=${uploadID}`, { method: 'PUT', headers: h, body: `0:${c(p1)},1:${c(p2)}` });
    assert.deepStrictEqual(done.body, { success: 0, payload: { key: StoreUri, hash: c(Buffer.concat([p1, p2])), size: p1.length + p2.length } });
    const commit = await vod.commitUpload({ SpaceName: SPACE, SessionKey: apply.UploadAddress.SessionKey });
    assert.deepStrictEqual([commit.Results[0]!.VideoMeta!.Md5, commit.Results[0]!.VideoMeta!.Size], [md5(Buffer.concat([p1, p2])), p1.length + p2.length]);

    const apply2 = await vod.applyUpload({ SpaceName: SPACE });
    const t2 = apply2.UploadAddress.StoreInfos[0]!;
    const h2 = { Authorization: t2.Auth, 'X-Storage-Mode': 'gateway' };
    const id2 = ((await uploadHostCall(`${emu.url}/${t2.StoreUri}?uploads`, { method: 'PUT', headers: h2 })).body.payload as { uploadID: string }).uploadID;
    for (const n of [1, 2]) await uploadHostCall(`${emu.url}/${t2.StoreUri}?partNumber=${n}&uploadID=${id2}`, { method: 'PUT', body: p2, headers: { ...h2, 'Content-CRC32': c(p2) } });
    const small = await uploadHostCall(`${emu.url}/${t2.StoreUri}?uploadID=${id2}`, { method: 'PUT', headers: h2, body: `1:${c(p2)},2:${c(p2)}` });
    assert.deepStrictEqual([small.status, (small.body.error as { error: string }).error], [400, 'EntityTooSmall']);
  });

  it('gateway multipart: every call needs X-Storage-Mode: gateway; part numbers run from 1 to 10000', async () => {
    const { emu, vod, apply, StoreUri, Auth, url, h } = await gateway('object');
    const noMode = { status: 400, body: { success: 4017, error: { code: 4017, error: 'InvalidStorageMode', message: 'multipart calls need the header X-Storage-Mode: gateway' } } };
    const strip = (r: { status: number; body: Record<string, unknown> }): unknown => ({ status: r.status, body: r.body });
    assert.deepStrictEqual(strip(await uploadHostCall(`${url}?uploads`, { method: 'PUT', headers: { Authorization: Auth } })), noMode);
    const other = await uploadHostCall(`${url}?uploads`, { method: 'PUT', headers: { ...h, 'X-Storage-Mode': 'direct' } });
    assert.deepStrictEqual([other.status, (other.body.error as { message: string }).message], [400, "multipart calls need the header X-Storage-Mode: gateway (got 'direct')"]);
    assert.deepStrictEqual(Object.keys(emu.state.multiparts), []);
    const uploadID = ((await uploadHostCall(`${url}?uploads`, { method: 'PUT', headers: { Authorization: Auth, 'x-storage-mode': 'Gateway' } })).body.payload as { uploadID: string }).uploadID;
    const part = Buffer.from('the only part');
    const crc = (crc32(part) >>> 0).toString(16).padStart(8, '0');
    const putPart = (n: string, headers: Record<string, string> = h): Promise<{ status: number; body: Record<string, unknown> }> =>
      uploadHostCall(`${url}?partNumber=${n}&uploadID=${uploadID}`, { method: 'PUT', body: part, headers: { ...headers, 'Content-CRC32': crc } });
    assert.deepStrictEqual(strip(await putPart('1', { Authorization: Auth })), noMode);
    for (const n of ['0', '10001', '-1', '1.5']) {
      assert.deepStrictEqual(strip(await putPart(n)), { status: 400, body: { success: 4010, error: { code: 4010, error: 'InvalidPartNumber', message: 'partNumber must be 1..10000' } } }, n);
    }
    assert.deepStrictEqual(Object.keys(emu.state.multiparts[uploadID]!.parts), []);
    assert.deepStrictEqual((await putPart('10000')).status, 200);
    assert.deepStrictEqual(strip(await uploadHostCall(`${url}?uploadID=${uploadID}`, { method: 'GET', headers: { Authorization: Auth } })), noMode);
    assert.deepStrictEqual(strip(await uploadHostCall(`${url}?uploadID=${uploadID}`, { method: 'PUT', headers: { Authorization: Auth }, body: `10000:${crc}` })), noMode);
    const done = await uploadHostCall(`${url}?uploadID=${uploadID}`, { method: 'PUT', headers: h, body: `10000:${crc}` });
    assert.deepStrictEqual(strip(done), { status: 200, body: { success: 0, payload: { key: StoreUri, hash: crc, size: part.length } } });
    // a direct PUT needs no X-Storage-Mode
    const apply2 = await vod.applyUpload({ SpaceName: SPACE, FileType: 'object' });
    const direct = apply2.UploadAddress.StoreInfos[0]!;
    assert.equal((await uploadHostCall(`${emu.url}/${direct.StoreUri}`, { method: 'PUT', body: part, headers: { Authorization: direct.Auth, 'Content-CRC32': crc } })).status, 200);
  });

  it('multipart of 64 MiB from a stream through VodClient, persisted, served back with Range, and surviving a restart', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'vod-emu-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const size = 64 * MiB + 12345;
    const hash = createHash('md5');
    const chunk = 1 * MiB;
    async function* gen(): AsyncGenerator<Buffer> {
      for (let off = 0; off < size; off += chunk) {
        const b = pattern(off, Math.min(size, off + chunk));
        hash.update(b);
        yield b;
      }
    }
    const first = await start({ dataDir, transcodeDelayMs: 60_000 });
    const up = await first.vod.uploadVideo({ spaceName: SPACE, body: Readable.from(gen()), size, partSize: 8 * MiB, functions: [{ Name: 'GetMeta' }] });
    assert.deepStrictEqual([up.upload.mode, up.upload.parts?.length], ['multipart', 9]);
    const vid = up.Results[0]!.Vid!;
    assert.deepStrictEqual([up.Results[0]!.VideoMeta!.Md5, up.Results[0]!.VideoMeta!.Size], [hash.digest('hex'), size]);
    // completion keeps the parts as the object (a manifest of 9 part files): no second copy of the bytes
    const blobs = await readdir(join(dataDir, 'blobs'));
    assert.deepStrictEqual([blobs.length, (await readdir(join(dataDir, 'manifests'))).length], [9, 1]);
    let stored = 0;
    for (const b of blobs) stored += (await stat(join(dataDir, 'blobs', b))).size;
    assert.equal(stored, size);
    await first.vod.setVideoPublishStatus({ SpaceName: SPACE, Vid: vid, Status: 'Published' });
    const { RunId } = await first.vod.startTranscode({ TemplateId: 'tpl', Vid: vid });
    await first.emu.close();

    const hook = await callbackReceiver();
    cleanups.push(() => hook.close());
    const second = await start({ dataDir, transcodeDelayMs: 10, callbackUrl: hook.url });
    const info = await second.vod.getPlayInfo({ video_id: vid });
    assert.deepStrictEqual([info.Data.Status, info.Data.PlayInfoList[0]!.Size], [10, size]);
    await second.emu.idle();
    assert.deepStrictEqual(hook.received.map((r) => [r.json.EventType, r.json.Data.RunId]), [['TranscodeComplete', RunId]]);
    const after = await second.vod.getPlayInfo({ video_id: vid, Definition: '360p' });
    const url = after.Data.PlayInfoList[0]!.MainPlayUrl;
    assert.ok(url.startsWith(`${second.emu.url}/play/${vid}/`));
    const start0 = 64 * MiB - 10;
    const res = await fetch(url, { headers: { range: `bytes=${start0}-${start0 + 99}` } });
    assert.deepStrictEqual([res.status, res.headers.get('content-range')], [206, `bytes ${start0}-${start0 + 99}/${size}`]);
    assert.ok(Buffer.from(await res.arrayBuffer()).equals(pattern(start0, start0 + 100)));
    // ranges inside one part, across two parts and to the end
    for (const [a, b] of [[100, 199], [8 * MiB - 3, 8 * MiB + 2], [16 * MiB - 1, 40 * MiB], [size - 7, size - 1]] as const) {
      const r = await fetch(url, { headers: { range: `bytes=${a}-${b}` } });
      assert.deepStrictEqual([r.status, r.headers.get('content-range')], [206, `bytes ${a}-${b}/${size}`]);
      assert.ok(Buffer.from(await r.arrayBuffer()).equals(pattern(a, b + 1)), `range ${a}-${b}`);
    }
  });

  it('multipart completed, restarted before CommitUpload: md5 computed from the parts then; out-of-order and replaced parts; no listener leak', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'vod-emu-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const warnings: Error[] = [];
    const onWarning = (w: Error): void => { warnings.push(w); };
    process.on('warning', onWarning);
    cleanups.push(async () => process.off('warning', onWarning));
    const first = await start({ dataDir });
    const apply = await first.vod.applyUpload({ SpaceName: SPACE, FileType: 'video' });
    const { StoreUri, Auth } = apply.UploadAddress.StoreInfos[0]!;
    const url = `${first.emu.url}/${StoreUri}`;
    const h = { Authorization: Auth, 'X-Storage-Mode': 'gateway' };
    const uploadID = ((await uploadHostCall(`${url}?uploads`, { method: 'PUT', headers: h })).body.payload as { uploadID: string }).uploadID;
    const c = (b: Buffer): string => (crc32(b) >>> 0).toString(16).padStart(8, '0');
    const p = [pattern(0, 5 * MiB), pattern(5 * MiB, 10 * MiB), pattern(10 * MiB, 10 * MiB + 777)];
    const put = (n: number, b: Buffer<ArrayBuffer>): Promise<unknown> => uploadHostCall(`${url}?partNumber=${n}&uploadID=${uploadID}`, { method: 'PUT', body: b, headers: { ...h, 'Content-CRC32': c(b) } });
    // part 3 first, part 1 with wrong bytes then replaced, part 2 last
    await put(3, p[2]!);
    await put(1, pattern(1, 5 * MiB + 1));
    await put(1, p[0]!);
    await put(2, p[1]!);
    const done = await uploadHostCall(`${url}?uploadID=${uploadID}`, { method: 'PUT', headers: h, body: p.map((b, i) => `${i + 1}:${c(b)}`).join(',') });
    const whole = Buffer.concat(p);
    assert.deepStrictEqual(done.body, { success: 0, payload: { key: StoreUri, hash: c(whole), size: whole.length } });
    await first.emu.close();

    const second = await start({ dataDir });
    const commit = await second.vod.commitUpload({ SpaceName: SPACE, SessionKey: apply.UploadAddress.SessionKey, Functions: [{ Name: 'GetMeta' }] });
    assert.deepStrictEqual([commit.Results[0]!.VideoMeta!.Md5, commit.Results[0]!.VideoMeta!.Size], [md5(whole), whole.length]);
    assert.deepStrictEqual(warnings.map((w) => w.name).filter((n) => n === 'MaxListenersExceededWarning'), []);
  });

  it('multipart resumed after a restart: ListParts shows the stored parts, the rest completes it; md5 and CRC32 exact', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'vod-emu-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const first = await start({ dataDir });
    const apply = await first.vod.applyUpload({ SpaceName: SPACE, FileType: 'video' });
    const { StoreUri, Auth } = apply.UploadAddress.StoreInfos[0]!;
    const h = { Authorization: Auth, 'X-Storage-Mode': 'gateway' };
    const c = (b: Buffer): string => (crc32(b) >>> 0).toString(16).padStart(8, '0');
    // parts straddle the store's 1 MiB write batches and hash reads at odd offsets
    const p = [pattern(0, 6 * MiB + 3), pattern(6 * MiB + 3, 11 * MiB + 5), pattern(11 * MiB + 5, 11 * MiB + 4096)];
    const put = (url: string, n: number): Promise<unknown> => uploadHostCall(`${url}/${StoreUri}?partNumber=${n}&uploadID=${uploadID}`, { method: 'PUT', body: p[n - 1]!, headers: { ...h, 'Content-CRC32': c(p[n - 1]!) } });
    const uploadID = ((await uploadHostCall(`${first.emu.url}/${StoreUri}?uploads`, { method: 'PUT', headers: h })).body.payload as { uploadID: string }).uploadID;
    await put(first.emu.url, 2);
    await put(first.emu.url, 1);
    await first.emu.close();

    const second = await start({ dataDir });
    const url = `${second.emu.url}/${StoreUri}`;
    const list = await uploadHostCall(`${url}?uploadID=${uploadID}`, { method: 'GET', headers: h });
    assert.deepStrictEqual(list.body, { success: 0, payload: { uploadID, partList: [1, 2].map((n) => ({ partNumber: n, crc32: c(p[n - 1]!), size: p[n - 1]!.length })) } });
    await put(second.emu.url, 3);
    const done = await uploadHostCall(`${url}?uploadID=${uploadID}`, { method: 'PUT', headers: h, body: p.map((b, i) => `${i + 1}:${c(b)}`).join(',') });
    // known answers (computed with Python's zlib and hashlib), not only node:zlib / node:crypto against themselves
    assert.deepStrictEqual(done.body, { success: 0, payload: { key: StoreUri, hash: '4465b152', size: 11 * MiB + 4096 } });
    const commit = await second.vod.commitUpload({ SpaceName: SPACE, SessionKey: apply.UploadAddress.SessionKey, Functions: [{ Name: 'GetMeta' }] });
    assert.deepStrictEqual([commit.Results[0]!.VideoMeta!.Md5, commit.Results[0]!.VideoMeta!.Size], ['dbc66b1e06d6457162c298fdbd6dda75', 11 * MiB + 4096]);
  });

  it('MP4 metadata is read from files whose moov box comes last', async () => {
    const { vod } = await start();
    const file = buildMp4({ width: 1920, height: 1080, durationMs: 61500, mdatBytes: 3 * MiB });
    const up = await vod.uploadVideo({ spaceName: SPACE, body: file });
    assert.deepStrictEqual(up.Results[0]!.VideoMeta, { Uri: up.upload.storeUri, Height: 1080, Width: 1920, Duration: 61.5, Bitrate: Math.round((file.length * 8) / 61.5), Md5: md5(file), Format: 'mp4', Size: file.length });
  });

  it('faults: injected 5xx / 429 / resets are recovered by the client retries; callbacks dropped or duplicated', async () => {
    const hook = await callbackReceiver();
    cleanups.push(() => hook.close());
    const { emu } = await start({ faults: 'api=0.4,upload=0.3,kinds=5xx|429|reset,seed=9,action.CommitUpload=0', callbackUrl: hook.url });
    const vod = new VodClient({ endpoint: emu.url, credentials: LOCAL, now: clock.now, retries: 10, sleep: async () => {}, uniform: () => 0 });
    const body = pattern(0, 11 * MiB);
    const up = await vod.uploadVideo({ spaceName: SPACE, body, partSize: 5 * MiB });
    assert.deepStrictEqual([up.upload.mode, up.Results[0]!.VideoMeta!.Md5], ['multipart', md5(body)]);
    const vid = up.Results[0]!.Vid!;
    for (let n = 0; n < 10; n++) assert.equal((await vod.getPlayInfo({ video_id: vid })).Data.VideoID, vid);
    const injected = (emu.faultCounts['5xx'] ?? 0) + (emu.faultCounts['429'] ?? 0) + (emu.faultCounts.reset ?? 0);
    assert.ok(injected >= 5, `only ${injected} faults injected: ${JSON.stringify(emu.faultCounts)}`);

    emu.setFaults('api=1,kinds=slow,slowMs=120');
    const slowBefore = emu.faultCounts.slow ?? 0;
    assert.deepStrictEqual(await vod.getCdnDomainWeights({ SpaceName: SPACE }), { [SPACE]: { [new URL(emu.url).host]: 100 } });
    assert.equal((emu.faultCounts.slow ?? 0) - slowBefore, 1, 'a slow answer is an answer: no retry');

    await emu.idle();
    const before = hook.received.length;
    emu.setFaults('callbacks.duplicate=1');
    const dup = await vod.uploadVideo({ spaceName: SPACE, body: Buffer.from('dup') });
    await emu.idle();
    assert.deepStrictEqual(hook.received.slice(before).map((r) => r.json.Data.Vid), [dup.Results[0]!.Vid, dup.Results[0]!.Vid]);
    emu.setFaults({ callbackDrop: 1 });
    await vod.uploadVideo({ spaceName: SPACE, body: Buffer.from('drop') });
    await emu.idle();
    assert.equal(hook.received.length, before + 2);
  });
});
