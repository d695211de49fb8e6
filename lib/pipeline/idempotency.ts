import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import type { Context } from 'aws-lambda';
import type { DynamoDb } from '#lib/aws';
import { leaseMs } from './deps.ts';
import { IdempotencyStore } from './idempotency-store.ts';

/** Every source of this pipeline delivers at least once; the VOD service retries callbacks for 48 h. */
const DEFAULT_EXPIRES_SECONDS = 3 * 24 * 3600;

type Work = () => Promise<unknown>;

/**
 * Runs a unit of work at most once per key (Powertools idempotency on IDEMPOTENCY_TABLE). A duplicate gets the
 * stored result of the first run; a duplicate arriving while the first still runs throws Powertools'
 * `IdempotencyAlreadyInProgressError` (the delivery is retried later); a run that throws leaves no record, so
 * a retry runs again. Results must be JSON-serialisable.
 * @example
 * const result = await once.run('transcode', vid, () => vod.startTranscode({ TemplateId, Vid: vid }), context);
 */
export class Idempotency {
  readonly #db: DynamoDb;
  readonly #table: string;
  readonly #expires: number;
  readonly #steps = new Map<string, { config: IdempotencyConfig; fn: (payload: { key: string }, work: Work) => Promise<unknown> }>();

  constructor(opts: { db: DynamoDb; tableName: string; expiresAfterSeconds?: number }) {
    this.#db = opts.db;
    this.#table = opts.tableName;
    this.#expires = opts.expiresAfterSeconds ?? DEFAULT_EXPIRES_SECONDS;
  }

  /** Runs `work` unless step `step` already ran (or is running) for `key`. */
  async run<T>(step: string, key: string, work: () => Promise<T>, context?: Pick<Context, 'getRemainingTimeInMillis'>): Promise<T> {
    const s = this.#step(step);
    // an in-progress record blocks a duplicate as long as this Lambda may run
    s.config.registerLambdaContext({ getRemainingTimeInMillis: () => leaseMs(context) } as Context);
    return (await s.fn({ key }, work)) as T;
  }

  #step(step: string) {
    let s = this.#steps.get(step);
    if (!s) {
      const config = new IdempotencyConfig({ eventKeyJmesPath: 'key', expiresAfterSeconds: this.#expires, throwOnNoIdempotencyKey: true });
      const persistenceStore = new IdempotencyStore({ db: this.#db, tableName: this.#table });
      // keyPrefix = the step, not the Lambda function name: keys stay stable across stages and renames
      const fn = makeIdempotent(async (_payload: { key: string }, work: Work) => work(), {
        persistenceStore, config, keyPrefix: `vod-serverless.${step}`, dataIndexArgument: 0,
      });
      s = { config, fn };
      this.#steps.set(step, s);
    }
    return s;
  }
}
