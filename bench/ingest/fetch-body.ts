/**
 * Side experiment for the ingest findings: CPU of sending 5 MiB parts with fetch as a Uint8Array body against the
 * web ReadableStream of 1 MiB views that lib/vod/multipart.ts builds (bodyInit), to a loopback sink that discards.
 * `node --import tsx bench/ingest/fetch-body.ts [parts=64]`
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const PART = 5 * 1024 * 1024;
const parts = Number(process.argv[2] ?? 64);
const data = Buffer.alloc(PART, 7);
const server = createServer((req, res) => { req.resume(); req.on('end', () => res.end('ok')); });
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;

function streamBody(bytes: Uint8Array): RequestInit {
  const CHUNK = 1 << 20;
  let offset = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= bytes.byteLength) return controller.close();
      controller.enqueue(bytes.subarray(offset, offset + CHUNK));
      offset += CHUNK;
    },
  });
  return { body, duplex: 'half' } as RequestInit;
}

async function run(kind: 'bytes' | 'stream'): Promise<{ ms: number; cpuMs: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < parts; i++) {
    const init = kind === 'bytes' ? { body: data } : streamBody(data);
    const res = await fetch(url, { method: 'PUT', headers: { 'content-length': String(PART) }, ...init });
    await res.text();
  }
  const c = process.cpuUsage(c0);
  return { ms: performance.now() - t0, cpuMs: (c.user + c.system) / 1000 };
}

await run('bytes');
await run('stream');
const out: Record<string, Array<{ ms: number; cpuMs: number }>> = { bytes: [], stream: [] };
for (let i = 0; i < 5; i++) for (const k of ['bytes', 'stream'] as const) out[k]!.push(await run(k));
const med = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1]!;
for (const [k, rs] of Object.entries(out)) {
  console.log(`${k.padEnd(6)} ${parts} x 5 MiB: median ${med(rs.map((r) => r.ms)).toFixed(0)} ms wall, ${med(rs.map((r) => r.cpuMs)).toFixed(0)} ms CPU (client + sink, one process)`);
}
server.close();
