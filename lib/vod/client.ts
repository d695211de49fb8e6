import { VodError } from './errors.ts';
import { httpFetch, type Fetch } from './http.ts';
import { PosterDomains, posterUrlBuilder, type DomainWeights } from './poster.ts';
import { toQuery } from './query.ts';
import { sendApi, type ApiCall, type ApiContext, type RetryPolicy } from './request.ts';
import { VodSigner, type VodSignerOptions } from './signer.ts';
import { upload, type UploadOptions, type UploadResult } from './upload.ts';
import type * as T from './types.ts';

export interface VodClientOptions extends VodSignerOptions {
  /** Per API request (default 5000). */
  timeoutMs?: number;
  /** Retries after the first attempt (default 3), for idempotent calls or provably unprocessed ones. */
  retries?: number;
  /** Backoff: full jitter in [0, min(maxDelayMs, baseDelayMs x 2^retry)); defaults 100 and 5000 ms. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** HTTP transport of API and upload requests (default {@link httpFetch}, over node:http). */
  fetch?: Fetch;
  /** Uniform [0, 1) source of backoff jitter and poster domain draws (default Math.random). */
  uniform?: () => number;
  sleep?: (ms: number) => Promise<void>;
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
  readonly #posters: PosterDomains;

  constructor(opts: VodClientOptions = {}) {
    super(opts);
    const uniform = opts.uniform ?? Math.random;
    const retry: RetryPolicy = {
      retries: opts.retries ?? 3,
      baseDelayMs: opts.baseDelayMs ?? 100,
      maxDelayMs: opts.maxDelayMs ?? 5000,
      sleep: opts.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
      uniform,
    };
    this.#api = {
      origin: this.origin, region: this.region, credentials: () => this.credentials(), now: this.now,
      fetch: opts.fetch ?? httpFetch, timeoutMs: opts.timeoutMs ?? 5000, retry,
    };
    this.#posters = new PosterDomains({
      load: async (space) => (await this.#call<T.GetCdnDomainWeightsResult>(
        { action: 'GetCdnDomainWeights', version: '2019-07-01', method: 'GET', query: { SpaceName: space }, idempotent: true }, 0))?.[space],
      ...(opts.posterFallbackWeights ? { fallback: opts.posterFallbackWeights } : {}),
      now: this.now, uniform,
    });
  }

  #call<R>(call: ApiCall, retries?: number): Promise<R> {
    const ctx = retries === undefined ? this.#api : { ...this.#api, retry: { ...this.#api.retry, retries } };
    return sendApi<R>(ctx, call);
  }

  /** GetPlayInfo (2019-03-15, GET): play URLs of every stream of a video. */
  getPlayInfo(params: T.GetPlayInfoParams): Promise<T.GetPlayInfoResult> {
    return this.#call({ action: 'GetPlayInfo', version: '2019-03-15', method: 'GET', query: toQuery(params), idempotent: true });
  }

  /** GetOriginVideoPlayInfo (2018-01-01, GET): the original file's play info (`Ssl: true` for https URLs). */
  getOriginVideoPlayInfo(params: T.GetOriginVideoPlayInfoParams): Promise<T.GetOriginVideoPlayInfoResult> {
    return this.#call({ action: 'GetOriginVideoPlayInfo', version: '2018-01-01', method: 'GET', query: toQuery(params), idempotent: true });
  }

  /** StartTranscode (2018-01-01, POST): query TemplateId, JSON body. Not retried once it may have been processed. */
  startTranscode(params: T.StartTranscodeParams): Promise<T.StartTranscodeResult> {
    const { TemplateId, ...body } = params;
    return this.#call({ action: 'StartTranscode', version: '2018-01-01', method: 'POST', query: { TemplateId }, json: body, idempotent: false });
  }

  /**
   * UploadMediaByUrl (GET): with `SourceUrls` the 2018-01-01 form (`{Code, Message}`); with `URLSets` the
   * 2020-08-01 form (`{Data: [{JobId, SourceUrl}]}`, URLSets sent as a JSON string). Not retried once sent.
   */
  uploadMediaByUrl(params: T.UploadMediaByUrlV2020Params): Promise<T.UploadMediaByUrlV2020Result>;
  uploadMediaByUrl(params: T.UploadMediaByUrlV2018Params): Promise<T.UploadMediaByUrlV2018Result>;
  uploadMediaByUrl(params: T.UploadMediaByUrlV2018Params | T.UploadMediaByUrlV2020Params): Promise<unknown> {
    if ('URLSets' in params) {
      const query = { SpaceName: params.SpaceName, URLSets: JSON.stringify(params.URLSets) };
      return this.#call({ action: 'UploadMediaByUrl', version: '2020-08-01', method: 'GET', query, idempotent: false });
    }
    return this.#call({ action: 'UploadMediaByUrl', version: '2018-01-01', method: 'GET', query: toQuery(params), idempotent: false });
  }

  /** QueryUploadTaskInfo (2020-08-01, GET): states of URL upload jobs. */
  queryUploadTaskInfo(params: T.QueryUploadTaskInfoParams): Promise<T.QueryUploadTaskInfoResult> {
    return this.#call({ action: 'QueryUploadTaskInfo', version: '2020-08-01', method: 'GET', query: toQuery(params), idempotent: true });
  }

  /** ApplyUpload (2018-01-01, GET): an upload session (store URI, upload host, auth, SessionKey). */
  applyUpload(params: T.ApplyUploadParams): Promise<T.ApplyUploadResult> {
    return this.#call({ action: 'ApplyUpload', version: '2018-01-01', method: 'GET', query: toQuery(params), idempotent: true });
  }

  /** CommitUpload (2018-01-01, POST): query SpaceName, JSON body; makes the Vid. Not retried once it may have been processed. */
  commitUpload(params: T.CommitUploadParams): Promise<T.CommitUploadResult> {
    const { SpaceName, ...body } = params;
    return this.#call({ action: 'CommitUpload', version: '2018-01-01', method: 'POST', query: { SpaceName }, json: body, idempotent: false });
  }

  /** ModifyVideoInfo (2018-01-01, POST JSON). Tag lists given as arrays are comma-joined. */
  modifyVideoInfo(params: T.ModifyVideoInfoParams): Promise<T.ModifyVideoInfoResult> {
    const json = params.Tags ? { ...params, Tags: toQuery(params.Tags) } : params;
    return this.#call({ action: 'ModifyVideoInfo', version: '2018-01-01', method: 'POST', json, idempotent: true });
  }

  /** SetVideoPublishStatus (2018-01-01, POST JSON): Published / Unpublished. */
  async setVideoPublishStatus(params: T.SetVideoPublishStatusParams): Promise<void> {
    await this.#call({ action: 'SetVideoPublishStatus', version: '2018-01-01', method: 'POST', json: params, idempotent: true });
  }

  /** GetCdnDomainWeights (2019-07-01, GET): `{ [SpaceName]: { [domain]: weight } }`. */
  getCdnDomainWeights(params: T.GetCdnDomainWeightsParams): Promise<T.GetCdnDomainWeightsResult> {
    return this.#call({ action: 'GetCdnDomainWeights', version: '2019-07-01', method: 'GET', query: toQuery(params), idempotent: true });
  }

  /**
   * Main and backup poster URLs (protocol 7), domains drawn by weight from the space's cached
   * GetCdnDomainWeights (refreshed lazily every 10 s; fallback weights when it fails or is empty).
   * `Https` defaults to the endpoint's scheme (https for the real service, http for a local emulator).
   */
  async getPosterUrl(params: T.PosterUrlParams): Promise<T.PosterUrls> {
    // validates Template / Width / Height before any request; the scheme follows the API endpoint unless given
    const url = posterUrlBuilder({ ...params, Https: params.Https ?? this.origin.startsWith('https:') });
    const { main, backup } = await this.#posters.pick(params.SpaceName);
    return { MainUrl: url(main), BackupUrl: url(backup) };
  }

  /** Stores a body on the upload host (direct or multipart, streaming); see {@link upload}. Returns the SessionKey. */
  upload(opts: UploadOptions): Promise<UploadResult> {
    const store = { scheme: this.origin.startsWith('http:') ? 'http:' as const : 'https:' as const, fetch: this.#api.fetch, retry: this.#api.retry };
    return upload({ applyUpload: (p) => this.applyUpload(p), store }, opts);
  }

  /** upload + CommitUpload (the SDK's upload_video): returns CommitUpload's result (Results[0].Vid). */
  async uploadVideo(opts: UploadVideoOptions): Promise<T.CommitUploadResult & { upload: UploadResult }> {
    const { functions, callbackArgs, ...rest } = opts;
    const stored = await this.upload({ ...rest, fileType: opts.fileType ?? 'video' });
    const committed = await this.commitUpload({
      SpaceName: opts.spaceName, SessionKey: stored.sessionKey,
      ...(callbackArgs !== undefined ? { CallbackArgs: callbackArgs } : {}), ...(functions ? { Functions: functions } : {}),
    });
    return { ...committed, upload: stored };
  }

  /** upload (image) + ModifyVideoInfo {Info:{PosterUri}} (the SDK's upload_poster); requires BaseResp.StatusCode 0. */
  async uploadPoster(opts: UploadPosterOptions): Promise<{ posterUri: string }> {
    const { vid, ...rest } = opts;
    const stored = await this.upload({ ...rest, fileType: opts.fileType ?? 'image' });
    const res = await this.modifyVideoInfo({ SpaceName: opts.spaceName, Vid: vid, Info: { PosterUri: stored.storeUri } });
    if (res?.BaseResp?.StatusCode !== 0) {
      throw new VodError({
        code: 'ModifyVideoInfoFailed', action: 'ModifyVideoInfo',
        message: `ModifyVideoInfo: BaseResp.StatusCode ${String(res?.BaseResp?.StatusCode)} ${res?.BaseResp?.StatusMessage ?? ''}`.trim(),
      });
    }
    return { posterUri: stored.storeUri };
  }
}
