// Loopback ports for tests that need "nothing listens here": borrowed from the OS and given back, never a fixed
// number (port 1 or 9 may well be open on a developer's machine or a CI runner).
import { createServer } from 'node:net';

/**
 * A 127.0.0.1 port that nothing listens on: an ephemeral port the OS just handed out, closed again. Connecting
 * to it is refused (ECONNREFUSED) unless another process takes the same port in between, which the OS's
 * rotation of ephemeral ports makes unlikely within a test.
 */
export async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = srv.address() as { port: number };
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}
