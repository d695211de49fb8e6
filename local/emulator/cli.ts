import { parseCli, USAGE } from './cli-args.ts';
import { startEmulator } from './index.ts';

/** `npm run emulator`: one ready line on stdout, clean exit on SIGINT/SIGTERM. */
async function main(): Promise<void> {
  let opts;
  try {
    opts = parseCli(process.argv.slice(2), process.env);
  } catch (e) {
    process.stderr.write(`vod-emulator: ${(e as Error).message}\n`);
    process.exit(2);
  }
  if (opts === 'help') { process.stdout.write(`${USAGE}\n`); return; }
  const emu = await startEmulator({ ...opts, log: (line) => process.stderr.write(`${line}\n`) });
  const where = opts.dataDir ? `data in ${opts.dataDir}` : 'in memory';
  process.stdout.write(`vod-emulator ready at ${emu.url} (region ${opts.region ?? 'cn-north-1'}, ${where})\n`);
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    const force = setTimeout(() => process.exit(1), 3000);
    force.unref();
    emu.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  process.on('disconnect', stop);
}

main().catch((e: unknown) => {
  process.stderr.write(`vod-emulator: ${(e as Error).message}\n`);
  process.exit(1);
});
