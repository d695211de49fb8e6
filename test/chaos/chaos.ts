// The chaos run shared by the quick profile (chaos-quick.test.ts, in `npm test`) and the long one (run.ts):
// the whole local stack (startStack: dynalite, the emulator, osls offline with s3-local and the local bus) with
// the emulator injecting faults into API calls and upload-host calls, dropping and duplicating callbacks, and this
// driver duplicating S3 events. N objects go in; the run ends when every one is published, and then counts, from
// the emulator's own request log and state, that each has exactly one Vid, one StartTranscode and one publish.
import { createHash } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, paginateScan, type ScanCommandInput } from '@aws-sdk/lib-dynamodb';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { FaultProfile, RequestRecord } from '#local/emulator';
import { startStack, type LocalStack } from '../../local/stack/index.ts';
import { isListening } from '../../local/stack/ports.ts';

const KiB = 1024;
const MiB = 1024 * KiB;

export interface ChaosOptions {
  /** Object sizes in bytes, one object each. */
  sizes: number[];
  seed: number;
  /** Fault rate on API and upload-host calls (default 0.2). */
  rate?: number;
  /** Probability that a callback is dropped / duplicated (default 0.1 / 0.2). */
  callbackDrop?: number;
  callbackDuplicate?: number;
  /** Probability that the driver delivers an object's S3 event a second time (default 0.5). */
  duplicateS3?: number;
  /** Delay of a 'slow' fault (default 500 ms, below the client's 5 s timeout). */
  slowMs?: number;
  /** S3 puts in flight at once (default 4). */
  concurrency?: number;
  /** Reconcile's RECONCILE_STUCK_AFTER_SECONDS (default 10). */
  stuckAfterSeconds?: number;
  /** Give up after this long (default 10 min). */
  timeoutMs?: number;
  /** LOG_LEVEL of the functions (default WARN; INFO shows every step of every item). */
  logLevel?: string;
  /** Gives up (with a diagnosis of every unpublished item) when no item got published for this long (default 180 s). */
  stallMs?: number;
  /** The emulator persists its blobs here (big runs: bounded memory). */
  emulatorDataDir?: string;
  /** Every line of the offline child's output (for the log guard). */
  onOfflineLine?: (line: string) => void;
  /** Progress lines. */
  log?: (line: string) => void;
}

export interface ChaosReport {
  objects: number;
  bytes: number;
  sizes: { min: number; max: number };
  published: number;
  videos: number;
  /** Vids with other than exactly one successful StartTranscode / SetVideoPublishStatus(Published). */
  transcodesNotOnce: string[];
  publishesNotOnce: string[];
  /** Items whose stored file's md5 differs from the source. */
  md5Mismatches: string[];
  /** Items whose Vid is shared with another item, or that have none. */
  vidProblems: string[];
  faults: Record<string, number>;
  api: { requests: number; faulted: number; byAction: Record<string, { requests: number; ok: number; faulted: number }> };
  upload: { requests: number; faulted: number; partPuts: number; byStep: Record<string, { requests: number; ok: number; faulted: number }> };
  callbacks: { deliveries: number; events: number; dropped: number; duplicated: number; refused: number; statuses: Record<string, number> };
  driver: { s3Puts: number; duplicateS3Events: number; redeliveries: number; reconcileRuns: number; reconcileActions: Record<string, number> };
  wallMs: number;
  stackStartMs: number;
  secondsToAllPublished: number;
}

/** Deterministic pseudo-random bytes (xorshift32). */
export function pseudoRandomBytes(size: number, seed: number): Buffer {
  const out = Buffer.allocUnsafe(size);
  let x = (seed * 2654435761) >>> 0 || 1;
  const whole = size - (size % 4);
  for (let i = 0; i < whole; i += 4) {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    out.writeUInt32LE(x, i);
  }
  out.fill(x & 0xff, whole);
  return out;
}

/** A seeded [0, 1) source (mulberry32). */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `n` sizes: mostly small (1 KiB..1 MiB, log-uniform), some medium (1..16 MiB), a few large (16..64 MiB); always 1 KiB and 64 MiB. */
export function chaosSizes(n: number, seed: number, mix: { medium: number; large: number }): number[] {
  const r = seeded(seed);
  const logUniform = (lo: number, hi: number): number => Math.round(Math.exp(Math.log(lo) + r() * (Math.log(hi) - Math.log(lo))));
  const sizes = Array.from({ length: n }, () => {
    const x = r();
    return x < mix.large ? logUniform(16 * MiB, 64 * MiB) : x < mix.large + mix.medium ? logUniform(1 * MiB, 16 * MiB) : logUniform(1 * KiB, 1 * MiB);
  });
  sizes[0] = 1 * KiB;
  if (n > 1) sizes[n - 1] = 64 * MiB;
  return sizes;
}

interface Obj { i: number; key: string; size: number; md5: string; etag: string; id: string; event: unknown; redeliveries: number; redelivering: boolean; lastRedelivery: number }
interface ItemRow { id: string; state: string; vid?: string; runId?: string; failedFrom?: string; attempts?: number; reason?: string; reconciled?: number; transcodeRequestedAt?: string; transcodeRestarts?: number; updatedAt: string }

/**
 * Runs the chaos profile against a fresh local stack and returns its figures. Throws (with the stack's output
 * tail) when not every object is published before the deadline.
 */
export async function runChaos(opts: ChaosOptions): Promise<ChaosReport> {
  const log = opts.log ?? (() => undefined);
  const rate = opts.rate ?? 0.2;
  const faults: FaultProfile = {
    api: rate, upload: rate, kinds: ['5xx', '429', 'reset', 'slow'], seed: opts.seed, slowMs: opts.slowMs ?? 500,
    callbackDrop: opts.callbackDrop ?? 0.1, callbackDuplicate: opts.callbackDuplicate ?? 0.2,
  };
  const t0 = Date.now();
  const stack = await startStack({
    ports: 'ephemeral', watch: false,
    emulator: { seed: opts.seed, transcodeDelayMs: 300, faults, ...(opts.emulatorDataDir ? { dataDir: opts.emulatorDataDir } : {}) },
    // reconcile drives on what has not moved for stuckAfterSeconds (the driver invokes it every 2 s, as the schedule would)
    env: { RECONCILE_STUCK_AFTER_SECONDS: String(opts.stuckAfterSeconds ?? 10), LOG_LEVEL: opts.logLevel ?? 'WARN' },
    ...(opts.onOfflineLine ? { onOfflineLine: opts.onOfflineLine } : {}),
    startTimeoutMs: 90_000,
  });
  const driver: ChaosReport['driver'] = { s3Puts: 0, duplicateS3Events: 0, redeliveries: 0, reconcileRuns: 0, reconcileActions: {} };
  const s3 = new S3Client({ endpoint: stack.endpoints.s3, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }, maxAttempts: 5 });
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: stack.endpoints.dynamo, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }));
  const pending = new Set<Promise<unknown>>();
  const background = (p: Promise<unknown>): void => {
    const t = p.catch(() => undefined);
    pending.add(t);
    void t.finally(() => pending.delete(t));
  };
  try {
    const dice = seeded(opts.seed ^ 0x5eed);
    const objects: Obj[] = [];
    const tPut = Date.now();
    // ---- put every object (each put fires ingest-object through s3-local); duplicate some S3 events
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < opts.sizes.length) {
        const i = next++;
        const size = opts.sizes[i]!;
        const body = pseudoRandomBytes(size, opts.seed * 100_003 + i);
        const key = `${stack.ingestPrefix}chaos-${String(i).padStart(4, '0')}.mp4`;
        const out = await s3.send(new PutObjectCommand({ Bucket: stack.ingestBucket, Key: key, Body: body, ContentType: 'video/mp4' }));
        driver.s3Puts += 1;
        const etag = (out.ETag ?? '').replace(/"/g, '');
        const o: Obj = { i, key, size, md5: createHash('md5').update(body).digest('hex'), etag, id: `s3:${stack.ingestBucket}/${key}@${etag}`, event: s3Event(stack, key, etag, size), redeliveries: 0, redelivering: false, lastRedelivery: 0 };
        objects.push(o);
        if (dice() < (opts.duplicateS3 ?? 0.5)) {
          driver.duplicateS3Events += 1;
          // at once (a concurrent duplicate) or a little later (a late one)
          const delay = Math.floor(dice() * 1500);
          background(new Promise((r) => setTimeout(r, delay)).then(() => invoke(stack, 'ingest-object', o.event)));
        }
      }
    };
    await Promise.all(Array.from({ length: opts.concurrency ?? 4 }, worker));
    log(`# chaos: ${objects.length} objects put in ${Date.now() - tPut} ms`);

    // ---- drive until every item is published: reconcile every 2 s; an ingest that failed gets its S3 event
    // again (serverless-s3-local does not retry a failed invocation; Lambda would, twice, then the DLQ)
    const deadline = Date.now() + (opts.timeoutMs ?? 600_000);
    let lastReconcile = 0;
    let reconciling = false;
    let rows: ItemRow[] = [];
    let progress = { done: -1, at: Date.now() };
    for (;;) {
      rows = await scan(doc, stack.itemsTable);
      const byId = new Map(rows.map((r) => [r.id, r]));
      const done = objects.filter((o) => byId.get(o.id)?.state === 'published').length;
      if (done === objects.length) break;
      if (!(await isListening(stack.ports.lambda))) throw new Error(`chaos: the offline process is gone\n--- offline ---\n${stack.offlineTail()}`);
      const now = Date.now();
      if (done !== progress.done) progress = { done, at: now };
      const stalled = now - progress.at > (opts.stallMs ?? 180_000);
      if (now > deadline || stalled) {
        const why = stalled ? `nothing published for ${Math.round((now - progress.at) / 1000)} s` : `not published after ${opts.timeoutMs ?? 600_000} ms`;
        const marks = await idempotencyRecords(doc);
        const stuck = objects.filter((o) => byId.get(o.id)?.state !== 'published').slice(0, 10).map((o) => diagnose(stack, o, byId.get(o.id), rows, marks));
        throw new Error(`chaos: ${objects.length - done} of ${objects.length} ${why}:\n${stuck.join('\n')}\n--- offline ---\n${stack.offlineTail()}`);
      }
      for (const o of objects) {
        const row = byId.get(o.id);
        const age = row ? now - Date.parse(row.updatedAt) : now - tPut;
        const failedIngest = row?.state === 'failed' && (row.failedFrom === 'uploading' || row.failedFrom === 'received');
        // a failed ingest: redeliver after 1 s; no item at all after 20 s (the put's invocation was lost)
        // one redelivery in flight per object, at least 5 s apart (Lambda's own retries are a minute or more apart)
        if (o.redelivering || now - o.lastRedelivery < 5000) continue;
        if ((failedIngest && age > 1000) || (!row && age > 20_000 && o.redeliveries === 0)) {
          o.redeliveries += 1;
          o.redelivering = true;
          o.lastRedelivery = now;
          driver.redeliveries += 1;
          background(invoke(stack, 'ingest-object', o.event).finally(() => { o.redelivering = false; }));
        }
      }
      // one reconcile run at a time (overlapping runs re-emit the same items and pile up workers)
      if (now - lastReconcile > 2000 && !reconciling) {
        lastReconcile = now;
        reconciling = true;
        driver.reconcileRuns += 1;
        background(invoke(stack, 'reconcile', scheduleEvent(new Date())).then((r) => {
          const actions = (r.payload as { actions?: Record<string, number> } | null)?.actions ?? {};
          for (const [k, v] of Object.entries(actions)) driver.reconcileActions[k] = (driver.reconcileActions[k] ?? 0) + v;
        }).finally(() => { reconciling = false; }));
      }
      if (Math.floor((now - tPut) / 10_000) !== Math.floor((now - tPut - 500) / 10_000)) {
        const states: Record<string, number> = {};
        for (const r of rows) states[r.state] = (states[r.state] ?? 0) + 1;
        log(`# chaos: ${Math.round((now - tPut) / 1000)} s, ${done}/${objects.length} published, states ${JSON.stringify(states)}`);
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    const secondsToAllPublished = (Date.now() - tPut) / 1000;
    // let duplicates, late callbacks and the last reconcile runs land: they must change nothing
    await settle(stack, pending, Date.now() + 60_000);
    rows = await scan(doc, stack.itemsTable);
    return tally(stack, objects, rows, driver, { wallMs: Date.now() - t0, secondsToAllPublished });
  } finally {
    await Promise.allSettled([...pending]);
    s3.destroy();
    doc.destroy();
    await stack.close();
  }
}

/** How long the emulator must see no new call or callback before the stack counts as idle. */
const QUIET_MS = 3000;

/**
 * Waits until the stack is idle as far as the driver can see: its own invocations done, the emulator idle (transcodes,
 * callbacks and their retries), and then no new API call, upload or callback for QUIET_MS; again while anything
 * moves. A late duplicate that would publish or transcode twice is an API call, so it is seen (or waited for) here.
 * Not visible from outside the offline process: an EventBridge delivery between its retries (serverless.yml: 2 x
 * 200 ms) and an invocation not yet at its first call; the quiet period outlasts both.
 */
async function settle(stack: LocalStack, pending: Set<Promise<unknown>>, until: number): Promise<void> {
  let seen = -1;
  for (;;) {
    await Promise.allSettled([...pending]);
    await stack.emulator.idle();
    const now = stack.emulator.requests.length + stack.emulator.callbacks.length;
    if (now === seen && pending.size === 0) return;
    if (Date.now() > until) throw new Error(`chaos: the stack still busy after all were published (${now - seen} calls in the last ${QUIET_MS} ms)`);
    seen = now;
    await new Promise((r) => setTimeout(r, QUIET_MS));
  }
}

function tally(stack: LocalStack, objects: Obj[], rows: ItemRow[], driver: ChaosReport['driver'], t: { wallMs: number; secondsToAllPublished: number }): ChaosReport {
  const emu = stack.emulator;
  const byId = new Map(rows.map((r) => [r.id, r]));
  // an API call counts when its action ran (a 'slow' one may have run without its answer reaching the caller);
  // an upload-host call when it was answered 200 (the other fault kinds stop a request before it is processed)
  const ok = (r: RequestRecord): boolean => (r.plane === 'api' ? r.processed === true : r.status === 200 && (!r.fault || r.fault === 'slow'));
  const perVid = (action: string): Map<string, number> => {
    const m = new Map<string, number>();
    for (const r of emu.requests) if (r.plane === 'api' && r.action === action && ok(r) && r.vid) m.set(r.vid, (m.get(r.vid) ?? 0) + 1);
    return m;
  };
  const transcodes = perVid('StartTranscode');
  const publishes = perVid('SetVideoPublishStatus');
  const vids = objects.map((o) => byId.get(o.id)?.vid);
  const vidProblems = objects.filter((o, i) => !vids[i] || vids.indexOf(vids[i]) !== i).map((o) => o.key);
  const videos = Object.values(emu.state.videos);
  const md5Mismatches = objects.filter((o) => {
    const v = emu.state.videos[byId.get(o.id)?.vid ?? ''];
    return !v || emu.state.objects[v.uri]?.md5 !== o.md5;
  }).map((o) => o.key);
  const group = (plane: 'api' | 'upload'): Record<string, { requests: number; ok: number; faulted: number }> => {
    const g: Record<string, { requests: number; ok: number; faulted: number }> = {};
    for (const r of emu.requests) {
      if (r.plane !== plane) continue;
      const e = (g[r.action] ??= { requests: 0, ok: 0, faulted: 0 });
      e.requests += 1;
      if (ok(r)) e.ok += 1;
      if (r.fault) e.faulted += 1;
    }
    return Object.fromEntries(Object.entries(g).sort(([a], [b]) => a.localeCompare(b)));
  };
  const api = emu.requests.filter((r) => r.plane === 'api');
  const upload = emu.requests.filter((r) => r.plane === 'upload');
  const events = new Set(emu.callbacks.map((c) => c.requestId));
  return {
    objects: objects.length,
    bytes: objects.reduce((a, o) => a + o.size, 0),
    sizes: { min: Math.min(...objects.map((o) => o.size)), max: Math.max(...objects.map((o) => o.size)) },
    published: objects.filter((o) => byId.get(o.id)?.state === 'published' && emu.state.videos[byId.get(o.id)?.vid ?? '']?.publishStatus === 'Published').length,
    videos: videos.length,
    transcodesNotOnce: videos.filter((v) => transcodes.get(v.vid) !== 1).map((v) => `${v.vid}:${transcodes.get(v.vid) ?? 0}`),
    publishesNotOnce: videos.filter((v) => publishes.get(v.vid) !== 1).map((v) => `${v.vid}:${publishes.get(v.vid) ?? 0}`),
    md5Mismatches,
    vidProblems,
    faults: { ...emu.faultCounts },
    api: { requests: api.length, faulted: api.filter((r) => r.fault).length, byAction: group('api') },
    upload: { requests: upload.length, faulted: upload.filter((r) => r.fault).length, partPuts: upload.filter((r) => r.action === 'UploadPart').length, byStep: group('upload') },
    callbacks: {
      deliveries: emu.callbacks.length, events: events.size, dropped: emu.faultCounts.drop ?? 0, duplicated: emu.faultCounts.duplicate ?? 0,
      refused: emu.callbacks.filter((c) => c.status === null || c.status < 200 || c.status >= 300).length,
      statuses: emu.callbacks.reduce<Record<string, number>>((m, c) => { const k = String(c.status ?? c.error); m[k] = (m[k] ?? 0) + 1; return m; }, {}),
    },
    driver,
    wallMs: t.wallMs,
    stackStartMs: stack.startMs,
    secondsToAllPublished: Math.round(t.secondsToAllPublished * 10) / 10,
  };
}

/** One unpublished object as the item table and the emulator see it: the row, the video, its API calls and callbacks. */
function diagnose(stack: LocalStack, o: Obj, row: ItemRow | undefined, rows: ItemRow[], marks: Array<{ id: string; status: string }>): string {
  const emu = stack.emulator;
  const vid = row?.vid;
  const video = vid ? emu.state.videos[vid] : undefined;
  const calls = vid ? emu.requests.filter((r) => r.vid === vid).map((r) => `${r.action}:${r.status}${r.fault ? `(${r.fault})` : ''}`) : [];
  const callbacks = vid ? emu.callbacks.filter((c) => c.vid === vid).map((c) => `${c.eventType}#${c.attempt}:${c.status ?? c.error}`) : [];
  const v = video ? { state: video.state, runId: video.transcode?.runId, renditions: video.renditions.length, publishStatus: video.publishStatus } : undefined;
  const others = vid ? rows.filter((r) => r.vid === vid && r.id !== o.id).map((r) => `${r.id}:${r.state}`) : [];
  // Powertools stores `{prefix}#{md5(JSON of the key)}`: look up the keys this item's steps use
  const keys: Array<[string, string]> = [['ingest', o.id]];
  if (vid) for (const k of [vid, ...[1, 2, 3, 4, 5].map((n) => `${vid}#restart-${n}`)]) keys.push(['transcode', k]);
  if (vid) keys.push(['publish', vid]);
  const status = new Map(marks.map((m) => [m.id, m.status]));
  const once = keys.flatMap(([step, key]) => {
    const st = status.get(`vod-serverless.${step}#${createHash('md5').update(JSON.stringify(key)).digest('base64')}`);
    return st ? [`${step}(${key.replace(vid ?? '\u0000', 'vid')}):${st}`] : [];
  });
  return `${o.key} (${o.size} B): item ${JSON.stringify(row ?? null)}; other items of the Vid [${others.join(' ')}]; idempotency [${once.join(' ')}]; video ${JSON.stringify(v ?? null)}; calls [${calls.join(' ')}]; callbacks [${callbacks.join(' ')}]`;
}

/** Every idempotency record (key and status), for a diagnosis. */
async function idempotencyRecords(doc: DynamoDBDocumentClient): Promise<Array<{ id: string; status: string }>> {
  const rows = await scanAll(doc, { TableName: 'vod-serverless-local-idempotency', ProjectionExpression: 'id, #s', ExpressionAttributeNames: { '#s': 'status' } });
  return rows.map((i) => ({ id: String(i.id), status: String(i.status) }));
}

async function scan(doc: DynamoDBDocumentClient, table: string): Promise<ItemRow[]> {
  return scanAll<ItemRow>(doc, { TableName: table, ConsistentRead: true, ProjectionExpression: 'id, #s, vid, runId, failedFrom, attempts, reason, reconciled, transcodeRequestedAt, transcodeRestarts, updatedAt', ExpressionAttributeNames: { '#s': 'state' } });
}

/** Every item of a scan, all pages. */
async function scanAll<T = Record<string, unknown>>(doc: DynamoDBDocumentClient, input: ScanCommandInput): Promise<T[]> {
  const rows: T[] = [];
  for await (const page of paginateScan({ client: doc }, input)) rows.push(...((page.Items ?? []) as T[]));
  return rows;
}

/** Invokes a function through serverless-offline's Lambda endpoint (RequestResponse); never throws. */
async function invoke(stack: LocalStack, fn: string, event: unknown): Promise<{ ok: boolean; payload: unknown }> {
  try {
    const res = await fetch(`${stack.endpoints.lambda}/2015-03-31/functions/vod-serverless-local-${fn}/invocations`, {
      method: 'POST', body: JSON.stringify(event), headers: { 'content-type': 'application/json', 'x-amz-invocation-type': 'RequestResponse' },
      signal: AbortSignal.timeout(300_000),
    });
    const text = await res.text();
    let payload: unknown = text;
    try { payload = JSON.parse(text); } catch { /* not JSON */ }
    return { ok: res.status === 200 && !res.headers.get('x-amz-function-error'), payload };
  } catch {
    return { ok: false, payload: null };
  }
}

/** The S3 ObjectCreated:Put notification for an object, as S3 (and serverless-s3-local) sends it. */
export function s3Event(stack: LocalStack, key: string, etag: string, size: number): unknown {
  return {
    Records: [{
      eventVersion: '2.1', eventSource: 'aws:s3', awsRegion: 'us-east-1', eventTime: new Date().toISOString(), eventName: 'ObjectCreated:Put',
      userIdentity: { principalId: 'local' }, requestParameters: { sourceIPAddress: '127.0.0.1' }, responseElements: { 'x-amz-request-id': 'chaos', 'x-amz-id-2': 'chaos' },
      s3: {
        s3SchemaVersion: '1.0', configurationId: 'chaos-duplicate',
        bucket: { name: stack.ingestBucket, ownerIdentity: { principalId: 'local' }, arn: `arn:aws:s3:::${stack.ingestBucket}` },
        object: { key: key.split('/').map(encodeURIComponent).join('/').replace(/%20/g, '+'), size, eTag: etag, sequencer: '0' },
      },
    }],
  };
}

function scheduleEvent(at: Date): unknown {
  return {
    version: '0', id: `chaos-${at.getTime()}`, 'detail-type': 'Scheduled Event', source: 'aws.events', account: '111122223333',
    time: at.toISOString().replace(/\.\d{3}Z$/, 'Z'), region: 'us-east-1', resources: ['arn:aws:events:us-east-1:111122223333:rule/chaos'], detail: {},
  };
}

/** The report as Markdown table rows (for test/chaos/README.md). */
export function reportLines(name: string, r: ChaosReport): string[] {
  const retriesApi = r.api.requests - Object.values(r.api.byAction).reduce((a, e) => a + e.ok, 0);
  const retriesUpload = r.upload.requests - Object.values(r.upload.byStep).reduce((a, e) => a + e.ok, 0);
  return [
    `### ${name}`,
    `- objects: ${r.objects} (${(r.bytes / MiB).toFixed(1)} MiB, ${r.sizes.min} B .. ${(r.sizes.max / MiB).toFixed(0)} MiB); published exactly once: ${r.published}; emulator videos: ${r.videos}`,
    `- StartTranscode per Vid != 1: ${r.transcodesNotOnce.length}; SetVideoPublishStatus per Vid != 1: ${r.publishesNotOnce.length}; md5 mismatches: ${r.md5Mismatches.length}; Vid problems: ${r.vidProblems.length}`,
    `- faults injected: ${JSON.stringify(r.faults)}`,
    `- API requests: ${r.api.requests} (${r.api.faulted} faulted, ${retriesApi} that did not run: the client retried them or the function failed and was re-driven)`,
    `- upload-host requests: ${r.upload.requests} (${r.upload.faulted} faulted, ${retriesUpload} not answered 200), part PUTs: ${r.upload.partPuts}`,
    `- callbacks: ${r.callbacks.events} events, ${r.callbacks.deliveries} deliveries, ${r.callbacks.dropped} dropped, ${r.callbacks.duplicated} duplicated, ${r.callbacks.refused} refused/failed deliveries ${JSON.stringify(r.callbacks.statuses)}`,
    `- driver: ${r.driver.s3Puts} S3 puts, ${r.driver.duplicateS3Events} duplicate S3 events, ${r.driver.redeliveries} redeliveries of failed ingests, ${r.driver.reconcileRuns} reconcile runs ${JSON.stringify(r.driver.reconcileActions)}`,
    `- wall time: ${(r.wallMs / 1000).toFixed(1)} s (stack start ${(r.stackStartMs / 1000).toFixed(1)} s, puts to all published ${r.secondsToAllPublished} s)`,
  ];
}
