import { readFileSync } from 'node:fs';

/** One reference vector of test/vectors/vod-vectors.json (made by the service's original SDK). */
export interface Vector {
  name: string;
  kind: 'sign-request' | 'sign-url' | 'upload-token' | 'play-token' | 'redirect-play' | 'sts2' | 'play-auth-sts2';
  input: Record<string, any>;
  expected: Record<string, any>;
}

const file = JSON.parse(readFileSync(new URL('./vod-vectors.json', import.meta.url), 'utf8')) as { vectors: Vector[] };

/** The vectors of one kind; throws when there are none, so a renamed kind cannot pass silently. */
export function vectorsOf(kind: Vector['kind']): Vector[] {
  const found = file.vectors.filter((v) => v.kind === kind);
  if (found.length === 0) throw new Error(`no vectors of kind ${kind}`);
  return found;
}

/** Randomness that replays the values the original SDK drew. */
export function replayRandom(random: { uuid4: string[]; rand_letters: string[] }) {
  const uuids = [...random.uuid4];
  const letters = [...random.rand_letters];
  return {
    uuid4: () => uuids.shift() ?? assertNever('uuid4'),
    letters: (n: number) => {
      const next = letters.shift() ?? assertNever('letters');
      if (next.length !== n) throw new Error(`asked for ${n} letters, the vector holds ${next.length}`);
      return next;
    },
  };
}

function assertNever(what: string): never {
  throw new Error(`the vector holds no more ${what} values`);
}
