/** API error codes of the protocol (section 3) with their HTTP status and numeric CodeN. */
export const ERROR_CODES = {
  InvalidAction: [404, 100008],
  InvalidVersion: [404, 100008],
  MissingParameter: [400, 100002],
  InvalidParameter: [400, 100004],
  UnsupportedRegion: [400, 100005],
  SignatureDoesNotMatch: [403, 100010],
  InvalidAuthorization: [401, 100003],
  InvalidCredential: [401, 100009],
  InvalidTimestamp: [403, 100006],
  RequestExpired: [403, 100006],
  AccessDenied: [403, 100013],
  ResourceNotFound: [404, 100020],
  RequestLimitExceeded: [429, 100018],
  InternalError: [500, 100014],
  ServiceUnavailable: [503, 100017],
} as const satisfies Record<string, readonly [number, number]>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** An error answered to the caller in the protocol's envelope. */
export class ApiError extends Error {
  override name = 'ApiError' as const;
  readonly status: number;
  constructor(readonly code: ErrorCode, message: string, status?: number) {
    super(message);
    this.status = status ?? ERROR_CODES[code][0];
  }
}

export const missing = (name: string): ApiError => new ApiError('MissingParameter', `The request is missing ${name} parameter.`);
export const invalid = (name: string, why: string): ApiError => new ApiError('InvalidParameter', `Invalid parameter ${name}: ${why}`);
export const notFound = (what: string): ApiError => new ApiError('ResourceNotFound', `${what} does not exist.`);

/** Error of the upload host, answered as `{"success":<nonzero>,"error":{...}}`. */
export class UploadError extends Error {
  override name = 'UploadError' as const;
  constructor(readonly status: number, readonly code: number, readonly error: string, message: string) {
    super(message);
  }
}
