import { awsContext, configOf, dynamoDb, EVENT_BUS_NAME, IDEMPOTENCY_TABLE, VOD_ENDPOINT, VOD_REGION, vodApi } from '#lib/config';
import { logger } from '#lib/http';
import {
  commitUpload, getPlayInfo, preconnect, preloadCrc32, queryUploadTaskInfo, setVideoPublishStatus, startTranscode, uploadMediaByUrl,
  uploadTo, type ApiContext, type CommitUploadParams,
} from '#lib/vod';
import { PipelineBus } from './bus.ts';
import type { PipelineDeps } from './deps.ts';
import { Idempotency } from './idempotency.ts';
import type { IngestDeps } from './ingest.ts';
import { itemStore } from './item-store-runtime.ts';
import type { ItemStore } from './item-store.ts';
import { reasonOf, type StepLog } from './ports.ts';
import type { PublishDeps } from './publish.ts';
import type { ReconcileDeps } from './reconcile.ts';
import type { TranscodeDeps } from './transcode.ts';
import type { UrlUploadVod } from './url-upload.ts';

// Each function's pipeline dependencies in a Lambda, each from the settings it reads (`configOf`, validated when
// first built): the item store on ITEMS_TABLE (item-store-runtime.ts), the bus EVENT_BUS_NAME, vod-callback's idempotency records on
// IDEMPOTENCY_TABLE, lib/vod's action functions over one API context (not the VodClient class, which is bundled
// whole), the logger; each built once per container. One builder per function, each its own export: a bundle holds
// what its function's builder uses and nothing else (esbuild cannot drop an unused member of an object it builds, and
// one builder of everything put the idempotency layer, jmespath and the upload code in every pipeline bundle:
// reconcile was 105 KB, 53 without them).

let bus: PipelineBus | undefined;
const pipelineBus = (): PipelineBus => (bus ??= new PipelineBus({ events: awsContext('events'), busName: configOf([EVENT_BUS_NAME]).eventBusName }));

let once: Idempotency | undefined;
const pipelineOnce = (): Idempotency => (once ??= new Idempotency({ db: dynamoDb(), tableName: configOf([IDEMPOTENCY_TABLE]).idempotencyTable }));

let api: ApiContext | undefined;
const vodCalls = (): ApiContext => (api ??= vodApi(configOf([VOD_REGION, VOD_ENDPOINT])));

const log: StepLog = { info: (m, x) => logger.info(m, x ?? {}), warn: (m, x) => logger.warn(m, x ?? {}) };

/**
 * A step's `prepare`: opens connections to `origins` (and runs `more`) once the step's first request is written
 * (setImmediate runs after its signing, which is all microtasks), so that their TCP and TLS handshakes and the
 * module loads overlap the wait for its answer. In AWS this takes the VOD API's handshakes (a cross-region round
 * trip or two) off the path of the first VOD call of every cold or long-idle container. A failure is left to the
 * call that needs the connection.
 */
function prepareWhileWaiting(origins: readonly string[], more?: () => void): () => void {
  return () => void setImmediate(() => {
    try {
      for (const origin of origins) preconnect(new URL(origin));
      more?.();
    } catch (err) {
      log.warn('prepare failed', { reason: reasonOf(err) });
    }
  });
}

/** ingest-object's: the item (its own idempotency record), the bus, the streamed upload and its commit. */
export function ingestDeps(): IngestDeps {
  const a = vodCalls();
  // the service's Functions, which the port types loosely (the pipeline passes VOD_COMMIT_FUNCTIONS through)
  const vod = { upload: uploadTo(a), commitUpload: (p: CommitUploadParams) => commitUpload(a, p) };
  // the upload's ApplyUpload and the UploadCommitted event come next; its parts' checksums need node:zlib
  const prepare = prepareWhileWaiting([a.origin, awsContext('events').origin], preloadCrc32);
  return { store: itemStore(), bus: pipelineBus(), log, vod, prepare };
}

/** transcode-on-commit's: the item (its own idempotency record), StartTranscode. */
export function transcodeDeps(): TranscodeDeps {
  const a = vodCalls();
  return { store: itemStore(), log, vod: { startTranscode: (p) => startTranscode(a, p) }, prepare: prepareWhileWaiting([a.origin]) };
}

/** publish's: the item (its own idempotency record), GetPlayInfo (has a retry published already?) and SetVideoPublishStatus. */
export function publishDeps(): PublishDeps {
  const a = vodCalls();
  return {
    store: itemStore(), log,
    vod: { getPlayInfo: (p) => getPlayInfo(a, p), setVideoPublishStatus: (p) => setVideoPublishStatus(a, p) },
    prepare: prepareWhileWaiting([a.origin]),
  };
}

/** reconcile's: the items, the bus, GetPlayInfo and QueryUploadTaskInfo (no idempotency: it re-emits events). */
export function reconcileDeps(): ReconcileDeps {
  const a = vodCalls();
  return {
    store: itemStore(), bus: pipelineBus(), log,
    vod: { getPlayInfo: (p) => getPlayInfo(a, p), queryUploadTaskInfo: (p) => queryUploadTaskInfo(a, p) },
  };
}

/** vod-callback's: the item, the bus, idempotency (no VOD call). */
export function callbackDeps(): Pick<PipelineDeps, 'store' | 'bus' | 'once'> {
  return { store: itemStore(), bus: pipelineBus(), once: pipelineOnce() };
}

/** upload-by-url's: the items and UploadMediaByUrl. */
export function urlUploadDeps(): { store: ItemStore; vod: UrlUploadVod } {
  const a = vodCalls();
  return { store: itemStore(), vod: { uploadMediaByUrl: (p) => uploadMediaByUrl(a, p) } };
}
