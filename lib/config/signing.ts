import { lazyCredentials } from '#lib/signing';
import type { SignContext } from '#lib/vod';
import type { Config } from './load.ts';

/**
 * What a function that signs and never calls the service (tokens, the RedirectPlay URL, STS2) signs with: each
 * call gives the credentials, region and time of one signing. Credentials come from lib/signing's chain
 * (VCLOUD_ACCESSKEY / VCLOUD_SECRETKEY, else ~/.vcloud/config), resolved at the first signing and kept; the time is
 * taken at every call (`now`, the clock by default), so a signature is made inside the invocation that returns it.
 * @example const token = await uploadAuthToken({ SpaceName: 'demo-space' }, signContext(cfg)());
 */
export function signContext(cfg: Pick<Config, 'region'>, now: () => Date = () => new Date()): () => SignContext {
  const credentials = lazyCredentials();
  return () => ({ credentials: credentials(), region: cfg.region, now: now() });
}
