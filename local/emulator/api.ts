import { Resource } from '#lib/signing';
import { applyUpload, commitUpload } from './actions/upload.ts';
import { getCdnDomainWeights, getOriginVideoPlayInfo, getPlayInfo, redirectPlay } from './actions/play.ts';
import { modifyVideoInfo, queryUploadTaskInfo, setVideoPublishStatus, startTranscodeAction, uploadMediaByUrl2018, uploadMediaByUrl2020 } from './actions/media.ts';
import { authenticate, authorize } from './auth.ts';
import { jsonBody, optional, parseParams, type ApiCall } from './call.ts';
import type { Ctx } from './context.ts';
import { ApiError, invalid } from './errors.ts';

type Handler = (ctx: Ctx, call: ApiCall) => Promise<unknown>;
type Method = 'GET' | 'POST';

/** One version of an action: its handler and the methods section 4 names for it. */
interface VersionSpec {
  run: Handler;
  methods: readonly Method[];
  /** POST may carry the parameters as an `application/x-www-form-urlencoded` body ("POST form" in section 4). */
  form?: true;
}

interface ActionSpec {
  versions: Record<string, VersionSpec>;
  /** "signed URL only" (RedirectPlay): a header-signed request is refused. */
  signedUrlOnly?: true;
  /** STS2 policy resources of the call. */
  resources(ctx: Ctx, call: ApiCall): string[];
}

const bodyField = (call: ApiCall, name: string): string => {
  try {
    const v = jsonBody(call)[name];
    return typeof v === 'string' ? v : '';
  } catch { return ''; }
};
const video = (vid: string | undefined): string[] => (vid ? [Resource.video(vid)] : []);
const space = (ctx: Ctx, s: string | undefined): string[] => (s ? [Resource.space(s, ctx.opts.region)] : []);
const GET = ['GET'] as const;
const POST = ['POST'] as const;

/** The catalogue of protocol section 4, methods included (SetVideoPublishStatus: POST, and GET as one SDK sends it). */
export const ACTIONS: Record<string, ActionSpec> = {
  GetPlayInfo: {
    versions: { '2019-03-15': { run: getPlayInfo, methods: GET } },
    resources: (_ctx, c) => {
      const w = optional(c, 'Watermark');
      return [...video(optional(c, 'video_id')), ...(w ? [Resource.watermark(w)] : [])];
    },
  },
  GetOriginVideoPlayInfo: { versions: { '2018-01-01': { run: getOriginVideoPlayInfo, methods: GET } }, resources: (_ctx, c) => video(optional(c, 'Vid')) },
  RedirectPlay: { versions: { '2018-01-01': { run: redirectPlay, methods: GET } }, signedUrlOnly: true, resources: (_ctx, c) => video(optional(c, 'Vid')) },
  StartTranscode: { versions: { '2018-01-01': { run: startTranscodeAction, methods: POST } }, resources: (_ctx, c) => video(bodyField(c, 'Vid')) },
  UploadMediaByUrl: {
    versions: {
      '2018-01-01': { run: uploadMediaByUrl2018, methods: GET },
      '2020-08-01': { run: uploadMediaByUrl2020, methods: ['GET', 'POST'], form: true },
    },
    resources: (ctx, c) => space(ctx, optional(c, 'SpaceName')),
  },
  QueryUploadTaskInfo: { versions: { '2020-08-01': { run: queryUploadTaskInfo, methods: GET } }, resources: () => [] },
  ApplyUpload: { versions: { '2018-01-01': { run: applyUpload, methods: GET } }, resources: (ctx, c) => space(ctx, optional(c, 'SpaceName')) },
  CommitUpload: { versions: { '2018-01-01': { run: commitUpload, methods: POST } }, resources: (ctx, c) => space(ctx, optional(c, 'SpaceName')) },
  ModifyVideoInfo: { versions: { '2018-01-01': { run: modifyVideoInfo, methods: POST } }, resources: (_ctx, c) => video(bodyField(c, 'Vid')) },
  SetVideoPublishStatus: {
    versions: { '2018-01-01': { run: setVideoPublishStatus, methods: ['POST', 'GET'] } },
    resources: (_ctx, c) => video(bodyField(c, 'Vid') || optional(c, 'Vid')),
  },
  GetCdnDomainWeights: { versions: { '2019-07-01': { run: getCdnDomainWeights, methods: GET } }, resources: (ctx, c) => space(ctx, optional(c, 'SpaceName')) },
};

export interface ApiRequest { method: string; rawQuery: string; headers: Record<string, string | undefined>; body: Buffer; requestId: string }
export type ApiOutcome = { status: 200; result: unknown } | { status: 302; location: string };

/** Verifies, authorizes and runs one API request; throws ApiError for the envelope. */
export async function runApi(ctx: Ctx, req: ApiRequest): Promise<ApiOutcome> {
  // Every request is verified first, even one with an unknown Action (as the service does).
  const principal = await authenticate(ctx, { method: req.method, path: '/', rawQuery: req.rawQuery, headers: req.headers, body: req.body });
  // Action and Version are query parameters only (section 1): never taken from a body
  const params = parseParams(req.rawQuery);
  const action = params.Action ?? '';
  const version = params.Version ?? '';
  if (!action) throw new ApiError('MissingParameter', 'The request is missing Action parameter.', 400);
  const spec = Object.hasOwn(ACTIONS, action) ? ACTIONS[action] : undefined;
  if (!spec) throw new ApiError('InvalidAction', `Could not find operation ${action.slice(0, 100)}.`);
  if (!version) throw new ApiError('MissingParameter', 'The request is missing Version parameter.', 400);
  const v = Object.hasOwn(spec.versions, version) ? spec.versions[version] : undefined;
  if (!v) throw new ApiError('InvalidVersion', `Could not find operation ${action} for version ${version.slice(0, 40)} (supported: ${Object.keys(spec.versions).join(', ')}).`);
  if (!(v.methods as readonly string[]).includes(req.method)) throw invalid('method', `${action} ${version} accepts ${v.methods.join(' or ')}, not ${req.method.slice(0, 10)}`);
  if (spec.signedUrlOnly && principal.form !== 'query') {
    throw new ApiError('InvalidAuthorization', `${action} accepts only a signed URL (X-Amz-Signature in the query), not an Authorization header.`);
  }
  const contentType = (req.headers['content-type'] ?? '').toLowerCase();
  if (v.form && req.method === 'POST' && contentType.startsWith('application/x-www-form-urlencoded') && req.body.length > 0) {
    for (const [k, val] of Object.entries(parseParams(req.body.toString('utf8')))) {
      if (k !== 'Action' && k !== 'Version' && !(k in params)) params[k] = val;
    }
  }
  const call: ApiCall = { action, version, method: req.method, requestId: req.requestId, params, body: req.body, contentType };
  authorize(principal.policy, action, spec.resources(ctx, call));
  const result = await v.run(ctx, call);
  if (result && typeof result === 'object' && 'redirect' in result && typeof result.redirect === 'string') return { status: 302, location: result.redirect };
  return { status: 200, result };
}
