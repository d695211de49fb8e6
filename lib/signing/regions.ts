import { ConfigError } from './errors.ts';

/** The VOD regions and their API hosts (protocol section 1). */
export const REGIONS = Object.freeze({
  'cn-north-1': 'vod.bytedanceapi.com',
  'ap-singapore-1': 'vod.ap-singapore-1.bytedanceapi.com',
  'us-east-1': 'vod.us-east-1.bytedanceapi.com',
} as const);

export type Region = keyof typeof REGIONS;

/** The region used when none is configured. */
export const DEFAULT_REGION: Region = 'cn-north-1';

/** True when `region` is one of {@link REGIONS}. */
export function isRegion(region: string): region is Region {
  return Object.hasOwn(REGIONS, region);
}

/**
 * The API host of a region.
 * @throws ConfigError naming the valid regions when `region` is unknown.
 * @example regionHost('ap-singapore-1') // 'vod.ap-singapore-1.bytedanceapi.com'
 */
export function regionHost(region: string): string {
  if (!isRegion(region)) {
    throw new ConfigError(`unknown region '${region}': valid regions are ${Object.keys(REGIONS).join(', ')}`);
  }
  return REGIONS[region];
}
