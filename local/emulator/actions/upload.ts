import { bodyString, intParam, jsonBody, list, optional, required, type ApiCall } from '../call.ts';
import { checkSpace, type Ctx } from '../context.ts';
import { invalid } from '../errors.ts';
import { objectMd5, snapshot } from '../objects.ts';
import type { FileType, StoreInfo, StoredObject, UploadSession } from '../state.ts';
import { startTranscode } from '../transcode.ts';
import { createVideo, sourceInfo, videoMeta } from '../videos.ts';

const MiB = 1024 * 1024;
const BUCKETS: Record<FileType, string> = { video: 'tos-emu-v-0001', image: 'tos-emu-i-0001', object: 'tos-emu-o-0001' };

function fileType(v: string | undefined): FileType {
  const t = (v ?? 'video').toLowerCase();
  if (t !== 'video' && t !== 'image' && t !== 'object') throw invalid('FileType', 'expected video, image or object');
  return t;
}

function uploadAddress(ctx: Ctx, s: UploadSession, fileSize: number | undefined): Record<string, unknown> {
  const slice = fileSize && fileSize > 10000 * 5 * MiB ? Math.ceil(fileSize / 10000 / MiB) * MiB : 5 * MiB;
  return {
    StoreInfos: s.storeInfos.map((i) => ({ StoreUri: i.storeUri, Auth: i.auth })),
    UploadHosts: [ctx.publicHost()],
    UploadHeader: {},
    SessionKey: s.sessionKey,
    AdvanceOption: { Parallel: 3, Stream: 0, SliceSize: slice },
  };
}

/** ApplyUpload: a session with store URIs and the upload host (this emulator). */
export async function applyUpload(ctx: Ctx, call: ApiCall): Promise<unknown> {
  const space = required(call, 'SpaceName');
  checkSpace(ctx, space);
  const type = fileType(optional(call, 'FileType'));
  const fileSize = intParam('FileSize', optional(call, 'FileSize'), 0, Number.MAX_SAFE_INTEGER);
  const existingKey = optional(call, 'SessionKey');
  if (existingKey) {
    const s = ctx.state.sessions[existingKey];
    if (!s || s.space !== space) throw invalid('SessionKey', 'unknown session for this space');
    return { RequestID: call.requestId, UploadAddress: uploadAddress(ctx, s, fileSize) };
  }
  const num = intParam('UploadNum', optional(call, 'UploadNum'), 1, 10) ?? 1;
  const keys = list(optional(call, 'TosKeys'));
  if (keys.length > 0 && keys.length !== num) throw invalid('TosKeys', `expected ${num} keys`);
  for (const k of keys) if (!/^[A-Za-z0-9][A-Za-z0-9/_.-]{0,255}$/.test(k) || k.includes('..')) throw invalid('TosKeys', `bad key ${k}`);
  const storeInfos: StoreInfo[] = [];
  for (let i = 0; i < num; i++) {
    const storeUri = `${BUCKETS[type]}/${keys[i] ?? ctx.rng.hex(32)}`;
    const owner = ctx.state.uploads[storeUri];
    if (owner && ctx.state.sessions[owner]?.space !== space) throw invalid('TosKeys', `key ${keys[i]} is taken`);
    storeInfos.push({ storeUri, auth: `SpaceKey/${space}/0/:${ctx.rng.hex(40)}` });
  }
  const s: UploadSession = { sessionKey: ctx.rng.hex(48), space, fileType: type, storeInfos, createdAt: ctx.now().toISOString() };
  ctx.state.sessions[s.sessionKey] = s;
  for (const i of storeInfos) ctx.state.uploads[i.storeUri] = s.sessionKey;
  await ctx.store.save();
  return { RequestID: call.requestId, UploadAddress: uploadAddress(ctx, s, fileSize) };
}

interface Fn { Name: string; Input: Record<string, unknown> }

function functions(v: unknown): Fn[] {
  let raw = v;
  if (typeof raw === 'string') {
    if (raw.trim() === '') return [];
    try { raw = JSON.parse(raw); } catch { throw invalid('Functions', 'not valid JSON'); }
  }
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw invalid('Functions', 'expected a list');
  return raw.map((f) => {
    if (!f || typeof f !== 'object' || typeof (f as Fn).Name !== 'string') throw invalid('Functions', 'each needs a Name');
    let input = (f as { Input?: unknown }).Input ?? {};
    if (typeof input === 'string') { try { input = JSON.parse(input); } catch { throw invalid('Functions', 'Input is not valid JSON'); } }
    if (!input || typeof input !== 'object') throw invalid('Functions', 'Input must be an object');
    return { Name: (f as Fn).Name, Input: input as Record<string, unknown> };
  });
}

const KNOWN_FUNCTIONS = new Set(['GetMeta', 'Snapshot', 'AddOptionInfo', 'StartWorkflow', 'Encryption']);

/** CommitUpload: turns the stored bytes of a session into a video (or image/object). */
export async function commitUpload(ctx: Ctx, call: ApiCall): Promise<unknown> {
  const space = required(call, 'SpaceName');
  checkSpace(ctx, space);
  const body = jsonBody(call);
  const sessionKey = bodyString(body, 'SessionKey') ?? optional(call, 'SessionKey');
  if (!sessionKey) throw invalid('SessionKey', 'missing');
  const callbackArgs = bodyString(body, 'CallbackArgs') ?? optional(call, 'CallbackArgs') ?? '';
  const fns = functions(body.Functions ?? optional(call, 'Functions'));
  for (const f of fns) if (!KNOWN_FUNCTIONS.has(f.Name)) throw invalid('Functions', `unknown function ${f.Name}`);
  const s = ctx.state.sessions[sessionKey];
  if (!s || s.space !== space) throw invalid('SessionKey', 'unknown session for this space');
  if (s.committed) return s.committed;
  const stored = (): StoredObject | undefined => s.storeInfos.map((i) => ctx.state.objects[i.storeUri]).find((o) => o !== undefined);
  let obj = stored();
  if (!obj) throw invalid('SessionKey', 'no bytes were uploaded in this session');
  // md5 of a multipart object not hashed on arrival: computed now, once (the state may change meanwhile)
  while (!obj.md5) {
    await objectMd5(ctx, obj);
    if (s.committed) return s.committed;
    obj = stored();
    if (!obj) throw invalid('SessionKey', 'no bytes were uploaded in this session');
  }

  const emptyVideo = { Uri: '', Height: 0, Width: 0, Duration: 0, Bitrate: 0, Md5: '', Format: '', Size: 0 };
  const r: Record<string, unknown> = {
    Vid: '', VideoMeta: emptyVideo, ImageMeta: { Uri: '', Height: 0, Width: 0, Md5: '' }, ObjectMeta: { Uri: '', Md5: '' }, Encryption: {}, PosterUri: '',
  };
  let transcode: { templateId: string } | undefined;
  if (s.fileType === 'video') {
    const opt = fns.find((f) => f.Name === 'AddOptionInfo')?.Input ?? {};
    const video = createVideo(ctx, obj, {
      title: String(opt.Title ?? ''), description: String(opt.Description ?? ''), category: String(opt.Category ?? ''), tags: list(opt.Tags),
    });
    r.Vid = video.vid;
    r.VideoMeta = videoMeta(obj);
    if (fns.some((f) => f.Name === 'Snapshot')) r.PosterUri = video.posterUri = await snapshot(ctx, space);
    const wf = fns.find((f) => f.Name === 'StartWorkflow');
    if (wf) transcode = { templateId: String(wf.Input.TemplateId ?? '') };
  } else if (s.fileType === 'image') {
    r.ImageMeta = { Uri: obj.uri, Height: obj.height, Width: obj.width, Md5: obj.md5 };
  } else {
    r.ObjectMeta = { Uri: obj.uri, Md5: obj.md5 };
  }
  const enc = fns.find((f) => f.Name === 'Encryption');
  if (enc) r.Encryption = { Uri: obj.uri, SecretKey: '', Algorithm: String((enc.Input.Config as Record<string, unknown> | undefined)?.Algorithm ?? 'AES-128'), Version: 'v1', SourceMd5: obj.md5, Extra: '' };
  const result = { RequestId: call.requestId, CallbackArgs: callbackArgs, Results: [r] };
  s.committed = result;
  const vid = String(r.Vid);
  if (transcode && vid) startTranscode(ctx, ctx.state.videos[vid]!, { templateId: transcode.templateId, callbackArgs });
  await ctx.store.save();
  if (vid) {
    ctx.callbacks.send('FileUploadComplete', {
      Code: 'Success', Message: '', Vid: vid, SpaceName: space, CallbackArgs: callbackArgs, SourceInfo: sourceInfo(obj), PosterUri: String(r.PosterUri),
    });
  }
  return result;
}
