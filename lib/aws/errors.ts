/** What an {@link AwsError} is built from. */
export interface AwsErrorInit {
  /** The service's error code (`ConditionalCheckFailedException`, `NoSuchKey`, ...), or the client's own. */
  code: string;
  message: string;
  /** `DynamoDB.UpdateItem`, `S3.GetObject`, ... */
  operation: string;
  /** 0 when no response arrived. */
  status: number;
  /** The error body's fields, parsed (DynamoDB's `Item` of a failed condition with ReturnValuesOnConditionCheckFailure). */
  fields?: Record<string, unknown>;
  cause?: unknown;
}

/**
 * A failed AWS call (lib/aws). `name` is the service's error code, as the AWS SDK names its errors, so
 * `err.name === 'ConditionalCheckFailedException'` reads the same; the client's own codes are `NetworkError` and
 * `RequestTimeout` (status 0: no answer). Messages never hold a secret (the services' error messages hold none).
 */
export class AwsError extends Error {
  readonly status: number;
  readonly operation: string;
  readonly fields: Record<string, unknown>;

  constructor(init: AwsErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = init.code;
    this.status = init.status;
    this.operation = init.operation;
    this.fields = init.fields ?? {};
  }
}

const THROTTLING = new Set([
  'ThrottlingException', 'Throttling', 'ThrottledException', 'RequestThrottledException', 'TooManyRequestsException',
  'ProvisionedThroughputExceededException', 'RequestLimitExceeded', 'SlowDown', 'RequestThrottled',
]);

/**
 * Whether a failed AWS call is worth another attempt, as the AWS SDK's standard retry strategy judges it: no
 * answer (network error, timeout), throttling, or a server error. Every operation here is either a read or a
 * conditional write, so a repeated write is refused rather than applied twice.
 */
export function isRetryableAws(err: unknown): boolean {
  if (!(err instanceof AwsError)) return false;
  return err.status === 0 || err.status === 429 || err.status >= 500 || THROTTLING.has(err.name);
}

/** The AwsError of a non-2xx answer: AWS JSON (`__type`, `message`) or S3's XML (`<Code>`, `<Message>`). */
export function errorFromResponse(operation: string, status: number, body: string, typeHeader: string | null): AwsError {
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
  return new AwsError({ code: name, message: `${operation}: ${name}${message ? `: ${message}` : ''} (HTTP ${status})`, operation, status, fields });
}

/** The AwsError of an exchange that got no answer: `RequestTimeout` or `NetworkError` (the socket's code). */
export function errorFromException(operation: string, err: unknown, timeoutMs: number): AwsError {
  if (err instanceof AwsError) return err;
  if ((err as { name?: unknown } | null)?.name === 'TimeoutError') {
    return new AwsError({ code: 'RequestTimeout', message: `${operation}: no answer within ${timeoutMs} ms`, operation, status: 0, cause: err });
  }
  const code = (err as { code?: unknown } | null)?.code;
  const detail = typeof code === 'string' ? code : err instanceof Error ? err.message : String(err);
  return new AwsError({ code: 'NetworkError', message: `${operation}: network error (${detail})`, operation, status: 0, cause: err });
}
