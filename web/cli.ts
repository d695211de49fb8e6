// `node --import tsx web/cli.ts [port]`: serves the demo page alone (default http://127.0.0.1:8080), e.g. next to `npm start`.
import { serveWeb, WEB_PORT } from './serve.ts';

const port = process.argv[2] === undefined ? WEB_PORT : Number(process.argv[2]);
const web = await serveWeb({ port });
console.log(`demo page       ${web.url}/   (API http://127.0.0.1:3000, VOD emulator http://127.0.0.1:4100)`);
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => void web.close().then(() => process.exit(0)));
