import { ConfigError } from './errors.ts';
import { loadConfig, type Config } from './load.ts';
import { readConfig, type ConfigOf } from './read.ts';
import type { Setting } from './settings.ts';

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

/**
 * The fields of `settings` alone, read from `process.env` and validated as {@link config} validates them: a function
 * that reads a few variables calls it at module scope, and bundles and runs the schemas of those alone.
 * @throws ConfigError naming every bad variable.
 * @example const cfg = configOf([VOD_REGION, PROTECTED_API_KEYS]); // { region, apiKeys }, API_KEYS required
 */
export function configOf<const S extends readonly Setting[]>(settings: S): ConfigOf<S> {
  return readConfig(process.env, settings);
}

const REQUIRED_HINTS = {
  callbackKey: ['VOD_CALLBACK_KEY', 'must be set (the callback key of the VOD console) to verify callbacks'],
  callbackUrl: ['VOD_CALLBACK_URL', 'must be set (the callback URL of the VOD console, which callback signatures cover) to verify callbacks'],
} as const;

type Requirable = keyof typeof REQUIRED_HINTS;

/**
 * A setting that is optional in general but required by the calling function: `requireConfig('callbackKey')` and
 * `requireConfig('callbackUrl')` in the callback receiver. Call at module scope. (A protected route reads API_KEYS as `PROTECTED_API_KEYS`.)
 * @throws ConfigError naming the variable when it is unset.
 */
export function requireConfig<K extends Requirable>(key: K, cfg: Pick<Config, K> = config()): NonNullable<Config[K]> {
  const value = cfg[key];
  if (value === undefined) {
    const [variable, problem] = REQUIRED_HINTS[key];
    throw new ConfigError([{ variable, problem }]);
  }
  return value as NonNullable<Config[K]>;
}
