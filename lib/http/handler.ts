import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { HttpError } from './errors.ts';
import { logger } from './logger.ts';
import { describeError } from './redact.ts';
import { toResponse, type HttpResult } from './respond.ts';
import { toHttpError } from './vod-errors.ts';

/** A Lambda handler for HTTP API events; the context is optional so tests can call it with an event only. */
export type HttpLambda = (event: APIGatewayProxyEventV2, context?: Context) => Promise<APIGatewayProxyStructuredResultV2>;

function withContext(context: Context | undefined, requestId: string): Context {
  return context ?? ({ awsRequestId: requestId, functionName: 'local' } as Context);
}

/** The business logic of a route. */
type Logic = (event: APIGatewayProxyEventV2, context: Context) => Promise<HttpResult>;

/** Maps what a handler threw to the HttpError its caller sees; undefined for an unexpected error (then 500). */
type ErrorMapping = (err: unknown) => HttpError | undefined;

/**
 * Adapts business logic to an HTTP API (payload 2.0) Lambda: logs one structured line per request with the
 * request ids, turns the result into a JSON response with CORS headers, and maps errors: an HttpError with
 * `expose` (4xx) answers `{error, message, requestId}`; VodErrors map per {@link toHttpError} (5xx answer a
 * fixed message); anything else answers `500 {"error":"InternalError","requestId"}` and is logged with its cause.
 * @example export const handler = httpHandler(async (event) => ({ status: 200, body: { ok: true } }));
 */
export function httpHandler(fn: Logic): HttpLambda {
  return adapt(fn, toHttpError);
}

/**
 * {@link httpHandler} for a route that signs and calls no service (tokens, signed URLs, STS2): it cannot meet a
 * VodError, so it maps HttpErrors alone (anything else is a 500) and its bundle carries no VOD error mapping.
 */
export function signingHandler(fn: Logic): HttpLambda {
  return adapt(fn, (err) => (err instanceof HttpError ? err : undefined));
}

function adapt(fn: Logic, mapError: ErrorMapping): HttpLambda {
  return async (event, context) => {
    const started = Date.now();
    const requestId = event.requestContext?.requestId ?? context?.awsRequestId ?? 'unknown';
    const ctx = withContext(context, requestId);
    logger.addContext(ctx);
    logger.appendKeys({ requestId, route: event.routeKey });
    const http = event.requestContext?.http;
    const access = { method: http?.method, path: event.rawPath, sourceIp: http?.sourceIp };
    try {
      const result = await fn(event, ctx);
      logger.info('request', { ...access, status: result.status, durationMs: Date.now() - started });
      return toResponse(result, requestId);
    } catch (err) {
      const mapped = mapError(err);
      const status = mapped?.statusCode ?? 500;
      const line = { ...access, status, durationMs: Date.now() - started };
      if (mapped?.expose) logger.info('request refused', { ...line, error: { name: mapped.name, message: mapped.message } });
      else logger.error(mapped ? 'request failed upstream' : 'request failed', { ...line, error: describeError(err) });
      const body = mapped ? { error: mapped.name, message: mapped.message, requestId } : { error: 'InternalError', requestId };
      return toResponse({ status, headers: mapped?.headers, body }, requestId);
    } finally {
      logger.resetKeys();
    }
  };
}

/**
 * Adapts an S3 / EventBridge / schedule handler: logs with the Lambda request id and, on failure, logs the
 * cause and rethrows so Lambda's retries and the on-failure destination take over.
 */
export function eventHandler<E, R>(fn: (event: E, context: Context) => Promise<R>): (event: E, context?: Context) => Promise<R> {
  return async (event, context) => {
    const ctx = withContext(context, context?.awsRequestId ?? 'unknown');
    logger.addContext(ctx);
    logger.appendKeys({ requestId: ctx.awsRequestId });
    try {
      return await fn(event, ctx);
    } catch (err) {
      logger.error('event handler failed', { error: describeError(err) });
      throw err;
    } finally {
      logger.resetKeys();
    }
  };
}
