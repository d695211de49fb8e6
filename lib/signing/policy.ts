/** One statement of an STS2 inline policy. */
export interface Statement {
  Effect: 'Allow' | 'Deny';
  Action: string[];
  Resource: string[];
}

/** An STS2 inline policy (protocol 6.4). */
export interface Policy {
  Statement: Statement[];
}

const allow = (actions: string[], resources: string[]): Statement => ({ Effect: 'Allow', Action: [...actions], Resource: [...resources] });
const video = (vid: string): string => `trn:vod::*:video_id/${vid}`;
const streamType = (type: string): string => `trn:vod:::stream_type/${type}`;
const watermark = (mark: string): string => `trn:vod::*:watermark/${mark}`;
const space = (name: string, region: string): string => `trn:vod:${region}:*:space/${name}`;

// The two objects below are marked pure (Object.freeze of a fresh literal is) and the policy builders use the
// functions behind them, so that a bundle that only builds policies (issue-sts2) carries neither object nor `deny`.

/** Statement builders. @example Statement.allow(['vod:GetPlayInfo'], [Resource.video('v1')]) */
export const Statement = /* @__PURE__ */ Object.freeze({
  allow,
  deny: (actions: string[], resources: string[]): Statement => ({ Effect: 'Deny', Action: [...actions], Resource: [...resources] }),
});

/** Resource names (TRNs) as the service's policies spell them. */
export const Resource = /* @__PURE__ */ Object.freeze({ video, streamType, watermark, space });

/**
 * The play policy of the original SDK's `get_video_play_auth`: `vod:GetPlayInfo` on the videos, stream types and
 * watermarks given; an empty list allows all (`*`).
 */
export function playPolicy(vids: string[], streamTypes: string[] = [], watermarks: string[] = []): Policy {
  const all = (list: string[]) => (list.length === 0 ? ['*'] : list);
  return {
    Statement: [
      allow(['vod:GetPlayInfo'], [...all(vids).map(video), ...all(streamTypes).map(streamType), ...all(watermarks).map(watermark)]),
    ],
  };
}

/** The upload policy: `vod:ApplyUpload` and `vod:CommitUpload` in one space. */
export function uploadPolicy(spaceName: string, region: string): Policy {
  return { Statement: [allow(['vod:ApplyUpload', 'vod:CommitUpload'], [space(spaceName, region)])] };
}

const patterns = new Map<string, RegExp>();

/** Whether `value` matches `pattern`, where `*` stands for any run of characters. */
export function wildcardMatch(pattern: string, value: string): boolean {
  if (!pattern.includes('*')) return pattern === value;
  let re = patterns.get(pattern);
  if (!re) {
    re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 's');
    if (patterns.size > 1000) patterns.clear();
    patterns.set(pattern, re);
  }
  return re.test(value);
}

const matchesAny = (patternList: string[], value: string) => patternList.some((p) => wildcardMatch(p, value));

/**
 * Evaluates a policy for an action on resources: a matching Deny wins; otherwise every resource must be matched
 * by an Allow statement for the action. `null` (no policy) allows everything.
 * @example isAllowed(playPolicy(['v1']), 'vod:GetPlayInfo', [Resource.video('v1')]) // true
 */
export function isAllowed(policy: Policy | null, action: string, resources: string[]): boolean {
  if (policy === null) return true;
  const forAction = policy.Statement.filter((s) => matchesAny(s.Action, action));
  const denied = forAction.some((s) => s.Effect === 'Deny' && (resources.length === 0 || resources.some((r) => matchesAny(s.Resource, r))));
  if (denied) return false;
  const allows = forAction.filter((s) => s.Effect === 'Allow');
  if (resources.length === 0) return allows.length > 0;
  return resources.every((r) => allows.some((s) => matchesAny(s.Resource, r)));
}

/** Parses a PolicyString; `''` is no policy. Returns undefined when it is not a well-formed policy. */
export function parsePolicy(text: string): Policy | null | undefined {
  if (text === '') return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  const statements = (parsed as { Statement?: unknown })?.Statement;
  if (!Array.isArray(statements)) return undefined;
  const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');
  for (const s of statements) {
    if (typeof s !== 'object' || s === null) return undefined;
    const { Effect, Action, Resource: res } = s as Record<string, unknown>;
    if ((Effect !== 'Allow' && Effect !== 'Deny') || !strings(Action) || !strings(res)) return undefined;
  }
  return parsed as Policy;
}
