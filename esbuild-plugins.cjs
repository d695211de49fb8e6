// @ts-check
// esbuild plugins of every function bundle: serverless.yml (custom.esbuild.plugins) and the bench's bundler load
// this file. CommonJS, because serverless-esbuild `require`s it inside the osls process, where no TypeScript loader
// runs.
const { readFile } = require('node:fs/promises');

/**
 * @smithy/core's serde index (what @smithy/signature-v4 imports its hex and UTF-8 helpers from) builds two values at
 * load with calls that carry no `@__PURE__` annotation: a UUID generator and a blob class. esbuild must assume such
 * calls have side effects, so every signing bundle keeps them and the base64, UTF-8 and UUID code they pull in
 * (1.7 KB minified) and runs them at cold start (~0.8 ms require for play-info), though no function uses either.
 * The plugin adds the annotations to those two calls, so esbuild drops them when unused (and only then). It fails
 * the build when the file no longer holds the calls as written, so that a Smithy update that changes them is seen.
 * @type {import('esbuild').Plugin}
 */
const smithyPureCalls = {
  name: 'smithy-pure-calls',
  setup(build) {
    const calls = ['extends bindUint8ArrayBlobAdapter(', '= bindV4('];
    build.onLoad({ filter: /[\\/]@smithy[\\/]core[\\/]dist-es[\\/]submodules[\\/]serde[\\/]index\.js$/ }, async (args) => {
      let contents = await readFile(args.path, 'utf8');
      for (const call of calls) {
        if (contents.split(call).length !== 2) {
          return { errors: [{ text: `smithy-pure-calls: ${args.path} no longer holds "${call}" once; review esbuild-plugins.cjs` }] };
        }
        const [before, callee] = call.split(' ');
        contents = contents.replace(call, `${before} /* @__PURE__ */ ${callee}`);
      }
      return { contents, loader: 'js' };
    });
  },
};

module.exports = [smithyPureCalls];
