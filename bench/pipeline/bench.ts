/**
 * Pipeline: 20 objects put in the ingest bucket of the local stack (startStack: serverless-offline, s3rver,
 * local event bus, dynalite, the emulator with transcode delay 0), until every item is published. Reports the
 * wall time and, from serverless-offline's per-invocation durations, the time spent inside our handlers.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { startStack } from '#local/stack';
import { fmt, median, quantile, table } from '../lib/stats.ts';

const OBJECTS = 20;

export async function runPipeline(opts: { outDir: string; quick?: boolean }): Promise<{ result: unknown; report: string }> {
  const count = opts.quick ? 5 : OBJECTS;
  const lines: Array<{ t: number; line: string }> = [];
  const t0Stack = performance.now();
  const stack = await startStack({ ports: 'ephemeral', emulator: { transcodeDelayMs: 0, seed: 3 }, onOfflineLine: (line) => lines.push({ t: performance.now(), line }) });
  const startMs = performance.now() - t0Stack;
  const sample = await readFile(join(import.meta.dirname, '../../samples/sample.mp4'));
  const s3 = new S3Client({ endpoint: stack.endpoints.s3, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
  const ddb = new DynamoDBClient({ endpoint: stack.endpoints.dynamo, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });

  async function runBatch(batch: number, sequential = false): Promise<{ result: unknown; report: string }> {
      const callbacksBefore = stack.emulator.callbacks.length;
      const firstLine = lines.length;
      const t0 = performance.now();
      const putAt = new Map<string, number>();
      const put = async (i: number) => {
        const key = `${stack.ingestPrefix}bench-${batch}-${i}.mp4`;
        putAt.set(key, performance.now());
        await s3.send(new PutObjectCommand({ Bucket: stack.ingestBucket, Key: key, Body: sample, ContentType: 'video/mp4' }));
      };
      const publishedAt = new Map<string, number>();
      const deadline = t0 + 150_000;
      let states: Record<string, number> = {};
      let target = count;
      if (sequential) target = 0;
      else await Promise.all(Array.from({ length: count }, (_, i) => put(i)));
      while ((sequential ? publishedAt.size < count : publishedAt.size < target) && performance.now() < deadline) {
        if (sequential && publishedAt.size === target) await put(target++);
        const scan = await ddb.send(new ScanCommand({ TableName: stack.itemsTable }));
        states = {};
        for (const item of (scan.Items ?? []).filter((it) => it.id?.S?.includes(`/bench-${batch}-`))) {
          const state = item.state?.S ?? '?';
          states[state] = (states[state] ?? 0) + 1;
          const id = item.id?.S ?? '';
          if (state === 'published' && id.includes(`/bench-${batch}-`) && !publishedAt.has(id)) publishedAt.set(id, performance.now());
        }
        if (publishedAt.size < count) await new Promise((r) => setTimeout(r, 25));
      }
      const wallMs = Math.max(...publishedAt.values()) - t0;
      const latencies = [...publishedAt.entries()].map(([id, t]) => {
        const key = /\/(incoming\/[^@]+)@/.exec(id)?.[1] ?? '';
        return t - (putAt.get(key) ?? t0);
      });

      // a handler's duration line comes after it returns: let the last ones of this batch arrive
      await new Promise((r) => setTimeout(r, 1500));
      // serverless-offline prints one "(λ: name) RequestId: ... Duration: x ms ..." line per invocation
      const durations: Record<string, number[]> = {};
      for (const { line } of lines.slice(firstLine)) {
        const m = /\(λ: ([\w-]+)\).*?Duration: ([\d.]+) ms/.exec(line);
        if (m) (durations[m[1]!] ??= []).push(Number(m[2]));
      }
      const handlerMs = Object.values(durations).flat().reduce((a, b) => a + b, 0);
      const deliveries = stack.emulator.callbacks.slice(callbacksBefore);
      const failedDeliveries = deliveries.filter((d) => d.status !== 200).length;
      const rows = Object.entries(durations).map(([fn, ds]) => [fn, String(ds.length), fmt(ds.reduce((a, b) => a + b, 0), 0), fmt(median(ds), 1), fmt(Math.max(...ds), 1)]);
      const report = [
        `pipeline batch ${batch} (${batch === 1 ? 'cold' : 'warm'} function workers): ${count} objects ${sequential ? 'one after another (next put when the previous is published)' : 'put at once'} -> ${publishedAt.size} published (states at the end: ${JSON.stringify(states)})`,
        `wall time first put -> last published: ${fmt(wallMs, 0)} ms; per object put -> published: median ${fmt(median(latencies), 0)} ms, p90 ${fmt(quantile(latencies, 0.9), 0)} ms`,
        `time inside our handlers (serverless-offline durations, summed over invocations): ${fmt(handlerMs, 0)} ms = ${(handlerMs / wallMs).toFixed(2)} x wall${sequential ? '' : ' (handlers overlap)'}`,
      `emulator callback deliveries: ${deliveries.length}, failed (timeout / non-200, retried by the emulator after 1, 5, 10, 30, 60 s): ${failedDeliveries}`,
        table(['function', 'invocations', 'sum ms', 'median ms', 'max ms'], rows),
      ].join('\n');
      return { result: { batch, sequential, count, published: publishedAt.size, wallMs, latencies, durations, handlerMs, states, deliveries: deliveries.length, failedDeliveries }, report };
  }
  try {
    // batch 1 meets cold function workers in serverless-offline; batch 2 (new keys) runs on warm ones; batch 3 puts
    // one object at a time, so that one object's handlers are the only ones running (they still overlap a little:
    // the service's FileUploadComplete callback and its transcode-on-commit run beside ingest-object's, by design)
    const batches = [];
    for (const batch of [1, 2, 3]) batches.push(await runBatch(batch, batch === 3));
    const report = batches.map((b) => b.report).join('\n\n');
    return { result: { startMs, batches: batches.map((b) => b.result) }, report: `stack started in ${fmt(startMs, 0)} ms\n${report}` };
  } finally {
    s3.destroy();
    ddb.destroy();
    await stack.close();
  }
}
