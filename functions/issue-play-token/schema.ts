import * as v from 'valibot';
import { seconds, Vid } from '#lib/http';

/** POST /tokens/play body; `expiresIn` bounded by TOKEN_MAX_EXPIRES. */
export const playTokenRequest = (maxExpires: number) =>
  v.strictObject({ vid: Vid, expiresIn: v.optional(seconds(1, maxExpires)) });
