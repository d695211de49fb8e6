import * as v from 'valibot';
import { seconds, SpaceName } from '#lib/http';

/** POST /tokens/upload body; `expiresIn` bounded by TOKEN_MAX_EXPIRES. */
export const uploadTokenRequest = (maxExpires: number) =>
  v.strictObject({ space: v.optional(SpaceName), expiresIn: v.optional(seconds(1, maxExpires)) });
