import { readFileSync } from 'node:fs';
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

/** A complete key pair (with the session token, when there is one), else undefined. */
function pair(ak: unknown, sk: unknown, sessionToken?: string): Credentials | undefined {
  if (typeof ak !== 'string' || ak === '' || typeof sk !== 'string' || sk === '') return undefined;
  return sessionToken ? { accessKeyId: ak, secretAccessKey: sk, sessionToken } : { accessKeyId: ak, secretAccessKey: sk };
}

function fromConfigFile(file: string): Credentials | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined; // missing or unreadable: fall through, as the protocol says
  }
  const { ak, sk } = (parsed ?? {}) as { ak?: unknown; sk?: unknown };
  return pair(ak, sk);
}

/**
 * Resolves credentials: explicit keys > env `VCLOUD_ACCESSKEY` + `VCLOUD_SECRETKEY` > `~/.vcloud/config`
 * (`{"ak": "...", "sk": "..."}`). An incomplete source falls through to the next.
 * @throws ConfigError naming all three sources when none has a complete pair.
 */
export function resolveCredentials(sources: CredentialSources = {}): Credentials {
  const { explicit, env = process.env } = sources;
  const found = pair(explicit?.accessKeyId, explicit?.secretAccessKey, explicit?.sessionToken) ?? pair(env.VCLOUD_ACCESSKEY, env.VCLOUD_SECRETKEY);
  if (found) return found;
  // node:os only when the file is needed (loading it is 0.2-0.3 ms of a cold start)
  const file = join(sources.homeDir ?? process.getBuiltinModule('node:os').homedir(), '.vcloud', 'config');
  const fromFile = fromConfigFile(file);
  if (fromFile) return fromFile;
  throw new ConfigError(
    'no VOD credentials: pass them explicitly, set VCLOUD_ACCESSKEY and VCLOUD_SECRETKEY, ' +
      `or write {"ak": "...", "sk": "..."} to ${file}`,
  );
}

/**
 * The credentials of `sources`, resolved at the first call and kept: building the getter reads nothing, and missing
 * credentials throw at the first call that needs them, not at start-up.
 * @example const credentials = lazyCredentials(); signRequest(req, { credentials: credentials(), region });
 */
export function lazyCredentials(sources: CredentialSources = {}): () => Credentials {
  let credentials: Credentials | undefined;
  return () => (credentials ??= resolveCredentials(sources));
}
