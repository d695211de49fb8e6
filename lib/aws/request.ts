import { HttpRequest } from '@smithy/protocol-http';
import { smithySigner } from '#lib/signing';
import { withRetry, type ApiContext } from '#lib/vod';
import { AwsError, errorFromException, errorFromResponse, isRetryableAws } from './errors.ts';

/**
 * One AWS service as this process calls it: the VOD client's {@link ApiContext} (origin, region, credentials,
 * clock, transport, timeout, retries) plus the service's signing name (`dynamodb`, `events`, `s3`).
 */
export interface AwsContext extends ApiContext {
  service: string;
}

/** A request before signing: `path` already escaped; `query` values raw. */
export interface AwsRequest {
  method: string;
  path: string;
  query?: Record<string, string>;
  headers: Record<string, string>;
  body?: string;
}

/**
 * The headers of `req` signed with SigV4 by `@smithy/signature-v4` (the signer the VOD calls use): every header
 * given is signed, `host` from the context's origin. Lower-case names; `host` left out (the transport sends it).
 */
export async function signAws(ctx: AwsContext, req: AwsRequest): Promise<Record<string, string>> {
  const origin = new URL(ctx.origin);
  const request = new HttpRequest({
    method: req.method, protocol: origin.protocol, hostname: origin.hostname, path: req.path,
    headers: { ...req.headers, host: origin.host }, ...(req.query ? { query: req.query } : {}), ...(req.body === undefined ? {} : { body: req.body }),
  });
  const signed = (await smithySigner(ctx.credentials(), ctx.region, ctx.service).sign(request, { signingDate: ctx.now() })).headers as Record<string, string>;
  delete signed.host;
  return signed;
}

/**
 * One call of an AWS JSON protocol API (DynamoDB: `DynamoDB_20120810.GetItem`, JSON 1.0; EventBridge:
 * `AWSEvents.PutEvents`, JSON 1.1): signed afresh at every attempt, timed out, retried as the AWS SDK's standard
 * strategy does (throttling, 5xx, no answer; full-jitter backoff).
 * @throws AwsError for every failure.
 */
export async function awsJson<T>(ctx: AwsContext, target: string, jsonVersion: '1.0' | '1.1', input: unknown): Promise<T> {
  const action = `${ctx.service}.${target.slice(target.indexOf('.') + 1)}`;
  const body = JSON.stringify(input);
  const attempt = async (): Promise<T> => {
    const headers = await signAws(ctx, {
      method: 'POST', path: '/', headers: { 'content-type': `application/x-amz-json-${jsonVersion}`, 'x-amz-target': target }, body,
    });
    let status: number;
    let text: string;
    let typeHeader: string | null;
    try {
      const res = await ctx.fetch(`${ctx.origin}/`, { method: 'POST', headers, body, timeoutMs: ctx.timeoutMs });
      status = res.status;
      typeHeader = res.headers.get('x-amzn-errortype');
      text = await res.text();
    } catch (err) {
      throw errorFromException(action, err, ctx.timeoutMs);
    }
    if (status !== 200) throw errorFromResponse(action, status, text, typeHeader);
    try {
      return (text === '' ? {} : JSON.parse(text)) as T;
    } catch (err) {
      throw new AwsError({ code: 'InvalidResponse', message: `${action}: the answer is not JSON (HTTP ${status})`, action, httpStatus: status, cause: err });
    }
  };
  return withRetry(attempt, ctx.retry, isRetryableAws);
}
