import { Readable } from 'node:stream';
import type { Ctx } from './context.ts';
import { newBlobId, recordObject } from './objects.ts';
import type { UrlJob } from './state.ts';
import { startTranscode } from './transcode.ts';
import { createVideo, sourceInfo } from './videos.ts';

/** Fetches a URL-upload job's source (loopback URLs only, checked by the action) and makes the video. */
export async function runUrlJob(ctx: Ctx, job: UrlJob): Promise<void> {
  job.state = 'processing';
  await ctx.store.save();
  const blob = newBlobId(ctx, 'o');
  let obj;
  try {
    const res = await fetch(job.sourceUrl, { redirect: 'error', signal: AbortSignal.timeout(60_000) });
    if (!res.ok || !res.body) throw new Error(`source answered HTTP ${res.status}`);
    const digest = await ctx.blobs.put(blob, Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>), {
      maxBytes: ctx.opts.maxUploadBytes,
      verify: (d) => { if (job.md5 && d.md5 !== job.md5.toLowerCase()) throw new Error('md5 of the fetched file does not match Md5'); },
    });
    if (digest.size === 0) throw new Error('source is empty');
    obj = await recordObject(ctx, { uri: `tos-emu-v-0001/${ctx.rng.hex(32)}`, blob, digest, space: job.space, fileType: 'video' });
  } catch (e) {
    await ctx.blobs.delete(blob).catch(() => undefined);
    job.state = 'failed';
    job.message = e instanceof Error && e.name !== 'TypeError' ? e.message : 'cannot fetch the source URL';
    await ctx.store.save();
    ctx.callbacks.send('FileUploadByUrlComplete', {
      Code: 'Failed', Message: job.message, JobId: job.jobId, SourceUrl: job.sourceUrl, CallbackArgs: job.callbackArgs, Vid: '', SpaceName: job.space, SourceInfo: {},
    });
    return;
  }
  const video = createVideo(ctx, obj, { title: job.title, description: job.description, category: job.category, tags: job.tags });
  job.vid = video.vid;
  job.state = 'success';
  if (job.templateId) startTranscode(ctx, video, { templateId: job.templateId, callbackArgs: job.callbackArgs });
  await ctx.store.save();
  ctx.callbacks.send('FileUploadByUrlComplete', {
    Code: 'Success', Message: '', JobId: job.jobId, SourceUrl: job.sourceUrl, CallbackArgs: job.callbackArgs, Vid: video.vid, SpaceName: job.space, SourceInfo: sourceInfo(obj),
  });
}
