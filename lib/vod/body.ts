import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';

/** What can be uploaded: bytes in memory, a file path, a Node Readable or a web ReadableStream. */
export type UploadBody = Uint8Array | string | Readable | ReadableStream<Uint8Array>;

/**
 * An opened body: its size when known, and either the whole bytes (already in memory) or a chunk stream with
 * `close()`, which releases its source (file descriptor, socket) whether or not it was read: an upload that fails
 * before reading (ApplyUpload refused, bad options) must not leak it.
 */
export type OpenedBody =
  | { size: number; bytes: Uint8Array }
  | { size: number | undefined; chunks: AsyncIterable<Uint8Array>; close: () => void };

/**
 * Opens an upload body without reading it: a Buffer is used as is, a file path is streamed 1 MiB at a time,
 * streams are iterated. `size` (when the caller knows it) applies to streams; a file's size comes from stat.
 */
export async function openBody(body: UploadBody, size?: number): Promise<OpenedBody> {
  if (body instanceof Uint8Array) return { size: body.byteLength, bytes: body };
  if (typeof body === 'string') {
    // node:fs/promises loaded here: only file uploads need it (~1 ms of every other cold start)
    const info = await process.getBuiltinModule('node:fs/promises').stat(body);
    const file = createReadStream(body, { highWaterMark: 1 << 20 });
    return { size: info.size, chunks: file, close: () => file.destroy() };
  }
  if (isWebStream(body)) {
    // a reader left by webChunks has already cancelled (or finished) the stream; a locked one is being read
    const close = (): void => {
      if (!body.locked) body.cancel().catch(() => {});
    };
    return { size, chunks: webChunks(body), close };
  }
  return { size, chunks: nodeChunks(body), close: () => body.destroy() };
}

function isWebStream(body: Readable | ReadableStream<Uint8Array>): body is ReadableStream<Uint8Array> {
  return typeof (body as ReadableStream<Uint8Array>).getReader === 'function';
}

function nodeChunks(stream: Readable): AsyncIterable<Uint8Array> {
  // a byte stream yields Buffers: iterate it directly (one async layer less per chunk)
  if (!stream.readableObjectMode && !stream.readableEncoding) return stream as AsyncIterable<Uint8Array>;
  return mixedChunks(stream);
}

async function* mixedChunks(stream: Readable): AsyncGenerator<Uint8Array> {
  for await (const chunk of stream as AsyncIterable<Uint8Array | string>) {
    yield typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
  }
}

async function* webChunks(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  let ended = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        ended = true;
        return;
      }
      yield value;
    }
  } finally {
    // stopped early (a failed upload) or errored: cancel, so that the source (a response body) is closed, as a
    // Node stream is destroyed. Not awaited: a source whose cancel never settles must not hold the upload.
    if (!ended) reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}
