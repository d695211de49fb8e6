import { createServer, connect } from 'node:net';

/** A port free on 127.0.0.1 right now (bound to 0, then released). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** True when something accepts TCP connections on 127.0.0.1:port. */
export function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host: '127.0.0.1', port });
    sock.once('connect', () => { sock.destroy(); resolve(true); });
    sock.once('error', () => resolve(false));
  });
}

/** Resolves once every port listens; rejects after `timeoutMs` naming the ports still closed, or when `abort` fires. */
export async function waitForPorts(ports: Record<string, number>, timeoutMs: number, abort?: AbortSignal): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let pending = Object.entries(ports);
  while (pending.length > 0) {
    if (abort?.aborted) throw abort.reason instanceof Error ? abort.reason : new Error('aborted');
    const open = await Promise.all(pending.map(([, p]) => isListening(p)));
    pending = pending.filter((_, i) => !open[i]);
    if (pending.length === 0) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${pending.map(([n, p]) => `${n} (${p})`).join(', ')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
