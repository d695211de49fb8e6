export { VodClient, type UploadPosterOptions, type UploadVideoOptions, type VodClientOptions } from './client.ts';
export {
  applyUpload, commitUpload, getCdnDomainWeights, getOriginVideoPlayInfo, getPlayInfo, modifyVideoInfo, queryUploadTaskInfo,
  setVideoPublishStatus, startTranscode, uploadMediaByUrl,
} from './actions.ts';
export { VodSigner, type VodSignerOptions, apiOrigin } from './signer.ts';
export { crc32Hex, formatCrc32, preloadCrc32, sameCrc32 } from './crc.ts';
export { type ClientErrorCode, VodError, type VodErrorInit, networkErrorCode, redact } from './errors.ts';
export { type Fetch, type HttpRequestInit, type HttpResponse, httpFetch, MAX_TIMER_MS, readText, timeoutTimer } from './http.ts';
export { type WireAnswer, type WireBody, type WireCall, type WireRequest, preconnect, send } from './wire.ts';
export { type OpenedBody, type UploadBody, openBody } from './body.ts';
export {
  type StoreContext, type StoreTarget, type StoredPart, completeMultipart, initMultipart, listParts, putObject, uploadPart,
} from './multipart.ts';
export {
  type DomainWeights, MAX_CACHED_SPACES, PosterDomains, type PosterDomainsOptions, posterUrl, posterUrlBuilder, posterUrlSource, weightedPick,
} from './poster.ts';
export { encodeQuery, toQuery } from './query.ts';
export {
  type ApiCall, type ApiContext, type ApiOptions, type ApiTarget, type RetryPolicy, type TextResponse, apiContext, backoffDelay, fetchText,
  isRetryable, outcomeUnknown, sendApi, withRetry,
} from './request.ts';
export { type SignContext, playAuthToken, pythonJsonDumps, redirectPlayUrl, uploadAuthToken } from './tokens.ts';
export {
  DEFAULT_PART_SIZE, MAX_PARTS, MIN_PART_SIZE, type UploadCheckpoint, type UploadDeps, type UploadOptions, type UploadResult, upload, uploadTo,
} from './upload.ts';
export type {
  QueryValue, AmzExpires, GetPlayInfoParams, PlayInfo, GetPlayInfoResult, GetOriginVideoPlayInfoParams,
  GetOriginVideoPlayInfoResult, RedirectPlayParams, StartTranscodeParams, StartTranscodeResult,
  UploadMediaByUrlV2018Params, UploadMediaByUrlV2018Result, UrlSet, UploadMediaByUrlV2020Params,
  UploadMediaByUrlV2020Result, QueryUploadTaskInfoParams, UploadTaskInfo, QueryUploadTaskInfoResult, FileType,
  ApplyUploadParams, UploadAddress, ApplyUploadResult, CommitFunction, CommitUploadParams, CommitUploadItem,
  CommitUploadResult, ModifyVideoInfoParams, ModifyVideoInfoResult, SetVideoPublishStatusParams,
  GetCdnDomainWeightsParams, GetCdnDomainWeightsResult, UploadAuthTokenParams, PlayAuthTokenParams,
  PosterTemplate, PosterFormat, PosterUrlParams, PosterUrls,
} from './types.ts';
