import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';

/** A dynalite server in this process. */
export interface LocalDynamo { port: number; endpoint: string; close(): Promise<void> }

/** Starts dynalite on 127.0.0.1:`port` (0 = ephemeral), in memory unless `path` is given. */
export async function startDynalite(port: number, path?: string): Promise<LocalDynamo> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, ...(path ? { path } : {}) });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => { server.off('error', reject); resolve(); });
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    port: actual,
    endpoint: `http://127.0.0.1:${actual}`,
    close: () => new Promise((resolve) => { server.close(() => resolve()); server.closeAllConnections?.(); }),
  };
}
