// EventBridge 'UploadCommitted' -> StartTranscode with the configured template (once per Vid), record the RunId.
import type { EventBridgeEvent } from 'aws-lambda';
import { configOf, VOD_TRANSCODE_TEMPLATE_ID } from '#lib/config';
import { eventHandler } from '#lib/http';
import { transcodeDeps, transcodeOnCommit, type TranscodeResult, type UploadCommittedDetail } from '#lib/pipeline';

const cfg = configOf([VOD_TRANSCODE_TEMPLATE_ID]);
const deps = transcodeDeps();

export const handler = eventHandler(async (event: EventBridgeEvent<'UploadCommitted', UploadCommittedDetail>): Promise<TranscodeResult> =>
  transcodeOnCommit(deps, event.detail, { templateId: cfg.transcodeTemplateId }));
