import * as v from 'valibot';
import { intParam, Vid, word } from '#lib/http';

/** GET /videos/{vid}/play path. */
export const RedirectPlayPath = v.strictObject({ vid: Vid });

/** GET /videos/{vid}/play query; `expiresIn` of the signed URL bounded by TOKEN_MAX_EXPIRES. */
export const redirectPlayQuery = (maxExpires: number) =>
  v.strictObject({
    definition: v.optional(word('a definition such as 720p', 16)),
    watermark: v.optional(word('a watermark')),
    expiresIn: v.optional(intParam(1, maxExpires)),
  });
