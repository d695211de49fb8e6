// POST /uploads/by-url (protected) -> UploadMediaByUrl 2020-08-01; one pipeline item `url:{jobId}` per URL.
import * as v from 'valibot';
import { configOf, PROTECTED_API_KEYS, VOD_SPACE } from '#lib/config';
import { authorizeRequest, httpHandler, list, parseJsonBody, SpaceName, word } from '#lib/http';
import { startUrlUploads, urlUploadDeps } from '#lib/pipeline';

const cfg = configOf([VOD_SPACE, PROTECTED_API_KEYS]);
const deps = urlUploadDeps();

const SourceUrl = v.pipe(
  v.string('must be a string'),
  v.maxLength(2048, 'must be at most 2048 characters'),
  v.url('must be an absolute URL'),
  v.check((u) => /^https?:\/\//i.test(u), 'must use http or https'),
);
const UploadByUrlRequest = v.strictObject({
  space: v.optional(SpaceName),
  urls: list(SourceUrl, 1, 20),
  format: v.optional(word('a file format such as mp4', 16)),
});

export const handler = httpHandler(async (event) => {
  authorizeRequest(event, cfg.apiKeys);
  const req = parseJsonBody(event, UploadByUrlRequest);
  const items = await startUrlUploads(deps, { spaceName: req.space ?? cfg.space, urls: req.urls, format: req.format });
  return { status: 202, body: { items } };
});
