import * as v from 'valibot';
import { list, seconds, SpaceName, Vid, word } from '#lib/http';

/** Lowest STS2 lifetime the protocol allows (6.4). */
export const STS2_MIN_EXPIRES = 60;

/**
 * POST /sts2 body: a scope and what it covers, never a policy. Play: the listed videos (no wildcard: a Vid
 * cannot hold `*`), optionally narrowed to stream types / watermarks; upload: one space.
 * The scopes are one-value picklists, not literals: the same check and message, with code every bundle has already.
 */
export const sts2Request = (maxExpires: number) => {
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
