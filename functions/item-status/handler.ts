// GET /items/{id} -> the pipeline item (id URL-encoded: s3:..., url:..., vid:...), or by Vid; upload credentials left out.
import * as v from 'valibot';
import { httpHandler, NotFound, parsePath } from '#lib/http';
import { itemStore, publicItem, type Item } from '#lib/pipeline';

const store = itemStore();

/** DynamoDB's limit of a partition key, in UTF-8 bytes: a longer id cannot exist, and the table would refuse the read. */
const MAX_ID_BYTES = 2048;

const ItemPath = v.strictObject({
  id: v.pipe(
    v.string('must be a string'),
    v.minLength(1, 'must not be empty'),
    v.check((s) => Buffer.byteLength(s) <= MAX_ID_BYTES, `must be at most ${MAX_ID_BYTES} bytes (UTF-8)`),
  ),
});

export const handler = httpHandler(async (event) => {
  const { id } = parsePath(event, ItemPath);
  const item = (await store.get(id)) ?? (id.includes('%') ? await store.get(decoded(id)) : undefined)
    ?? (/^[A-Za-z0-9_-]{1,128}$/.test(id) ? await byVid(id) : undefined);
  if (!item) throw new NotFound(`item ${id} not found`);
  // never the upload checkpoint's credential: its progress only
  return { status: 200, body: publicItem(item) };
});

async function byVid(vid: string): Promise<Item | undefined> {
  return (await store.findByVid(vid))[0];
}

/** Gateways differ in whether they decode path parameters; an id is tried as given first, then decoded. */
function decoded(id: string): string {
  try {
    return decodeURIComponent(id);
  } catch {
    return id;
  }
}
