import * as v from 'valibot';
import { boolParam, Vid, word } from '#lib/http';

/** GET /videos/{vid}/play-info path. */
export const PlayInfoPath = v.strictObject({ vid: Vid });

/** GET /videos/{vid}/play-info query. */
export const PlayInfoQuery = v.strictObject({
  definition: v.optional(word('a definition such as 720p', 16)),
  format: v.optional(word('a format such as mp4', 16)),
  codec: v.optional(word('a codec such as h264', 16)),
  ssl: v.optional(boolParam),
});
