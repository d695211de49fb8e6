import { createHash } from 'node:crypto';
import type { Faults } from './faults.ts';
import { isLoopbackUrl } from './loopback.ts';

export type EventType = 'FileUploadComplete' | 'FileUploadByUrlComplete' | 'TranscodeComplete';

/** One delivery attempt, kept for tests and debugging (no secrets in it). */
export interface DeliveryRecord { eventType: EventType; requestId: string; vid?: string; url: string; attempt: number; status: number | null; error?: string; at: string }

export interface CallbackDeps {
  url?: string; key: string; faults: Faults; now: () => Date; requestId: () => string;
  retryDelaysMs: number[]; timeoutMs: number;
}

/** X-VOD-SIGNATURE of protocol section 8. */
export function callbackSignature(url: string, timestamp: string, key: string, rawBody: string): string {
  return createHash('md5').update(`${url}|${timestamp}|${key}|${Buffer.from(rawBody).toString('base64')}`).digest('hex');
}

/** Sends signed event callbacks in the background with bounded retries; never blocks the API. */
export class Callbacks {
  readonly log: DeliveryRecord[] = [];
  private readonly inflight = new Set<Promise<void>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;

  constructor(private readonly deps: CallbackDeps) {
    if (deps.url && !isLoopbackUrl(deps.url)) throw new Error('callback URL must be a loopback http(s) URL');
  }

  /** Queues an event for `urlOverride` (a per-request CallbackUri) or the configured URL. */
  send(eventType: EventType, data: Record<string, unknown>, urlOverride?: string): void {
    const url = urlOverride || this.deps.url;
    if (!url || this.closed || !isLoopbackUrl(url)) return;
    const fate = this.deps.faults.callbackFate();
    if (fate === 'drop') return;
    const body = JSON.stringify({ RequestId: this.deps.requestId(), Version: '1.0', EventType: eventType, EventTime: this.deps.now().toISOString().replace(/\.\d{3}Z$/, 'Z'), Data: data });
    const copies = fate === 'duplicate' ? 2 : 1;
    const vid = typeof data.Vid === 'string' && data.Vid !== '' ? data.Vid : undefined;
    for (let i = 0; i < copies; i++) this.track(this.deliver(eventType, url, body, vid));
  }

  /** Resolves when no delivery is pending (including scheduled retries). */
  async idle(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private track(p: Promise<void>): void {
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p));
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => { this.timers.delete(t); resolve(); }, ms);
      this.timers.add(t);
    });
  }

  private async deliver(eventType: EventType, url: string, body: string, vid: string | undefined): Promise<void> {
    const requestId = (JSON.parse(body) as { RequestId: string }).RequestId;
    for (let attempt = 1; attempt <= this.deps.retryDelaysMs.length + 1 && !this.closed; attempt++) {
      const ts = String(Math.floor(this.deps.now().getTime() / 1000));
      const rec: DeliveryRecord = { eventType, requestId, ...(vid ? { vid } : {}), url, attempt, status: null, at: this.deps.now().toISOString() };
      try {
        const res = await fetch(url, {
          method: 'POST', body, redirect: 'manual', signal: AbortSignal.timeout(this.deps.timeoutMs),
          headers: { 'content-type': 'application/json', 'x-vod-timestamp': ts, 'x-vod-signature': callbackSignature(url, ts, this.deps.key, body) },
        });
        await res.arrayBuffer().catch(() => undefined);
        rec.status = res.status;
        this.log.push(rec);
        if (res.status >= 200 && res.status < 300) return;
      } catch (e) {
        rec.error = (e as Error).name === 'TimeoutError' ? 'timeout' : 'connection failed';
        this.log.push(rec);
      }
      const delay = this.deps.retryDelaysMs[attempt - 1];
      if (delay === undefined) return;
      await this.sleep(delay);
    }
  }
}
