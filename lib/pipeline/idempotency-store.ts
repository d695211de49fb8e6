import { IdempotencyItemAlreadyExistsError, IdempotencyItemNotFoundError, IdempotencyRecordStatus } from '@aws-lambda-powertools/idempotency';
import { BasePersistenceLayer, IdempotencyRecord } from '@aws-lambda-powertools/idempotency/persistence';
import { AwsError, type Doc, type DynamoDb } from '#lib/aws';

/**
 * Powertools idempotency records in DynamoDB through lib/aws (no AWS SDK client to load at cold start): the
 * table, attribute names and conditional writes of Powertools' own DynamoDBPersistenceLayer (key `id`, `status`,
 * `expiration`, `in_progress_expiration`, `data`, `validation`), so the two read and write the same records.
 */
export class IdempotencyStore extends BasePersistenceLayer {
  readonly #db: DynamoDb;
  readonly #table: string;
  readonly #now: () => number;

  constructor(opts: { db: DynamoDb; tableName: string; now?: () => number }) {
    super();
    this.#db = opts.db;
    this.#table = opts.tableName;
    this.#now = opts.now ?? Date.now;
  }

  protected async _getRecord(idempotencyKey: string): Promise<IdempotencyRecord> {
    const { Item } = await this.#db.get({ TableName: this.#table, Key: { id: idempotencyKey }, ConsistentRead: true });
    if (!Item) throw new IdempotencyItemNotFoundError();
    return record(Item);
  }

  /**
   * Writes an in-progress record unless a live one exists: the key is new, its record expired, or it is in
   * progress past its lease (the Lambda that held it timed out). Else throws Powertools' "already exists" with the
   * record found, which Powertools turns into the stored result or an in-progress error.
   */
  protected async _putRecord(rec: IdempotencyRecord): Promise<void> {
    const item: Doc = { id: rec.idempotencyKey, expiration: rec.expiryTimestamp, status: rec.getStatus() };
    if (rec.inProgressExpiryTimestamp !== undefined) item.in_progress_expiration = rec.inProgressExpiryTimestamp;
    if (this.isPayloadValidationEnabled() && rec.payloadHash !== undefined) item.validation = rec.payloadHash;
    const now = this.#now();
    try {
      await this.#db.put({
        TableName: this.#table,
        Item: item,
        // Powertools' condition, without its parentheses (AND binds before OR): dynalite parses them slowly
        ConditionExpression: 'attribute_not_exists(#id) OR #expiry < :now OR '
          + '#status = :inprogress AND attribute_exists(#in_progress_expiry) AND #in_progress_expiry < :now_in_millis',
        ExpressionAttributeNames: { '#id': 'id', '#expiry': 'expiration', '#in_progress_expiry': 'in_progress_expiration', '#status': 'status' },
        ExpressionAttributeValues: { ':now': now / 1000, ':now_in_millis': now, ':inprogress': IdempotencyRecordStatus.INPROGRESS },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      });
    } catch (err) {
      if (!(err instanceof AwsError) || err.name !== 'ConditionalCheckFailedException') throw err;
      const old = err.fields.Item as Doc | undefined;
      throw new IdempotencyItemAlreadyExistsError(
        `Failed to put record for already existing idempotency key: ${rec.idempotencyKey}`, old && record(old),
      );
    }
  }

  protected async _updateRecord(rec: IdempotencyRecord): Promise<void> {
    const sets = ['#expiry = :expiry', '#status = :status'];
    const names: Record<string, string> = { '#expiry': 'expiration', '#status': 'status' };
    const values: Doc = { ':expiry': rec.expiryTimestamp, ':status': rec.getStatus() };
    if (rec.responseData !== undefined) {
      sets.push('#response_data = :response_data');
      names['#response_data'] = 'data';
      values[':response_data'] = rec.responseData;
    }
    if (this.isPayloadValidationEnabled()) {
      sets.push('#validation_key = :validation_key');
      names['#validation_key'] = 'validation';
      values[':validation_key'] = rec.payloadHash;
    }
    await this.#db.update({
      TableName: this.#table, Key: { id: rec.idempotencyKey }, UpdateExpression: `SET ${sets.join(', ')}`,
      ExpressionAttributeNames: names, ExpressionAttributeValues: values,
    });
  }

  protected async _deleteRecord(rec: IdempotencyRecord): Promise<void> {
    await this.#db.delete({ TableName: this.#table, Key: { id: rec.idempotencyKey } });
  }
}

function record(item: Doc): IdempotencyRecord {
  return new IdempotencyRecord({
    idempotencyKey: item.id as string,
    status: item.status as never,
    expiryTimestamp: item.expiration as number | undefined,
    inProgressExpiryTimestamp: item.in_progress_expiration as number | undefined,
    responseData: item.data as never,
    payloadHash: item.validation as string | undefined,
  });
}
