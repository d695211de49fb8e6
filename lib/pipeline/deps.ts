import type { PipelineBus } from './bus.ts';
import type { Idempotency } from './idempotency.ts';
import type { ItemStore } from './item-store.ts';
import type { PipelineVod, StepLog } from './ports.ts';

/** What the pipeline steps work with; built once per cold start by the handler, injected in tests. */
export interface PipelineDeps {
  store: ItemStore;
  bus: PipelineBus;
  once: Idempotency;
  vod: PipelineVod;
  log: StepLog;
}

/**
 * The part of {@link PipelineDeps} a step uses: the members `K` and the VOD calls `V`. Each step asks for its own,
 * so that each function builds (and bundles) only those (lib/pipeline/runtime.ts).
 */
export type StepDeps<K extends Exclude<keyof PipelineDeps, 'vod'>, V extends keyof PipelineVod = never> =
  Pick<PipelineDeps, K> & {
    vod: Pick<PipelineVod, V>;
    /**
     * Called once the step's first call (its claim) is on its way: opens what its next calls need (connections,
     * modules) while that answer is awaited, instead of before each of them (lib/pipeline/runtime.ts). Optional:
     * tests leave it out.
     */
    prepare?: () => void;
  };

/**
 * `sent` (the step's first call, already on its way) once the step's `prepare` has been called: what the step's next
 * calls need is opened while that answer is awaited.
 * @example const claim = await preparing(deps, deps.store.claim(id, 'transcoded', opts));
 */
export function preparing<T>(deps: { prepare?: () => void }, sent: Promise<T>): Promise<T> {
  deps.prepare?.();
  return sent;
}

/** The Lambda context a step's lease on its item is measured with (optional outside Lambda). */
export interface LeaseContext { getRemainingTimeInMillis(): number }

/** How long a lease holds when no Lambda context tells the remaining time. */
const DEFAULT_LEASE_MS = 60_000;

/** A step's lease on its item: as long as its Lambda may still run. */
export function leaseMs(context: LeaseContext | undefined): number {
  return context?.getRemainingTimeInMillis() ?? DEFAULT_LEASE_MS;
}
