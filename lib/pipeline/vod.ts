import {
  commitUpload, getPlayInfo, queryUploadTaskInfo, setVideoPublishStatus, startTranscode, uploadMediaByUrl, uploadTo, type ApiContext,
  type CommitUploadParams,
} from '#lib/vod';
import type { PipelineVod } from './ports.ts';
import type { UrlUploadVod } from './url-upload.ts';

/**
 * The VOD calls the pipeline makes, as lib/vod's action functions over one API context (`vodApi(config())`), not
 * the VodClient class: a class is bundled whole (tokens, STS2, posters), which was 10 KB of every pipeline bundle.
 * The calls, retries and errors are VodClient's own (its methods are these functions).
 */
export function pipelineVod(api: ApiContext): PipelineVod & UrlUploadVod {
  return {
    upload: uploadTo(api),
    // the service's Functions, which the port types loosely (the pipeline passes VOD_COMMIT_FUNCTIONS through)
    commitUpload: (p: CommitUploadParams) => commitUpload(api, p),
    startTranscode: (p) => startTranscode(api, p),
    setVideoPublishStatus: (p) => setVideoPublishStatus(api, p),
    queryUploadTaskInfo: (p) => queryUploadTaskInfo(api, p),
    getPlayInfo: (p) => getPlayInfo(api, p),
    uploadMediaByUrl: (p) => uploadMediaByUrl(api, p),
  };
}
