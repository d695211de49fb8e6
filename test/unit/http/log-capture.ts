import { Console } from 'node:console';
import { Writable } from 'node:stream';
import { logger } from '#lib/http';
import { recordLines } from '../../support/log-guard.ts';

/**
 * Captures the log lines of the shared logger while `fn` runs, one parsed JSON object per line.
 * Swaps the logger's own Console (not process.stdout, which the test runner reports on).
 */
export async function captureLogs<T>(fn: () => Promise<T>): Promise<{ result: T; lines: string[]; logs: Array<Record<string, unknown>> }> {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter((l) => l.trim() !== ''));
      done();
    },
  });
  const holder = logger as unknown as { console: Console };
  const original = holder.console;
  holder.console = new Console({ stdout: sink, stderr: sink });
  try {
    const result = await fn();
    await new Promise((resolve) => setImmediate(resolve));
    return { result, lines, logs: lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>) };
  } finally {
    holder.console = original;
    recordLines('captured handler logs', lines);
  }
}
