/** What the pipeline puts in CallbackArgs, so the service's callbacks lead back to the item. */
export interface PipelineCallbackArgs { itemId: string; bucket?: string; key?: string }

/** CallbackArgs for an item (JSON; the service echoes it verbatim in callbacks). */
export function encodeCallbackArgs(args: PipelineCallbackArgs): string {
  return JSON.stringify(args);
}

/** The item id in CallbackArgs written by `encodeCallbackArgs`, or undefined for anything else. */
export function itemIdFromCallbackArgs(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  try {
    const parsed: unknown = JSON.parse(raw);
    const itemId = (parsed as { itemId?: unknown } | null)?.itemId;
    return typeof itemId === 'string' && itemId !== '' ? itemId : undefined;
  } catch {
    return undefined;
  }
}
