import { awsContext, config, dynamoDb, vodApi } from '#lib/config';
import { logger } from '#lib/http';
import { PipelineBus } from './bus.ts';
import type { PipelineDeps } from './deps.ts';
import { Idempotency } from './idempotency.ts';
import { itemStore } from './item-store-runtime.ts';
import { pipelineVod } from './vod.ts';

let memo: PipelineDeps | undefined;

/**
 * The pipeline's dependencies in a Lambda: the item store on ITEMS_TABLE, the bus EVENT_BUS_NAME, idempotency
 * on IDEMPOTENCY_TABLE, the VOD calls and the logger; built once per container from `config()`.
 */
export function pipelineDeps(): PipelineDeps {
  if (memo) return memo;
  const cfg = config();
  memo = {
    store: itemStore(),
    bus: new PipelineBus({ events: awsContext('events'), busName: cfg.eventBusName }),
    once: new Idempotency({ db: dynamoDb(), tableName: cfg.idempotencyTable }),
    vod: pipelineVod(vodApi(cfg)),
    log: { info: (m, x) => logger.info(m, x ?? {}), warn: (m, x) => logger.warn(m, x ?? {}) },
  };
  return memo;
}
