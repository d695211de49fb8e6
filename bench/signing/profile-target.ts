/** Child of the signing bench: runs one signing path in a loop for the CPU profiler. argv: which, ms. */
import * as C from './cases.ts';

const [which = 'header', msArg = '3000'] = process.argv.slice(2);
const { fn: tokenFn } = await C.loadTokenFn();
const ops: Record<string, () => Promise<unknown>> = {
  header: async () => { await C.ourHeader(C.getReq); await C.ourHeader(C.postReq); },
  'smithy-header': async () => { await C.smithyHeader(C.getReq); await C.smithyHeader(C.postReq); },
  token: () => tokenFn(C.tokenParams, C.signOpts),
};
const op = ops[which];
if (!op) throw new Error(`unknown path ${which}`);
async function warmUp(): Promise<void> {
  for (let i = 0; i < 3000; i++) await op!();
}
/** The steady state: the summariser counts samples from the first one under this function. */
async function profileLoop(): Promise<void> {
  const end = performance.now() + Number(msArg);
  while (performance.now() < end) for (let i = 0; i < 100; i++) await op!();
}
await warmUp();
await profileLoop();
