// Child of the cold-start bench: a fresh `node` that requires one bundle and runs its first invocation, the way
// the Lambda runtime does. argv: bundle, event file. Prints one line: "@@bench {json}".
const { readFileSync } = require('node:fs');
const [bundle, eventFile] = process.argv.slice(2);
const event = JSON.parse(readFileSync(eventFile, 'utf8'));
const context = {
  awsRequestId: 'bench-req-1', functionName: 'bench', functionVersion: '$LATEST', memoryLimitInMB: '256',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:bench', logGroupName: '/aws/lambda/bench',
  logStreamName: 'bench', callbackWaitsForEmptyEventLoop: true, getRemainingTimeInMillis: () => 29000,
  done() {}, fail() {}, succeed() {},
};
const out = (o) => process.stdout.write(`\n@@bench ${JSON.stringify(o)}\n`);
// The Lambda runtime has stdout and stderr in use before it loads a handler: initialise them outside the timing
// (their lazy set-up is ~5 ms of node internals that would otherwise be billed to whichever bundle logs first).
void process.stdout;
void process.stderr;
const c0 = process.cpuUsage();
const t0 = process.hrtime.bigint();
let mod;
try {
  mod = require(bundle);
} catch (err) {
  out({ ok: false, phase: 'require', error: String(err && err.stack || err) });
  process.exit(0);
}
const t1 = process.hrtime.bigint();
Promise.resolve()
  .then(() => mod.handler(event, context))
  .then(
    (res) => ({ ok: !(res && typeof res.statusCode === 'number' && res.statusCode >= 500), status: res && res.statusCode, body: res && typeof res.body === 'string' ? res.body.slice(0, 300) : undefined }),
    (err) => ({ ok: false, error: String(err && err.message || err).slice(0, 300) }),
  )
  .then((r) => {
    const t2 = process.hrtime.bigint();
    const c = process.cpuUsage(c0);
    // t0Us / t2Us: the clock (monotonic, microseconds) of the start and the end, which `--cpu-prof` timestamps share
    out({ ...r, requireMs: Number(t1 - t0) / 1e6, invokeMs: Number(t2 - t1) / 1e6, cpuMs: (c.user + c.system) / 1000, rssMiB: process.memoryUsage().rss / 1048576,
      t0Us: Number(t0 / 1000n), t2Us: Number(t2 / 1000n) });
    process.exit(0);
  });
