import { toQuery } from './query.ts';
import { sendApi, type ApiContext } from './request.ts';
import type * as T from './types.ts';

// One function per action of the VOD OpenAPI (protocol section 4), each taking the service's own field names.
// VodClient's methods are these over its context; a function that makes one call imports that call alone
// (a class is bundled whole, and a cold start pays for every byte).

/** GetPlayInfo (2019-03-15, GET): play URLs of every stream of a video. */
export function getPlayInfo(api: ApiContext, params: T.GetPlayInfoParams): Promise<T.GetPlayInfoResult> {
  return sendApi(api, { action: 'GetPlayInfo', version: '2019-03-15', method: 'GET', query: toQuery(params), idempotent: true });
}

/** GetOriginVideoPlayInfo (2018-01-01, GET): the original file's play info (`Ssl: true` for https URLs). */
export function getOriginVideoPlayInfo(api: ApiContext, params: T.GetOriginVideoPlayInfoParams): Promise<T.GetOriginVideoPlayInfoResult> {
  return sendApi(api, { action: 'GetOriginVideoPlayInfo', version: '2018-01-01', method: 'GET', query: toQuery(params), idempotent: true });
}

/** StartTranscode (2018-01-01, POST): query TemplateId, JSON body. Not retried once it may have been processed. */
export function startTranscode(api: ApiContext, params: T.StartTranscodeParams): Promise<T.StartTranscodeResult> {
  const { TemplateId, ...body } = params;
  return sendApi(api, { action: 'StartTranscode', version: '2018-01-01', method: 'POST', query: { TemplateId }, json: body, idempotent: false });
}

/**
 * UploadMediaByUrl (GET): with `SourceUrls` the 2018-01-01 form (`{Code, Message}`); with `URLSets` the
 * 2020-08-01 form (`{Data: [{JobId, SourceUrl}]}`, URLSets sent as a JSON string). Not retried once sent.
 */
export function uploadMediaByUrl(api: ApiContext, params: T.UploadMediaByUrlV2020Params): Promise<T.UploadMediaByUrlV2020Result>;
export function uploadMediaByUrl(api: ApiContext, params: T.UploadMediaByUrlV2018Params): Promise<T.UploadMediaByUrlV2018Result>;
export function uploadMediaByUrl(api: ApiContext, params: T.UploadMediaByUrlV2018Params | T.UploadMediaByUrlV2020Params): Promise<unknown> {
  if ('URLSets' in params) {
    const query = { SpaceName: params.SpaceName, URLSets: JSON.stringify(params.URLSets) };
    return sendApi(api, { action: 'UploadMediaByUrl', version: '2020-08-01', method: 'GET', query, idempotent: false });
  }
  return sendApi(api, { action: 'UploadMediaByUrl', version: '2018-01-01', method: 'GET', query: toQuery(params), idempotent: false });
}

/** QueryUploadTaskInfo (2020-08-01, GET): states of URL upload jobs. */
export function queryUploadTaskInfo(api: ApiContext, params: T.QueryUploadTaskInfoParams): Promise<T.QueryUploadTaskInfoResult> {
  return sendApi(api, { action: 'QueryUploadTaskInfo', version: '2020-08-01', method: 'GET', query: toQuery(params), idempotent: true });
}

/** ApplyUpload (2018-01-01, GET): an upload session (store URI, upload host, auth, SessionKey). */
export function applyUpload(api: ApiContext, params: T.ApplyUploadParams): Promise<T.ApplyUploadResult> {
  return sendApi(api, { action: 'ApplyUpload', version: '2018-01-01', method: 'GET', query: toQuery(params), idempotent: true });
}

/** CommitUpload (2018-01-01, POST): query SpaceName, JSON body; makes the Vid. Not retried once it may have been processed. */
export function commitUpload(api: ApiContext, params: T.CommitUploadParams): Promise<T.CommitUploadResult> {
  const { SpaceName, ...body } = params;
  return sendApi(api, { action: 'CommitUpload', version: '2018-01-01', method: 'POST', query: { SpaceName }, json: body, idempotent: false });
}

/** ModifyVideoInfo (2018-01-01, POST JSON). Tag lists given as arrays are comma-joined. */
export function modifyVideoInfo(api: ApiContext, params: T.ModifyVideoInfoParams): Promise<T.ModifyVideoInfoResult> {
  const json = params.Tags ? { ...params, Tags: toQuery(params.Tags) } : params;
  return sendApi(api, { action: 'ModifyVideoInfo', version: '2018-01-01', method: 'POST', json, idempotent: true });
}

/** SetVideoPublishStatus (2018-01-01, POST JSON): Published / Unpublished. */
export async function setVideoPublishStatus(api: ApiContext, params: T.SetVideoPublishStatusParams): Promise<void> {
  await sendApi(api, { action: 'SetVideoPublishStatus', version: '2018-01-01', method: 'POST', json: params, idempotent: true });
}

/** GetCdnDomainWeights (2019-07-01, GET): `{ [SpaceName]: { [domain]: weight } }`. */
export function getCdnDomainWeights(api: ApiContext, params: T.GetCdnDomainWeightsParams): Promise<T.GetCdnDomainWeightsResult> {
  return sendApi(api, { action: 'GetCdnDomainWeights', version: '2019-07-01', method: 'GET', query: toQuery(params), idempotent: true });
}
