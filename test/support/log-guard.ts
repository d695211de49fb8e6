// Suite-wide check that no secret reaches a log line. Every line the functions' structured logger (the
// logger of #lib/http), the global console, captureLogs (test/unit/http/log-capture.ts) and the local stack's
// offline child (startStack's onOfflineLine, fed through `recordLines`) print is scanned for the known local
// secrets and for secret-shaped text (STS2 session tokens, SigV4 signatures, base64 auth tokens, upload Auth).
// The test during which such a line appeared fails (an afterEach hook), naming what leaked and where, never the
// secret itself. Structured lines from one-invocation-at-a-time sources must also carry a request id.
//
// Installed by importing this module: the shared test helpers do (harness.ts, handler-kit.ts, the chaos driver,
// the e2e tests); `node --import ./test/support/log-guard.ts --test ...` installs it in every test file.
import { after, afterEach } from 'node:test';
import { logger } from '#lib/http';

/** The secrets of the local setup and of the tests (contracts.md, serverless.yml's local params, test helpers). */
export const KNOWN_SECRETS: ReadonlyArray<readonly [what: string, value: string]> = [
  ['emulator secret key', 'local-emulator-secret'],
  ['callback key', 'local-callback-key'],
  ['local API key', 'local-dev-api-key-0001'],
  ['test API key', 'test-api-key-0001'],
  ['test API key', 'test-api-key-0002'],
  ['test API key', 'test-api-key-000000000001'],
  ['test API key', 'browser-test-api-key'],
  ['test secret key', 'secret-from-env'],
  ['test secret key', 'actions-secret-key-01'],
  ['test secret key', 'errors-secret-key-XYZ'],
  ['test secret key', 'upload-secret-key'],
  ['test secret key', 'wrong-secret-value'],
  ['test secret key', 'poster-secret'],
  ['test secret key', 'cli-secret'],
];

/** Secret-shaped text: what a token, signature or credential looks like whatever its value. */
export const SECRET_SHAPES: ReadonlyArray<readonly [what: string, pattern: RegExp]> = [
  ['STS2 session token', /STS2[A-Za-z0-9+/=_-]{20,}/],
  ['X-Amz-Signature value', /X-Amz-Signature=[0-9a-fA-F]{16,}/],
  ['X-Amz-Security-Token value', /X-Amz-Security-Token=(?!\[REDACTED)[^&\s"']{8,}/i],
  ['SigV4 header signature', /Signature=[0-9a-f]{64}/],
  ['base64 JSON token (upload/play auth token)', /eyJ[A-Za-z0-9+/=_-]{40,}/],
  ['upload Auth', /SpaceKey\/[^/\s"]+\/\d+\/:[0-9a-fA-F]{16,}/],
  ['Bearer credential', /Bearer\s+(?!\[REDACTED)[A-Za-z0-9._~+/-]{12,}/],
];

/** What secrets a text holds (names only, never the values). */
export function findSecrets(text: string): string[] {
  const found: string[] = [];
  for (const [what, value] of KNOWN_SECRETS) if (text.includes(value)) found.push(what);
  for (const [what, pattern] of SECRET_SHAPES) if (pattern.test(text)) found.push(what);
  return [...new Set(found)];
}

interface Seen { source: string; line: string }
const REQUEST_ID_SOURCES = new Set(['osls offline', 'captured handler logs']);
const seen: Seen[] = [];
let installed = false;

/** Feeds log lines from elsewhere (the offline child's output, captured handler logs) to the guard. */
export function recordLines(source: string, lines: Iterable<string>): void {
  for (const line of lines) if (line.trim() !== '') seen.push({ source, line });
}

/** Problems in the lines seen since the last check; clears them. */
export function takeProblems(): string[] {
  const problems: string[] = [];
  for (const { source, line } of seen.splice(0)) {
    const secrets = findSecrets(line);
    if (secrets.length > 0) problems.push(`${source}: ${secrets.join(', ')} in a log line (${line.length} chars, starts ${JSON.stringify(mask(line).slice(0, 80))})`);
    // request ids are checked where one invocation runs at a time, as in Lambda: the offline stack's workers and
    // handler calls captured one by one. In this process tests run deliveries concurrently on one shared logger
    // (and call lib/pipeline steps or the logger directly, outside any invocation), where a line may lack the id;
    // captured lines are checked when they come from an invocation (they carry the Lambda context's fields).
    const structured = REQUEST_ID_SOURCES.has(source) ? structuredLine(line) : undefined;
    if (structured && (source === 'osls offline' || 'function_name' in structured) && !hasRequestId(structured)) problems.push(`${source}: structured log line without a request id: ${JSON.stringify(mask(line).slice(0, 160))}`);
  }
  return problems;
}

function mask(line: string): string {
  let out = line;
  for (const [, value] of KNOWN_SECRETS) out = out.split(value).join('[SECRET]');
  for (const [, pattern] of SECRET_SHAPES) out = out.replace(new RegExp(pattern.source, `${pattern.flags}g`), '[SECRET]');
  return out;
}

/** A Powertools JSON line ({"level":..,"message":..}), parsed; else undefined. */
function structuredLine(line: string): Record<string, unknown> | undefined {
  const start = line.indexOf('{"level"');
  if (start < 0) return undefined;
  try {
    const parsed = JSON.parse(line.slice(start)) as Record<string, unknown>;
    return typeof parsed.message === 'string' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function hasRequestId(log: Record<string, unknown>): boolean {
  return ['requestId', 'function_request_id', 'request_id', 'xray_trace_id'].some((k) => typeof log[k] === 'string' && log[k] !== '');
}

function tee(target: Record<string, unknown>, source: string): void {
  for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace']) {
    const original = target[method];
    if (typeof original !== 'function' || (original as { guarded?: boolean }).guarded) continue;
    const wrapped = function (this: unknown, ...args: unknown[]): unknown {
      recordLines(source, args.map((a) => (typeof a === 'string' ? a : safeString(a))).join(' ').split('\n'));
      return (original as (...a: unknown[]) => unknown).apply(this, args);
    };
    (wrapped as { guarded?: boolean }).guarded = true;
    target[method] = wrapped;
  }
}

function safeString(v: unknown): string {
  if (v instanceof Error) return `${v.name}: ${v.message}`;
  try { return typeof v === 'object' ? JSON.stringify(v) : String(v); } catch { return String(v); }
}

/** Installs the guard in this process (idempotent). */
export function installLogGuard(): void {
  if (installed) return;
  installed = true;
  tee(logger.sink as unknown as Record<string, unknown>, 'functions logger');
  tee(console as unknown as Record<string, unknown>, 'console');
  // only inside a test file's process (the runner's orchestrator has no tests to fail)
  if (process.env.NODE_TEST_CONTEXT) {
    afterEach(() => {
      const problems = takeProblems();
      if (problems.length > 0) throw new Error(`log guard: ${problems.length} problem(s):\n${problems.slice(0, 10).join('\n')}`);
    });
    after(() => {
      const problems = takeProblems();
      if (problems.length > 0) throw new Error(`log guard (outside a test): ${problems.length} problem(s):\n${problems.slice(0, 10).join('\n')}`);
    });
  }
}

installLogGuard();
