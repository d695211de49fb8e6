import type { Context } from 'aws-lambda';
import { redactingReplacer } from './redact.ts';

export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT';
type Level = Exclude<LogLevel, 'SILENT'>;
const RANK: Record<LogLevel, number> = { DEBUG: 10, INFO: 20, WARN: 30, ERROR: 40, SILENT: 99 };

/** A log level name, case-insensitive; INFO when absent or unknown. */
export function logLevel(name: string | undefined): LogLevel {
  const upper = name?.toUpperCase();
  return upper !== undefined && Object.hasOwn(RANK, upper) ? (upper as LogLevel) : 'INFO';
}

/** Where log lines go: `log` for DEBUG and INFO, `error` for WARN and ERROR (a Console fits). */
export interface LogSink {
  log(line: string): void;
  error(line: string): void;
}

/**
 * stdout and stderr, written directly: not through the global console, which the Lambda runtime patches with a
 * prefix of its own, nor through a new Console, whose construction costs every cold start half a millisecond.
 */
const STDIO: LogSink = {
  log: (line) => { process.stdout.write(`${line}\n`); },
  error: (line) => { process.stderr.write(`${line}\n`); },
};

/**
 * A structured JSON logger: one line per call, `{level, message, timestamp, service, ...context, ...keys,
 * ...extra}`, every value passed through {@link redactingReplacer}, so secret fields and secret-looking text never
 * reach a log line. Powertools' Logger does the same in 23 KB of bundle; this is the part we use, in under 1 KB,
 * because every function's cold start pays for its bundle.
 */
export class Logger {
  /** Where lines go (stdout and stderr, which Lambda ships to CloudWatch); tests swap it to capture lines. */
  sink: LogSink = STDIO;
  level: LogLevel;
  readonly #service: string;
  #context: Record<string, unknown> = {};
  #keys: Record<string, unknown> = {};

  constructor(service = 'vod-serverless', level: LogLevel = 'INFO') {
    this.#service = service;
    this.level = level;
  }

  /** Adds the Lambda context's identifiers to every following line. */
  addContext(context: Context): void {
    this.#context = {
      function_name: context.functionName,
      function_request_id: context.awsRequestId,
      ...(context.functionVersion ? { function_version: context.functionVersion } : {}),
    };
  }

  /** Adds keys (request ids, route) to every following line, until {@link resetKeys}. */
  appendKeys(keys: Record<string, unknown>): void {
    Object.assign(this.#keys, keys);
  }

  resetKeys(): void {
    this.#keys = {};
    this.#context = {};
  }

  debug(message: string, extra: Record<string, unknown> = {}): void { this.#write('DEBUG', message, extra); }
  info(message: string, extra: Record<string, unknown> = {}): void { this.#write('INFO', message, extra); }
  warn(message: string, extra: Record<string, unknown> = {}): void { this.#write('WARN', message, extra); }
  error(message: string, extra: Record<string, unknown> = {}): void { this.#write('ERROR', message, extra); }

  #write(level: Level, message: string, extra: Record<string, unknown>): void {
    if (RANK[level] < RANK[this.level]) return;
    const line = { level, message, timestamp: new Date().toISOString(), service: this.#service, ...this.#context, ...this.#keys, ...extra };
    const text = JSON.stringify(line, redactingReplacer as (key: string, value: unknown) => unknown);
    if (level === 'ERROR' || level === 'WARN') this.sink.error(text);
    else this.sink.log(text);
  }
}

/**
 * The logger of every function; the adapters add the request ids. Its level comes from Lambda's log-level control
 * (`AWS_LAMBDA_LOG_LEVEL`) or `LOG_LEVEL`: the one environment read outside lib/config, because a logger must work
 * before (and when) the configuration fails to load.
 */
export const logger = new Logger('vod-serverless', logLevel(process.env.AWS_LAMBDA_LOG_LEVEL ?? process.env.LOG_LEVEL));
