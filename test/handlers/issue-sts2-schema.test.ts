import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import * as v from 'valibot';
import { list, PARSE_CONFIG, seconds, SpaceName, Vid, word } from '#lib/http';
import { STS2_MIN_EXPIRES, sts2Request } from '../../functions/issue-sts2/schema.ts';

// The oracle: the POST /sts2 body as valibot's own variant of two strict objects. The function checks the same
// body by hand (functions/issue-sts2/schema.ts says why) and must answer exactly as this schema does.
const declarative = (maxExpires: number) => {
  const expiresIn = v.optional(seconds(STS2_MIN_EXPIRES, maxExpires));
  return v.variant('scope', [
    v.strictObject({
      scope: v.picklist(['play']),
      vids: list(Vid, 1, 20),
      streamTypes: v.optional(list(word('a stream type'), 1, 10)),
      watermarks: v.optional(list(word('a watermark'), 1, 10)),
      expiresIn,
    }),
    v.strictObject({ scope: v.picklist(['upload']), space: v.optional(SpaceName), expiresIn }),
  ], 'must be "play" or "upload"');
};

/** What a parse answers: the output as JSON (its keys in order), or every issue as `path: message`, in order. */
function answer(schema: v.GenericSchema, body: unknown): unknown {
  const result = v.safeParse(schema, body, PARSE_CONFIG);
  if (result.success) return { output: JSON.stringify(result.output) };
  return { issues: result.issues.map((i) => `${(i.path ?? []).map((p) => p.key).join('.')}: ${i.message}`) };
}

const MAX = 3600;
const hand = sts2Request(MAX);
const oracle = declarative(MAX);

// values that pass and fail each check, and values of the wrong kind
const item = fc.constantFrom('v0a', 'v0b', 'H264', 'wm.1', '*', '', 'a'.repeat(129), 'b'.repeat(65), 7, null, ['v0a'], {});
const aList = fc.oneof(fc.array(item, { maxLength: 23, size: 'max' }), fc.constantFrom('v0a', null, 3, {}));
const value = fc.oneof(aList, fc.constantFrom(59, 60, 61.5, 3600, 3601, -1, '60', true, null, 'demo-space', '../x', '', 'play', 'upload'));
const key = fc.constantFrom('scope', 'vids', 'streamTypes', 'watermarks', 'expiresIn', 'space', 'policy', 'Policy', '1', '__proto__', 'constructor');
const scope = fc.constantFrom('play', 'upload', 'admin', 'Play', 1, null);
// bodies as JSON.parse makes them (own `__proto__` keys, numeric keys first), scope present or not
const body = fc.tuple(fc.option(scope, { nil: undefined }), fc.array(fc.tuple(key, value), { maxLength: 6 }))
  .map(([s, entries]) => {
    const all: Array<[string, unknown]> = s === undefined ? entries : [['scope', s], ...entries];
    return JSON.parse(`{${all.map(([k, x]) => `${JSON.stringify(k)}:${JSON.stringify(x)}`).join(',')}}`) as unknown;
  });

describe('POST /sts2 body check', () => {
  it('answers as the variant of two strict objects for any body: same output, same messages, same order', () => {
    fc.assert(fc.property(body, (b) => {
      assert.deepEqual(answer(hand, b), answer(oracle, b));
    }), { numRuns: 4000, seed: 11 });
  });

  it('answers as the variant for bodies close to valid ones', () => {
    const play = fc.record({
      scope: fc.constant('play'),
      // long lists of valid ids repeat: which of length and repetition is reported first is tested too
      vids: fc.oneof(fc.array(fc.constantFrom('v0a', 'v0b', 'v0c'), { maxLength: 22, size: 'max' }), fc.array(fc.constantFrom('v0a', '*'), { maxLength: 3 })),
      streamTypes: fc.option(fc.array(fc.constantFrom('h264', 'h265', '*'), { maxLength: 11, size: 'max' }), { nil: undefined }),
      expiresIn: fc.option(fc.integer({ min: 0, max: 4000 }), { nil: undefined }),
    }, { requiredKeys: ['scope'] });
    const upload = fc.record({ scope: fc.constant('upload'), space: fc.constantFrom('demo-space', '../x'), expiresIn: fc.integer({ min: 0, max: 4000 }) }, { requiredKeys: ['scope'] });
    fc.assert(fc.property(fc.oneof(play, upload), (b) => {
      const json = JSON.parse(JSON.stringify(b)) as unknown;
      assert.deepEqual(answer(hand, json), answer(oracle, json));
    }), { numRuns: 3000, seed: 12 });
  });

  it('keeps a valid body as it came, fields in the schema order', () => {
    const body = { expiresIn: 600, watermarks: ['wm1'], vids: ['v0a', 'v0b'], scope: 'play' };
    assert.deepEqual(answer(hand, body), { output: '{"scope":"play","vids":["v0a","v0b"],"watermarks":["wm1"],"expiresIn":600}' });
    assert.deepEqual(answer(hand, { scope: 'upload' }), { output: '{"scope":"upload"}' });
  });
});
