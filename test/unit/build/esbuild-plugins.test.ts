// esbuild-plugins.cjs, the plugins of every function bundle (serverless.yml and the bench): what they take out of a
// signing bundle, that the bundle still signs as the source does, and the loud failure when Smithy's file changes.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, type BuildOptions } from 'esbuild';
import { bundleOptions } from '../../../bench/coldstart/build.ts';

const require = createRequire(import.meta.url);
const ROOT = join(import.meta.dirname, '../../..');
const VECTORS = JSON.parse(readFileSync(join(ROOT, 'test/vectors/vod-vectors.json'), 'utf8')) as {
  vectors: Array<{ name: string; input: { ak: string; sk: string; region: string; date: string; method: string; query: Record<string, string>; headers: { Host: string } }; expected: { Authorization: string } }>;
};

type Signed = { signed: (input: unknown, now: Date) => Promise<Record<string, string>> };
/** Runs a CommonJS bundle's text as a module and returns its exports. */
function load(code: string): Signed {
  const mod = { exports: {} as Signed };
  new Function('module', 'exports', 'require', code)(mod, mod.exports, require);
  return mod.exports;
}

/** serverless.yml's options (the bench's bundler), the bundle kept in memory. */
const options = (entry: string, withPlugins: boolean): BuildOptions => ({ ...bundleOptions(entry, { plugins: withPlugins }), write: false });

let dir: string;
before(async () => { dir = await mkdtemp(join(tmpdir(), 'vod-esbuild-plugins-')); });
after(() => rm(dir, { recursive: true, force: true }));

describe('esbuild plugins', () => {
  it('drop the UUID generator and blob class of @smithy/core from a signing bundle, which still signs the vector', async () => {
    // an entry that signs the first header vector with lib/signing's Smithy signer (the signer of every VOD call)
    const entry = join(dir, 'sign.ts');
    await writeFile(entry, [
      `import { signRequest } from ${JSON.stringify(join(ROOT, 'lib/signing/index.ts'))};`,
      'export const signed = (input: { ak: string; sk: string; region: string; method: string; query: Record<string, string>; headers: { Host: string } }, now: Date) =>',
      '  signRequest({ method: input.method, host: input.headers.Host, query: input.query }, { credentials: { accessKeyId: input.ak, secretAccessKey: input.sk }, region: input.region, now });',
    ].join('\n'));
    const [plain, annotated] = await Promise.all([build(options(entry, false)), build(options(entry, true))]);
    const text = (r: typeof plain) => r.outputFiles![0]!.text;
    assert.match(text(plain), /Uint8ArrayBlobAdapter/, 'without the plugins the unused code is bundled (else the plugin has no work left)');
    assert.doesNotMatch(text(annotated), /Uint8ArrayBlobAdapter|randomUUID|getRandomValues/);
    assert.ok(text(plain).length - text(annotated).length > 1000, `${text(plain).length} -> ${text(annotated).length} bytes`);
    const vector = VECTORS.vectors.find((x) => x.name === 'sr-get-action')!;
    const now = new Date(vector.input.date.replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, '$1-$2-$3T$4:$5:$6Z'));
    const headers = await load(text(annotated)).signed(vector.input, now);
    assert.equal(headers.authorization, vector.expected.Authorization);
  });

  it('fail the build, naming the file, when Smithy no longer holds the calls they annotate', async () => {
    const serde = join(dir, 'node_modules/@smithy/core/dist-es/submodules/serde');
    await mkdir(serde, { recursive: true });
    await writeFile(join(serde, 'index.js'), 'export const v4 = makeV4();\n');
    const entry = join(dir, 'uses-serde.js');
    await writeFile(entry, `import { v4 } from ${JSON.stringify(join(serde, 'index.js'))};\nconsole.log(v4);\n`);
    await assert.rejects(build(options(entry, true)), (err: Error) => {
      assert.match(err.message, /smithy-pure-calls: .*serde[\\/]index\.js no longer holds "extends bindUint8ArrayBlobAdapter\(" once/);
      return true;
    });
  });
});
