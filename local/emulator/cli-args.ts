import { DEFAULT_CREDENTIALS, type EmulatorCredential, type EmulatorOptions } from './options.ts';

const FLAGS = ['port', 'host', 'credentials', 'data-dir', 'callback-url', 'callback-key', 'faults', 'transcode-delay', 'spaces', 'region', 'seed'] as const;
type Flag = (typeof FLAGS)[number];

export const USAGE = `Usage: npm run emulator -- [flags]   (each flag also as env VOD_EMULATOR_<NAME>, e.g. VOD_EMULATOR_PORT)
  --port N                 listen port (default 4100; 0 = ephemeral)
  --host ADDR              listen address (default 127.0.0.1)
  --credentials AK:SK[,AK:SK...]  accepted key pairs (default ${DEFAULT_CREDENTIALS.accessKeyId}:<documented local secret>)
  --data-dir DIR           persist state and bytes in DIR (default: in memory)
  --callback-url URL       POST event callbacks here (loopback only)
  --callback-key KEY       callback signature key (default local-callback-key)
  --faults PROFILE         e.g. 'api=0.2,upload=0.2,kinds=5xx|429|reset|slow,seed=1' or JSON or @file.json
  --transcode-delay MS     StartTranscode duration (default 1000)
  --spaces A,B             accept only these space names (default: any)
  --region REGION          region served (default cn-north-1)
  --seed N                 seed ids for reproducible runs`;

function parseCredentials(v: string): EmulatorCredential[] {
  return v.split(',').map((s) => s.trim()).filter(Boolean).map((pair) => {
    const i = pair.indexOf(':');
    if (i < 1 || i === pair.length - 1) throw new Error('--credentials: expected AK:SK[,AK:SK...]');
    return { accessKeyId: pair.slice(0, i), secretAccessKey: pair.slice(i + 1) };
  });
}

function int(flag: string, v: string): number {
  if (!/^\d+$/.test(v)) throw new Error(`--${flag}: expected a non-negative integer, got '${v}'`);
  return Number(v);
}

/** Flags win over VOD_EMULATOR_* variables. Throws with a message naming the bad flag. */
export function parseCli(argv: string[], env: Record<string, string | undefined>): EmulatorOptions | 'help' {
  const values: Partial<Record<Flag, string>> = {};
  for (const f of FLAGS) {
    const e = env[`VOD_EMULATOR_${f.toUpperCase().replace(/-/g, '_')}`];
    if (e !== undefined && e !== '') values[f] = e;
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') return 'help';
    const m = /^--([a-z-]+)(?:=(.*))?$/s.exec(arg);
    if (!m || !(FLAGS as readonly string[]).includes(m[1]!)) throw new Error(`unknown argument '${arg}'\n${USAGE}`);
    const value = m[2] ?? argv[++i];
    if (value === undefined) throw new Error(`--${m[1]} needs a value`);
    values[m[1] as Flag] = value;
  }
  const o: EmulatorOptions = {};
  if (values.port !== undefined) o.port = int('port', values.port);
  if (values.host !== undefined) o.host = values.host;
  if (values.credentials !== undefined) o.credentials = parseCredentials(values.credentials);
  if (values['data-dir'] !== undefined) o.dataDir = values['data-dir'];
  if (values['callback-url'] !== undefined) o.callbackUrl = values['callback-url'];
  if (values['callback-key'] !== undefined) o.callbackKey = values['callback-key'];
  if (values.faults !== undefined) o.faults = values.faults;
  if (values['transcode-delay'] !== undefined) o.transcodeDelayMs = int('transcode-delay', values['transcode-delay']);
  if (values.spaces !== undefined) o.spaces = values.spaces.split(',').map((s) => s.trim()).filter(Boolean);
  if (values.region !== undefined) o.region = values.region;
  if (values.seed !== undefined) o.seed = int('seed', values.seed);
  return o;
}
