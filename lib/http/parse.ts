import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { isUtf8 } from 'node:buffer';
import * as v from 'valibot';
import { BadRequest, PayloadTooLarge, UnsupportedMediaType } from './errors.ts';
import { headerValue } from './header.ts';
import { formatIssues, kindOf, PARSE_CONFIG, type Source } from './issues.ts';

/** Largest JSON body accepted (decoded bytes). */
export const MAX_BODY_BYTES = 64 * 1024;

type Event = Partial<Pick<APIGatewayProxyEventV2, 'body' | 'isBase64Encoded' | 'headers' | 'rawQueryString' | 'queryStringParameters' | 'pathParameters'>>;

function validate<S extends v.GenericSchema>(source: Source, schema: S, input: unknown): v.InferOutput<S> {
  const result = v.safeParse(schema, input, PARSE_CONFIG);
  if (!result.success) throw new BadRequest(formatIssues(source, result.issues));
  return result.output;
}

/**
 * Parses and validates a JSON request body. An absent or empty body counts as `{}` (so a schema whose fields
 * are all optional accepts it). Throws 415 unless content-type is application/json, 413 over
 * {@link MAX_BODY_BYTES}, 400 for invalid UTF-8 or JSON, and 400 naming each bad field otherwise.
 * @example const req = parseJsonBody(event, v.strictObject({ vid: Vid }));
 */
export function parseJsonBody<S extends v.GenericSchema>(event: Event, schema: S, options: { maxBytes?: number } = {}): v.InferOutput<S> {
  const maxBytes = options.maxBytes ?? MAX_BODY_BYTES;
  const raw = event.body ?? '';
  if (raw === '') return validate('body', schema, {});
  const contentType = headerValue(event.headers, 'content-type');
  if (!contentType || !/^application\/json\s*(;|$)/i.test(contentType)) {
    throw new UnsupportedMediaType('content-type must be application/json');
  }
  // reject a huge body before decoding it (UTF-8 never has fewer bytes than UTF-16 units; base64 is 4/3), and a
  // decoded one over the limit: one 413
  const bytes = raw.length > (event.isBase64Encoded ? Math.ceil((maxBytes * 4) / 3) + 4 : maxBytes)
    ? undefined
    : Buffer.from(raw, event.isBase64Encoded ? 'base64' : 'utf8');
  if (!bytes || bytes.byteLength > maxBytes) throw new PayloadTooLarge(`body must be at most ${maxBytes} bytes`);
  // isUtf8 and toString, not a fatal TextDecoder: creating one costs every cold start ~0.2 ms, body or not
  if (!isUtf8(bytes)) throw new BadRequest('body: is not valid UTF-8');
  const text = bytes.toString('utf8').replace(/^\uFEFF/, ''); // a byte order mark, as TextDecoder drops it
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const at = /position (\d+)/.exec(err instanceof Error ? err.message : '');
    throw new BadRequest(`body: is not valid JSON${at ? ` (at position ${at[1]})` : ''}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new BadRequest(`body: must be a JSON object, got ${kindOf(value)}`);
  }
  return validate('body', schema, value);
}

/**
 * Parses and validates the query string into an object of strings (schema converts). A parameter given
 * more than once is a 400 (API Gateway would silently comma-join it).
 */
export function parseQuery<S extends v.GenericSchema>(event: Event, schema: S): v.InferOutput<S> {
  // no prototype: `?__proto__=x` is a parameter like any other (refused by a strict schema), not a prototype set
  const query = Object.create(null) as Record<string, string>;
  if (event.rawQueryString !== undefined) {
    for (const [key, value] of new URLSearchParams(event.rawQueryString)) {
      if (Object.hasOwn(query, key)) throw new BadRequest(`query.${key}: is given more than once`);
      query[key] = value;
    }
  } else {
    for (const [key, value] of Object.entries(event.queryStringParameters ?? {})) if (value !== undefined) query[key] = value;
  }
  return validate('query', schema, query);
}

/** Validates the path parameters (a strict object of strings). */
export function parsePath<S extends v.GenericSchema>(event: Event, schema: S): v.InferOutput<S> {
  return validate('path', schema, { ...(event.pathParameters ?? {}) });
}
