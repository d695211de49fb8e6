import { ConfigError } from './errors.ts';
import { loadConfig, type Config } from './load.ts';

let memo: Config | undefined;

/**
 * The configuration of this process, read from `process.env` once (at the first call, i.e. cold start) and
 * memoised. Call it at module scope in a handler so a bad environment fails the cold start loudly.
 * @throws ConfigError naming every bad variable.
 */
export function config(): Config {
  memo ??= loadConfig(process.env);
  return memo;
}

const REQUIRED_HINTS = {
  apiKeys: ['API_KEYS', 'must be set (a comma list of API keys) for a protected route'],
  callbackKey: ['VOD_CALLBACK_KEY', 'must be set (the callback key of the VOD console) to verify callbacks'],
  vodEndpoint: ['VOD_ENDPOINT', 'must be set'],
  posterFallbackWeights: ['POSTER_FALLBACK_WEIGHTS', 'must be set'],
} as const;

type Requirable = keyof typeof REQUIRED_HINTS;

/**
 * A setting that is optional in general but required by the calling function, e.g. `requireConfig('apiKeys')`
 * in a protected route or `requireConfig('callbackKey')` in the callback receiver. Call at module scope.
 * @throws ConfigError naming the variable when it is unset (or, for API_KEYS, empty).
 */
export function requireConfig<K extends Requirable>(key: K, cfg: Config = config()): NonNullable<Config[K]> {
  const value = cfg[key];
  if (value === undefined || (Array.isArray(value) && value.length === 0)) {
    const [variable, problem] = REQUIRED_HINTS[key];
    throw new ConfigError([{ variable, problem }]);
  }
  return value as NonNullable<Config[K]>;
}
