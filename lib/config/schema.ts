import * as v from 'valibot';
import { MAX_EXPIRES_SECONDS, REGIONS, type Region } from '#lib/signing';

/**
 * The VOD regions, from lib/signing's table (protocol section 1). Only regions.ts is bundled for it: the package
 * declares no side effects, so config loads without the signer. The call is marked pure so that a bundle that
 * reads no region drops it.
 */
export const REGION_NAMES = /* @__PURE__ */ Object.keys(REGIONS) as [Region, ...Region[]];
export type RegionName = Region;

/** Upper bound of any signed URL's X-Amz-Expires (protocol 6.2: 1..604800). */
export const MAX_SIGNED_EXPIRES = MAX_EXPIRES_SECONDS;

/** Commit `Functions` names the service knows (protocol section 4). */
export const COMMIT_FUNCTION_NAMES = ['GetMeta', 'Snapshot', 'AddOptionInfo', 'StartWorkflow', 'Encryption'] as const;

// Every schema is a function that builds it, called when its setting is read (once per process): a bundle holds the
// schemas of the settings it reads and no other (esbuild keeps any top-level call into another module, evanw/esbuild#4369).

/** A whole number of seconds in [min, max], from an environment string. */
function seconds(min: number, max: number) {
  return v.pipe(
    v.string(),
    v.regex(/^\d{1,10}$/, `must be a whole number of seconds between ${min} and ${max}`),
    v.transform(Number),
    v.minValue(min, `must be at least ${min}`),
    v.maxValue(max, `must be at most ${max}`),
  );
}

/** The lifetime of a signed URL or token. */
export const signedExpires = () => seconds(1, MAX_SIGNED_EXPIRES);
/** The lifetime of STS2 credentials (protocol 6.4: at least 60). */
export const sts2Expires = () => seconds(60, MAX_SIGNED_EXPIRES);
export const callbackSkew = () => seconds(1, 86400);
export const stuckAfter = () => seconds(1, 7 * 86400);

export const region = () => v.picklist(REGION_NAMES, `must be one of ${REGION_NAMES.join(', ')}`);

/** An absolute http(s) URL; returned without a trailing slash. */
export const httpUrl = () => v.pipe(
  v.string(),
  v.url('must be an absolute URL such as http://127.0.0.1:4100'),
  v.check((s) => /^https?:\/\//i.test(s), 'must use http or https'),
  v.transform((s) => s.replace(/\/+$/, '')),
);

export const name = () => v.pipe(v.string(), v.regex(/^[A-Za-z0-9._:/@-]{1,255}$/, 'must be 1-255 characters of letters, digits and . _ : / @ -'));

export const commitFunctions = () => v.pipe(
  v.string(),
  v.parseJson(undefined, 'must be a JSON array such as [{"Name":"GetMeta"}]'),
  v.array(
    v.strictObject({
      Name: v.picklist(COMMIT_FUNCTION_NAMES, `must name functions among ${COMMIT_FUNCTION_NAMES.join(', ')}`),
      Input: v.optional(v.record(v.string(), v.unknown(), 'Input must be a JSON object')),
    }, 'must hold objects {"Name": ..., "Input"?: {...}} with no other keys'),
    'must be a JSON array such as [{"Name":"GetMeta"}]',
  ),
);

export const publishPolicy = () => v.picklist(['always', 'never'], 'must be always or never');

/** Why a protected route's cold start fails without API_KEYS. */
export const API_KEYS_REQUIRED = 'must be set (a comma list of API keys) for a protected route';

/** Comma list of API keys: each 12-512 printable ASCII characters (what a header can carry: lib/http's auth.ts). */
export const apiKeys = () => v.pipe(
  v.string(),
  v.transform((s) => s.split(',').map((k) => k.trim()).filter((k) => k !== '')),
  v.check((keys) => keys.every((k) => k.length >= 12 && k.length <= 512), 'must be a comma list of keys of 12 to 512 characters each'),
  v.check((keys) => keys.every((k) => /^[\x21-\x7e]+$/.test(k)), 'keys must be printable ASCII, no spaces'),
);

/** API_KEYS of a protected route: at least one key. */
export const protectedApiKeys = () => v.pipe(apiKeys(), v.check((keys) => keys.length > 0, API_KEYS_REQUIRED));

export const secret = () => v.pipe(v.string(), v.minLength(8, 'must be at least 8 characters'));

/** Any text (already trimmed). */
export const text = () => v.string();

export const suffixList = () => v.pipe(
  v.string(),
  v.transform((s) => s.split(',').map((k) => k.trim()).filter((k) => k !== '')),
);

export const domainWeights = () => v.pipe(
  v.string(),
  v.parseJson(undefined, 'must be a JSON object such as {"cdn.example.com": 10}'),
  v.record(
    v.pipe(v.string(), v.regex(/^[A-Za-z0-9.-]+(:\d+)?$/, 'keys must be host names')),
    v.pipe(v.number('weights must be numbers'), v.integer('weights must be integers'), v.minValue(0, 'weights must be >= 0')),
    'must be a JSON object such as {"cdn.example.com": 10}',
  ),
);

export const flag = () => v.pipe(
  v.string(),
  v.toLowerCase(),
  v.picklist(['true', 'false', '1', '0'], 'must be true or false'),
  v.transform((s) => s === 'true' || s === '1'),
);
