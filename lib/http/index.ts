export { httpHandler, signingHandler, eventHandler, type HttpLambda } from './handler.ts';
export { toResponse, BASE_HEADERS, type HttpResult } from './respond.ts';
export { parseJsonBody, parseQuery, parsePath, MAX_BODY_BYTES } from './parse.ts';
export { headerValue, type Headers } from './header.ts';
export { formatIssues, fallbackMessage, PARSE_CONFIG, type Source } from './issues.ts';
export { Vid, SpaceName, seconds, intParam, boolParam, word, list, listMessages } from './fields.ts';
export {
  HttpError, BadRequest, Unauthorized, Forbidden, NotFound, Conflict, PayloadTooLarge, UnsupportedMediaType, BadGateway,
  ServiceUnavailable, GatewayTimeout,
} from './errors.ts';
export { toHttpError, isVodError } from './vod-errors.ts';
export { authorizeRequest, checkApiKey, type ApiKeyCheck } from './auth.ts';
export { Logger, type LogLevel, type LogSink, logLevel, logger } from './logger.ts';
export { redactingReplacer, scrubText, describeError, addSecrets, isSecretKey, REDACTED } from './redact.ts';
