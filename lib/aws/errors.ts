import { networkErrorCode } from '#lib/vod';

/** What an {@link AwsError} is built from. */
export interface AwsErrorInit {
  /** The service's error code (`ConditionalCheckFailedException`, `NoSuchKey`, ...), or the client's own. */
  code: string;
  message: string;
  /** `dynamodb.UpdateItem`, `s3.GetObject`, ... */
  action: string;
  /** 0 when no response arrived. */
  httpStatus: number;
  /** The error body's fields, parsed (DynamoDB's `Item` of a failed condition with ReturnValuesOnConditionCheckFailure). */
  fields?: Record<string, unknown>;
  cause?: unknown;
}

/**
 * A failed AWS call (lib/aws). `name` is the service's error code, as the AWS SDK names its errors, so
 * `err.name === 'ConditionalCheckFailedException'` reads the same; the client's own codes are `NetworkError` and
 * `RequestTimeout` (`httpStatus` 0: no answer). `httpStatus` and `action` are named as VodError's, so the logger
 * records both. Messages never hold a secret (the services' error messages hold none).
 */
export class AwsError extends Error {
  readonly httpStatus: number;
  readonly action: string;
  readonly fields: Record<string, unknown>;

  constructor(init: AwsErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = init.code;
    this.httpStatus = init.httpStatus;
    this.action = init.action;
    this.fields = init.fields ?? {};
  }
}

const THROTTLING = new Set([
  'ThrottlingException', 'Throttling', 'ThrottledException', 'RequestThrottledException', 'TooManyRequestsException',
  'ProvisionedThroughputExceededException', 'RequestLimitExceeded', 'SlowDown', 'RequestThrottled',
]);

/**
 * Whether a failed AWS call is worth another attempt, as the AWS SDK's standard retry strategy judges it: no
 * answer (network error, timeout), throttling, or a server error. Every call made here is either a read or a
 * conditional write, so a repeated write is refused rather than applied twice.
 */
export function isRetryableAws(err: unknown): boolean {
  if (!(err instanceof AwsError)) return false;
  return err.httpStatus === 0 || err.httpStatus === 429 || err.httpStatus >= 500 || THROTTLING.has(err.name);
}

/** The AwsError of a non-2xx answer: AWS JSON (`__type`, `message`) or S3's XML (`<Code>`, `<Message>`). */
export function errorFromResponse(action: string, status: number, body: string, typeHeader: string | null): AwsError {
  let fields: Record<string, unknown> = {};
  let code: string | undefined;
  let message: string | undefined;
  if (body.startsWith('{')) {
    try {
      fields = JSON.parse(body) as Record<string, unknown>;
    } catch {
      fields = {};
    }
    code = typeof fields.__type === 'string' ? fields.__type : undefined;
    const m = fields.message ?? fields.Message;
    message = typeof m === 'string' ? m : undefined;
  } else if (body.includes('<Code>')) {
    code = /<Code>([^<]*)<\/Code>/.exec(body)?.[1];
    message = /<Message>([^<]*)<\/Message>/.exec(body)?.[1];
  }
  // 'com.amazonaws.dynamodb.v20120810#ResourceNotFoundException', 'ValidationException:http://...'
  const raw = code ?? typeHeader ?? `Http${status}`;
  const name = raw.slice(raw.lastIndexOf('#') + 1).split(':')[0]!;
  return new AwsError({ code: name, message: `${action}: ${name}${message ? `: ${message}` : ''} (HTTP ${status})`, action, httpStatus: status, fields });
}

/** The AwsError of an exchange that got no answer: `RequestTimeout` or `NetworkError` (the socket's code). */
export function errorFromException(action: string, err: unknown, timeoutMs: number): AwsError {
  if (err instanceof AwsError) return err;
  if ((err as { name?: unknown } | null)?.name === 'TimeoutError') {
    return new AwsError({ code: 'RequestTimeout', message: `${action}: no answer within ${timeoutMs} ms`, action, httpStatus: 0, cause: err });
  }
  const detail = networkErrorCode(err) ?? (err instanceof Error ? err.message : String(err));
  return new AwsError({ code: 'NetworkError', message: `${action}: network error (${detail})`, action, httpStatus: 0, cause: err });
}
