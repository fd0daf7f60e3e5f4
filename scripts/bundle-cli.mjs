#!/usr/bin/env node
// Bundles the `recipe` command line (src/cli/) into dist/cli/ with esbuild: `npm run build` runs
// it after tsc, which compiles the library (dist/<module>/, the package exports) but not src/cli.
//
// Why: Node 20's ESM loader pays per file (resolve, read, compile, link), and a cached
// `recipe run` loaded over 200 files (yaml alone is 73), the largest item in its CPU profile.
// Bundled, a command loads a few files. Every dynamic import() in the source stays one: esbuild
// splits the code at them into chunks, so a command still loads only what it uses (servers,
// Arrow, the training code load only when a command reaches them).
//
// Layout: dist/cli/main.cjs (the `bin`, CommonJS: bundleEntryPoint says why; dist/cli/main.js
// runs it), dist/cli/program.js (buildProgram, for
// scripts/cli-reference.mjs and its test), dist/cli/train-trial-worker.js (the sweeps' worker
// thread entry, found beside the chunk that starts it), dist/cli/ensemble-worker.js (the tree
// ensembles' worker threads, found the same way) and dist/cli/chunk-*.js, all two levels
// below the package root like every tsc output file, so the source's `new URL('../../…',
// import.meta.url)` (package.json, schema/, templates/) resolves the same. Packages stay
// external (loaded from node_modules as before) except BUNDLED_PACKAGES. dist/cli/meta.json is
// esbuild's metafile: which source files each output file holds (test/cli/lazy-loading.test.ts
// maps the files a process loads back to modules with it).
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import ts from 'typescript';

const root = dirname(dirname(fileURLToPath(import.meta.url)));

/**
 * Packages bundled into the CLI: pure JavaScript, loaded by most commands, many files each; and
 * better-sqlite3's JavaScript (14 files, ~8 ms of resolving and compiling on every command that
 * opens the default store), whose compiled addon src/tracking/sqlite-store.ts still loads from
 * node_modules by path.
 */
export const BUNDLED_PACKAGES = ['commander', 'yaml', 'picomatch', 'p-queue', 'picocolors', 'better-sqlite3'];

/** `outdir` must sit two levels below the package root, as dist/cli does (see above). */
export async function bundleCli({ outdir = join(root, 'dist', 'cli') } = {}) {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const external = Object.keys(pkg.dependencies ?? {}).filter((name) => !BUNDLED_PACKAGES.includes(name));
  // Stale chunks (their names carry content hashes) must not pile up.
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const result = await build({
    absWorkingDir: root,
    entryPoints: {
      program: 'src/cli/program.ts',
      'train-trial-worker': 'src/sweeps/train-trial-worker.ts',
      'ensemble-worker': 'src/ml/ensemble-worker.ts',
    },
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external,
    chunkNames: '[name]-[hash]',
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'warning',
    // Bundled CommonJS packages (commander, yaml) call require() for Node's built-ins.
    banner: {
      js: "import { createRequire as __mlrecipeCreateRequire } from 'node:module';\nconst require = __mlrecipeCreateRequire(import.meta.url);",
    },
  });
  const entry = await bundleEntryPoint({ outdir, external });
  // One metafile for both builds: test/cli/lazy-loading.test.ts maps every loaded file with it.
  const metafile = {
    inputs: { ...result.metafile.inputs, ...entry.metafile.inputs },
    outputs: { ...result.metafile.outputs, ...entry.metafile.outputs },
  };
  writeFileSync(join(outdir, 'meta.json'), JSON.stringify(metafile));
  await bundleRecipeCommands({ outdir, external });
  return result;
}

/**
 * dist/cli/main.cjs, the `bin`: src/cli/main.ts as ONE CommonJS file (its few imports: the command
 * name scanner and the code-cache loader). Node 20 starts a CommonJS entry with less work than an
 * ES module (no ESM loader, linking or async module evaluation before the first line runs): a
 * no-op `recipe run` measured 2.44× → 2.29× `node -e 0` by CPU (BENCHMARKS.md, bench/cli).
 * `import('./program.js')` (every command but the recipe engine's) stays an import of the ES
 * chunk build above. dist/cli/main.js stays, a two-line ES module that runs main.cjs, for
 * whatever runs or imports that path (tests, benches, the Docker image, scripts).
 */
async function bundleEntryPoint({ outdir, external }) {
  const result = await build({
    absWorkingDir: root,
    entryPoints: { main: 'src/cli/main.ts' },
    outdir,
    outExtension: { '.js': '.cjs' },
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    external,
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'warning',
    define: { 'import.meta.url': '__mlrecipeImportMetaUrl' },
    logOverride: { 'empty-import-meta': 'error' },
    banner: { js: "var __mlrecipeImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
    plugins: [
      {
        name: 'program-stays-external',
        setup(pluginBuild) {
          pluginBuild.onResolve({ filter: /^\.\/program\.js$/ }, (args) => ({ path: args.path, external: true }));
        },
      },
    ],
  });
  const text = readFileSync(join(outdir, 'main.cjs'), 'utf8');
  if (!text.includes('import("./program.js")')) {
    throw new Error('main.cjs no longer loads ./program.js with import(): the ES chunk build would be bypassed');
  }
  const shim = join(outdir, 'main.js');
  writeFileSync(
    shim,
    "#!/usr/bin/env node\n// The `bin` is main.cjs (scripts/bundle-cli.mjs says why); this path stays for what runs it.\nimport './main.cjs';\n",
  );
  chmodSync(shim, 0o755);
  return result;
}

/**
 * `import()` calls that stay calls at run time (a package by name, a user's module by URL) become
 * `__mlrecipeImport(...)`, a function the loader passes in (src/cli/code-cache.ts): Node 20 loses
 * a vm.Script's dynamic-import callback once the script is compiled from a code cache ("A dynamic
 * import callback was not specified"), and its main-context loader option is experimental (a
 * warning on stderr). Imports of bundled files and packages stay `import()`, which esbuild turns
 * into lazy initialisers. Found with TypeScript's parser, so strings and templates that merely
 * contain "import(" (the worker bootstraps) are left alone.
 */
function runtimeImportsThroughLoader() {
  return {
    name: 'runtime-imports-through-loader',
    setup(pluginBuild) {
      pluginBuild.onLoad({ filter: /[\\/]src[\\/].*\.ts$/ }, (args) => {
        const source = readFileSync(args.path, 'utf8');
        const tree = ts.createSourceFile(args.path, source, ts.ScriptTarget.Latest, true);
        const starts = [];
        const visit = (node) => {
          if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
            const [specifier] = node.arguments;
            const bundled =
              specifier !== undefined &&
              ts.isStringLiteralLike(specifier) &&
              (specifier.text.startsWith('.') || BUNDLED_PACKAGES.includes(specifier.text));
            if (!bundled) starts.push(node.expression.getStart(tree));
          }
          ts.forEachChild(node, visit);
        };
        visit(tree);
        let contents = source;
        for (const start of starts.sort((a, b) => b - a)) {
          contents = `${contents.slice(0, start)}__mlrecipeImport${contents.slice(start + 'import'.length)}`;
        }
        return { contents, loader: 'ts' };
      });
    },
  };
}

/**
 * CommonJS's module wrapper (Module.wrap's, plus the run-time import function), written into the
 * file at build time; the opening on a line of its own, so the module's lines keep their numbers.
 */
const BUNDLE_WRAPPER_START =
  '(function (exports, require, module, __filename, __dirname, __mlrecipeImport) {';
const BUNDLE_WRAPPER_END = '})';

/** The placeholder the digest replaces in the first line (same length: the source map still fits). */
const DIGEST_PLACEHOLDER = '0'.repeat(64);

/**
 * dist/cli/recipe-commands.cjs: the recipe engine's commands (src/cli/recipe-commands-main.ts) in
 * ONE CommonJS file, which src/cli/main.ts runs through a V8 code cache (src/cli/code-cache.ts):
 * Node 20 caches no compiled ES modules, and a cached `recipe run` spent about a fifth of its
 * CPU loading and compiling ~45 chunk files. Dynamic imports of bundled modules stay lazy
 * (esbuild initialises such a module when the import runs), dynamic imports of packages stay
 * `import()`; static imports of packages become `require()` (ES-module packages need Node's
 * require(esm), 20.19+: main.ts checks). `import.meta.url` is the bundle's own URL: it sits two
 * levels below the package root like every other file of dist/cli. The first line carries the
 * SHA-256 of the file, which names its code cache.
 *
 * The file is the module's body already inside CommonJS's function wrapper (`(function (exports,
 * require, module, __filename, __dirname, __mlrecipeImport) { … })`), whitespace-minified (no
 * comments) and pure ASCII, so that the loader reads it as Latin-1 into a string it hands V8
 * unchanged: as UTF-8 with a few non-ASCII characters in comments, Node decoded it into a
 * two-byte string and then copied it once more to wrap it, about 20 ms of a no-op run's CPU
 * (BENCHMARKS.md, bench/cli). It is therefore not a file `require` can load; only
 * src/cli/code-cache.ts runs it.
 */
async function bundleRecipeCommands({ outdir, external }) {
  const file = join(outdir, 'recipe-commands.cjs');
  const result = await build({
    absWorkingDir: root,
    entryPoints: { 'recipe-commands': 'src/cli/recipe-commands-main.ts' },
    outdir,
    outExtension: { '.js': '.cjs' },
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    external,
    sourcemap: 'linked',
    logLevel: 'warning',
    // No comments (a few hold non-ASCII text) and less to read; names stay as written.
    minifyWhitespace: true,
    legalComments: 'none',
    charset: 'ascii',
    // A source's `import.meta` has no CommonJS counterpart but these two, defined in the banner.
    define: {
      'import.meta.url': '__mlrecipeImportMetaUrl',
      'import.meta.resolve': '__mlrecipeImportMetaResolve',
    },
    logOverride: { 'empty-import-meta': 'error' },
    metafile: true,
    plugins: [runtimeImportsThroughLoader()],
    banner: {
      js: [
        `// mlrecipe-bundle sha256:${DIGEST_PLACEHOLDER}`,
        BUNDLE_WRAPPER_START,
        // Strict, as the ES modules it comes from (esbuild's own directive lands after the banner).
        "'use strict';",
        "var __mlrecipeImportMetaUrl = require('node:url').pathToFileURL(__filename).href;",
        "var __mlrecipeImportMetaResolve = (specifier) => require('node:url').pathToFileURL(require.resolve(specifier)).href;",
      ].join('\n'),
    },
    footer: { js: BUNDLE_WRAPPER_END },
  });
  const left = Object.values(result.metafile.outputs).flatMap((output) =>
    output.imports.filter((i) => i.kind === 'dynamic-import' && i.external).map((i) => i.path),
  );
  if (left.length > 0) throw new Error(`recipe-commands.cjs still calls import() for ${left.join(', ')}`);
  const text = readFileSync(file, 'utf8');
  const nonAscii = /\P{ASCII}/u.exec(text);
  if (nonAscii) {
    throw new Error(
      `recipe-commands.cjs holds a non-ASCII character at offset ${nonAscii.index}: src/cli/code-cache.ts reads it as Latin-1`,
    );
  }
  const digest = createHash('sha256').update(text).digest('hex');
  writeFileSync(file, text.replace(DIGEST_PLACEHOLDER, digest));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const at = process.argv.indexOf('--outdir');
  await bundleCli(at > 0 ? { outdir: join(process.cwd(), process.argv[at + 1]) } : {});
}
