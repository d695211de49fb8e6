import { config, dynamoDb } from '#lib/config';
import { ItemStore } from './item-store.ts';

let store: ItemStore | undefined;

/**
 * The item store of this process on ITEMS_TABLE, memoised. Kept apart from {@link pipelineDeps} so the functions
 * that only read or create items (item-status, upload-by-url) do not bundle the bus and the idempotency layer.
 */
export function itemStore(): ItemStore {
  store ??= new ItemStore({ db: dynamoDb(), tableName: config().itemsTable });
  return store;
}
