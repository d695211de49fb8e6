import { intParam, optional, required, type ApiCall } from '../call.ts';
import { checkSpace, type Ctx } from '../context.ts';
import type { Video } from '../state.ts';
import { bitrateOf, getVideo, playUrl, posterUrl, sourceOf } from '../videos.ts';

interface Entry { definition: string; width: number; height: number; bitrate: number; fileId: string }

function expiresIn(call: ApiCall): number {
  return intParam('X-Amz-Expires', optional(call, 'X-Amz-Expires'), 1, 604800) ?? 3600;
}

function ssl(call: ApiCall): boolean {
  const v = (optional(call, 'Ssl') ?? '').toLowerCase();
  return v === '1' || v === 'true';
}

/** Transcoded renditions, or the source itself ('origin') while there are none. */
function entries(ctx: Ctx, v: Video, definition: string | undefined): Entry[] {
  const o = sourceOf(ctx, v);
  const all: Entry[] = v.renditions.length > 0 ? v.renditions : [{ definition: 'origin', width: o.width, height: o.height, bitrate: bitrateOf(o), fileId: 'origin' }];
  if (!definition || definition === 'all') return all;
  const match = all.filter((e) => e.definition === definition);
  return match.length > 0 ? match : all;
}

/** GetPlayInfo 2019-03-15. `Status` is 10 for a published video, 1 for an unpublished one (still playable here). */
export async function getPlayInfo(ctx: Ctx, call: ApiCall): Promise<unknown> {
  const vid = required(call, 'video_id');
  const v = getVideo(ctx, vid);
  const o = sourceOf(ctx, v);
  const https = ssl(call);
  const exp = expiresIn(call);
  const list = entries(ctx, v, optional(call, 'Definition')).map((e) => ({
    Bitrate: e.bitrate, FileHash: o.md5, Size: o.size, Height: e.height, Width: e.width, Format: 'mp4', Codec: o.codec || 'h264',
    Logo: optional(call, 'Watermark') ?? '', Definition: e.definition, Quality: 'normal', PlayAuth: '',
    MainPlayUrl: playUrl(ctx, vid, e.fileId, { https, expiresIn: exp }), BackupPlayUrl: playUrl(ctx, vid, e.fileId, { https, expiresIn: exp }),
    FileID: e.fileId, P2pVerifyURL: '', PreloadInterval: 60, PreloadMaxStep: 10, PreloadMinStep: 5, PreloadSize: 327680,
  }));
  return {
    Data: {
      Status: v.publishStatus === 'Published' ? 10 : 1, VideoID: vid, CoverUrl: posterUrl(ctx, v.posterUri), Duration: o.duration,
      MediaType: 'video', TotalCount: list.length, PlayInfoList: list,
    },
  };
}

/** GetOriginVideoPlayInfo 2018-01-01: the source file, flat. */
export async function getOriginVideoPlayInfo(ctx: Ctx, call: ApiCall): Promise<unknown> {
  const vid = required(call, 'Vid');
  const v = getVideo(ctx, vid);
  const o = sourceOf(ctx, v);
  const opts = { https: ssl(call), expiresIn: expiresIn(call) };
  return {
    MediaType: 'video', Duration: o.duration, Size: o.size, Height: o.height, Width: o.width, Format: o.format, CodecType: o.codec,
    Bitrate: bitrateOf(o), FileHash: o.md5, MainPlayUrl: playUrl(ctx, vid, 'origin', opts), BackupPlayUrl: playUrl(ctx, vid, 'origin', opts),
  };
}

/** RedirectPlay: the play URL of the requested definition (else the best one), for a 302. */
export async function redirectPlay(ctx: Ctx, call: ApiCall): Promise<{ redirect: string }> {
  const vid = required(call, 'Vid');
  const v = getVideo(ctx, vid);
  const list = entries(ctx, v, optional(call, 'Definition'));
  const best = list.reduce((a, b) => (b.height > a.height ? b : a));
  return { redirect: playUrl(ctx, vid, best.fileId, { https: ssl(call), expiresIn: expiresIn(call) }) };
}

/** GetCdnDomainWeights 2019-07-01: the emulator's own host:port is the only domain. */
export async function getCdnDomainWeights(ctx: Ctx, call: ApiCall): Promise<unknown> {
  const space = required(call, 'SpaceName');
  checkSpace(ctx, space);
  return { [space]: { [ctx.publicHost()]: 100 } };
}
