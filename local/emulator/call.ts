import { invalid, missing } from './errors.ts';

/** One parsed API request as the action handlers see it. */
export interface ApiCall {
  action: string;
  version: string;
  method: string;
  requestId: string;
  /** Query (and form-body) parameters; repeated keys are comma-joined. */
  params: Record<string, string>;
  body: Buffer;
  contentType: string;
}

export function parseParams(rawQuery: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(rawQuery)) out[k] = k in out ? `${out[k]},${v}` : v;
  return out;
}

export function optional(call: ApiCall, name: string): string | undefined {
  const v = call.params[name];
  return v === undefined || v === '' ? undefined : v;
}

export function required(call: ApiCall, name: string): string {
  const v = optional(call, name);
  if (v === undefined) throw missing(name);
  return v;
}

/** Comma list (the protocol joins list values with commas; a JSON array is accepted too). */
export function list(v: unknown): string[] {
  if (Array.isArray(v)) return v.map(String).map((s) => s.trim()).filter(Boolean);
  if (typeof v !== 'string') return [];
  const t = v.trim();
  if (t.startsWith('[')) { try { return list(JSON.parse(t)); } catch { /* plain text */ } }
  return t.split(',').map((s) => s.trim()).filter(Boolean);
}

/** The JSON body as an object ({} when empty). */
export function jsonBody(call: ApiCall): Record<string, unknown> {
  if (call.body.length === 0) return {};
  let v: unknown;
  try { v = JSON.parse(call.body.toString('utf8')); } catch { throw invalid('body', 'not valid JSON'); }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw invalid('body', 'expected a JSON object');
  return v as Record<string, unknown>;
}

export function bodyString(body: Record<string, unknown>, name: string, opts: { required?: boolean } = {}): string | undefined {
  const v = body[name];
  if (v === undefined || v === null || v === '') {
    if (opts.required) throw missing(name);
    return undefined;
  }
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v !== 'string') throw invalid(name, 'expected a string');
  return v;
}

export function intParam(name: string, v: string | undefined, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  if (!/^-?\d+$/.test(v.trim())) throw invalid(name, 'expected an integer');
  const n = Number(v);
  if (n < min || n > max) throw invalid(name, `expected ${min}..${max}`);
  return n;
}
