import * as A from './actions.ts';
import { VodError } from './errors.ts';
import { posterUrlSource, type DomainWeights } from './poster.ts';
import { apiContext, type ApiContext, type ApiOptions } from './request.ts';
import { VodSigner, type VodSignerOptions } from './signer.ts';
import { uploadTo, type UploadOptions, type UploadResult } from './upload.ts';
import type * as T from './types.ts';

export interface VodClientOptions extends VodSignerOptions, ApiOptions {
  /** Poster domains when GetCdnDomainWeights fails or returns none. */
  posterFallbackWeights?: DomainWeights;
}

export interface UploadVideoOptions extends Omit<UploadOptions, 'fileType'> {
  fileType?: T.FileType;
  functions?: readonly T.CommitFunction[];
  callbackArgs?: string;
}
export interface UploadPosterOptions extends Omit<UploadOptions, 'fileType' | 'spaceName'> {
  vid: string;
  spaceName: string;
  fileType?: T.FileType;
}

/**
 * Typed client of the VOD OpenAPI (docs/vod-protocol.md): one method per action taking the service's own field
 * names, poster URLs and uploads, plus everything {@link VodSigner} signs (auth tokens, STS2 credentials). Every call is signed afresh per attempt;
 * every failure is a {@link VodError}. Constructing a client reads no environment and makes no request.
 *
 * @example
 * const vod = new VodClient({ endpoint: 'http://127.0.0.1:4100' });
 * const { Data } = await vod.getPlayInfo({ video_id: 'v0d23c', Ssl: true });
 */
export class VodClient extends VodSigner {
  readonly #api: ApiContext;
  readonly #posterUrls: (params: T.PosterUrlParams) => Promise<T.PosterUrls>;

  constructor(opts: VodClientOptions = {}) {
    super(opts);
    this.#api = apiContext({ origin: this.origin, region: this.region, credentials: () => this.credentials(), now: this.now }, opts);
    this.#posterUrls = posterUrlSource(this.#api, opts.posterFallbackWeights);
  }

  /** GetPlayInfo (2019-03-15, GET): play URLs of every stream of a video. */
  getPlayInfo(params: T.GetPlayInfoParams): Promise<T.GetPlayInfoResult> {
    return A.getPlayInfo(this.#api, params);
  }

  /** GetOriginVideoPlayInfo (2018-01-01, GET): the original file's play info (`Ssl: true` for https URLs). */
  getOriginVideoPlayInfo(params: T.GetOriginVideoPlayInfoParams): Promise<T.GetOriginVideoPlayInfoResult> {
    return A.getOriginVideoPlayInfo(this.#api, params);
  }

  /** StartTranscode (2018-01-01, POST): query TemplateId, JSON body. Not retried once it may have been processed. */
  startTranscode(params: T.StartTranscodeParams): Promise<T.StartTranscodeResult> {
    return A.startTranscode(this.#api, params);
  }

  /**
   * UploadMediaByUrl (GET): with `SourceUrls` the 2018-01-01 form (`{Code, Message}`); with `URLSets` the
   * 2020-08-01 form (`{Data: [{JobId, SourceUrl}]}`, URLSets sent as a JSON string). Not retried once sent.
   */
  uploadMediaByUrl(params: T.UploadMediaByUrlV2020Params): Promise<T.UploadMediaByUrlV2020Result>;
  uploadMediaByUrl(params: T.UploadMediaByUrlV2018Params): Promise<T.UploadMediaByUrlV2018Result>;
  uploadMediaByUrl(params: T.UploadMediaByUrlV2018Params | T.UploadMediaByUrlV2020Params): Promise<unknown> {
    return 'URLSets' in params ? A.uploadMediaByUrl(this.#api, params) : A.uploadMediaByUrl(this.#api, params);
  }

  /** QueryUploadTaskInfo (2020-08-01, GET): states of URL upload jobs. */
  queryUploadTaskInfo(params: T.QueryUploadTaskInfoParams): Promise<T.QueryUploadTaskInfoResult> {
    return A.queryUploadTaskInfo(this.#api, params);
  }

  /** ApplyUpload (2018-01-01, GET): an upload session (store URI, upload host, auth, SessionKey). */
  applyUpload(params: T.ApplyUploadParams): Promise<T.ApplyUploadResult> {
    return A.applyUpload(this.#api, params);
  }

  /** CommitUpload (2018-01-01, POST): query SpaceName, JSON body; makes the Vid. Not retried once it may have been processed. */
  commitUpload(params: T.CommitUploadParams): Promise<T.CommitUploadResult> {
    return A.commitUpload(this.#api, params);
  }

  /** ModifyVideoInfo (2018-01-01, POST JSON). Tag lists given as arrays are comma-joined. */
  modifyVideoInfo(params: T.ModifyVideoInfoParams): Promise<T.ModifyVideoInfoResult> {
    return A.modifyVideoInfo(this.#api, params);
  }

  /** SetVideoPublishStatus (2018-01-01, POST JSON): Published / Unpublished. */
  setVideoPublishStatus(params: T.SetVideoPublishStatusParams): Promise<void> {
    return A.setVideoPublishStatus(this.#api, params);
  }

  /** GetCdnDomainWeights (2019-07-01, GET): `{ [SpaceName]: { [domain]: weight } }`. */
  getCdnDomainWeights(params: T.GetCdnDomainWeightsParams): Promise<T.GetCdnDomainWeightsResult> {
    return A.getCdnDomainWeights(this.#api, params);
  }

  /**
   * Main and backup poster URLs (protocol 7), domains drawn by weight from the space's cached
   * GetCdnDomainWeights (refreshed lazily every 10 s; fallback weights when it fails or is empty).
   * `Https` defaults to the endpoint's scheme (https for the real service, http for a local emulator).
   */
  getPosterUrl(params: T.PosterUrlParams): Promise<T.PosterUrls> {
    return this.#posterUrls(params);
  }

  /** Stores a body on the upload host (direct or multipart, streaming); see {@link upload}. Returns the SessionKey. */
  upload(opts: UploadOptions): Promise<UploadResult> {
    return uploadTo(this.#api)(opts);
  }

  /**
   * upload + CommitUpload (the SDK's upload_video): returns CommitUpload's result (Results[0].Vid). When CommitUpload
   * fails, its VodError carries what was stored (`uploaded.sessionKey`): commit that session again, not the bytes.
   */
  async uploadVideo(opts: UploadVideoOptions): Promise<T.CommitUploadResult & { upload: UploadResult }> {
    const { functions, callbackArgs, ...rest } = opts;
    const stored = await this.upload({ ...rest, fileType: opts.fileType ?? 'video' });
    try {
      const committed = await this.commitUpload({
        SpaceName: opts.spaceName, SessionKey: stored.sessionKey,
        ...(callbackArgs !== undefined ? { CallbackArgs: callbackArgs } : {}), ...(functions ? { Functions: functions } : {}),
      });
      return { ...committed, upload: stored };
    } catch (err) {
      throw withUploaded(err, stored);
    }
  }

  /**
   * upload (image) + ModifyVideoInfo {Info:{PosterUri}} (the SDK's upload_poster); requires BaseResp.StatusCode 0.
   * When ModifyVideoInfo fails, its VodError carries what was stored (`uploaded.storeUri`, the PosterUri to set).
   */
  async uploadPoster(opts: UploadPosterOptions): Promise<{ posterUri: string }> {
    const { vid, ...rest } = opts;
    const stored = await this.upload({ ...rest, fileType: opts.fileType ?? 'image' });
    try {
      const res = await this.modifyVideoInfo({ SpaceName: opts.spaceName, Vid: vid, Info: { PosterUri: stored.storeUri } });
      if (res?.BaseResp?.StatusCode !== 0) {
        throw new VodError({
          code: 'ModifyVideoInfoFailed', action: 'ModifyVideoInfo',
          message: `ModifyVideoInfo: BaseResp.StatusCode ${String(res?.BaseResp?.StatusCode)} ${res?.BaseResp?.StatusMessage ?? ''}`.trim(),
        });
      }
    } catch (err) {
      throw withUploaded(err, stored);
    }
    return { posterUri: stored.storeUri };
  }
}

/** `err`, if a VodError, marked with the upload that succeeded before it (so the caller repeats only what failed). */
function withUploaded(err: unknown, stored: UploadResult): unknown {
  if (err instanceof VodError) err.uploaded = { sessionKey: stored.sessionKey, storeUri: stored.storeUri };
  return err;
}
