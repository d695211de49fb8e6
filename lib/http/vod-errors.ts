import { AwsError, isRetryableAws } from '#lib/aws';
import { BadGateway, BadRequest, GatewayTimeout, HttpError, NotFound, ServiceUnavailable } from './errors.ts';

/** The fields of lib/vod's VodError this module relies on (duck-typed: lib/http does not depend on lib/vod). */
interface VodErrorLike {
  name: 'VodError';
  code: string;
  message: string;
  httpStatus: number;
  action: string;
  requestId: string;
}

/** True for a lib/vod VodError (matched by its literal name, which survives minification). */
export function isVodError(err: unknown): err is VodErrorLike {
  return err instanceof Error && err.name === 'VodError' && typeof (err as { code?: unknown }).code === 'string';
}

const BAD_INPUT_CODES = new Set(['InvalidParameter', 'MissingParameter']);

/**
 * Maps an error to the HttpError the caller sees, or undefined for an unexpected error (then 500).
 * VOD 404 / ResourceNotFound -> 404 with the service's message; VOD 400 InvalidParameter / MissingParameter
 * (and the client's own InvalidParameter) -> 400 with the message; throttling -> 503; timeout -> 504;
 * anything else from VOD (auth failures, 5xx, broken responses, network) -> 502 with a fixed message. An AWS
 * call (lib/aws) throttled, failing with 5xx or unanswered after its retries -> 503 (retry later); other AWS
 * errors are ours (a bad request to DynamoDB is a bug) -> 500.
 */
export function toHttpError(err: unknown): HttpError | undefined {
  if (err instanceof HttpError) return err;
  if (err instanceof AwsError) {
    // what lib/aws retries (throttling, 5xx, no answer) and still failed after its retries: the caller may retry
    return isRetryableAws(err) ? new ServiceUnavailable('the item store is busy; retry later', { cause: err, headers: { 'retry-after': '1' } }) : undefined;
  }
  if (!isVodError(err)) return undefined;
  const opts = { cause: err };
  if (err.httpStatus === 404 || err.code === 'ResourceNotFound') return new NotFound(err.message, opts);
  if ((err.httpStatus === 400 || err.httpStatus === 0) && BAD_INPUT_CODES.has(err.code)) return new BadRequest(err.message, opts);
  if (err.httpStatus === 429 || err.code === 'RequestLimitExceeded') {
    return new ServiceUnavailable('the video service is busy; retry later', { ...opts, headers: { 'retry-after': '1' } });
  }
  if (err.code === 'RequestTimeout') return new GatewayTimeout('the video service did not answer in time', opts);
  return new BadGateway('the video service failed', opts);
}
