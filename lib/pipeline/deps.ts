import type { PipelineBus } from './bus.ts';
import type { Idempotency } from './idempotency.ts';
import type { ItemStore } from './item-store.ts';
import type { PipelineVod, StepLog } from './ports.ts';

/** What every pipeline step works with; built once per cold start by the handler, injected in tests. */
export interface PipelineDeps {
  store: ItemStore;
  bus: PipelineBus;
  once: Idempotency;
  vod: PipelineVod;
  log: StepLog;
}

/** The Lambda context the idempotency lease is measured with (optional outside Lambda). */
export interface LeaseContext { getRemainingTimeInMillis(): number }
