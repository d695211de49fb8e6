import { VodSigner } from '#lib/vod';
import { config } from './config.ts';

let signer: VodSigner | undefined;

/**
 * The VodSigner of this process (tokens, RedirectPlay URLs, STS2), built from {@link config} and memoised: the
 * functions that only sign use it instead of {@link vodClient}, which keeps their bundles small.
 */
export function vodSigner(): VodSigner {
  const cfg = config();
  signer ??= new VodSigner({ region: cfg.region, ...(cfg.vodEndpoint === undefined ? {} : { endpoint: cfg.vodEndpoint }) });
  return signer;
}
