import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { VodClient, VodError } from '#lib/vod';
import { encodeQuery } from '#lib/vod';
import { signRequest } from '#lib/signing';
import { startEmulator, type Emulator } from '#local/emulator';
import { LOCAL, buildMp4, callbackReceiver, expectedCallbackSignature, fixedClock, md5 } from '../fixtures/emulator/helpers.ts';

const SPACE = 'demo-space';
const clock = fixedClock();
let emu: Emulator;
let vod: VodClient;
let hook: Awaited<ReturnType<typeof callbackReceiver>>;
const mp4 = buildMp4({ width: 1280, height: 720, durationMs: 12345, mdatBytes: 100_000 });

async function rejects(p: Promise<unknown>, code: string, httpStatus: number): Promise<VodError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof VodError, `expected VodError, got ${String(e)}`);
    assert.deepStrictEqual({ code: e.code, httpStatus: e.httpStatus }, { code, httpStatus });
    assert.match(e.requestId, /\d{14}/);
    return e;
  }
  assert.fail(`expected ${code}`);
}

async function videoState(vid: string): Promise<{ state: string; publishStatus: string }> {
  const v = (await (await fetch(`${emu.url}/__emulator/videos/${vid}`)).json()) as { state: string; publishStatus: string };
  return { state: v.state, publishStatus: v.publishStatus };
}

before(async () => {
  hook = await callbackReceiver(1);
  emu = await startEmulator({ port: 0, seed: 7, now: clock.now, transcodeDelayMs: 20, callbackUrl: hook.url, callbackRetryDelaysMs: [5, 5] });
  vod = new VodClient({ endpoint: emu.url, credentials: LOCAL, now: clock.now, retries: 0 });
});
after(async () => {
  await emu.close();
  await hook.close();
});

describe('emulator through VodClient', () => {
  let vid = '';
  let storeUri = '';

  it('two-step upload: ApplyUpload + PUT + CommitUpload reports real size, md5 and MP4 metadata', async () => {
    const stored = await vod.upload({ spaceName: SPACE, fileType: 'video', body: mp4 });
    assert.equal(stored.mode, 'direct');
    storeUri = stored.storeUri;
    const committed = await vod.commitUpload({
      SpaceName: SPACE, SessionKey: stored.sessionKey, CallbackArgs: 'item-1',
      Functions: [{ Name: 'GetMeta' }, { Name: 'Snapshot', Input: { SnapshotTime: 1 } }, { Name: 'AddOptionInfo', Input: { Title: 'Hello', Tags: 'a,b' } }],
    });
    const r = committed.Results[0]!;
    vid = r.Vid!;
    assert.match(vid, /^v0d[a-z0-9]{29}$/);
    assert.deepStrictEqual(r.VideoMeta, {
      Uri: stored.storeUri, Height: 720, Width: 1280, Duration: 12.345, Bitrate: Math.round((mp4.length * 8) / 12.345),
      Md5: md5(mp4), Format: 'mp4', Size: mp4.length,
    });
    assert.equal(committed.CallbackArgs, 'item-1');
    assert.match(r.PosterUri!, /^tos-emu-i-0001\/[0-9a-f]{32}$/);
    assert.deepStrictEqual(await videoState(vid), { state: 'uploaded', publishStatus: 'Unpublished' });
    // a repeated commit (a client retry) answers the same video
    const again = await vod.commitUpload({ SpaceName: SPACE, SessionKey: stored.sessionKey });
    assert.equal(again.Results[0]!.Vid, vid);
  });

  it('sends a signed FileUploadComplete callback, retrying a failed delivery', async () => {
    await emu.idle();
    assert.deepStrictEqual(emu.callbacks.map((c) => [c.eventType, c.attempt, c.status]), [['FileUploadComplete', 1, 500], ['FileUploadComplete', 2, 200]]);
    const got = hook.received[0]!;
    const ts = String(got.headers['x-vod-timestamp']);
    assert.equal(ts, String(Date.parse('2024-01-02T03:04:05Z') / 1000));
    assert.equal(got.headers['x-vod-signature'], expectedCallbackSignature(hook.url, ts, 'local-callback-key', got.body));
    assert.deepStrictEqual({ ...got.json, RequestId: typeof got.json.RequestId, Data: { ...got.json.Data, SourceInfo: undefined } }, {
      RequestId: 'string', Version: '1.0', EventType: 'FileUploadComplete', EventTime: '2024-01-02T03:04:05Z',
      Data: { Code: 'Success', Message: '', Vid: vid, SpaceName: SPACE, CallbackArgs: 'item-1', SourceInfo: undefined, PosterUri: emu.state.videos[vid]!.posterUri },
    });
    assert.deepStrictEqual([got.json.Data.SourceInfo].map((s) => { const i = s as Record<string, unknown>; return [i.Md5, i.Size, i.Width, i.Height, i.Duration]; }), [[md5(mp4), mp4.length, 1280, 720, 12.345]]);
  });

  it('GetPlayInfo before transcoding lists the source, served with Range support at the play URL', async () => {
    const { Data } = await vod.getPlayInfo({ video_id: vid });
    assert.deepStrictEqual({ ...Data, PlayInfoList: undefined, CoverUrl: Data.CoverUrl.replace(emu.url, 'EMU') }, {
      Status: 1, VideoID: vid, CoverUrl: `EMU/${emu.state.videos[vid]!.posterUri}~tplv-vod-noop.image`, Duration: 12.345, MediaType: 'video', TotalCount: 1, PlayInfoList: undefined,
    });
    const p = Data.PlayInfoList[0]!;
    assert.deepStrictEqual([p.Definition, p.Width, p.Height, p.Size, p.FileHash, p.Format, p.Codec, p.FileID], ['origin', 1280, 720, mp4.length, md5(mp4), 'mp4', 'h264', 'origin']);
    assert.ok(p.MainPlayUrl.startsWith(`${emu.url}/play/${vid}/origin.mp4?auth_key=`));
    const full = await fetch(p.MainPlayUrl);
    assert.deepStrictEqual([full.status, full.headers.get('content-type'), full.headers.get('accept-ranges')], [200, 'video/mp4', 'bytes']);
    assert.ok(Buffer.from(await full.arrayBuffer()).equals(mp4));
    const part = await fetch(p.BackupPlayUrl, { headers: { range: 'bytes=100-199' } });
    assert.deepStrictEqual([part.status, part.headers.get('content-range'), part.headers.get('content-length')], [206, `bytes 100-199/${mp4.length}`, '100']);
    assert.ok(Buffer.from(await part.arrayBuffer()).equals(mp4.subarray(100, 200)));
    const tail = await fetch(p.MainPlayUrl, { headers: { range: 'bytes=-10' } });
    assert.ok(Buffer.from(await tail.arrayBuffer()).equals(mp4.subarray(-10)));
    const bad = await fetch(p.MainPlayUrl, { headers: { range: `bytes=${mp4.length}-` } });
    assert.deepStrictEqual([bad.status, bad.headers.get('content-range')], [416, `bytes */${mp4.length}`]);
    const forged = await fetch(p.MainPlayUrl.replace(/.$/, (c) => (c === '0' ? '1' : '0')));
    assert.equal(forged.status, 403);
    const poster = await fetch(Data.CoverUrl);
    assert.deepStrictEqual([poster.status, poster.headers.get('content-type')], [200, 'image/png']);
  });

  it('GetOriginVideoPlayInfo answers the flat source description', async () => {
    const o = await vod.getOriginVideoPlayInfo({ Vid: vid });
    assert.deepStrictEqual({ ...o, MainPlayUrl: undefined, BackupPlayUrl: undefined }, {
      MediaType: 'video', Duration: 12.345, Size: mp4.length, Height: 720, Width: 1280, Format: 'mp4', CodecType: 'h264',
      Bitrate: Math.round((mp4.length * 8) / 12.345), FileHash: md5(mp4), MainPlayUrl: undefined, BackupPlayUrl: undefined,
    });
    const https = await vod.getOriginVideoPlayInfo({ Vid: vid, Ssl: true });
    assert.ok(https.MainPlayUrl.startsWith(`https://127.0.0.1:${emu.port}/play/${vid}/origin.mp4?auth_key=`));
  });

  it('StartTranscode: transcoding, then renditions and a TranscodeComplete callback; publish status is visible', async () => {
    const { RunId } = await vod.startTranscode({ TemplateId: 'local-template', Vid: vid, Priority: 0, Input: {}, CallbackArgs: 'tc-1' });
    assert.match(RunId, /^[0-9a-f]{32}$/);
    assert.deepStrictEqual(await videoState(vid), { state: 'transcoding', publishStatus: 'Unpublished' });
    await emu.idle();
    assert.deepStrictEqual(await videoState(vid), { state: 'transcoded', publishStatus: 'Unpublished' });
    const { Data } = await vod.getPlayInfo({ video_id: vid });
    assert.deepStrictEqual(Data.PlayInfoList.map((p) => [p.Definition, p.Width, p.Height, p.Bitrate]), [['360p', 640, 360, 600000], ['480p', 854, 480, 1000000], ['720p', 1280, 720, 2000000]]);
    const only = await vod.getPlayInfo({ video_id: vid, Definition: '480p', Watermark: 'logo1' });
    assert.deepStrictEqual(only.Data.PlayInfoList.map((p) => [p.Definition, p.Logo]), [['480p', 'logo1']]);
    const rendition = await fetch(only.Data.PlayInfoList[0]!.MainPlayUrl);
    assert.ok(Buffer.from(await rendition.arrayBuffer()).equals(mp4));
    const tc = hook.received.find((r) => r.json.EventType === 'TranscodeComplete')!;
    assert.deepStrictEqual([tc.json.Data.Vid, tc.json.Data.RunId, tc.json.Data.TemplateId, tc.json.Data.CallbackArgs, tc.json.Data.Code, (tc.json.Data.TranscodeInfos as unknown[]).length], [vid, RunId, 'local-template', 'tc-1', 'Success', 3]);

    await vod.setVideoPublishStatus({ SpaceName: SPACE, Vid: vid, Status: 'Published' });
    assert.deepStrictEqual(await videoState(vid), { state: 'transcoded', publishStatus: 'Published' });
    assert.equal((await vod.getPlayInfo({ video_id: vid })).Data.Status, 10);
    await vod.setVideoPublishStatus({ SpaceName: SPACE, Vid: vid, Status: 'Unpublished' });
    assert.equal((await vod.getPlayInfo({ video_id: vid })).Data.Status, 1);
    await rejects(vod.setVideoPublishStatus({ SpaceName: SPACE, Vid: vid, Status: 'Hidden' as 'Published' }), 'InvalidParameter', 400);
  });

  it('RedirectPlay answers 302 to a play URL the emulator serves', async () => {
    const url = await vod.getRedirectPlayUrl({ Vid: vid, Definition: '720p', 'X-Amz-Expires': 60 });
    const res = await fetch(url, { redirect: 'manual' });
    assert.equal(res.status, 302);
    const location = res.headers.get('location')!;
    const fileId = emu.state.videos[vid]!.renditions.find((r) => r.definition === '720p')!.fileId;
    assert.ok(location.startsWith(`${emu.url}/play/${vid}/${fileId}.mp4?auth_key=`), location);
    assert.ok(Buffer.from(await (await fetch(location)).arrayBuffer()).equals(mp4));
  });

  it('one-step uploadVideo and uploadPoster; ModifyVideoInfo; poster URL from GetCdnDomainWeights is served', async () => {
    const bytes = Buffer.from('not really a video, but bytes all the same');
    const up = await vod.uploadVideo({ spaceName: SPACE, body: bytes, functions: [{ Name: 'GetMeta' }], callbackArgs: 'two' });
    const v2 = up.Results[0]!.Vid!;
    assert.deepStrictEqual(up.Results[0]!.VideoMeta, { Uri: up.upload.storeUri, Height: 0, Width: 0, Duration: 0, Bitrate: 0, Md5: md5(bytes), Format: 'unknown', Size: bytes.length });
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAIAAAADCAYAAAC56t6BAAAAEElEQVR42mNk+M9QzwAEjAAKNQGBk+8OxQAAAABJRU5ErkJggg==', 'base64');
    const { posterUri } = await vod.uploadPoster({ vid: v2, spaceName: SPACE, body: png });
    assert.match(posterUri, /^tos-emu-i-0001\//);
    const mod = await vod.modifyVideoInfo({ SpaceName: SPACE, Vid: v2, Info: { Title: 'T2', Description: 'D' }, Tags: { Adds: ['x', 'y'] } });
    assert.deepStrictEqual(mod, { BaseResp: { StatusCode: 0, StatusMessage: 'Success' } });
    await vod.modifyVideoInfo({ SpaceName: SPACE, Vid: v2, Tags: { Deletes: 'x', Adds: 'z' } });
    const v = emu.state.videos[v2]!;
    assert.deepStrictEqual([v.title, v.description, v.tags, v.posterUri], ['T2', 'D', ['y', 'z'], posterUri]);
    assert.deepStrictEqual(emu.state.objects[posterUri]!.width, 2);
    assert.deepStrictEqual(await vod.getCdnDomainWeights({ SpaceName: SPACE }), { [SPACE]: { [`127.0.0.1:${emu.port}`]: 100 } });
    const urls = await vod.getPosterUrl({ SpaceName: SPACE, Uri: posterUri });
    assert.deepStrictEqual(urls, { MainUrl: `${emu.url}/${posterUri}~tplv-vod-noop.image`, BackupUrl: `${emu.url}/${posterUri}~tplv-vod-noop.image` });
    const res = await fetch(urls.MainUrl);
    assert.deepStrictEqual([res.status, res.headers.get('content-type')], [200, 'image/png']);
    assert.ok(Buffer.from(await res.arrayBuffer()).equals(png));
    await rejects(vod.modifyVideoInfo({ SpaceName: SPACE, Vid: 'v0dmissing' }), 'ResourceNotFound', 404);
  });

  it('UploadMediaByUrl (both versions) fetches loopback URLs; QueryUploadTaskInfo reports the jobs', async () => {
    const origin = await vod.getOriginVideoPlayInfo({ Vid: vid });
    const v2018 = await vod.uploadMediaByUrl({ SpaceName: SPACE, Format: 'mp4', SourceUrls: [origin.MainPlayUrl], CallbackArgs: 'old' });
    assert.deepStrictEqual(v2018, { Code: 0, Message: 'Success' });
    const missing = `${emu.url}/play/${vid}/nothing.mp4`;
    const v2020 = await vod.uploadMediaByUrl({ SpaceName: SPACE, URLSets: [{ SourceUrl: origin.MainPlayUrl, Md5: md5(mp4), Title: 'By URL', TemplateId: 'tpl', CallbackArgs: 'new' }, { SourceUrl: missing }] });
    assert.deepStrictEqual(v2020.Data.map((d) => d.SourceUrl), [origin.MainPlayUrl, missing]);
    await emu.idle();
    const [ok, failed] = v2020.Data.map((d) => d.JobId) as [string, string];
    const q = await vod.queryUploadTaskInfo({ JobIds: [ok, failed, 'nope'] });
    assert.deepStrictEqual(q.Data.NotExistJobIds, ['nope']);
    assert.deepStrictEqual(q.Data.MediaInfoList.map((m) => [m.JobId, m.State, m.SpaceName, m.CallbackArgs, (m.SourceInfo as { Md5?: string }).Md5]), [[ok, 'success', SPACE, 'new', md5(mp4)], [failed, 'failed', SPACE, '', undefined]]);
    const newVid = q.Data.MediaInfoList[0]!.Vid;
    assert.deepStrictEqual([emu.state.videos[newVid]!.title, emu.state.videos[newVid]!.state], ['By URL', 'transcoded']);
    const events = hook.received.filter((r) => r.json.EventType === 'FileUploadByUrlComplete').map((r) => [r.json.Data.Code, r.json.Data.CallbackArgs]);
    assert.deepStrictEqual(events.sort(), [['Failed', ''], ['Success', 'new'], ['Success', 'old']]);
    await rejects(vod.uploadMediaByUrl({ SpaceName: SPACE, URLSets: [{ SourceUrl: 'http://example.com/a.mp4' }] }), 'InvalidParameter', 400);
    await rejects(vod.uploadMediaByUrl({ SpaceName: SPACE, Format: 'mp4', SourceUrls: ['http://10.0.0.1/a.mp4'] }), 'InvalidParameter', 400);
  });

  it('answers the error envelope with every metadata field and the right codes', async () => {
    await rejects(vod.getPlayInfo({ video_id: 'v0dunknown' }), 'ResourceNotFound', 404);
    await rejects(vod.applyUpload({ SpaceName: SPACE, FileType: 'movie' as 'video' }), 'InvalidParameter', 400);
    await rejects(vod.startTranscode({ TemplateId: 't', Vid: 'v0dunknown' }), 'ResourceNotFound', 404);
    const raw = async (query: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> => {
      const host = `127.0.0.1:${emu.port}`;
      const headers = await signRequest({ method: 'GET', host, query }, { credentials: LOCAL, region: 'cn-north-1', now: clock.now() });
      delete headers.host;
      const res = await fetch(`${emu.url}/?${encodeQuery(query)}`, { headers });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const meta = (b: Record<string, unknown>): Record<string, unknown> => {
      const m = { ...(b.ResponseMetadata as Record<string, unknown>) };
      assert.match(String(m.RequestId), /^20240102030405[0-9A-F]{18}$/);
      m.RequestId = 'id';
      return m;
    };
    const noAction = await raw({ Version: '2018-01-01' });
    assert.deepStrictEqual([noAction.status, meta(noAction.body)], [400, { RequestId: 'id', Action: '', Version: '2018-01-01', Service: 'vod', Region: 'cn-north-1', Error: { Code: 'MissingParameter', CodeN: 100002, Message: 'The request is missing Action parameter.' } }]);
    const unknown = await raw({ Action: 'DeleteEverything', Version: '2018-01-01' });
    assert.deepStrictEqual([unknown.status, (meta(unknown.body).Error as { Code: string }).Code], [404, 'InvalidAction']);
    const badVersion = await raw({ Action: 'GetPlayInfo', Version: '2018-01-01', video_id: vid });
    assert.deepStrictEqual([badVersion.status, (meta(badVersion.body).Error as { Code: string }).Code], [404, 'InvalidVersion']);
    const missingParam = await raw({ Action: 'GetPlayInfo', Version: '2019-03-15' });
    assert.deepStrictEqual([missingParam.status, meta(missingParam.body).Error], [400, { Code: 'MissingParameter', CodeN: 100002, Message: 'The request is missing video_id parameter.' }]);
    const ok = await raw({ Action: 'GetCdnDomainWeights', Version: '2019-07-01', SpaceName: SPACE });
    assert.deepStrictEqual([ok.status, meta(ok.body)], [200, { RequestId: 'id', Action: 'GetCdnDomainWeights', Version: '2019-07-01', Service: 'vod', Region: 'cn-north-1' }]);
  });
});
