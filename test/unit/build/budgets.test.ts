// The size budget of the token functions (<= 20 KB minified, bench/README.md), checked on every test run: the bench
// measures it when it runs; this keeps a change to what they share (lib/http, lib/signing, lib/config) from
// crossing it unnoticed. Bundled exactly as the bench bundles them (serverless.yml's esbuild options and plugins).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundle } from '../../../bench/coldstart/build.ts';
import { FUNCTIONS } from '../../../bench/coldstart/functions.ts';
import { TOKEN_MAX_BYTES } from '../../../bench/lib/targets.ts';

const ROOT = join(import.meta.dirname, '../../..');
let dir: string;
before(async () => { dir = await mkdtemp(join(tmpdir(), 'vod-budgets-')); });
after(() => rm(dir, { recursive: true, force: true }));

describe('bundle budgets', () => {
  const tokens = FUNCTIONS.filter((f) => f.token).map((f) => f.name);

  it('covers the three token functions', () => {
    assert.deepEqual(tokens, ['issue-upload-token', 'issue-play-token', 'issue-sts2']);
  });

  for (const name of tokens) {
    it(`${name} stays within ${TOKEN_MAX_BYTES} bytes minified`, async () => {
      const b = await bundle(join(ROOT, 'functions', name, 'handler.ts'), join(dir, `${name}.cjs`));
      assert.ok(b.bytes <= TOKEN_MAX_BYTES, `${name} is ${b.bytes} B, over the token budget of ${TOKEN_MAX_BYTES} B: largest inputs ${b.inputs.slice(0, 5).map((i) => `${i.path} ${i.bytes}`).join(', ')}`);
    });
  }
});
