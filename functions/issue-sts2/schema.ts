import * as v from 'valibot';
import { listMessages, PARSE_CONFIG, seconds, SpaceName, Vid, word } from '#lib/http';

/** Lowest STS2 lifetime the protocol allows (6.4). */
export const STS2_MIN_EXPIRES = 60;

/** A checked POST /sts2 body. */
export type Sts2Request =
  | { scope: 'play'; vids: string[]; streamTypes?: string[]; watermarks?: string[]; expiresIn?: number }
  | { scope: 'upload'; space?: string; expiresIn?: number };

/** One field of a scope: its value's schema (lib/http), a list of them when `list` is given. */
interface Field {
  value: v.GenericSchema<unknown, unknown>;
  list?: ListBounds;
  required?: boolean;
}

interface ListBounds { min: number; max: number; say: ReturnType<typeof listMessages> }

/** A list field's bounds and what it says of a bad list, as lib/http's `list(item, min, max)`. */
const bounds = (min: number, max: number): ListBounds => ({ min, max, say: listMessages(min, max) });

const SCOPE_MESSAGE = 'must be "play" or "upload"';

/**
 * POST /sts2 body: a scope and what it covers, never a policy. Play: the listed videos (no wildcard: a Vid
 * cannot hold `*`), optionally narrowed to stream types / watermarks; upload: one space.
 *
 * It reads as a valibot `variant` on `scope` of two strict objects whose lists are lib/http `list`s, and answers
 * exactly as that schema does: the same output, the same messages in the same order for any body (the variant is
 * the oracle of a property test, test/handlers/issue-sts2-schema.test.ts). The structure (scope, required and
 * unknown fields, lists) is checked here in one `rawTransform` and each value by its lib/http schema, because
 * valibot's variant, strictObject, array, optional and length checks are 3.1 KB that no other part of this
 * function uses: with them it was 21.5 KB minified, over the 20 KB budget of a token function; it is 19.4 KB
 * (bench/README.md, cold start).
 */
export const sts2Request = (maxExpires: number) => {
  const expiresIn: Field = { value: seconds(STS2_MIN_EXPIRES, maxExpires) };
  const scopes: Record<Sts2Request['scope'], Record<string, Field>> = {
    play: {
      vids: { value: Vid, list: bounds(1, 20), required: true },
      streamTypes: { value: word('a stream type'), list: bounds(1, 10) },
      watermarks: { value: word('a watermark'), list: bounds(1, 10) },
      expiresIn,
    },
    upload: { space: { value: SpaceName }, expiresIn },
  };
  return v.pipe(v.unknown(), v.rawTransform<unknown, Sts2Request>(({ dataset, addIssue, NEVER }) => {
    const body = dataset.value as Record<string, unknown>;
    let issues = 0;
    const report = (message: string, path: [v.IssuePathItem, ...v.IssuePathItem[]]) => {
      issues++;
      addIssue({ message, path });
    };
    const at = (key: string, index?: number): [v.IssuePathItem, ...v.IssuePathItem[]] => {
      const item: v.ObjectPathItem = { type: 'object', origin: 'value', input: body, key, value: body[key] };
      if (index === undefined) return [item];
      const list = body[key] as unknown[];
      return [item, { type: 'array', origin: 'value', input: list, key: index, value: list[index] }];
    };
    /** The value's output, or undefined after adding its issues. */
    const check = (schema: v.GenericSchema<unknown, unknown>, value: unknown, key: string, index?: number): unknown => {
      const result = v.safeParse(schema, value, PARSE_CONFIG);
      if (result.success) return result.output;
      for (const issue of result.issues) report(issue.message, at(key, index));
      return undefined;
    };

    const scope = body.scope;
    if (scope !== 'play' && scope !== 'upload') {
      report(SCOPE_MESSAGE, at('scope'));
      return NEVER;
    }
    const fields = scopes[scope];
    const out: Record<string, unknown> = { scope };
    for (const [key, field] of Object.entries(fields)) {
      if (!(key in body)) {
        if (field.required) report('is required', at(key));
        continue;
      }
      const value = body[key];
      if (!field.list) {
        out[key] = check(field.value, value, key);
        continue;
      }
      const { min, max, say } = field.list;
      if (!Array.isArray(value)) {
        report(say.array, at(key));
        continue;
      }
      const before = issues;
      const items = value.map((item, index) => check(field.value, item, key, index));
      if (issues > before) continue;
      const problem = items.length < min ? say.min : items.length > max ? say.max : new Set(items).size < items.length ? say.distinct : undefined;
      if (problem) report(problem, at(key));
      out[key] = items;
    }
    // as a strict object does: the first field it does not know, after the fields it knows
    for (const key in body) {
      if (key !== 'scope' && !Object.hasOwn(fields, key)) {
        report('is not an allowed field', at(key));
        break;
      }
    }
    return out as Sts2Request;
  }));
};
