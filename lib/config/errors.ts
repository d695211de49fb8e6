import { ConfigError as SigningConfigError } from '#lib/signing';

/** One problem with one environment variable. */
export interface ConfigProblem {
  /** The environment variable, e.g. `TOKEN_MAX_EXPIRES`. */
  variable: string;
  /** What is wrong with it, e.g. `must be a whole number between 60 and 604800 (got "abc")`. */
  problem: string;
}

/**
 * The environment is invalid. Thrown at cold start so a misconfigured function fails loudly on its first
 * invocation instead of misbehaving later. The message names every bad variable and what is wrong; values of
 * secret variables are never echoed. A lib/signing ConfigError (bad credentials or region), so callers catch one class.
 */
export class ConfigError extends SigningConfigError {
  /** The first bad variable (all of them are in {@link ConfigError.problems}). */
  readonly variable: string;
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    super(`invalid configuration: ${problems.map((p) => `${p.variable} ${p.problem}`).join('; ')}`);
    this.variable = problems[0]?.variable ?? '';
    this.problems = problems;
  }
}
