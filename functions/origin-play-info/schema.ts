import * as v from 'valibot';
import { boolParam, Vid } from '#lib/http';

/** GET /videos/{vid}/origin-play-info path. */
export const OriginPlayInfoPath = v.strictObject({ vid: Vid });

/** GET /videos/{vid}/origin-play-info query. */
export const OriginPlayInfoQuery = v.strictObject({ ssl: v.optional(boolParam) });
