import {
  issueSts2, lazyCredentials, playPolicy, regionHost, uploadPolicy,
  type Credentials, type Policy, type Randomness, type Sts2Credentials,
} from '#lib/signing';
import { playAuthToken, redirectPlayUrl, uploadAuthToken, type SignContext } from './tokens.ts';
import type * as T from './types.ts';

/**
 * `{scheme}://{host[:port]}` of the API: `endpoint`'s when given (a local emulator), else the region's host over
 * https. Validates the region either way (lib/signing's ConfigError).
 */
export function apiOrigin(region: string, endpoint?: string): string {
  const host = regionHost(region);
  return new URL(endpoint ?? `https://${host}`).origin;
}

export interface VodSignerOptions {
  /** Default `cn-north-1`. An unknown region throws a ConfigError here, at construction. */
  region?: string;
  /** Default: resolveCredentials() (env, then ~/.vcloud/config), resolved at the first call that needs them. */
  credentials?: Partial<Credentials>;
  /** Overrides scheme, host and port of the API (and the scheme of the upload host), e.g. `http://127.0.0.1:4100`. */
  endpoint?: string;
  now?: () => Date;
  /** Randomness of STS2 (uuid4, letters). */
  random?: Randomness;
}

/**
 * Everything that is signed locally and never calls the service: upload and play auth tokens, the RedirectPlay
 * URL, STS2 temporary credentials, as the original SDK's methods. {@link VodClient} extends it. The Lambda functions
 * that only sign call the functions behind it (`uploadAuthToken`, `playAuthToken`, `redirectPlayUrl`, lib/signing's
 * `issueSts2`) instead: a class is bundled whole, and each of them needs one method (cold start is paid per byte).
 *
 * @example
 * const signer = new VodSigner({ region: 'cn-north-1' });
 * const token = await signer.getPlayAuthToken({ video_id: 'v0d23c', 'X-Amz-Expires': 3600 });
 */
export class VodSigner {
  readonly region: string;
  /** `{scheme}://{host[:port]}` the API is called at. */
  readonly origin: string;
  protected readonly now: () => Date;
  readonly #random: Randomness | undefined;
  readonly #credentials: () => Credentials;

  constructor(opts: VodSignerOptions = {}) {
    this.region = opts.region ?? 'cn-north-1';
    this.origin = apiOrigin(this.region, opts.endpoint);
    this.#credentials = lazyCredentials({ explicit: opts.credentials });
    this.now = opts.now ?? (() => new Date());
    this.#random = opts.random;
  }

  /** The credentials in use (resolved once, at first need). Throws lib/signing's ConfigError when there are none. */
  protected credentials(): Credentials {
    return this.#credentials();
  }

  #sign(): SignContext {
    return { credentials: this.credentials(), region: this.region, now: this.now() };
  }

  /** Signed RedirectPlay URL (protocol 6.3); the service answers it with a 302 to the play URL. No request is made. */
  getRedirectPlayUrl(params: T.RedirectPlayParams): Promise<string> {
    return redirectPlayUrl(this.origin, params, this.#sign());
  }

  /** Play auth token for GetPlayInfo (protocol 6.3). No request is made. */
  getPlayAuthToken(params: T.PlayAuthTokenParams): Promise<string> {
    return playAuthToken(params, this.#sign());
  }

  /** Upload auth token: signed ApplyUpload (GET) and CommitUpload (POST) queries (protocol 6.3). No request is made. */
  getUploadAuthToken(params: T.UploadAuthTokenParams): Promise<string> {
    return uploadAuthToken(params, this.#sign());
  }

  /** STS2 temporary credentials restricted by `policy` (null: unrestricted), valid `expireSeconds`. */
  signSts2(policy: Policy | null, expireSeconds: number): Sts2Credentials {
    return issueSts2({ credentials: this.credentials(), policy, expireSeconds, now: this.now(), ...(this.#random ? { random: this.#random } : {}) });
  }

  /** STS2 credentials allowed to GetPlayInfo the `vids` (empty streamTypes / watermarks: any). */
  getVideoPlayAuth(vids: string[], streamTypes: string[] = [], watermarks: string[] = [], expireSeconds = 3600): Sts2Credentials {
    return this.signSts2(playPolicy(vids, streamTypes, watermarks), expireSeconds);
  }

  /** STS2 credentials allowed to ApplyUpload / CommitUpload in `spaceName` of this signer's region. */
  getUploadAuth(spaceName: string, expireSeconds = 3600): Sts2Credentials {
    return this.signSts2(uploadPolicy(spaceName, this.region), expireSeconds);
  }
}
