import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startEmulator, type Emulator, type EmulatorOptions } from '#local/emulator';
import { startDynalite, type LocalDynamo } from './dynamo.ts';
import { startOffline, type OfflineProcess } from './offline.ts';
import { freePort, isListening, waitForPorts } from './ports.ts';
import { createTables, tableDefinitions } from './tables.ts';

/** Ports of the local stack (the defaults README.md's quick start shows). */
export interface StackPorts { http: number; lambda: number; s3: number; eventBridge: number; eventBridgePubSub: number; dynamo: number; emulator: number }
export const DEFAULT_PORTS: StackPorts = { http: 3000, lambda: 3002, s3: 4569, eventBridge: 4010, eventBridgePubSub: 4011, dynamo: 8000, emulator: 4100 };

export interface StackOptions {
  /** 'ephemeral' picks free ports (tests); default the contracts' fixed ports. */
  ports?: Partial<StackPorts> | 'ephemeral';
  /** Project root holding serverless.yml (default the current directory). */
  cwd?: string;
  /** Callback key shared by the emulator and vod-callback (default 'local-callback-key'). */
  callbackKey?: string;
  /** API key accepted by protected routes (default 'local-dev-api-key-0001'). */
  apiKey?: string;
  /** Extra emulator options (transcodeDelayMs, faults, seed, dataDir, ...). */
  emulator?: Omit<EmulatorOptions, 'port' | 'host' | 'callbackUrl' | 'callbackKey'>;
  /** Extra environment for the functions (e.g. RECONCILE_STUCK_AFTER_SECONDS). */
  env?: Record<string, string>;
  /** Where the local S3 keeps objects (default a fresh temporary directory, removed on close). */
  s3Dir?: string;
  /** Receives every line the offline process prints. */
  onOfflineLine?: (line: string) => void;
  /** Rebuild bundles when functions/ or lib/ change (default true; tests turn it off: others edit the tree). */
  watch?: boolean;
  /** Give up starting after this long (default 60 s). */
  startTimeoutMs?: number;
}

/** A running local stack. */
export interface LocalStack {
  ports: StackPorts;
  endpoints: { api: string; lambda: string; s3: string; eventBridge: string; dynamo: string; emulator: string; callback: string };
  ingestBucket: string;
  ingestPrefix: string;
  itemsTable: string;
  apiKey: string;
  callbackKey: string;
  emulator: Emulator;
  /** Milliseconds from the call to ready. */
  startMs: number;
  /** The last lines of the offline process's output. */
  offlineTail(): string;
  /** Settles when the offline process exits (with its code): after `close()`, or on its own, which ends the stack. */
  offlineExited: Promise<number | null>;
  /** Stops everything (offline child, emulator, dynalite); idempotent. */
  close(): Promise<void>;
}

const STAGE = 'local';

/**
 * Starts the whole local stack: dynalite (in process) with serverless.yml's tables, the VOD emulator (in process)
 * calling back the offline vod-callback route, and `osls offline start` (child) with serverless-offline,
 * serverless-s3-local and serverless-offline-aws-eventbridge, every function pointed at the local endpoints.
 * Resolves once every port listens.
 * @example const stack = await startStack({ ports: 'ephemeral' }); ... await stack.close();
 */
export async function startStack(opts: StackOptions = {}): Promise<LocalStack> {
  const started = Date.now();
  const cwd = resolve(opts.cwd ?? process.cwd());
  const ports = await choosePorts(opts.ports);
  const callbackKey = opts.callbackKey ?? 'local-callback-key';
  const apiKey = opts.apiKey ?? 'local-dev-api-key-0001';
  const callback = `http://127.0.0.1:${ports.http}/vod/callback`;
  const ownS3Dir = opts.s3Dir === undefined;
  const s3Dir = opts.s3Dir ?? (await mkdtemp(join(tmpdir(), 'vod-s3-')));

  let dynamo: LocalDynamo | undefined;
  let emulator: Emulator | undefined;
  let offline: OfflineProcess | undefined;
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      await offline?.stop();
      await Promise.allSettled([emulator?.close(), dynamo?.close()]);
      if (ownS3Dir) await rm(s3Dir, { recursive: true, force: true });
    })();
    return closing;
  };

  try {
    dynamo = await startDynalite(ports.dynamo);
    const tables = await tableDefinitions(join(cwd, 'serverless.yml'), STAGE, {});
    await createTables(dynamo.endpoint, tables);
    emulator = await startEmulator({ ...opts.emulator, port: ports.emulator, host: '127.0.0.1', callbackUrl: callback, callbackKey });

    const env: NodeJS.ProcessEnv = {
      ...process.env,
      SLS_TELEMETRY_DISABLED: '1',
      AWS_EC2_METADATA_DISABLED: 'true',
      // local AWS: lib/aws (and the AWS SDK of the local tools) read the endpoints from these; s3rver accepts only S3RVER/S3RVER
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${ports.s3}`,
      AWS_ENDPOINT_URL_EVENTBRIDGE: `http://127.0.0.1:${ports.eventBridge}`,
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
      AWS_REGION: 'us-east-1',
      S3_FORCE_PATH_STYLE: 'true',
      VOD_ENDPOINT: emulator.url,
      VOD_CALLBACK_URL: callback,
      VOD_CALLBACK_KEY: callbackKey,
      API_KEYS: apiKey,
      // read by serverless.yml's custom sections
      LOCAL_HTTP_PORT: String(ports.http),
      LOCAL_LAMBDA_PORT: String(ports.lambda),
      LOCAL_S3_PORT: String(ports.s3),
      LOCAL_S3_DIR: s3Dir,
      LOCAL_EVENTBRIDGE_PORT: String(ports.eventBridge),
      LOCAL_EVENTBRIDGE_PUBSUB_PORT: String(ports.eventBridgePubSub),
      ...(opts.watch === false ? { LOCAL_ESBUILD_WATCH: '.no-watch/**' } : {}),
      ...opts.env,
    };
    delete env.AWS_PROFILE;
    delete env.AWS_SESSION_TOKEN;
    offline = startOffline({ cwd, env, stage: STAGE, onLine: opts.onOfflineLine });
    const died = new AbortController();
    void offline.exited.then((code) => died.abort(new Error(`osls offline exited early (code ${code})`)));
    try {
      await waitForPorts({ http: ports.http, lambda: ports.lambda, s3: ports.s3, eventBridge: ports.eventBridge }, opts.startTimeoutMs ?? 60_000, died.signal);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n--- osls offline output ---\n${offline.tail()}`);
    }
  } catch (err) {
    await close();
    throw err;
  }

  const stage = (name: string): string => `vod-serverless-${STAGE}-${name}`;
  const off = offline;
  return {
    ports,
    endpoints: {
      api: `http://127.0.0.1:${ports.http}`,
      lambda: `http://127.0.0.1:${ports.lambda}`,
      s3: `http://127.0.0.1:${ports.s3}`,
      eventBridge: `http://127.0.0.1:${ports.eventBridge}`,
      dynamo: dynamo.endpoint,
      emulator: emulator.url,
      callback,
    },
    ingestBucket: stage('ingest'),
    ingestPrefix: 'incoming/',
    itemsTable: stage('items'),
    apiKey,
    callbackKey,
    emulator,
    startMs: Date.now() - started,
    offlineTail: () => off.tail(),
    offlineExited: off.exited,
    close,
  };
}

async function choosePorts(p: StackOptions['ports']): Promise<StackPorts> {
  if (p !== 'ephemeral') {
    const ports = { ...DEFAULT_PORTS, ...p };
    // a port already taken would be found "ready" by waitForPorts (another app answers there) while osls fails on it
    const busy: string[] = [];
    for (const [name, port] of Object.entries(ports)) if (await isListening(port)) busy.push(`${name} (${port})`);
    if (busy.length > 0) throw new Error(`in use on 127.0.0.1: ${busy.join(', ')}; stop what listens there (another npm start?)`);
    return ports;
  }
  const out = {} as StackPorts;
  for (const k of Object.keys(DEFAULT_PORTS) as Array<keyof StackPorts>) out[k] = await freePort();
  return out;
}
