import { VodClient, type VodClientOptions } from '#lib/vod';
import { config } from './config.ts';
import type { Config } from './load.ts';

// Built once per container: a client holds no signature and no clock (signing happens per request).
let vod: VodClient | undefined;

/**
 * The VodClient of this process, built from {@link config} (region, endpoint, poster fallback weights) and
 * memoised. Credentials come from lib/signing's chain (VCLOUD_ACCESSKEY / VCLOUD_SECRETKEY, ~/.vcloud/config).
 */
export function vodClient(): VodClient {
  vod ??= newVodClient(config());
  return vod;
}

/** A VodClient for a given configuration (tests pass `extra` such as `fetch`, `now`, `credentials`). */
export function newVodClient(cfg: Config, extra: Omit<VodClientOptions, 'region'> = {}): VodClient {
  return new VodClient({
    region: cfg.region,
    ...(cfg.vodEndpoint === undefined ? {} : { endpoint: cfg.vodEndpoint }),
    ...(cfg.posterFallbackWeights === undefined ? {} : { posterFallbackWeights: { ...cfg.posterFallbackWeights } }),
    ...extra,
  });
}
