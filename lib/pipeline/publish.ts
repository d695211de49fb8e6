import type { LeaseContext, PipelineDeps } from './deps.ts';
import type { TranscodeCompletedDetail } from './events.ts';
import { reasonOf } from './ports.ts';
import { itemFor } from './transcode.ts';

export type PublishPolicy = 'always' | 'never';
export interface PublishResult { itemId: string; outcome: 'published' | 'transcoded' | 'failed' }

/**
 * On 'TranscodeCompleted': a failed run fails the item with the service's code; a successful one records
 * 'transcoded' and, when `policy` is 'always', SetVideoPublishStatus Published -> 'published'. Once per Vid + RunId.
 */
export async function publishOnTranscoded(
  deps: PipelineDeps, detail: TranscodeCompletedDetail, opts: { policy: PublishPolicy }, context?: LeaseContext,
): Promise<PublishResult> {
  return deps.once.run('publish', `${detail.vid}/${detail.runId}`, async () => {
    const item = await itemFor(deps, detail);
    if (detail.code !== 'Success') {
      await deps.store.fail(item.id, 'transcoding', `TranscodeComplete ${detail.code} (RunId ${detail.runId})`);
      deps.log.warn('transcode failed', { itemId: item.id, vid: detail.vid, runId: detail.runId, code: detail.code });
      return { itemId: item.id, outcome: 'failed' };
    }
    await deps.store.advance(item.id, 'transcoded', { runId: detail.runId });
    if (opts.policy === 'never') return { itemId: item.id, outcome: 'transcoded' };
    try {
      await deps.vod.setVideoPublishStatus({ SpaceName: detail.spaceName, Vid: detail.vid, Status: 'Published' });
    } catch (err) {
      await deps.store.fail(item.id, 'transcoded', reasonOf(err));
      deps.log.warn('publish failed', { itemId: item.id, vid: detail.vid, reason: reasonOf(err) });
      throw err;
    }
    await deps.store.advance(item.id, 'published');
    deps.log.info('published', { itemId: item.id, vid: detail.vid });
    return { itemId: item.id, outcome: 'published' };
  }, context);
}
