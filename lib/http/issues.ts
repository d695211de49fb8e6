import * as v from 'valibot';

/** Where an input came from, used as the first segment of every message (`body.vids.0: ...`). */
export type Source = 'body' | 'query' | 'path';

export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a number';
  if (typeof value === 'boolean') return 'a boolean';
  return typeof value;
}

/**
 * The message of an issue that has no message of its own in the schema. Never echoes the received value
 * (it may be huge or hostile); names what was expected and the kind of value that came.
 */
export function fallbackMessage(issue: v.BaseIssue<unknown>): string {
  if (issue.kind === 'schema' && /(^|_)object$/.test(issue.type)) {
    if (issue.expected === 'never') return 'is not an allowed field';
    if (issue.input === undefined && issue.path?.length) return 'is required';
    return `must be a JSON object, got ${kindOf(issue.input)}`;
  }
  if (issue.kind === 'schema') {
    if (issue.input === undefined) return 'is required';
    if (issue.type === 'picklist' || issue.type === 'literal') return `must be one of ${issue.expected?.replace(/^\((.*)\)$/, '$1').replaceAll(' | ', ', ')}`;
    return `must be ${issue.expected === 'Array' ? 'an array' : `${issue.expected ?? 'valid'}`}, got ${kindOf(issue.input)}`;
  }
  return `is invalid (${issue.type})`;
}

/** Parse options that route every default message through {@link fallbackMessage}. */
export const PARSE_CONFIG: v.Config<v.BaseIssue<unknown>> = { message: fallbackMessage, abortPipeEarly: true };

/** One line per issue (at most 5), e.g. `body.expiresIn: must be at most 86400; body.foo: is not an allowed field`. */
export function formatIssues(source: Source, issues: ReadonlyArray<v.BaseIssue<unknown>>): string {
  const lines = issues.slice(0, 5).map((issue) => {
    const path = v.getDotPath(issue);
    return `${path ? `${source}.${path}` : source}: ${issue.message}`;
  });
  if (issues.length > 5) lines.push(`(${issues.length - 5} more)`);
  return lines.join('; ');
}
