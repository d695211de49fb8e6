// EventBridge 'TranscodeCompleted' -> SetVideoPublishStatus Published when VOD_PUBLISH_POLICY says so.
import type { EventBridgeEvent } from 'aws-lambda';
import { configOf, VOD_PUBLISH_POLICY } from '#lib/config';
import { eventHandler } from '#lib/http';
import { publishDeps, publishOnTranscoded, type PublishResult, type TranscodeCompletedDetail } from '#lib/pipeline';

const cfg = configOf([VOD_PUBLISH_POLICY]);
const deps = publishDeps();

export const handler = eventHandler(async (event: EventBridgeEvent<'TranscodeCompleted', TranscodeCompletedDetail>, context): Promise<PublishResult> =>
  publishOnTranscoded(deps, event.detail, { policy: cfg.publishPolicy }, context));
