import { lazyCredentials, type Credentials } from '#lib/signing';
import { apiContext, apiOrigin, type ApiContext, type ApiOptions } from '#lib/vod';
import type { Config } from './load.ts';

/**
 * The API context of a function that makes its VOD calls with lib/vod's action functions (`getPlayInfo(api, ...)`)
 * instead of the whole VodClient: the region's API (or VOD_ENDPOINT), credentials from lib/signing's chain
 * (VCLOUD_ACCESSKEY / VCLOUD_SECRETKEY, else ~/.vcloud/config) resolved at the first call and kept, the clock, and
 * VodClient's timeout and retry defaults. Tests pass `extra` (credentials, clock, fetch, retries).
 * @example const api = vodApi(configOf([VOD_REGION, VOD_ENDPOINT])); await getPlayInfo(api, { video_id: vid });
 */
export function vodApi(
  cfg: Pick<Config, 'region' | 'vodEndpoint'>,
  extra: ApiOptions & { credentials?: Credentials; now?: () => Date } = {},
): ApiContext {
  return apiContext({
    origin: apiOrigin(cfg.region, cfg.vodEndpoint),
    region: cfg.region,
    credentials: lazyCredentials({ explicit: extra.credentials }),
    now: extra.now ?? (() => new Date()),
  }, extra);
}
