/** Every function of the bundle, its event fixture and the vendor-SDK baseline that does the same operation. */
export interface FunctionCase {
  name: string;
  /** test/events fixture of its first invocation. */
  event: string;
  /** bench/baseline handler of the same operation; undefined when the operation makes no VOD call. */
  baseline?: string;
  /** A token function: <= 20 KB and <= 10 ms cold require. */
  token?: boolean;
}

export const FUNCTIONS: FunctionCase[] = [
  { name: 'issue-upload-token', event: 'http/issue-upload-token.json', baseline: 'upload-token', token: true },
  { name: 'issue-play-token', event: 'http/issue-play-token.json', baseline: 'play-token', token: true },
  { name: 'issue-sts2', event: 'http/issue-sts2-play.json', baseline: 'sts2', token: true },
  { name: 'play-info', event: 'http/play-info.json', baseline: 'api-call' },
  { name: 'origin-play-info', event: 'http/origin-play-info.json', baseline: 'api-call' },
  { name: 'redirect-play', event: 'http/redirect-play.json', baseline: 'redirect' },
  { name: 'poster-url', event: 'http/poster-url.json', baseline: 'api-call' },
  { name: 'upload-by-url', event: 'http/upload-by-url.json', baseline: 'upload-by-url' },
  { name: 'ingest-object', event: 's3/object-created-put.json', baseline: 'ingest' },
  { name: 'transcode-on-commit', event: 'eventbridge/upload-committed.json', baseline: 'pipeline-step' },
  { name: 'publish', event: 'eventbridge/transcode-completed.json', baseline: 'pipeline-step' },
  { name: 'reconcile', event: 'schedule/reconcile.json', baseline: 'pipeline-step' },
  { name: 'vod-callback', event: 'callback/api-gateway-v2.json' },
  { name: 'item-status', event: 'http/item-status.json' },
  { name: 'authorizer', event: 'http/authorizer-request.json' },
];

/**
 * Floors: the same operation with only what it cannot do without (bench/coldstart/floor), to show what is left to
 * gain; each is run alternated with the function it floors (`of`) and their baseline, so that the function's
 * distance to its floor is measured in pairs. `token`: judged by the token targets too.
 */
export const FLOORS: Array<{ name: string; file: string; of: string; event: string; baseline: string; token?: boolean }> = [
  { name: 'issue-upload-token (floor)', file: 'issue-upload-token.ts', of: 'issue-upload-token', event: 'http/issue-upload-token.json', baseline: 'upload-token', token: true },
  { name: 'play-info (floor)', file: 'play-info.ts', of: 'play-info', event: 'http/play-info.json', baseline: 'api-call' },
  { name: 'pipeline step (AWS SDK floor)', file: 'pipeline-step.ts', of: 'transcode-on-commit', event: 'eventbridge/upload-committed.json', baseline: 'pipeline-step' },
];

/** Profiled cold starts (bench/coldstart/profile.ts): the functions that miss a target and the floors beside them. */
export const PROFILED = ['issue-sts2', 'issue-upload-token (floor)', 'play-info', 'play-info (floor)', 'transcode-on-commit', 'pipeline step (AWS SDK floor)'];
