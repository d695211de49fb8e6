import { rfc3339, type Ctx } from './context.ts';
import { ladder, sourceOf } from './videos.ts';
import type { Video } from './state.ts';

/** Starts a (simulated) transcode: the video is 'transcoding' until the configured delay has passed. */
export function startTranscode(ctx: Ctx, video: Video, t: { templateId: string; callbackArgs?: string; callbackUri?: string }): string {
  const runId = ctx.rng.hex(32);
  video.state = 'transcoding';
  video.transcode = { runId, templateId: t.templateId, startedAt: ctx.now().toISOString(), callbackArgs: t.callbackArgs ?? '', callbackUri: t.callbackUri ?? '' };
  scheduleFinish(ctx, video, ctx.opts.transcodeDelayMs);
  return runId;
}

function scheduleFinish(ctx: Ctx, video: Video, delayMs: number): void {
  const runId = video.transcode?.runId;
  ctx.later(delayMs, async () => {
    const v = ctx.state.videos[video.vid];
    if (!v || v.state !== 'transcoding' || v.transcode?.runId !== runId || !v.transcode) return;
    const src = ctx.state.objects[v.uri];
    v.renditions = src ? ladder(ctx, src) : [];
    v.state = 'transcoded';
    await ctx.store.save();
    const o = sourceOf(ctx, v);
    ctx.callbacks.send('TranscodeComplete', {
      Code: 'Success', Message: '', Vid: v.vid, RunId: v.transcode.runId, SpaceName: v.space, TemplateId: v.transcode.templateId,
      CallbackArgs: v.transcode.callbackArgs, FinishTime: rfc3339(ctx.now()),
      TranscodeInfos: v.renditions.map((r) => ({
        Definition: r.definition, Format: 'mp4', Codec: o.codec || 'h264', Width: r.width, Height: r.height, Bitrate: r.bitrate,
        Duration: o.duration, Size: o.size, Md5: o.md5, FileId: r.fileId, StoreUri: o.uri,
      })),
    }, v.transcode.callbackUri || undefined);
  });
}

/** After a restart, finishes the transcodes that were running (remaining time measured from their start). */
export function resumeTranscodes(ctx: Ctx): void {
  for (const v of Object.values(ctx.state.videos)) {
    if (v.state !== 'transcoding' || !v.transcode) continue;
    const elapsed = ctx.now().getTime() - Date.parse(v.transcode.startedAt);
    scheduleFinish(ctx, v, Math.max(0, ctx.opts.transcodeDelayMs - (Number.isFinite(elapsed) ? elapsed : 0)));
  }
}
