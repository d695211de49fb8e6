import { getCdnDomainWeights } from './actions.ts';
import { VodError } from './errors.ts';
import type { ApiContext } from './request.ts';
import type { PosterUrlParams, PosterUrls } from './types.ts';

/** Weight of each CDN domain, `{ "<domain>": weight }`. */
export type DomainWeights = Record<string, number>;

export interface PosterDomainsOptions {
  /** GetCdnDomainWeights for one space; resolves to that space's weights (possibly empty). */
  load: (spaceName: string) => Promise<DomainWeights | undefined>;
  /** Used when `load` fails or returns no domain with a positive weight. */
  fallback?: DomainWeights;
  now: () => Date;
  /** Uniform [0, 1) source of the weighted draws. */
  uniform: () => number;
  /** Default 10 000 ms (protocol section 7). */
  refreshMs?: number;
}

/** `answered`: the service named the space's domains (maybe none) or refused the space; false when the call failed. */
interface Entry { weights: DomainWeights; loadedAt: number; answered: boolean }

/** Spaces whose weights are kept at once: callers may name any space, and a warm Lambda must not grow without end. */
export const MAX_CACHED_SPACES = 64;

/**
 * The CDN domains of poster URLs, per space, drawn by weight (protocol section 7). Weights are cached per space
 * (the {@link MAX_CACHED_SPACES} latest spaces) and refreshed lazily on the first call after `refreshMs` (no timer:
 * nothing keeps a Lambda alive); concurrent callers share one refresh. A failed or empty answer yields the fallback
 * weights, cached as long, so an outage does not turn every poster URL into an API call.
 */
export class PosterDomains {
  readonly #opts: PosterDomainsOptions;
  readonly #cache = new Map<string, Entry>();
  readonly #inflight = new Map<string, Promise<DomainWeights>>();

  constructor(opts: PosterDomainsOptions) {
    this.#opts = opts;
  }

  /** The current weights of `spaceName` (loading them when absent or older than `refreshMs`). */
  async weights(spaceName: string): Promise<DomainWeights> {
    const now = this.#opts.now().getTime();
    const hit = this.#cache.get(spaceName);
    if (hit && now - hit.loadedAt < (this.#opts.refreshMs ?? 10_000)) return hit.weights;
    let pending = this.#inflight.get(spaceName);
    if (!pending) {
      pending = this.#load(spaceName, now).finally(() => this.#inflight.delete(spaceName));
      this.#inflight.set(spaceName, pending);
    }
    return pending;
  }

  /** Draws the main domain by weight, then the backup among the others (the main again when it is alone). */
  async pick(spaceName: string): Promise<{ main: string; backup: string }> {
    const weights = await this.weights(spaceName);
    const main = weightedPick(weights, this.#opts.uniform);
    if (main === undefined) {
      // the service's own answer (a space without poster domains: the caller's to fix) or its failure
      if (this.#cache.get(spaceName)?.answered) {
        throw new VodError({ code: 'ResourceNotFound', message: `space ${spaceName} has no CDN domain for posters`, action: 'GetPosterUrl' });
      }
      throw new VodError({ code: 'NoPosterDomain', message: `no CDN domain for space ${spaceName} and no fallback weights`, action: 'GetPosterUrl' });
    }
    return { main, backup: weightedPick(weights, this.#opts.uniform, main) ?? main };
  }

  async #load(spaceName: string, now: number): Promise<DomainWeights> {
    let weights: DomainWeights | undefined;
    let answered = true;
    try {
      weights = await this.#opts.load(spaceName);
    } catch (err) {
      // the service refusing the space itself (unknown, malformed) is its answer; any other failure is not
      answered = err instanceof VodError && (err.httpStatus === 404 || err.code === 'ResourceNotFound' || err.code === 'InvalidParameter');
    }
    if (!weights || weightedPick(weights, () => 0) === undefined) weights = this.#opts.fallback ?? {};
    // re-inserted, so the Map's order is the order of loads: the first key is the space loaded longest ago
    this.#cache.delete(spaceName);
    if (this.#cache.size >= MAX_CACHED_SPACES) this.#cache.delete(this.#cache.keys().next().value!);
    this.#cache.set(spaceName, { weights, loadedAt: now, answered });
    return weights;
  }
}

/**
 * Draws one key with probability proportional to its weight (non-positive and non-finite weights never win),
 * in the object's key order, optionally excluding one key. `undefined` when nothing can be drawn.
 *
 * @example weightedPick({ a: 1, b: 3 }, () => 0.5) // 'b' (0.5 * 4 = 2 falls in b's [1, 4))
 */
export function weightedPick(weights: DomainWeights, uniform: () => number, exclude?: string): string | undefined {
  const items = Object.entries(weights).filter(([k, w]) => k !== exclude && Number.isFinite(w) && w > 0);
  const total = items.reduce((sum, [, w]) => sum + w, 0);
  if (items.length === 0) return undefined;
  let r = uniform() * total;
  for (const [k, w] of items) {
    if (r < w) return k;
    r -= w;
  }
  return items[items.length - 1]![0];
}

const BARE_TEMPLATES = new Set(['tplv-vod-noop', 'tplv-vod-obj']);

/**
 * Validates poster params and returns the builder of their URL on a domain:
 * `{http|https}://{domain}/{uri}~{tpl}.{format}`, where resizing templates (everything but `tplv-vod-noop` and
 * `tplv-vod-obj`) carry `:{Width}:{Height}`. Throws `InvalidParameter` before any domain is drawn.
 */
export function posterUrlBuilder(params: PosterUrlParams): (domain: string) => string {
  const tpl = params.Template ?? 'tplv-vod-noop';
  const scheme = params.Https === false ? 'http' : 'https';
  const format = params.Format ?? 'image';
  let suffix = `~${tpl}.${format}`;
  if (!BARE_TEMPLATES.has(tpl)) {
    const { Width: w, Height: h } = params;
    if (!Number.isInteger(w) || !Number.isInteger(h) || w! < 0 || h! < 0) {
      throw new VodError({ code: 'InvalidParameter', message: `template ${tpl} needs integer Width and Height`, action: 'GetPosterUrl' });
    }
    suffix = `~${tpl}:${w}:${h}.${format}`;
  }
  return (domain) => `${scheme}://${domain}/${params.Uri}${suffix}`;
}

/**
 * A poster URL on `domain` (see {@link posterUrlBuilder}).
 *
 * @example posterUrl('p1.cdn.com', { SpaceName: 's', Uri: 'tos-cn/abc', Template: 'tplv-vod-rs', Width: 320, Height: 180 })
 * // 'https://p1.cdn.com/tos-cn/abc~tplv-vod-rs:320:180.image'
 */
export function posterUrl(domain: string, params: PosterUrlParams): string {
  return posterUrlBuilder(params)(domain);
}

/**
 * Main and backup poster URLs (protocol 7) over an API context: domains drawn by weight (`api`'s uniform source)
 * from the space's cached GetCdnDomainWeights (asked once, no retry; refreshed lazily every 10 s; `fallback`
 * weights when it fails or is empty). `Https` defaults to the API's scheme (https for the real service, http for
 * a local emulator). Each source keeps its own cache: build one per process.
 * @example const posterUrls = posterUrlSource(api); const { MainUrl } = await posterUrls({ SpaceName: 's', Uri: 'tos-cn/abc' });
 */
export function posterUrlSource(api: ApiContext, fallback?: DomainWeights): (params: PosterUrlParams) => Promise<PosterUrls> {
  const once = { ...api, retry: { ...api.retry, retries: 0 } };
  const domains = new PosterDomains({
    load: async (space) => (await getCdnDomainWeights(once, { SpaceName: space }))?.[space],
    ...(fallback ? { fallback } : {}),
    now: api.now, uniform: api.retry.uniform,
  });
  const https = api.origin.startsWith('https:');
  return async (params) => {
    // validates Template / Width / Height before any request
    const url = posterUrlBuilder({ ...params, Https: params.Https ?? https });
    const { main, backup } = await domains.pick(params.SpaceName);
    return { MainUrl: url(main), BackupUrl: url(backup) };
  };
}
