import type { IncomingMessage } from 'node:http';

export class BodyTooLarge extends Error { override name = 'BodyTooLarge' as const; }

/** Reads a whole (small) request body, refusing more than `max` bytes without buffering them. */
export async function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > max) throw new BodyTooLarge(`body of ${declared} bytes exceeds ${max}`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > max) throw new BodyTooLarge(`body exceeds ${max} bytes`);
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Consumes and discards a request body (so an early error reply leaves a clean connection). */
export async function drain(req: IncomingMessage): Promise<void> {
  if (req.readableEnded) return;
  try { for await (const _ of req) { /* discard */ } } catch { /* client went away */ }
}
