import type { Digest } from './blobs.ts';
import type { Ctx } from './context.ts';
import { mediaMeta } from './media-meta.ts';
import type { FileType, StoredObject } from './state.ts';

/** A 1x1 PNG: the emulator cannot render frames, so snapshots are this placeholder. */
const PLACEHOLDER_PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

export function newBlobId(ctx: Ctx, prefix: string): string {
  return `${prefix}-${ctx.rng.hex(24)}`;
}

/** Records bytes stored under `blob` as the object `uri` (reads its media metadata), replacing an older version. */
export async function recordObject(ctx: Ctx, a: { uri: string; blob: string; digest: Digest; space: string; fileType: FileType }): Promise<StoredObject> {
  const meta = await mediaMeta({ size: a.digest.size, read: (off, len) => ctx.blobs.read(a.blob, off, len) });
  const previous = ctx.state.objects[a.uri];
  const obj: StoredObject = {
    uri: a.uri, space: a.space, fileType: a.fileType, blob: a.blob, size: a.digest.size, md5: a.digest.md5, crc32: a.digest.crc32,
    createdAt: ctx.now().toISOString(), ...meta,
  };
  ctx.state.objects[a.uri] = obj;
  if (previous && previous.blob !== a.blob) await ctx.blobs.delete(previous.blob);
  return obj;
}

const md5s = new WeakMap<StoredObject, Promise<string>>();

/**
 * The object's md5, computed once from its bytes when it is not known yet (a multipart object whose parts were
 * not hashed in order while they arrived, e.g. across a restart) and kept on the object (persisted with the state).
 */
export async function objectMd5(ctx: Ctx, obj: StoredObject): Promise<string> {
  if (obj.md5) return obj.md5;
  let p = md5s.get(obj);
  if (!p) {
    p = ctx.blobs.md5(obj.blob).then((md5) => (obj.md5 = md5));
    md5s.set(obj, p);
    void p.catch(() => md5s.delete(obj));
  }
  return p;
}

/** Stores a placeholder snapshot image for a video and returns its uri. */
export async function snapshot(ctx: Ctx, space: string): Promise<string> {
  const uri = `tos-emu-i-0001/${ctx.rng.hex(32)}`;
  const blob = newBlobId(ctx, 'o');
  const digest = await ctx.blobs.put(blob, [PLACEHOLDER_PNG]);
  await recordObject(ctx, { uri, blob, digest, space, fileType: 'image' });
  return uri;
}
