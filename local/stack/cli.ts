// `npm start`: the whole local stack in one command; Ctrl-C (or the parent going away) stops everything.
import { type WebServer, serveWeb } from '../../web/serve.ts';
import { startStack, type LocalStack } from './index.ts';

const verbose = process.argv.includes('--verbose') || process.env.STACK_VERBOSE === '1';
let web: WebServer | undefined;
let stopping = false;

const starting = startStack({
  // functions' JSON logs and osls messages; the offline banner is noise next to the lines below
  onOfflineLine: (line) => { if (verbose || /^\s*\{|error|warn|fail/i.test(line)) console.log(`[offline] ${line}`); },
});

async function stop(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    const t0 = Date.now();
    await web?.close();
    // also while starting: let it finish (a failed start cleans up after itself), then close what it started
    const stack = await starting.catch(() => undefined);
    await stack?.close();
    if (stack) console.log(`stopped in ${Date.now() - t0} ms`);
  }
  process.exit(code);
}

// a stop asked for is a success (npm would report any other code as the script failing)
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, () => void stop(0));
// npm may be killed without passing a signal on: watch for the parent going away
const parent = process.ppid;
setInterval(() => { if (process.ppid !== parent) void stop(0); }, 500).unref();

let stack: LocalStack | undefined;
try {
  stack = await starting;
} catch (err) {
  console.error(`local stack failed to start: ${(err as Error).message}`);
  await stop(1);
}
const s = stack as LocalStack;
// the functions live in the offline process: without it the stack is half alive, so it ends the stack
void s.offlineExited.then((code) => {
  if (stopping) return;
  console.error(`osls offline exited (code ${code}); stopping the stack\n--- osls offline output ---\n${s.offlineTail()}`);
  void stop(1);
});
try {
  web = await serveWeb({ port: Number(process.env.WEB_PORT ?? 8080) });
} catch (err) {
  console.error(`demo page failed to start: ${(err as Error).message}`);
  await stop(1);
}
const e = s.endpoints;
console.log(`http api        ${e.api}   (POST /uploads/by-url, GET /items/{id}, POST /vod/callback, tokens, play ...)`);
console.log(`lambda invoke   ${e.lambda}`);
console.log(`vod emulator    ${e.emulator}   (callbacks -> ${e.callback})`);
console.log(`s3 (s3rver)     ${e.s3}   bucket ${s.ingestBucket}, prefix ${s.ingestPrefix}, credentials S3RVER/S3RVER`);
console.log(`eventbridge     ${e.eventBridge}`);
console.log(`dynamodb        ${e.dynamo}   tables ${s.itemsTable}, vod-serverless-local-idempotency`);
console.log(`demo page       ${web!.url}/   (upload and play in the browser with tokens)`);
console.log(`api key         ${s.apiKey}   (local only)`);
console.log(`ready in ${s.startMs} ms (Ctrl-C to stop; npm run demo drives the pipeline)`);
