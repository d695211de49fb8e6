import { AwsError, type DynamoDb, type UpdateInput } from '#lib/aws';
import type { IngestCheckpoint, Item } from './item.ts';
import { FORWARD_STATES, statesBefore, type ForwardState, type ItemState } from './states.ts';

/** Outcome of a conditional write: whether it happened, and the item as it now is. */
export interface WriteResult { changed: boolean; item: Item | undefined }

/** Fields a step may record along with a state move. */
export type ItemFields = Partial<Pick<Item, 'vid' | 'runId' | 'jobId' | 'sourceUrl' | 'size' | 'spaceName'>>;

const MAX_REASON = 500;

/**
 * The pipeline's item table. Every write is conditional, so a state only ever moves forward (a repeated or late
 * event changes nothing) and a failure never overwrites progress made by a concurrent delivery.
 * @example
 * const store = new ItemStore({ db: dynamoDb(), tableName: 'items' });
 * await store.create({ id, source: 's3', spaceName: 'demo-space' });
 * await store.advance(id, 'committed', { vid });
 */
export class ItemStore {
  readonly #db: DynamoDb;
  readonly #table: string;
  readonly #now: () => Date;

  constructor(opts: { db: DynamoDb; tableName: string; now?: () => Date }) {
    this.#db = opts.db;
    this.#table = opts.tableName;
    this.#now = opts.now ?? (() => new Date());
  }

  /** The item, or undefined. Strongly consistent. */
  async get(id: string): Promise<Item | undefined> {
    const out = await this.#db.get<Item>({ TableName: this.#table, Key: { id }, ConsistentRead: true });
    return out.Item;
  }

  /** Creates the item in state `state` (default 'received') unless it exists; then returns the existing one. */
  async create(init: Pick<Item, 'id' | 'source' | 'spaceName'> & ItemFields & { bucket?: string; key?: string; state?: ForwardState }): Promise<WriteResult> {
    const at = this.#now().toISOString();
    const item: Item = { ...withoutUndefined(init), state: init.state ?? 'received', attempts: 0, createdAt: at, updatedAt: at };
    try {
      await this.#db.put({ TableName: this.#table, Item: { ...item }, ConditionExpression: 'attribute_not_exists(id)' });
      return { changed: true, item };
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
      return { changed: false, item: await this.get(init.id) };
    }
  }

  /**
   * Moves the item to `to` (recording `fields`) if it is in an earlier state, or failed from an earlier state or
   * from `to` itself (the retry of a failed step).
   * A move to the same or an earlier state is refused: `changed` is false and the current item is returned.
   */
  async advance(id: string, to: ForwardState, fields: ItemFields = {}): Promise<WriteResult> {
    if (statesBefore(to).length === 0) return { changed: false, item: await this.get(id) };
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const sets: string[] = [];
    for (const [k, v] of Object.entries(withoutUndefined(fields))) {
      names[`#f_${k}`] = k;
      values[`:f_${k}`] = v;
      sets.push(`#f_${k} = :f_${k}`);
    }
    return this.#forward(id, to, { names, values, sets });
  }

  /**
   * Records a failed attempt of the step that starts from `from`: state 'failed', the reason, attempts + 1.
   * Refused (changed false) when the item has meanwhile moved past `from`.
   */
  async fail(id: string, from: ForwardState, reason: string): Promise<WriteResult> {
    const upTo = FORWARD_STATES.slice(0, FORWARD_STATES.indexOf(from) + 1);
    const values: Record<string, unknown> = {
      ':failed': 'failed', ':from': from, ':reason': reason.slice(0, MAX_REASON), ':one': 1, ':now': this.#now().toISOString(),
    };
    const allowed = upTo.map((s, i) => { values[`:u${i}`] = s; return `:u${i}`; }).join(', ');
    return this.#update({
      Key: { id },
      UpdateExpression: 'SET #state = :failed, failedFrom = :from, reason = :reason, updatedAt = :now ADD attempts :one',
      ConditionExpression: `attribute_exists(id) AND (#state IN (${allowed}) OR #state = :failed)`,
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: values,
    });
  }

  /**
   * Records how far the item's upload got (bumping `updatedAt`: an upload making progress is not stuck), while
   * the item is 'uploading' or failed from there; `undefined` removes it. Refused once the item moved on.
   */
  async saveCheckpoint(id: string, checkpoint: IngestCheckpoint | undefined): Promise<WriteResult> {
    const values: Record<string, unknown> = { ':now': this.#now().toISOString(), ':up': 'uploading', ':failed': 'failed' };
    if (checkpoint) values[':cp'] = withoutUndefined(checkpoint);
    return this.#update({
      Key: { id },
      UpdateExpression: checkpoint ? 'SET checkpoint = :cp, updatedAt = :now' : 'SET updatedAt = :now REMOVE checkpoint',
      ConditionExpression: 'attribute_exists(id) AND (#state = :up OR (#state = :failed AND failedFrom = :up))',
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: values,
    });
  }

  /**
   * Records the start of the item's transcode: its RunId, or 'unanswered' when StartTranscode got no answer (the
   * time of the request goes in `transcodeRequestedAt`). Moves the item to 'transcoding' from an earlier state (or failed from one),
   * and completes a 'transcoding' item that has no RunId yet (the unanswered start, or reconcile's restart).
   * Refused (changed false) once the item has its RunId or moved past 'transcoding'.
   */
  async startTranscode(id: string, run: { runId: string } | 'unanswered'): Promise<WriteResult> {
    const orIf = '#state = :to AND attribute_not_exists(runId)';
    return run === 'unanswered'
      ? this.#forward(id, 'transcoding', { sets: ['transcodeRequestedAt = :now'], orIf })
      : this.#forward(id, 'transcoding', { values: { ':run': run.runId }, sets: ['runId = :run'], remove: ['transcodeRequestedAt'], orIf });
  }

  /**
   * Reconcile's restart of a transcode whose StartTranscode was never answered: counts the restart and marks
   * the new request, if the item is still 'transcoding' without a RunId and unchanged since `seenUpdatedAt` (so
   * two reconcile runs never restart it twice).
   */
  async restartTranscode(id: string, seenUpdatedAt: string): Promise<WriteResult> {
    const now = this.#now().toISOString();
    return this.#update({
      Key: { id },
      UpdateExpression: 'SET transcodeRequestedAt = :now, updatedAt = :now ADD transcodeRestarts :one',
      ConditionExpression: '#state = :transcoding AND attribute_not_exists(runId) AND updatedAt = :seen',
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: { ':now': now, ':one': 1, ':transcoding': 'transcoding', ':seen': seenUpdatedAt },
    });
  }

  /** Marks that reconcile drove the item on (bumps `updatedAt` so the next run waits again), if still in `state`. */
  async touch(id: string, state: ItemState): Promise<WriteResult> {
    return this.#update({
      Key: { id },
      UpdateExpression: 'SET updatedAt = :now ADD reconciled :one',
      ConditionExpression: '#state = :state',
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: { ':now': this.#now().toISOString(), ':one': 1, ':state': state },
    });
  }

  /** Items of a video (GSI `vid-index`). */
  async findByVid(vid: string): Promise<Item[]> {
    const out = await this.#db.query<Item>({
      TableName: this.#table, IndexName: 'vid-index', KeyConditionExpression: 'vid = :vid', ExpressionAttributeValues: { ':vid': vid },
    });
    return out.Items;
  }

  /** Items in `state` not updated since `before` (GSI `state-index`), oldest first, at most `limit`. */
  async stuck(state: ItemState, before: Date, limit = 100): Promise<Item[]> {
    const items: Item[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.#db.query<Item>({
        TableName: this.#table,
        IndexName: 'state-index',
        KeyConditionExpression: '#state = :state AND updatedAt < :before',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':state': state, ':before': before.toISOString() },
        Limit: limit - items.length,
        ExclusiveStartKey: start,
      });
      items.push(...out.Items);
      start = out.LastEvaluatedKey;
    } while (start && items.length < limit);
    return items;
  }

  /**
   * The conditional write of a forward move to `to`: allowed from an earlier state, or failed from an earlier
   * state or from `to` itself (the retry of a failed step), or when `orIf` holds; `extra` adds to what is set
   * and removed. `:to` and `:now` may be used in `extra`.
   */
  async #forward(id: string, to: ForwardState, extra: {
    names?: Record<string, string>; values?: Record<string, unknown>; sets?: string[]; remove?: string[]; orIf?: string;
  }): Promise<WriteResult> {
    const values: Record<string, unknown> = { ':to': to, ':now': this.#now().toISOString(), ':failed': 'failed', ...extra.values };
    const allowed = statesBefore(to).map((s, i) => { values[`:b${i}`] = s; return `:b${i}`; }).join(', ');
    const sets = ['#state = :to', 'updatedAt = :now', ...(extra.sets ?? [])];
    // past 'uploading' the upload checkpoint (and its credential) has served its purpose
    const remove = ['#failedFrom', ...(FORWARD_STATES.indexOf(to) > FORWARD_STATES.indexOf('uploading') ? ['checkpoint'] : []), ...(extra.remove ?? [])];
    return this.#update({
      Key: { id },
      UpdateExpression: `SET ${sets.join(', ')} REMOVE ${remove.join(', ')}`,
      ConditionExpression: `attribute_exists(id) AND (#state IN (${allowed}) OR (#state = :failed AND #failedFrom IN (${allowed}, :to))`
        + `${extra.orIf ? ` OR (${extra.orIf})` : ''})`,
      ExpressionAttributeNames: { '#state': 'state', '#failedFrom': 'failedFrom', ...extra.names },
      ExpressionAttributeValues: values,
    });
  }

  async #update(input: Omit<UpdateInput, 'TableName' | 'ReturnValues'> & { Key: { id: string } }): Promise<WriteResult> {
    try {
      const out = await this.#db.update<Item>({ ...input, TableName: this.#table, ReturnValues: 'ALL_NEW' });
      return { changed: true, item: out.Attributes };
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
      return { changed: false, item: await this.get(input.Key.id) };
    }
  }
}

function withoutUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

function isConditionFailure(err: unknown): boolean {
  return err instanceof AwsError && err.name === 'ConditionalCheckFailedException';
}
