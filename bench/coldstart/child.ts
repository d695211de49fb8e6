import { spawn } from 'node:child_process';
import { join } from 'node:path';

/** What harness.cjs prints of one cold process: require + first invocation, and the clock at its start and end. */
export interface Run {
  ok: boolean; requireMs: number; invokeMs: number; cpuMs: number; rssMiB: number; status?: number; error?: string; body?: string;
  /** Monotonic clock (microseconds, as `--cpu-prof` timestamps) at the start of the require and the end of the call. */
  t0Us: number; t2Us: number;
}

/** Runs `bundle`'s cold start in a fresh `node` (`nodeFlags` before the harness, e.g. `--cpu-prof`). */
export function runChild(bundle: string, eventFile: string, env: NodeJS.ProcessEnv, nodeFlags: readonly string[] = []): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeFlags, join(import.meta.dirname, 'harness.cjs'), bundle, eventFile], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (err += d));
    child.on('error', reject);
    child.on('close', () => {
      const line = out.split('\n').reverse().find((l) => l.startsWith('@@bench '));
      if (!line) return reject(new Error(`no result from ${bundle}: ${err.slice(0, 500)}`));
      resolve(JSON.parse(line.slice(8)) as Run);
    });
  });
}
