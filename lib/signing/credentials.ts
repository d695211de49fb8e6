import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from './errors.ts';

/** A key pair, optionally with the session token of STS2 temporary credentials. */
export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface CredentialSources {
  /** Explicitly passed keys: used when both are set. */
  explicit?: Partial<Credentials> | undefined;
  /** The environment to read `VCLOUD_ACCESSKEY` / `VCLOUD_SECRETKEY` from (default `process.env`). */
  env?: Record<string, string | undefined>;
  /** The home directory holding `.vcloud/config` (default the user's). */
  homeDir?: string;
}

function complete(ak: unknown, sk: unknown): boolean {
  return typeof ak === 'string' && ak !== '' && typeof sk === 'string' && sk !== '';
}

function fromConfigFile(homeDir: string): Credentials | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(join(homeDir, '.vcloud', 'config'), 'utf8'));
  } catch {
    return undefined; // missing or unreadable: fall through, as the protocol says
  }
  const { ak, sk } = (parsed ?? {}) as { ak?: unknown; sk?: unknown };
  return complete(ak, sk) ? { accessKeyId: ak as string, secretAccessKey: sk as string } : undefined;
}

/**
 * Resolves credentials: explicit keys > env `VCLOUD_ACCESSKEY` + `VCLOUD_SECRETKEY` > `~/.vcloud/config`
 * (`{"ak": "...", "sk": "..."}`). An incomplete source falls through to the next.
 * @throws ConfigError naming all three sources when none has a complete pair.
 */
export function resolveCredentials(sources: CredentialSources = {}): Credentials {
  const { explicit, env = process.env, homeDir = homedir() } = sources;
  if (explicit && complete(explicit.accessKeyId, explicit.secretAccessKey)) {
    const creds: Credentials = { accessKeyId: explicit.accessKeyId!, secretAccessKey: explicit.secretAccessKey! };
    if (explicit.sessionToken) creds.sessionToken = explicit.sessionToken;
    return creds;
  }
  if (complete(env.VCLOUD_ACCESSKEY, env.VCLOUD_SECRETKEY)) {
    return { accessKeyId: env.VCLOUD_ACCESSKEY!, secretAccessKey: env.VCLOUD_SECRETKEY! };
  }
  const fromFile = fromConfigFile(homeDir);
  if (fromFile) return fromFile;
  throw new ConfigError(
    'no VOD credentials: pass them explicitly, set VCLOUD_ACCESSKEY and VCLOUD_SECRETKEY, ' +
      `or write {"ak": "...", "sk": "..."} to ${join(homeDir, '.vcloud', 'config')}`,
  );
}
