import { readFileSync } from 'node:fs';
import { seededRng, type Rng } from './random.ts';

export type FaultKind = '5xx' | '429' | 'reset' | 'slow';
const KINDS: readonly FaultKind[] = ['5xx', '429', 'reset', 'slow'];

/** Fault injection profile (see README "Faults"). Rates are probabilities in [0, 1]. */
export interface FaultProfile {
  /** Rate for every API request. */
  api?: number;
  /** Rate for every upload-host call (direct PUT, multipart init/part/complete/list). */
  upload?: number;
  /** Per-action rates, overriding `api` for that Action. */
  actions?: Record<string, number>;
  /** Which faults to draw from (uniformly). Default all four. */
  kinds?: FaultKind[];
  /** Seed of the fault dice (default 1), so a run is reproducible. */
  seed?: number;
  /** Delay of a 'slow' fault in ms (default 1500). The request then succeeds. */
  slowMs?: number;
  /** Probability that a callback event is never delivered. */
  callbackDrop?: number;
  /** Probability that a callback event is delivered twice. */
  callbackDuplicate?: number;
}

function rate(name: string, v: unknown): number {
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isFinite(n) || n < 0 || n > 1) throw new Error(`fault profile: ${name} must be a number in [0, 1], got ${String(v)}`);
  return n;
}

function kinds(v: unknown): FaultKind[] {
  const list = Array.isArray(v) ? v.map(String) : String(v).split(/[|+ ]/).filter(Boolean);
  for (const k of list) if (!KINDS.includes(k as FaultKind)) throw new Error(`fault profile: unknown kind '${k}' (valid: ${KINDS.join(', ')})`);
  return list as FaultKind[];
}

function validate(p: Record<string, unknown>): FaultProfile {
  const out: FaultProfile = {};
  for (const [key, v] of Object.entries(p)) {
    if (key === 'api' || key === 'upload' || key === 'callbackDrop' || key === 'callbackDuplicate') out[key] = rate(key, v);
    else if (key === 'kinds') out.kinds = kinds(v);
    else if (key === 'seed' || key === 'slowMs') {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0) throw new Error(`fault profile: ${key} must be a non-negative integer`);
      out[key] = n;
    } else if (key === 'actions' && v && typeof v === 'object') {
      out.actions = Object.fromEntries(Object.entries(v).map(([a, r]) => [a, rate(`actions.${a}`, r)]));
    } else if (key.startsWith('action.')) {
      out.actions = { ...out.actions, [key.slice(7)]: rate(key, v) };
    } else if (key === 'callbacks.drop') out.callbackDrop = rate(key, v);
    else if (key === 'callbacks.duplicate') out.callbackDuplicate = rate(key, v);
    else throw new Error(`fault profile: unknown key '${key}'`);
  }
  return out;
}

/**
 * Parses a fault profile: an object, a JSON string, `@path/to/profile.json`, or the compact form
 * `api=0.2,upload=0.1,kinds=5xx|429|reset|slow,seed=7,slowMs=200,action.GetPlayInfo=0.5,callbacks.drop=0.5`.
 */
export function parseFaultProfile(input: FaultProfile | string | undefined): FaultProfile {
  if (input === undefined || input === '') return {};
  if (typeof input !== 'string') return validate(input as Record<string, unknown>);
  const text = input.trim();
  if (text.startsWith('@')) return parseFaultProfile(readFileSync(text.slice(1), 'utf8'));
  if (text.startsWith('{')) {
    let json: unknown;
    try { json = JSON.parse(text); } catch { throw new Error('fault profile: invalid JSON'); }
    if (!json || typeof json !== 'object' || Array.isArray(json)) throw new Error('fault profile: JSON must be an object');
    return validate(json as Record<string, unknown>);
  }
  const pairs: Record<string, string> = {};
  for (const part of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq < 1) throw new Error(`fault profile: expected key=value, got '${part}'`);
    pairs[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return validate(pairs);
}

/** Seeded fault dice. */
export class Faults {
  private profile: FaultProfile = {};
  private rng: Rng = seededRng(1);
  /** Faults injected so far, by kind (callbacks: 'drop', 'duplicate'). */
  readonly counts: Record<string, number> = {};

  constructor(profile?: FaultProfile | string) { this.set(profile); }

  /** Replaces the profile (and reseeds the dice). */
  set(profile?: FaultProfile | string): void {
    this.profile = parseFaultProfile(profile);
    this.rng = seededRng(this.profile.seed ?? 1);
  }

  get slowMs(): number { return this.profile.slowMs ?? 1500; }

  /** Draws the fault (if any) for one API request of `action` or one upload-host call. */
  draw(plane: 'api' | 'upload', action?: string): FaultKind | null {
    const p = this.profile;
    const r = plane === 'upload' ? p.upload ?? 0 : (action !== undefined ? p.actions?.[action] : undefined) ?? p.api ?? 0;
    if (r <= 0) return null;
    if (this.rng.next() >= r) return null;
    const list = p.kinds && p.kinds.length > 0 ? p.kinds : KINDS;
    const kind = list[Math.floor(this.rng.next() * list.length)] ?? null;
    if (kind) this.counts[kind] = (this.counts[kind] ?? 0) + 1;
    return kind;
  }

  /** Callback fate: 'drop', 'duplicate' or 'deliver'. */
  callbackFate(): 'drop' | 'duplicate' | 'deliver' {
    const { callbackDrop = 0, callbackDuplicate = 0 } = this.profile;
    if (callbackDrop > 0 && this.rng.next() < callbackDrop) { this.counts.drop = (this.counts.drop ?? 0) + 1; return 'drop'; }
    if (callbackDuplicate > 0 && this.rng.next() < callbackDuplicate) { this.counts.duplicate = (this.counts.duplicate ?? 0) + 1; return 'duplicate'; }
    return 'deliver';
  }
}
