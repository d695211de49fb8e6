import { logger, type LogSink } from '#lib/http';
import { recordLines } from '../../support/log-guard.ts';

/**
 * Captures the log lines of the shared logger while `fn` runs, one parsed JSON object per line.
 * Swaps the logger's sink (not process.stdout, which the test runner reports on).
 */
export async function captureLogs<T>(fn: () => Promise<T>): Promise<{ result: T; lines: string[]; logs: Array<Record<string, unknown>> }> {
  const lines: string[] = [];
  const record = (line: string): void => { lines.push(...line.split('\n').filter((l) => l.trim() !== '')); };
  const sink: LogSink = { log: record, error: record };
  const original = logger.sink;
  logger.sink = sink;
  try {
    const result = await fn();
    await new Promise((resolve) => setImmediate(resolve));
    return { result, lines, logs: lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>) };
  } finally {
    logger.sink = original;
    recordLines('captured handler logs', lines);
  }
}
