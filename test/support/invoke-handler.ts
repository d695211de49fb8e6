// Child process of test/handlers/iam-roles.test.ts: imports one function's handler (reading its configuration from
// the environment the parent gives) and invokes it with each event file in turn, as Lambda would. A handler built
// over a clock (vod-callback's `createHandler`) gets INVOKE_CLOCK's instant, so that signed timestamps do not
// depend on the wall clock. argv: handler module, event files. Prints one line per event: "@@result {json}".
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { configOf, type Setting } from '#lib/config';
import { callbackDeps } from '#lib/pipeline';
import { lambdaContext } from '../unit/pipeline/harness.ts';

type Handler = (e: unknown, c: unknown) => Promise<unknown>;
const [handlerFile, ...events] = process.argv.slice(2);
const mod = (await import(pathToFileURL(handlerFile!).href)) as {
  handler: Handler; createHandler?: (deps: unknown, cfg: unknown, now: () => Date) => Handler; SETTINGS?: readonly Setting[];
};
const clock = process.env.INVOKE_CLOCK;
const handler = clock && mod.createHandler && mod.SETTINGS
  ? mod.createHandler(callbackDeps(), configOf(mod.SETTINGS), () => new Date(clock))
  : mod.handler;
for (const [i, file] of events.entries()) {
  const event = JSON.parse(await readFile(file, 'utf8')) as unknown;
  try {
    const out = await handler(event, lambdaContext(`iam-${i}`));
    process.stdout.write(`@@result ${JSON.stringify({ ok: true, out })}\n`);
  } catch (err) {
    process.stdout.write(`@@result ${JSON.stringify({ ok: false, error: `${(err as Error).name}: ${(err as Error).message}` })}\n`);
  }
}
