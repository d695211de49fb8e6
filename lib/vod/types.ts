/**
 * Typed params and results of every action of the VOD OpenAPI (protocol section 4). Field names are the
 * service's own, so the protocol and the service documentation read straight onto the code.
 * Query values: numbers are stringified, booleans become "1"/"0" (the protocol's only flag, `Ssl`, is "1"),
 * arrays are comma-joined.
 */
export type QueryValue = string | number | boolean | readonly string[];

/** Signed-URL / token lifetime in seconds (1..604800; the service defaults to 900 when absent). */
export type AmzExpires = string | number;

// ---- GetPlayInfo (2019-03-15, GET)
export interface GetPlayInfoParams {
  video_id: string;
  Definition?: string;
  Watermark?: string;
  Ssl?: string | number | boolean;
  Format?: string;
  Codec?: string;
  'X-Amz-Expires'?: AmzExpires;
}
export interface PlayInfo {
  Bitrate: number; FileHash: string; Size: number; Height: number; Width: number; Format: string; Codec: string;
  Logo: string; Definition: string; Quality: string; PlayAuth: string; MainPlayUrl: string; BackupPlayUrl: string;
  FileID: string; P2pVerifyURL: string; PreloadInterval: number; PreloadMaxStep: number; PreloadMinStep: number; PreloadSize: number;
}
export interface GetPlayInfoResult {
  Data: { Status: number; VideoID: string; CoverUrl: string; Duration: number; MediaType: string; TotalCount: number; PlayInfoList: PlayInfo[] };
}

// ---- GetOriginVideoPlayInfo (2018-01-01, GET)
export interface GetOriginVideoPlayInfoParams { Vid: string; Ssl?: string | number | boolean }
export interface GetOriginVideoPlayInfoResult {
  MediaType: string; Duration: number; Size: number; Height: number; Width: number; Format: string; CodecType: string;
  Bitrate: number; FileHash: string; MainPlayUrl: string; BackupPlayUrl: string;
}

// ---- RedirectPlay (2018-01-01, signed URL only)
export interface RedirectPlayParams { Vid: string; Definition?: string; Watermark?: string; 'X-Amz-Expires'?: AmzExpires }

// ---- StartTranscode (2018-01-01, POST: query TemplateId, JSON body)
export interface StartTranscodeParams {
  TemplateId: string;
  Vid: string;
  Input?: Record<string, unknown>;
  Priority?: number;
  CallbackArgs?: string;
  CallbackUri?: string;
}
export interface StartTranscodeResult { RunId: string }

// ---- UploadMediaByUrl (2018-01-01 and 2020-08-01, GET)
export interface UploadMediaByUrlV2018Params {
  SpaceName: string;
  Format: 'mp4' | 'm3u8' | (string & {});
  SourceUrls: readonly string[];
  CallbackArgs?: string;
}
export interface UploadMediaByUrlV2018Result { Code: number | string; Message: string }
export interface UrlSet {
  SourceUrl: string; CallbackArgs?: string; Md5?: string; TemplateId?: string; Title?: string; Description?: string;
  Tags?: string; Category?: string; FileName?: string;
}
export interface UploadMediaByUrlV2020Params { SpaceName: string; URLSets: readonly UrlSet[] }
export interface UploadMediaByUrlV2020Result { Data: Array<{ JobId: string; SourceUrl: string }> }

// ---- QueryUploadTaskInfo (2020-08-01, GET)
export interface QueryUploadTaskInfoParams { JobIds: readonly string[] }
export interface UploadTaskInfo {
  JobId: string; SourceUrl: string; State: 'initial' | 'processing' | 'success' | 'failed'; Vid: string; SpaceName: string;
  SourceInfo: Record<string, unknown>; CallbackArgs: string;
}
export interface QueryUploadTaskInfoResult { Data: { MediaInfoList: UploadTaskInfo[]; NotExistJobIds: string[] } }

// ---- ApplyUpload (2018-01-01, GET)
export type FileType = 'video' | 'image' | 'object';
export interface ApplyUploadParams {
  SpaceName: string;
  FileType?: FileType;
  FileSize?: number;
  UploadNum?: number;
  SessionKey?: string;
  TosKeys?: readonly string[];
  UploadHosts?: readonly string[];
}
export interface UploadAddress {
  StoreInfos: Array<{ StoreUri: string; Auth: string }>;
  UploadHosts: string[];
  UploadHeader?: Record<string, string>;
  SessionKey: string;
  AdvanceOption?: { Parallel?: number; Stream?: number; SliceSize?: number };
}
export interface ApplyUploadResult { RequestID?: string; UploadAddress: UploadAddress }

// ---- CommitUpload (2018-01-01, POST: query SpaceName, JSON body)
export type CommitFunction =
  | { Name: 'GetMeta'; Input?: Record<string, never> }
  | { Name: 'Snapshot'; Input: { SnapshotTime: number } }
  | { Name: 'AddOptionInfo'; Input: { Title?: string; Tags?: string; Description?: string; Category?: string } }
  | { Name: 'StartWorkflow'; Input: { TemplateId: string } }
  | { Name: 'Encryption'; Input: { Config?: Record<string, unknown>; PolicyParams?: Record<string, unknown> } };
export interface CommitUploadParams { SpaceName: string; SessionKey: string; CallbackArgs?: string; Functions?: readonly CommitFunction[] }
export interface CommitUploadItem {
  Vid?: string;
  VideoMeta?: { Uri: string; Height: number; Width: number; Duration: number; Bitrate: number; Md5: string; Format: string; Size: number };
  ImageMeta?: { Uri: string; Height: number; Width: number; Md5: string };
  ObjectMeta?: { Uri: string; Md5: string };
  Encryption?: Record<string, unknown>;
  PosterUri?: string;
}
export interface CommitUploadResult { RequestId?: string; CallbackArgs?: string; Results: CommitUploadItem[] }

// ---- ModifyVideoInfo (2018-01-01, POST JSON)
export interface ModifyVideoInfoParams {
  SpaceName: string;
  Vid: string;
  Info?: { Title?: string; Description?: string; Category?: string; PosterUri?: string };
  /** Tag lists; arrays are comma-joined. */
  Tags?: { Deletes?: string | readonly string[]; Adds?: string | readonly string[] };
}
export interface ModifyVideoInfoResult { BaseResp: { StatusCode: number; StatusMessage?: string } }

// ---- SetVideoPublishStatus (2018-01-01, POST JSON, no Result)
export interface SetVideoPublishStatusParams { SpaceName: string; Vid: string; Status: 'Published' | 'Unpublished' }

// ---- GetCdnDomainWeights (2019-07-01, GET)
export interface GetCdnDomainWeightsParams { SpaceName: string; ProductLine?: string }
/** `{ "<SpaceName>": { "<domain>": weight } }` */
export type GetCdnDomainWeightsResult = Record<string, Record<string, number>>;

// ---- auth tokens and poster URLs (client-side helpers)
export interface UploadAuthTokenParams { SpaceName: string; 'X-Amz-Expires'?: AmzExpires }
export type PlayAuthTokenParams = GetPlayInfoParams;
export type PosterTemplate = 'tplv-vod-noop' | 'tplv-vod-obj' | 'tplv-vod-rs' | 'tplv-vod-cc' | 'tplv-vod-cs' | (string & {});
export type PosterFormat = 'image' | 'jpeg' | 'png' | 'webp' | 'awebp' | 'gif' | 'heic';
export interface PosterUrlParams {
  SpaceName: string;
  Uri: string;
  /** Default `tplv-vod-noop`. */
  Template?: PosterTemplate;
  Width?: number;
  Height?: number;
  /** Default `image`. */
  Format?: PosterFormat;
  /** posterUrl: default true. VodClient.getPosterUrl: default the API endpoint's scheme. */
  Https?: boolean;
}
export interface PosterUrls { MainUrl: string; BackupUrl: string }
