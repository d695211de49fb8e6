import { awsJson, type AwsContext } from '#lib/aws';
import { EVENT_SOURCE, type PipelineEvents } from './events.ts';

/** A PutEvents entry the bus refused. */
export class BusError extends Error {
  override readonly name = 'BusError';
  readonly code: string | undefined;
  constructor(message: string, code?: string) {
    super(message);
    this.code = code;
  }
}

interface PutEventsOutput { FailedEntryCount?: number; Entries?: Array<{ EventId?: string; ErrorCode?: string; ErrorMessage?: string }> }

/**
 * Puts pipeline events on the EventBridge bus (source 'vod-serverless') with one signed PutEvents call (lib/aws).
 * Throws BusError when the entry is refused, so the calling handler fails and its event is retried rather than lost.
 * @example await new PipelineBus({ events: awsContext('events'), busName }).emit('UploadCommitted', { vid, spaceName })
 */
export class PipelineBus {
  readonly #events: AwsContext;
  readonly #busName: string;

  constructor(opts: { events: AwsContext; busName: string }) {
    this.#events = opts.events;
    this.#busName = opts.busName;
  }

  /** Emits one event; resolves once the bus accepted it. */
  async emit<T extends keyof PipelineEvents>(detailType: T, detail: PipelineEvents[T]): Promise<void> {
    const out = await awsJson<PutEventsOutput>(this.#events, 'AWSEvents.PutEvents', '1.1', {
      Entries: [{ EventBusName: this.#busName, Source: EVENT_SOURCE, DetailType: detailType, Detail: JSON.stringify(detail) }],
    });
    const failed = out.Entries?.find((e) => e.ErrorCode);
    if ((out.FailedEntryCount ?? 0) > 0 || failed) {
      throw new BusError(`PutEvents refused ${detailType}: ${failed?.ErrorMessage ?? 'unknown error'}`, failed?.ErrorCode);
    }
  }
}
