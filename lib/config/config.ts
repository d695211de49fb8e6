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
