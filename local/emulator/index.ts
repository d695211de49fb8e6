import type { AddressInfo } from 'node:net';
import { DiskBlobs, MemoryBlobs, type BlobStore } from './blobs.ts';
import { Callbacks, type DeliveryRecord } from './callbacks.ts';
import { newRequestId, type Ctx, type RequestRecord } from './context.ts';
import { Faults, type FaultProfile } from './faults.ts';
import { resolveOptions, type EmulatorOptions } from './options.ts';
import { createRng } from './random.ts';
import { createEmulatorServer } from './server.ts';
import { StateStore, type State } from './state.ts';
import { resumeTranscodes } from './transcode.ts';
import { runUrlJob } from './url-upload.ts';

export type { EmulatorOptions, EmulatorCredential } from './options.ts';
export { DEFAULT_CREDENTIALS, DEFAULT_CALLBACK_KEY, DEFAULT_PORT, DEFAULT_HOST } from './options.ts';
export type { FaultProfile, FaultKind } from './faults.ts';
export { parseFaultProfile } from './faults.ts';
export { callbackSignature } from './callbacks.ts';
export type { DeliveryRecord } from './callbacks.ts';
export type { RequestRecord } from './context.ts';
export type { State, Video, StoredObject, UrlJob } from './state.ts';

/** A running emulator. */
export interface Emulator {
  /** Base URL, e.g. http://127.0.0.1:4100 (the API endpoint, upload host and play host). */
  url: string;
  port: number;
  /** Live state (read it in tests; do not mutate). */
  state: State;
  /** Callback delivery attempts so far. */
  callbacks: DeliveryRecord[];
  /** Every API and upload-host request answered so far, with the injected fault if any (no secrets). */
  requests: RequestRecord[];
  /** Faults injected so far by kind ('5xx', '429', 'reset', 'slow', 'drop', 'duplicate'). */
  faultCounts: Readonly<Record<string, number>>;
  /** Replaces the fault profile at run time. */
  setFaults(profile?: FaultProfile | string): void;
  /** Resolves when no background work (URL fetches, transcodes, callbacks) is pending. */
  idle(): Promise<void>;
  /** Stops listening, cancels timers and retries, and flushes the state to disk. */
  close(): Promise<void>;
}

/**
 * Starts the local VOD emulator (a node:http server) and resolves once it listens.
 * @example const emu = await startEmulator({ port: 0, seed: 1 }); ... await emu.close();
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const opts = resolveOptions(options);
  const rng = createRng(opts.seed);
  const faults = new Faults(opts.faults);
  const store = await StateStore.open(opts.dataDir, rng.hex(32));
  let blobs: BlobStore;
  if (opts.dataDir) {
    const disk = new DiskBlobs(opts.dataDir);
    await disk.init();
    blobs = disk;
  } else blobs = new MemoryBlobs();

  const timers = new Map<NodeJS.Timeout, () => void>();
  const tasks = new Set<Promise<unknown>>();
  let closed = false;
  let port = opts.port;
  const advertised = opts.host === '0.0.0.0' || opts.host === '::' ? '127.0.0.1' : opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  const background = (p: Promise<unknown>): void => {
    const t = p.catch((e: unknown) => opts.log(`emulator: background task failed: ${(e as Error).stack ?? String(e)}`));
    tasks.add(t);
    void t.finally(() => tasks.delete(t));
  };
  const callbacks = new Callbacks({
    url: opts.callbackUrl, key: opts.callbackKey, faults, now: opts.now, requestId: () => newRequestId(opts.now(), rng),
    retryDelaysMs: opts.callbackRetryDelaysMs, timeoutMs: opts.callbackTimeoutMs,
  });
  const ctx: Ctx = {
    opts, store, state: store.state, blobs, rng, faults, callbacks, now: opts.now,
    publicHost: () => `${advertised}:${port}`,
    later: (ms, fn) => {
      if (closed) return;
      // Tracked as a background task from now on, so idle() also waits for scheduled work (transcodes).
      background(new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => {
          timers.delete(t);
          if (closed) return resolve();
          Promise.resolve().then(fn).then(resolve, reject);
        }, ms);
        timers.set(t, resolve);
      }));
    },
    background,
    requests: [],
  };

  const server = createEmulatorServer(ctx);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => { server.off('error', reject); resolve(); });
  });
  port = (server.address() as AddressInfo).port;

  resumeTranscodes(ctx);
  for (const job of Object.values(store.state.jobs)) if (job.state === 'initial' || job.state === 'processing') background(runUrlJob(ctx, job));

  const idle = async (): Promise<void> => {
    for (;;) {
      if (tasks.size > 0) { await Promise.allSettled([...tasks]); continue; }
      await callbacks.idle();
      if (tasks.size === 0) return;
    }
  };

  return {
    url: `http://${advertised}:${port}`,
    port,
    state: store.state,
    callbacks: callbacks.log,
    requests: ctx.requests,
    faultCounts: faults.counts,
    setFaults: (p) => faults.set(p),
    idle,
    close: async () => {
      if (closed) return;
      closed = true;
      for (const [t, resolve] of timers) { clearTimeout(t); resolve(); }
      timers.clear();
      callbacks.close();
      await new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); });
      await Promise.allSettled([...tasks]);
      await store.save();
      await store.flush();
    },
  };
}
