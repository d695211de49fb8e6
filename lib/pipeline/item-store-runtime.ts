import { config, ddbDocClient } from '#lib/config';
import { ItemStore } from './item-store.ts';

let store: ItemStore | undefined;

/**
 * The item store of this process on ITEMS_TABLE, memoised. Kept apart from {@link pipelineDeps} so the functions
 * that only read or create items (item-status, upload-by-url) do not bundle the bus and the idempotency layer.
 */
export function itemStore(): ItemStore {
  store ??= new ItemStore({ doc: ddbDocClient(), tableName: config().itemsTable });
  return store;
}
