import { configOf, dynamoDb, ITEMS_TABLE } from '#lib/config';
import { ItemStore } from './item-store.ts';

let store: ItemStore | undefined;

/**
 * The item store of this process on ITEMS_TABLE, memoised; every function's dependencies (runtime.ts) hold it, and
 * item-status, which only reads items, takes it alone.
 */
export function itemStore(): ItemStore {
  store ??= new ItemStore({ db: dynamoDb(), tableName: configOf([ITEMS_TABLE]).itemsTable });
  return store;
}
