/** Bundles one handler with the esbuild options of serverless.yml (custom.esbuild). */
import { build, type BuildOptions, type Plugin } from 'esbuild';
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';

/** serverless.yml's esbuild plugins (custom.esbuild.plugins). */
const plugins = createRequire(import.meta.url)('../../esbuild-plugins.cjs') as Plugin[];

export interface Bundle { file: string; bytes: number; gzipBytes: number; inputs: Array<{ path: string; bytes: number }> }

/**
 * serverless.yml's esbuild options for one entry (bundle, minify, node20, cjs, its `exclude` and plugins).
 * `runtimeSdk`: `@aws-sdk/*` left out and required at run time from node_modules, as the Lambda runtime provides
 * its copy: the baselines and the AWS SDK floor, written as a user of the SDK would deploy them. Our functions are
 * bundled whole, as serverless.yml bundles them (they use no SDK client; util-dynamodb goes into the bundle).
 * `plugins: false` leaves esbuild-plugins.cjs out (its test compares the two).
 */
export function bundleOptions(entry: string, opts: { runtimeSdk?: boolean; minify?: boolean; plugins?: boolean } = {}): BuildOptions {
  const { runtimeSdk = false, minify = true } = opts;
  return {
    entryPoints: [entry],
    bundle: true,
    minify,
    sourcemap: false,
    target: 'node20',
    platform: 'node',
    format: 'cjs',
    mainFields: ['module', 'main'],
    supported: { 'regexp-unicode-property-escapes': true },
    // serverless.yml's `exclude`: the module only @smithy/core's unused HttpProtocol imports dynamically
    external: ['@smithy/core/event-streams', ...(runtimeSdk ? ['@aws-sdk/*'] : [])],
    plugins: opts.plugins === false ? [] : plugins,
    logLevel: 'silent',
  };
}

/** Bundles `entry` into `outfile` with {@link bundleOptions}. */
export async function bundle(entry: string, outfile: string, opts: { runtimeSdk?: boolean; minify?: boolean } = {}): Promise<Bundle> {
  const result = await build({ ...bundleOptions(entry, opts), outfile, metafile: true });
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
