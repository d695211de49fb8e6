import { bodyString, jsonBody, list, optional, required, type ApiCall } from '../call.ts';
import { checkSpace, type Ctx } from '../context.ts';
import { invalid, missing } from '../errors.ts';
import { isLoopbackUrl } from '../loopback.ts';
import type { UrlJob } from '../state.ts';
import { startTranscode } from '../transcode.ts';
import { runUrlJob } from '../url-upload.ts';
import { getVideo, sourceInfo } from '../videos.ts';

/** ModifyVideoInfo: title, description, category, poster and tags. */
export async function modifyVideoInfo(ctx: Ctx, call: ApiCall): Promise<unknown> {
  const body = jsonBody(call);
  const vid = bodyString(body, 'Vid', { required: true })!;
  const space = bodyString(body, 'SpaceName');
  if (space) checkSpace(ctx, space);
  const video = getVideo(ctx, vid, space);
  const info = body.Info;
  if (info !== undefined && (info === null || typeof info !== 'object' || Array.isArray(info))) throw invalid('Info', 'expected an object');
  const i = (info ?? {}) as Record<string, unknown>;
  const str = (k: string): string | undefined => (i[k] === undefined || i[k] === null ? undefined : String(i[k]));
  video.title = str('Title') ?? video.title;
  video.description = str('Description') ?? video.description;
  video.category = str('Category') ?? video.category;
  video.posterUri = str('PosterUri') ?? video.posterUri;
  const tags = (body.Tags ?? {}) as Record<string, unknown>;
  const deletes = new Set(list(tags.Deletes));
  video.tags = [...new Set([...video.tags.filter((t) => !deletes.has(t)), ...list(tags.Adds)])];
  await ctx.store.save();
  return { BaseResp: { StatusCode: 0, StatusMessage: 'Success' } };
}

/** SetVideoPublishStatus (POST, or GET with a JSON body as one SDK sends it). */
export async function setVideoPublishStatus(ctx: Ctx, call: ApiCall): Promise<unknown> {
  const body = { ...call.params, ...jsonBody(call) };
  const vid = bodyString(body, 'Vid', { required: true })!;
  const status = bodyString(body, 'Status', { required: true })!;
  if (status !== 'Published' && status !== 'Unpublished') throw invalid('Status', 'expected Published or Unpublished');
  const space = bodyString(body, 'SpaceName');
  if (space) checkSpace(ctx, space);
  const video = getVideo(ctx, vid, space);
  video.publishStatus = status;
  await ctx.store.save();
  return undefined;
}

/** StartTranscode: RunId now, renditions + TranscodeComplete after the configured delay. */
export async function startTranscodeAction(ctx: Ctx, call: ApiCall): Promise<unknown> {
  const templateId = required(call, 'TemplateId');
  const body = jsonBody(call);
  const vid = bodyString(body, 'Vid', { required: true })!;
  const callbackUri = bodyString(body, 'CallbackUri');
  if (callbackUri && !isLoopbackUrl(callbackUri)) throw invalid('CallbackUri', 'the emulator only calls loopback http(s) URLs');
  if (body.Priority !== undefined && !Number.isInteger(body.Priority)) throw invalid('Priority', 'expected an integer');
  if (body.Input !== undefined && (body.Input === null || typeof body.Input !== 'object')) throw invalid('Input', 'expected an object');
  const video = getVideo(ctx, vid);
  const runId = startTranscode(ctx, video, { templateId, callbackArgs: bodyString(body, 'CallbackArgs') ?? '', callbackUri });
  await ctx.store.save();
  return { RunId: runId };
}

function checkSourceUrl(url: string): void {
  if (!isLoopbackUrl(url)) throw invalid('SourceUrl', `the emulator only fetches loopback http(s) URLs: ${url.slice(0, 200)}`);
}

function newJob(ctx: Ctx, space: string, j: Partial<UrlJob> & { sourceUrl: string }): UrlJob {
  return {
    jobId: ctx.rng.hex(32), space, state: 'initial', callbackArgs: '', vid: '', message: '', md5: '', templateId: '', title: '',
    description: '', category: '', tags: [], fileName: '', createdAt: ctx.now().toISOString(), ...j,
  };
}

function launch(ctx: Ctx, jobs: UrlJob[]): void {
  for (const job of jobs) ctx.state.jobs[job.jobId] = job;
  ctx.background((async () => { for (const job of jobs) await runUrlJob(ctx, job); })());
}

/** UploadMediaByUrl 2018-01-01: `SourceUrls` comma list, answers `{Code, Message}`. */
export async function uploadMediaByUrl2018(ctx: Ctx, call: ApiCall): Promise<unknown> {
  const space = required(call, 'SpaceName');
  checkSpace(ctx, space);
  const format = optional(call, 'Format');
  if (format && !['mp4', 'm3u8'].includes(format.toLowerCase())) throw invalid('Format', 'expected mp4 or m3u8');
  const urls = list(required(call, 'SourceUrls'));
  if (urls.length === 0) throw missing('SourceUrls');
  if (urls.length > 20) throw invalid('SourceUrls', 'at most 20');
  urls.forEach(checkSourceUrl);
  const callbackArgs = optional(call, 'CallbackArgs') ?? '';
  const jobs = urls.map((sourceUrl) => newJob(ctx, space, { sourceUrl, callbackArgs }));
  launch(ctx, jobs);
  await ctx.store.save();
  return { Code: 0, Message: 'Success' };
}

/** UploadMediaByUrl 2020-08-01: `URLSets` JSON (query or form body), answers `{Data:[{JobId, SourceUrl}]}`. */
export async function uploadMediaByUrl2020(ctx: Ctx, call: ApiCall): Promise<unknown> {
  const space = required(call, 'SpaceName');
  checkSpace(ctx, space);
  let sets: unknown;
  try { sets = JSON.parse(required(call, 'URLSets')); } catch { throw invalid('URLSets', 'not valid JSON'); }
  if (!Array.isArray(sets) || sets.length === 0) throw invalid('URLSets', 'expected a non-empty JSON list');
  if (sets.length > 20) throw invalid('URLSets', 'at most 20');
  const jobs = sets.map((s: unknown) => {
    if (!s || typeof s !== 'object') throw invalid('URLSets', 'each entry must be an object');
    const e = s as Record<string, unknown>;
    const sourceUrl = bodyString(e, 'SourceUrl', { required: true })!;
    checkSourceUrl(sourceUrl);
    const md5 = bodyString(e, 'Md5') ?? '';
    if (md5 && !/^[0-9a-fA-F]{32}$/.test(md5)) throw invalid('Md5', 'expected 32 hex digits');
    return newJob(ctx, space, {
      sourceUrl, md5, callbackArgs: bodyString(e, 'CallbackArgs') ?? '', templateId: bodyString(e, 'TemplateId') ?? '',
      title: bodyString(e, 'Title') ?? '', description: bodyString(e, 'Description') ?? '', category: bodyString(e, 'Category') ?? '',
      tags: list(e.Tags), fileName: bodyString(e, 'FileName') ?? '',
    });
  });
  launch(ctx, jobs);
  await ctx.store.save();
  return { Data: jobs.map((j) => ({ JobId: j.jobId, SourceUrl: j.sourceUrl })) };
}

/** QueryUploadTaskInfo: state of URL-upload jobs. */
export async function queryUploadTaskInfo(ctx: Ctx, call: ApiCall): Promise<unknown> {
  const ids = list(required(call, 'JobIds'));
  if (ids.length > 20) throw invalid('JobIds', 'at most 20');
  const found = ids.map((id) => ctx.state.jobs[id]).filter((j): j is UrlJob => j !== undefined);
  return {
    Data: {
      MediaInfoList: found.map((j) => {
        const obj = j.vid ? ctx.state.objects[ctx.state.videos[j.vid]?.uri ?? ''] : undefined;
        return { JobId: j.jobId, SourceUrl: j.sourceUrl, State: j.state, Vid: j.vid, SpaceName: j.space, SourceInfo: obj ? sourceInfo(obj) : {}, CallbackArgs: j.callbackArgs };
      }),
      NotExistJobIds: ids.filter((id) => !ctx.state.jobs[id]),
    },
  };
}
