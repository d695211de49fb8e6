import * as v from 'valibot';

// The schema constants are built in `/* @__PURE__ */` calls: esbuild keeps any other top-level call into another
// module (evanw/esbuild#4369), so every bundle would carry them, and the valibot code they use, whether read or not.

/** A VOD video id: 1-128 letters, digits, `_` or `-`. */
export const Vid = /* @__PURE__ */ (() => v.pipe(
  v.string('must be a string'),
  v.regex(/^[A-Za-z0-9_-]{1,128}$/, 'must be a video id (1-128 letters, digits, _ or -)'),
))();

/** A VOD space name: 1-64 letters, digits, `_` or `-`, starting with a letter or digit. */
export const SpaceName = /* @__PURE__ */ (() => v.pipe(
  v.string('must be a string'),
  v.regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'must be a space name (1-64 letters, digits, _ or -)'),
))();

/**
 * A JSON number of seconds, whole, in [min, max]. `v.check(Number.isInteger)` is what `v.integer` runs, with the
 * same message; check is in every protected route's bundle already (API_KEYS), integer would add its own code.
 */
export const seconds = (min: number, max: number) =>
  v.pipe(
    v.number('must be a number of seconds'),
    v.check<number, string>(Number.isInteger, 'must be a whole number of seconds'),
    v.minValue(min, `must be at least ${min}`),
    v.maxValue(max, `must be at most ${max}`),
  );

/** A query-string whole number in [min, max]. */
export const intParam = (min: number, max: number) =>
  v.pipe(
    v.string(),
    v.regex(/^\d{1,9}$/, `must be a whole number between ${min} and ${max}`),
    v.transform(Number),
    v.minValue(min, `must be at least ${min}`),
    v.maxValue(max, `must be at most ${max}`),
  );

/** A query-string boolean: true/false/1/0. */
export const boolParam = /* @__PURE__ */ (() => v.pipe(
  v.string(),
  v.picklist(['true', 'false', '1', '0'], 'must be true or false'),
  v.transform((s) => s === 'true' || s === '1'),
))();

/** A short token from a fixed alphabet (definitions, formats, codecs, stream types, watermarks). */
export const word = (what: string, max = 64) =>
  v.pipe(v.string('must be a string'), v.regex(new RegExp(`^[A-Za-z0-9_.-]{1,${max}}$`), `must be ${what} (1-${max} letters, digits, _ . or -)`));

/** What {@link list} says of a bad list, in the order it checks; the STS2 body's own check says the same. */
export const listMessages = (min: number, max: number) => ({
  array: 'must be an array',
  min: `must hold at least ${min} item${min === 1 ? '' : 's'}`,
  max: `must hold at most ${max} items`,
  distinct: 'must not repeat an item',
});

/** A list of at most `max` distinct items of `item`, at least `min`. */
export const list = <T extends v.GenericSchema<unknown, string>>(item: T, min: number, max: number) => {
  const say = listMessages(min, max);
  return v.pipe(
    v.array(item, say.array),
    v.minLength(min, say.min),
    v.maxLength(max, say.max),
    v.check((xs) => new Set(xs).size === xs.length, say.distinct),
  );
};
