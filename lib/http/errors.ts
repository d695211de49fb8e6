/**
 * An error with an HTTP status. `expose` is true for 4xx: only then does the message reach the caller;
 * a 5xx answers with a fixed message and the cause goes to the log. Each subclass has a literal `name`
 * (minifiers rename classes) which is also the `error` field of the response body.
 */
export class HttpError extends Error {
  override readonly name: string = 'HttpError';
  readonly statusCode: number;
  readonly expose: boolean;
  /** Extra response headers (e.g. `www-authenticate`, `retry-after`). */
  readonly headers: Readonly<Record<string, string>>;

  constructor(statusCode: number, message: string, options: { cause?: unknown; headers?: Record<string, string> } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.statusCode = statusCode;
    this.expose = statusCode >= 400 && statusCode < 500;
    this.headers = options.headers ?? {};
  }
}

type Options = { cause?: unknown; headers?: Record<string, string> };

export class BadRequest extends HttpError {
  override readonly name = 'BadRequest' as const;
  constructor(message: string, options?: Options) { super(400, message, options); }
}

export class Unauthorized extends HttpError {
  override readonly name = 'Unauthorized' as const;
  constructor(message: string, options?: Options) {
    super(401, message, { ...options, headers: { 'www-authenticate': 'Bearer realm="vod-serverless"', ...options?.headers } });
  }
}

export class Forbidden extends HttpError {
  override readonly name = 'Forbidden' as const;
  constructor(message: string, options?: Options) { super(403, message, options); }
}

export class NotFound extends HttpError {
  override readonly name = 'NotFound' as const;
  constructor(message: string, options?: Options) { super(404, message, options); }
}

/** The request clashes with one being handled (the same callback delivered twice at once): send it again later. */
export class Conflict extends HttpError {
  override readonly name = 'Conflict' as const;
  constructor(message: string, options?: Options) { super(409, message, options); }
}

export class PayloadTooLarge extends HttpError {
  override readonly name = 'PayloadTooLarge' as const;
  constructor(message: string, options?: Options) { super(413, message, options); }
}

export class UnsupportedMediaType extends HttpError {
  override readonly name = 'UnsupportedMediaType' as const;
  constructor(message: string, options?: Options) { super(415, message, options); }
}

/** The VOD service failed (auth, 5xx, bad response): the caller sees a fixed message. */
export class BadGateway extends HttpError {
  override readonly name = 'BadGateway' as const;
  constructor(message: string, options?: Options) { super(502, message, options); }
}

/** The VOD service throttled us. */
export class ServiceUnavailable extends HttpError {
  override readonly name = 'ServiceUnavailable' as const;
  constructor(message: string, options?: Options) { super(503, message, options); }
}

/** The VOD service did not answer in time. */
export class GatewayTimeout extends HttpError {
  override readonly name = 'GatewayTimeout' as const;
  constructor(message: string, options?: Options) { super(504, message, options); }
}
