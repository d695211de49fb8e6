import type { ItemStore } from './item-store.ts';
import { urlItemId } from './item.ts';

/** The service's UploadMediaByUrl 2020-08-01, as the pipeline uses it. */
export interface UrlUploadVod {
  uploadMediaByUrl(p: { SpaceName: string; URLSets: ReadonlyArray<{ SourceUrl: string; FileExtension?: string }> }): Promise<{ Data: Array<{ JobId: string; SourceUrl: string }> }>;
}

export interface UrlUploadItem { id: string; jobId: string; sourceUrl: string }

/**
 * Starts URL uploads (UploadMediaByUrl 2020-08-01) and records one item `url:{jobId}` per job in 'received';
 * the service's FileUploadByUrlComplete callback (or reconcile's re-query) moves it on.
 */
export async function startUrlUploads(
  deps: { store: ItemStore; vod: UrlUploadVod }, req: { spaceName: string; urls: readonly string[]; format?: string },
): Promise<UrlUploadItem[]> {
  const ext = req.format ? `.${req.format.replace(/^\./, '')}` : undefined;
  const out = await deps.vod.uploadMediaByUrl({
    SpaceName: req.spaceName,
    URLSets: req.urls.map((SourceUrl) => (ext ? { SourceUrl, FileExtension: ext } : { SourceUrl })),
  });
  const items: UrlUploadItem[] = [];
  for (const job of out.Data) {
    const id = urlItemId(job.JobId);
    await deps.store.create({ id, source: 'url', spaceName: req.spaceName, jobId: job.JobId, sourceUrl: job.SourceUrl });
    items.push({ id, jobId: job.JobId, sourceUrl: job.SourceUrl });
  }
  return items;
}
