import { createHash } from 'node:crypto';
import type { Ctx } from './context.ts';
import { notFound } from './errors.ts';
import type { Rendition, StoredObject, Video } from './state.ts';

/** A new video id in the service's style: 'v0' + 30 lower-case letters/digits. */
export function newVid(ctx: Ctx): string {
  return `v0d${ctx.rng.alnum(29)}`;
}

export function bitrateOf(o: StoredObject): number {
  return o.duration > 0 ? Math.round((o.size * 8) / o.duration) : 0;
}

export function getVideo(ctx: Ctx, vid: string, space?: string): Video {
  const v = ctx.state.videos[vid];
  if (!v || (space !== undefined && v.space !== space)) throw notFound(`Video ${vid}`);
  return v;
}

export function sourceOf(ctx: Ctx, v: Video): StoredObject {
  const o = ctx.state.objects[v.uri];
  if (!o) throw notFound(`Media of video ${v.vid}`);
  return o;
}

export function createVideo(ctx: Ctx, obj: StoredObject, info: { title?: string; description?: string; category?: string; tags?: string[] } = {}): Video {
  const video: Video = {
    vid: newVid(ctx), space: obj.space, uri: obj.uri, createdAt: ctx.now().toISOString(), state: 'uploaded',
    publishStatus: 'Unpublished', title: info.title ?? '', description: info.description ?? '', category: info.category ?? '',
    tags: info.tags ?? [], posterUri: '', renditions: [],
  };
  ctx.state.videos[video.vid] = video;
  return video;
}

/** VideoMeta of CommitUpload. */
export function videoMeta(o: StoredObject): Record<string, unknown> {
  return { Uri: o.uri, Height: o.height, Width: o.width, Duration: o.duration, Bitrate: bitrateOf(o), Md5: o.md5, Format: o.format, Size: o.size };
}

/** SourceInfo of callbacks and QueryUploadTaskInfo. */
export function sourceInfo(o: StoredObject): Record<string, unknown> {
  return {
    FileType: o.fileType, Md5: o.md5, Size: o.size, Width: o.width, Height: o.height, Duration: o.duration,
    Bitrate: bitrateOf(o), Format: o.format, Codec: o.codec, StoreUri: o.uri, CreateTime: o.createdAt,
  };
}

const LADDER: ReadonlyArray<[string, number, number]> = [['360p', 360, 600_000], ['480p', 480, 1_000_000], ['720p', 720, 2_000_000], ['1080p', 1080, 4_000_000]];

/** The renditions a transcode produces (relabelled source bytes: the emulator does not re-encode). */
export function ladder(ctx: Ctx, o: StoredObject): Rendition[] {
  const srcH = o.height || 720;
  const srcW = o.width || 1280;
  const steps = LADDER.filter(([, h]) => h <= srcH);
  const chosen = steps.length > 0 ? steps : [LADDER[0]!];
  return chosen.map(([definition, h, bitrate]) => ({
    definition, height: h, width: Math.round((srcW * h) / srcH / 2) * 2, bitrate, fileId: ctx.rng.hex(32),
  }));
}

/** A CDN-style signed play URL served by this emulator (`auth_key` = expiry-rand-0-md5). */
export function playUrl(ctx: Ctx, vid: string, fileId: string, opts: { https: boolean; expiresIn: number }): string {
  const path = `/play/${vid}/${fileId}.mp4`;
  const exp = Math.floor(ctx.now().getTime() / 1000) + opts.expiresIn;
  const rand = ctx.rng.hex(8);
  return `${opts.https ? 'https' : 'http'}://${ctx.publicHost()}${path}?auth_key=${playAuth(ctx, path, exp, rand)}`;
}

export function playAuth(ctx: Ctx, path: string, exp: number, rand: string): string {
  const sig = createHash('md5').update(`${path}-${exp}-${rand}-0-${ctx.state.playSecret}`).digest('hex');
  return `${exp}-${rand}-0-${sig}`;
}

export function posterUrl(ctx: Ctx, uri: string): string {
  return uri ? `http://${ctx.publicHost()}/${uri}~tplv-vod-noop.image` : '';
}
