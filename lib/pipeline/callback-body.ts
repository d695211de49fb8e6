import * as v from 'valibot';
import { itemIdFromCallbackArgs } from './callback-args.ts';
import type { PipelineEvents } from './events.ts';
import { urlItemId } from './item.ts';

const str = v.optional(v.string());
/** The service's callback envelope (protocol section 8). Loose: the service may add fields. */
export const CallbackBody = v.object({
  RequestId: v.pipe(v.string(), v.minLength(1)),
  Version: str,
  EventType: v.pipe(v.string(), v.minLength(1)),
  EventTime: str,
  // an array passes valibot's object check (every field is optional): refuse it explicitly
  Data: v.pipe(
    v.custom<Record<string, unknown>>((d) => typeof d === 'object' && d !== null && !Array.isArray(d), 'Data must be an object'),
    v.object({
      Code: str, Message: str, Vid: str, SpaceName: str, CallbackArgs: str, JobId: str, SourceUrl: str, RunId: str, TemplateId: str,
    }),
  ),
});
export type CallbackBody = v.InferOutput<typeof CallbackBody>;

type Emit = { [K in keyof PipelineEvents]: { kind: 'emit'; detailType: K; detail: PipelineEvents[K] } }[keyof PipelineEvents];

/** What to do with one callback. `key` identifies the work for idempotency. */
export type CallbackAction = { key: string } & (
  | Emit
  | { kind: 'fail'; itemId: string; reason: string }
  | { kind: 'ignore'; why: string }
);

/**
 * Maps a callback to its effect: FileUploadComplete / FileUploadByUrlComplete -> 'UploadCommitted',
 * TranscodeComplete -> 'TranscodeCompleted' (also for failed runs: publish records the failure), a failed URL
 * upload -> the item fails, anything else is acknowledged and ignored. Keyed on event type + Vid (+ RunId / JobId),
 * so a callback re-sent with a new RequestId still has one effect; RequestId only when there is no Vid.
 */
export function interpretCallback(body: CallbackBody): CallbackAction {
  const d = body.Data;
  const key = d.Vid ? `${body.EventType}/${d.Vid}/${d.RunId ?? d.JobId ?? ''}` : `${body.EventType}/request/${body.RequestId}`;
  const ok = (d.Code ?? 'Success') === 'Success';
  switch (body.EventType) {
    case 'FileUploadComplete':
    case 'FileUploadByUrlComplete': {
      const itemId = body.EventType === 'FileUploadByUrlComplete' && d.JobId ? urlItemId(d.JobId) : itemIdFromCallbackArgs(d.CallbackArgs);
      if (!ok || !d.Vid) {
        if (itemId) return { key, kind: 'fail', itemId, reason: `${body.EventType} ${d.Code ?? 'without Vid'}: ${d.Message ?? ''}`.trim() };
        return { key, kind: 'ignore', why: `${body.EventType} ${d.Code ?? ''} for no known item` };
      }
      if (!d.SpaceName) return { key, kind: 'ignore', why: `${body.EventType} without SpaceName` };
      const detail: PipelineEvents['UploadCommitted'] = { vid: d.Vid, spaceName: d.SpaceName };
      if (itemId) detail.itemId = itemId;
      if (d.CallbackArgs) detail.callbackArgs = d.CallbackArgs;
      return { key, kind: 'emit', detailType: 'UploadCommitted', detail };
    }
    case 'TranscodeComplete': {
      if (!d.Vid || !d.RunId || !d.SpaceName) return { key, kind: 'ignore', why: 'TranscodeComplete without Vid, RunId or SpaceName' };
      // our StartTranscode's CallbackArgs name the item: no lookup by Vid on an index that may lag
      const itemId = itemIdFromCallbackArgs(d.CallbackArgs);
      const detail: PipelineEvents['TranscodeCompleted'] = { vid: d.Vid, runId: d.RunId, spaceName: d.SpaceName, code: d.Code ?? 'Success' };
      if (itemId) detail.itemId = itemId;
      return { key, kind: 'emit', detailType: 'TranscodeCompleted', detail };
    }
    default:
      return { key, kind: 'ignore', why: `event type ${body.EventType} is not used by the pipeline` };
  }
}
