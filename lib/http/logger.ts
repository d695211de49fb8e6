import { Logger } from '@aws-lambda-powertools/logger';
import { redactingReplacer } from './redact.ts';

/**
 * The structured JSON logger of every function (Powertools; service name from POWERTOOLS_SERVICE_NAME, level
 * from POWERTOOLS_LOG_LEVEL). Every line passes through {@link redactingReplacer}, so secret fields and
 * secret-looking text never reach a log line. The adapters add the request ids.
 */
export const logger = new Logger({ jsonReplacerFn: redactingReplacer as (key: string, value: unknown) => unknown });
