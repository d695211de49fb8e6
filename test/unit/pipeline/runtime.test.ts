// The deps of the pipeline functions as they run in Lambda (lib/pipeline/runtime.ts): a step's `prepare` opens
// its next calls' connections while its claim is answered, and sends nothing on them.
import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { after, before, test } from 'node:test';

/** A TCP server that counts its connections and the bytes they carried. */
async function listener(): Promise<{ origin: string; connections: () => number; bytes: () => number; close: () => Promise<void> }> {
  let connections = 0;
  let bytes = 0;
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('data', (d) => void (bytes += d.length));
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, connections: () => connections, bytes: () => bytes,
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

let vod: Awaited<ReturnType<typeof listener>>;
let bus: Awaited<ReturnType<typeof listener>>;

before(async () => {
  [vod, bus] = await Promise.all([listener(), listener()]);
  Object.assign(process.env, {
    VOD_ENDPOINT: vod.origin, AWS_ENDPOINT_URL_EVENTBRIDGE: bus.origin, AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
    AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test-secret',
  });
});
after(() => Promise.all([vod.close(), bus.close()]));

/** Waits (1 ms steps, at most `ms`) until `done()`. */
async function until(done: () => boolean, ms = 2000): Promise<void> {
  for (const end = Date.now() + ms; !done() && Date.now() < end;) await new Promise((resolve) => setTimeout(resolve, 1));
}

test('ingest-object\'s prepare opens one connection to the VOD API and one to the bus, and sends nothing on them', { timeout: 5000 }, async () => {
  const { ingestDeps, transcodeDeps } = await import('#lib/pipeline');
  const deps = ingestDeps();
  deps.prepare!();
  await until(() => vod.connections() === 1 && bus.connections() === 1);
  assert.deepEqual([vod.connections(), bus.connections(), vod.bytes(), bus.bytes()], [1, 1, 0, 0]);

  // transcode-on-commit's, in the same process: the VOD API's connection is idle already, so none more
  transcodeDeps().prepare!();
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.deepEqual([vod.connections(), bus.connections()], [1, 1]);
});
