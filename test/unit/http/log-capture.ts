/**
 * Captures what the Powertools logger writes (it writes to process.stdout / process.stderr through its own
 * Console) while `fn` runs, one parsed JSON object per line.
 */
export async function captureLogs<T>(fn: () => Promise<T>): Promise<{ result: T; lines: string[]; logs: Array<Record<string, unknown>> }> {
  const lines: string[] = [];
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  const grab = (chunk: unknown): boolean => {
    lines.push(...String(chunk).split('\n').filter((l) => l.trim() !== ''));
    return true;
  };
  process.stdout.write = grab as typeof process.stdout.write;
  process.stderr.write = grab as typeof process.stderr.write;
  try {
    const result = await fn();
    return { result, lines, logs: lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>) };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
}
