import type { BlobStore } from './blobs.ts';
import type { Callbacks } from './callbacks.ts';
import { invalid, notFound } from './errors.ts';
import type { Faults } from './faults.ts';
import type { ResolvedOptions } from './options.ts';
import type { Rng } from './random.ts';
import type { State, StateStore } from './state.ts';

/** Everything a handler needs, built once by startEmulator. */
export interface Ctx {
  opts: ResolvedOptions;
  store: StateStore;
  state: State;
  blobs: BlobStore;
  rng: Rng;
  faults: Faults;
  callbacks: Callbacks;
  now(): Date;
  /** host:port under which this emulator serves upload, play and poster requests. */
  publicHost(): string;
  /** Runs `fn` after `ms` unless the emulator closes first. */
  later(ms: number, fn: () => Promise<void> | void): void;
  /** Tracks a background task so that close() and idle() can wait for it. */
  background(p: Promise<unknown>): void;
  /** Every API and upload-host request answered so far (see RequestRecord). */
  requests: RequestRecord[];
}

/**
 * One request as the emulator answered it, for tests that count effects (StartTranscode per Vid, part PUTs per
 * upload). `fault` is the injected fault, if any (then nothing was processed); `status` 0 = connection dropped.
 * No secret is kept: no headers, no bodies.
 */
export interface RequestRecord {
  plane: 'api' | 'upload';
  /** API Action, or the upload-host step: PutObject, InitMultipart, UploadPart, CompleteMultipart, ListParts. */
  action: string;
  status: number;
  fault?: string;
  /** API plane: the action ran (its effect happened), whether or not the answer reached the client. */
  processed?: boolean;
  vid?: string;
  storeUri?: string;
  uploadId?: string;
  partNumber?: number;
  at: string;
}

/** Protocol RequestId: UTC timestamp digits plus random hex. */
export function newRequestId(now: Date, rng: Rng): string {
  return now.toISOString().replace(/\D/g, '').slice(0, 14) + rng.hex(18).toUpperCase();
}

export function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Checks a space name against `--spaces` and the naming rules. */
export function checkSpace(ctx: Ctx, space: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/.test(space)) throw invalid('SpaceName', 'letters, digits, "_", "-" and "." only, at most 128');
  if (ctx.opts.spaces && !ctx.opts.spaces.includes(space)) throw notFound(`Space ${space}`);
}
