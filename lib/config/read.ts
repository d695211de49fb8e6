import * as v from 'valibot';
import { ConfigError, type ConfigProblem } from './errors.ts';
import type { Config } from './load.ts';
import type { Setting } from './settings.ts';

/** The environment, as `process.env` holds it. */
export type Env = Readonly<Record<string, string | undefined>>;

/** The fields of {@link Config} that `settings` fill. */
export type ConfigOf<S extends readonly Setting[]> = Pick<Config, S[number]['key']>;

function shown(setting: Setting, raw: string): string {
  if (setting.secret) return '';
  return ` (got ${JSON.stringify(raw.length > 80 ? `${raw.slice(0, 80)}...` : raw)})`;
}

/**
 * Validates the variables of `settings` in an environment and returns their fields, frozen. Pure: reads only `env`.
 * Empty strings count as unset (serverless.yml params often render unset values as ''). A setting with `atMost`
 * is checked against that other setting, which is read for it when not among `settings`.
 * @throws ConfigError naming every bad variable and what is wrong with it.
 * @example readConfig({ TOKEN_MAX_EXPIRES: '7200' }, [VOD_REGION, TOKEN_MAX_EXPIRES]) // { region: 'cn-north-1', tokenMaxExpires: 7200 }
 */
export function readConfig<const S extends readonly Setting[]>(env: Env, settings: S): ConfigOf<S> {
  const problems: ConfigProblem[] = [];
  const values = new Map<Setting, unknown>();

  function read(setting: Setting): unknown {
    if (values.has(setting)) return values.get(setting);
    const given = env[setting.variable]?.trim();
    const raw = given === undefined || given === '' ? setting.fallback : given;
    let value: unknown;
    if (raw !== undefined) {
      const result = v.safeParse(setting.schema(), raw);
      if (result.success) value = result.output;
      else problems.push({ variable: setting.variable, problem: `${result.issues[0].message}${shown(setting, raw)}` });
    }
    values.set(setting, value);
    return value;
  }

  const out: Record<string, unknown> = {};
  for (const setting of settings) out[setting.key] = read(setting);
  for (const { variable, key, atMost } of settings) {
    if (!atMost) continue;
    const value = out[key];
    const bound = read(atMost);
    if (typeof value === 'number' && typeof bound === 'number' && value > bound) {
      problems.push({ variable, problem: `must not exceed ${atMost.variable} (${bound}) (got "${value}")` });
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return deepFreeze(out) as ConfigOf<S>;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
