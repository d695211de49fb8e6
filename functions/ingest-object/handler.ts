// S3 ObjectCreated on the ingest bucket -> stream the object into VOD, commit, record the item, emit UploadCommitted.
import type { S3Event } from 'aws-lambda';
import { getObject } from '#lib/aws';
import { configOf, INGEST_PREFIX, INGEST_SUFFIXES, s3Context, VOD_COMMIT_FUNCTIONS, VOD_SPACE } from '#lib/config';
import { eventHandler, logger } from '#lib/http';
import { ingestDeps, ingestObject, type IngestResult } from '#lib/pipeline';
import { gcTuner } from './gc.ts';

const cfg = configOf([VOD_SPACE, VOD_COMMIT_FUNCTIONS, INGEST_PREFIX, INGEST_SUFFIXES]);
const deps = ingestDeps();
const s3 = s3Context();
const tuneGc = gcTuner();

export const handler = eventHandler(async (event: S3Event, context): Promise<IngestResult[]> => {
  const results: IngestResult[] = [];
  for (const record of event.Records) {
    const bucket = record.s3.bucket.name;
    // S3 notifications URL-encode the key, with '+' for spaces
    const key = decodeURIComponent(record.s3.object.key.replace(/\+/g, ' '));
    if (!wanted(key)) {
      logger.info('ingest skipped: key outside prefix/suffixes', { bucket, key });
      continue;
    }
    const { versionId, eTag, size } = record.s3.object;
    tuneGc(size);
    results.push(await ingestObject(deps, {
      bucket, key, version: versionId ?? eTag, size, spaceName: cfg.space, functions: cfg.commitFunctions,
      open: () => getObject(s3, { bucket, key, versionId }),
    }, context));
  }
  return results;
});

function wanted(key: string): boolean {
  return key.startsWith(cfg.ingestPrefix) && (cfg.ingestSuffixes.length === 0 || cfg.ingestSuffixes.some((s) => key.endsWith(s)));
}
