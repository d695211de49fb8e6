import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/** What a handler returns: a status, an optional JSON body and extra headers (e.g. `location` for a 302). */
export interface HttpResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** Headers on every response: CORS for browser apps (credentials travel in headers, never cookies) and no caching of tokens. */
export const BASE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'access-control-allow-origin': '*',
  'cache-control': 'no-store',
});

/** Shapes a result as API Gateway HTTP API expects it: JSON with its content type, or no body. */
export function toResponse(result: HttpResult, requestId: string): APIGatewayProxyStructuredResultV2 {
  const headers: Record<string, string> = { ...BASE_HEADERS, 'x-request-id': requestId };
  if (result.body !== undefined) headers['content-type'] = 'application/json; charset=utf-8';
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name.toLowerCase()] = value;
  return {
    statusCode: result.status,
    headers,
    body: result.body === undefined ? '' : JSON.stringify(result.body),
    isBase64Encoded: false,
  };
}
