import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Default port of the demo page (`npm start`). */
export const WEB_PORT = 8080;

const ROOT = fileURLToPath(new URL('.', import.meta.url));
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.mp4': 'video/mp4',
};
/**
 * Only these files are served, by URL path: the page, and the sample video as a source for `POST /uploads/by-url`
 * by hand (README); nothing else of the repository leaks (serve.ts included).
 */
const FILES = new Map<string, string>([
  ...['index.html', 'app.js', 'vod-browser.js', 'style.css'].map((f): [string, string] => [f, join(ROOT, f)]),
  ['sample.mp4', join(ROOT, '../samples/sample.mp4')],
]);

export interface WebServer {
  /** e.g. http://127.0.0.1:8080 */
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * Serves the demo page (web/index.html, app.js, vod-browser.js, style.css) and samples/sample.mp4 on loopback.
 * @example const web = await serveWeb({ port: 0 }); console.log(web.url); await web.close();
 */
export async function serveWeb(opts: { port?: number; host?: string } = {}): Promise<WebServer> {
  const host = opts.host ?? '127.0.0.1';
  const server = createServer((req, res) => {
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).replace(/^\/+/, '') || 'index.html';
    } catch {
      path = '';
    }
    const file = FILES.get(path);
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !file) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found');
      return;
    }
    readFile(file).then(
      (body) => {
        res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream', 'content-length': body.length, 'cache-control': 'no-cache' });
        res.end(req.method === 'HEAD' ? undefined : body);
      },
      () => res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('cannot read file'),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? WEB_PORT, host, () => { server.off('error', reject); resolve(); });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${port}`,
    port,
    close: () => new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); }),
  };
}
