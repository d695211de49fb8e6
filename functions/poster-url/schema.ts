import * as v from 'valibot';
import { boolParam, intParam, SpaceName } from '#lib/http';

/** Templates that take a size (`:{W}:{H}`); `tplv-vod-noop` and `tplv-vod-obj` take none (protocol 7). */
const SIZED = ['tplv-vod-rs', 'tplv-vod-cc', 'tplv-vod-cs'];

const sized = (q: { template?: string | undefined }): boolean => q.template !== undefined && SIZED.includes(q.template);

/** GET /posters query: the poster URI, template, size, format and scheme; `space` picks the CDN domains. */
export const PosterQuery = v.pipe(
  v.strictObject({
    uri: v.pipe(
      v.string(),
      v.regex(/^[A-Za-z0-9._~-]+(\/[A-Za-z0-9._~-]+)*$/, 'must be a poster URI such as tos-cn-i-xxxx/abcd (letters, digits, . _ ~ - and /)'),
      v.maxLength(512, 'must be at most 512 characters'),
      v.check((s) => !s.split('/').includes('..'), 'must not contain ".."'),
    ),
    template: v.optional(v.picklist(['tplv-vod-noop', 'tplv-vod-obj', ...SIZED])),
    width: v.optional(intParam(1, 8192)),
    height: v.optional(intParam(1, 8192)),
    format: v.optional(v.picklist(['image', 'jpeg', 'png', 'webp', 'awebp', 'gif', 'heic'])),
    https: v.optional(boolParam),
    space: v.optional(SpaceName),
  }),
  v.forward(v.check((q) => !sized(q) || q.width !== undefined, `is required for templates ${SIZED.join(', ')}`), ['width']),
  v.forward(v.check((q) => !sized(q) || q.height !== undefined, `is required for templates ${SIZED.join(', ')}`), ['height']),
  v.forward(v.check((q) => sized(q) || q.width === undefined, `is only allowed with templates ${SIZED.join(', ')}`), ['width']),
  v.forward(v.check((q) => sized(q) || q.height === undefined, `is only allowed with templates ${SIZED.join(', ')}`), ['height']),
);
