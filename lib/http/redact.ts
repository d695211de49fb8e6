/** What replaces a secret in a log line. */
export const REDACTED = '[REDACTED]';

/**
 * Field names whose values are secrets whatever they hold, compared lower-cased without `-` and `_`: names holding
 * a secret key, session or auth token, password, authorization header, callback or private key, signature or
 * cookie; names ending in an API key or credentials; `sk`. String tests, not a regular expression: each regular
 * expression costs 0.2-0.4 ms to compile at its first use, paid by every function's first log line.
 */
const SECRET_NAME_PARTS = ['secret', 'password', 'passwd', 'token', 'authorization', 'callbackkey', 'privatekey', 'signature', 'cookie'];
const SECRET_NAME_ENDS = ['apikey', 'apikeys', 'credential', 'credentials'];

/**
 * Secret-looking substrings of free text: [pattern, replacement, cues]. A pattern runs only on text holding one of
 * its cues (looked for in the lower-cased text when the pattern ignores case), which it cannot match without: most
 * log values (routes, paths, ids, messages) run none, and a pattern's compiling (0.2-0.4 ms at its first use) is
 * not paid by every function's first log line.
 */
export const SECRET_TEXT: ReadonlyArray<[RegExp, string, readonly string[]]> = [
  [/STS2[A-Za-z0-9+/=_-]{8,}/g, `STS2${REDACTED}`, ['STS2']],
  [/(X-Amz-(?:Signature|Security-Token|Credential)=)[^&\s"']+/gi, `$1${REDACTED}`, ['x-amz-']],
  [/(Signature=)[0-9a-fA-F]{16,}/g, `$1${REDACTED}`, ['Signature=']],
  // the name runs at most 128 letters past its cue: unbounded, a long run of letters holding many cues and no ':' or
  // '=' (a 400 message echoes a caller's field names) cost time quadratic in its length (0.7 s for 60 KB)
  [/((?:secret|token|password|passwd|api[-_]?key|callback[-_]?key|signature)[A-Za-z_-]{0,128}["']?\s*[:=]\s*["']?)[^\s"',&;]+/gi, `$1${REDACTED}`,
    ['secret', 'token', 'passw', 'api-key', 'api_key', 'apikey', 'callback', 'signature']],
  [/(Bearer\s+)[^\s"',]+/gi, `$1${REDACTED}`, ['bearer']],
  // base64 of '{"' : our auth tokens (base64 JSON) and JWTs
  [/eyJ[A-Za-z0-9+/=_-]{16,}(?:\.[A-Za-z0-9+/=_-]+)*/g, REDACTED, ['eyJ']],
];

const known = new Set<string>();

/**
 * Registers secret values (API keys, the callback key, ...) so that they are masked wherever they appear in a
 * log line, whatever the field. Values shorter than 8 characters are ignored (they would mask ordinary words).
 */
export function addSecrets(...values: ReadonlyArray<string | undefined>): void {
  for (const value of values) if (value && value.length >= 8) known.add(value);
}

/** True when a field of this name holds a secret (`SecretAccessKey`, `sessionToken`, `x-api-key`, ...). */
export function isSecretKey(key: string): boolean {
  const name = key.toLowerCase().replaceAll('-', '').replaceAll('_', '');
  return name === 'sk' || SECRET_NAME_PARTS.some((part) => name.includes(part)) || SECRET_NAME_ENDS.some((end) => name.endsWith(end));
}

/** Masks secret-looking substrings and registered secrets in a string. */
export function scrubText(text: string): string {
  let out = text;
  for (const secret of known) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  // cues are looked for in the text before any replacement: a replacement only removes text or adds "[REDACTED]"
  const before = out;
  const lower = out.toLowerCase();
  for (const [pattern, replacement, cues] of SECRET_TEXT) {
    const haystack = pattern.ignoreCase ? lower : before;
    if (cues.some((cue) => haystack.includes(cue))) out = out.replace(pattern, replacement);
  }
  return out;
}

/**
 * A JSON.stringify replacer that masks the values of secret-named fields and secret-looking text anywhere.
 * The logger runs every log line through it, so a secret that slips into a log call still never reaches a line.
 */
export function redactingReplacer(key: string, value: unknown): unknown {
  if (key !== '' && isSecretKey(key) && value !== undefined && value !== null && value !== '') return REDACTED;
  if (typeof value === 'string') return scrubText(value);
  return value;
}

/** A loggable description of an error: name, message, code fields and the cause chain, scrubbed, no stack of secrets. */
export function describeError(err: unknown, depth = 0): Record<string, unknown> {
  if (!(err instanceof Error)) return { value: scrubText(String(err)).slice(0, 500) };
  const out: Record<string, unknown> = { name: err.name, message: scrubText(err.message) };
  for (const field of ['code', 'httpStatus', 'action', 'requestId', 'statusCode'] as const) {
    const value = (err as unknown as Record<string, unknown>)[field];
    if (typeof value === 'string' || typeof value === 'number') out[field] = value;
  }
  if (err.stack) out.stack = scrubText(err.stack.split('\n').slice(0, 8).join('\n'));
  if (err.cause !== undefined && depth < 3) out.cause = describeError(err.cause, depth + 1);
  return out;
}
