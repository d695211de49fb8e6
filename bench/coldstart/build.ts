/** Bundles one handler with the esbuild options of serverless.yml (custom.esbuild). */
import { build, type Plugin } from 'esbuild';
import { statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';

export interface Bundle { file: string; bytes: number; gzipBytes: number; inputs: Array<{ path: string; bytes: number }> }

/**
 * `stubAws`: every `@aws-sdk/*` import resolves to an empty module instead of a runtime `require`, which is what a
 * function that never calls AWS would load if lib/config did not import the AWS clients at module scope.
 */
export async function bundle(entry: string, outfile: string, stubAws = false, minify = true): Promise<Bundle> {
  const result = await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    minify,
    sourcemap: false,
    target: 'node20',
    platform: 'node',
    format: 'cjs',
    mainFields: ['module', 'main'],
    supported: { 'regexp-unicode-property-escapes': true },
    external: ['@aws-sdk/*'],
    metafile: true,
    logLevel: 'silent',
    plugins: stubAws ? [awsStub] : [],
  });
  const out = Object.values(result.metafile.outputs)[0]!;
  const inputs = Object.entries(out.inputs).map(([path, v]) => ({ path, bytes: v.bytesInOutput })).sort((a, b) => b.bytes - a.bytes);
  return { file: outfile, bytes: statSync(outfile).size, gzipBytes: gzipSync(readFileSync(outfile)).length, inputs };
}

/** Bytes of a bundle by package / our folder, largest first. */
export function byOrigin(b: Bundle): Array<{ origin: string; bytes: number }> {
  const m = new Map<string, number>();
  for (const i of b.inputs) {
    const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(i.path);
    const origin = nm ? nm[1]! : (/^(lib\/[^/]+|functions\/[^/]+|bench\/[^/]+|local\/[^/]+)/.exec(i.path)?.[1] ?? i.path);
    m.set(origin, (m.get(origin) ?? 0) + i.bytes);
  }
  return [...m.entries()].map(([origin, bytes]) => ({ origin, bytes })).sort((a, b) => b.bytes - a.bytes);
}

const awsStub: Plugin = {
  name: 'aws-stub',
  setup(b) {
    b.onResolve({ filter: /^@aws-sdk\// }, (args) => ({ path: args.path, namespace: 'aws-stub' }));
    b.onLoad({ filter: /.*/, namespace: 'aws-stub' }, () => ({ contents: 'module.exports = {};', loader: 'js' }));
  },
};
