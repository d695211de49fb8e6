import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { AwsError } from './errors.ts';
import { awsJson, type AwsContext } from './request.ts';

/** An item, a key or expression values as plain JavaScript values (the document form). */
export type Doc = Record<string, unknown>;

type Names = Record<string, string>;
interface Condition { ConditionExpression?: string; ExpressionAttributeNames?: Names; ExpressionAttributeValues?: Doc; ReturnValuesOnConditionCheckFailure?: 'ALL_OLD' | 'NONE' }

export interface GetInput { TableName: string; Key: Doc; ConsistentRead?: boolean; ProjectionExpression?: string; ExpressionAttributeNames?: Names }
export interface PutInput extends Condition { TableName: string; Item: Doc }
export interface UpdateInput extends Condition { TableName: string; Key: Doc; UpdateExpression: string; ReturnValues?: 'NONE' | 'ALL_OLD' | 'UPDATED_OLD' | 'ALL_NEW' | 'UPDATED_NEW' }
export interface DeleteInput extends Condition { TableName: string; Key: Doc }
export interface QueryInput {
  TableName: string; IndexName?: string; KeyConditionExpression: string; FilterExpression?: string; ExpressionAttributeNames?: Names;
  ExpressionAttributeValues?: Doc; Limit?: number; ExclusiveStartKey?: Doc | undefined; ScanIndexForward?: boolean; ConsistentRead?: boolean;
}

const OPTIONS = { removeUndefinedValues: true };
const toWire = (doc: Doc) => marshall(doc, OPTIONS);
const fromWire = (item: unknown) => unmarshall(item as Parameters<typeof unmarshall>[0]);

/** The request with its document fields in DynamoDB's attribute-value form. */
function wire(input: object): Record<string, unknown> {
  const out: Record<string, unknown> = { ...input };
  for (const field of ['Key', 'Item', 'ExpressionAttributeValues', 'ExclusiveStartKey'] as const) {
    if (out[field] !== undefined) out[field] = toWire(out[field] as Doc);
  }
  return out;
}

/**
 * DynamoDB's item operations in the document form (as `@aws-sdk/lib-dynamodb` offers them, undefined attributes
 * dropped), over {@link awsJson}: no AWS SDK client to load at cold start. A refused condition throws an
 * {@link AwsError} named `ConditionalCheckFailedException` whose `fields.Item` holds the item, unmarshalled, when the
 * request asked for it (ReturnValuesOnConditionCheckFailure: 'ALL_OLD').
 * @example const { Item } = await new DynamoDb(ctx).get({ TableName: 'items', Key: { id }, ConsistentRead: true });
 */
export class DynamoDb {
  readonly #ctx: AwsContext;

  constructor(ctx: AwsContext) {
    this.#ctx = ctx;
  }

  async get<T = Doc>(input: GetInput): Promise<{ Item?: T }> {
    const out = await this.#call<{ Item?: unknown }>('GetItem', input);
    return out.Item ? { Item: fromWire(out.Item) as T } : {};
  }

  async put(input: PutInput): Promise<void> {
    await this.#call('PutItem', input);
  }

  async update<T = Doc>(input: UpdateInput): Promise<{ Attributes?: T }> {
    const out = await this.#call<{ Attributes?: unknown }>('UpdateItem', input);
    return out.Attributes ? { Attributes: fromWire(out.Attributes) as T } : {};
  }

  async delete(input: DeleteInput): Promise<void> {
    await this.#call('DeleteItem', input);
  }

  /** One page of a query; `LastEvaluatedKey` set when there are more. */
  async query<T = Doc>(input: QueryInput): Promise<{ Items: T[]; LastEvaluatedKey?: Doc }> {
    const out = await this.#call<{ Items?: unknown[]; LastEvaluatedKey?: unknown }>('Query', input);
    const items = (out.Items ?? []).map((i) => fromWire(i) as T);
    return out.LastEvaluatedKey ? { Items: items, LastEvaluatedKey: fromWire(out.LastEvaluatedKey) } : { Items: items };
  }

  async #call<T>(operation: string, input: object): Promise<T> {
    try {
      return await awsJson<T>(this.#ctx, `DynamoDB_20120810.${operation}`, '1.0', wire(input));
    } catch (err) {
      if (err instanceof AwsError && err.name === 'ConditionalCheckFailedException' && err.fields.Item) err.fields.Item = fromWire(err.fields.Item);
      throw err;
    }
  }
}
