import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** `osls offline start` as a child process. */
export interface OfflineProcess {
  child: ChildProcess;
  /** The last lines it printed (for error reports). */
  tail(): string;
  /** Resolves when it exited. */
  exited: Promise<number | null>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when it is gone. */
  stop(graceMs?: number): Promise<void>;
}

const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p));

/**
 * Spawns `osls offline start --stage {stage}` in `cwd` with `env`. Under `setpriv --pdeathsig SIGTERM` when
 * available, so the child dies with the launcher even if the launcher is SIGKILLed.
 */
export function startOffline(opts: { cwd: string; env: NodeJS.ProcessEnv; stage: string; onLine?: (line: string) => void }): OfflineProcess {
  const require = createRequire(join(opts.cwd, 'package.json'));
  const bin = join(dirname(require.resolve('osls/package.json')), 'bin', 'serverless.js');
  const argv = [process.execPath, bin, 'offline', 'start', '--stage', opts.stage];
  const [cmd, ...args] = SETPRIV ? [SETPRIV, '--pdeathsig', 'SIGTERM', '--', ...argv] : argv;
  const child = spawn(cmd as string, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const take = (chunk: Buffer): void => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line.trim() === '') continue;
      lines.push(line);
      if (lines.length > 200) lines.shift();
      opts.onLine?.(line);
    }
  };
  child.stdout?.on('data', take);
  child.stderr?.on('data', take);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    tail: () => lines.slice(-40).join('\n'),
    exited,
    stop: async (graceMs = 3000) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
