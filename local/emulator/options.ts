import type { FaultProfile } from './faults.ts';

export interface EmulatorCredential { accessKeyId: string; secretAccessKey: string }

/** Options of `startEmulator` (the CLI maps its flags and VOD_EMULATOR_* variables onto these). */
export interface EmulatorOptions {
  /** Port to listen on (default 4100; 0 = ephemeral). */
  port?: number;
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** Accepted long-term key pairs (default the documented local pair). */
  credentials?: EmulatorCredential[];
  /** Directory for state.json and stored bytes; in memory when absent. */
  dataDir?: string;
  /** Where event callbacks are POSTed (loopback only). */
  callbackUrl?: string;
  /** Private key of the callback signature (default 'local-callback-key'). */
  callbackKey?: string;
  /** Fault profile (object, JSON, '@file.json' or compact 'api=0.2,...'). */
  faults?: FaultProfile | string;
  /** Time from StartTranscode to renditions + TranscodeComplete (default 1000 ms). */
  transcodeDelayMs?: number;
  /** Restrict accepted space names (default: any). */
  spaces?: string[];
  /** Clock used for signature checks, ids and timestamps (default real time). */
  now?: () => Date;
  /** Seed of ids and secrets, for reproducible runs (default crypto-random). */
  seed?: number;
  /** Region this emulator serves (default cn-north-1); requests signed for another are refused. */
  region?: string;
  /** Waits between callback retries (default 1 s, 5 s, 10 s, 30 s, 60 s: five retries). */
  callbackRetryDelaysMs?: number[];
  /** Timeout of one callback delivery (default 5000 ms). */
  callbackTimeoutMs?: number;
  /** Largest API request body (default 1 MiB). */
  maxApiBodyBytes?: number;
  /** Largest body of one upload-host PUT (default 5 GiB). */
  maxUploadBytes?: number;
  /** Diagnostics sink (default silent). Never receives secrets. */
  log?: (line: string) => void;
}

export const DEFAULT_CREDENTIALS: EmulatorCredential = { accessKeyId: 'AKLTlocalemulator', secretAccessKey: 'local-emulator-secret' };
export const DEFAULT_CALLBACK_KEY = 'local-callback-key';
export const DEFAULT_PORT = 4100;
export const DEFAULT_HOST = '127.0.0.1';

export type ResolvedOptions = Required<Omit<EmulatorOptions, 'dataDir' | 'callbackUrl' | 'faults' | 'spaces' | 'seed'>> &
  Pick<EmulatorOptions, 'dataDir' | 'callbackUrl' | 'faults' | 'spaces' | 'seed'>;

export function resolveOptions(o: EmulatorOptions): ResolvedOptions {
  const credentials = o.credentials && o.credentials.length > 0 ? o.credentials : [DEFAULT_CREDENTIALS];
  for (const c of credentials) if (!c.accessKeyId || !c.secretAccessKey) throw new Error('credentials: every pair needs an access key id and a secret');
  const port = o.port ?? DEFAULT_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`port: expected 0..65535, got ${port}`);
  const transcodeDelayMs = o.transcodeDelayMs ?? 1000;
  if (!Number.isFinite(transcodeDelayMs) || transcodeDelayMs < 0) throw new Error('transcodeDelayMs must be >= 0');
  return {
    port, host: o.host ?? DEFAULT_HOST, credentials, dataDir: o.dataDir, callbackUrl: o.callbackUrl,
    callbackKey: o.callbackKey ?? DEFAULT_CALLBACK_KEY, faults: o.faults, transcodeDelayMs,
    spaces: o.spaces && o.spaces.length > 0 ? o.spaces : undefined, now: o.now ?? (() => new Date()), seed: o.seed,
    region: o.region ?? 'cn-north-1', callbackRetryDelaysMs: o.callbackRetryDelaysMs ?? [1000, 5000, 10000, 30000, 60000],
    callbackTimeoutMs: o.callbackTimeoutMs ?? 5000, maxApiBodyBytes: o.maxApiBodyBytes ?? 1024 * 1024,
    maxUploadBytes: o.maxUploadBytes ?? 5 * 1024 * 1024 * 1024, log: o.log ?? (() => undefined),
  };
}
