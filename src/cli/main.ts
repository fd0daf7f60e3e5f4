#!/usr/bin/env node
import { fileURLToPath } from 'node:url';
import { codeCacheDir, loadBundleWithCodeCache } from './code-cache.js';
import { scanCommandLine } from './command-name.js';
import type { CliIo } from './io.js';
import { RECIPE_COMMANDS } from './recipe-command-names.js';

const argv = process.argv.slice(2);
const io: CliIo = { stdout: process.stdout, stderr: process.stderr };

/**
 * The recipe engine's commands run from their single-file build (recipe-commands.cjs, compiled
 * from a V8 code cache: code-cache.ts) when it is there (it is not when this file runs from the
 * sources) and Node can `require` the ES-module packages it loads (Node ≥ 20.19);
 * RECIPE_CLI_CODE_CACHE=off uses the per-command chunks like every other command.
 */
function recipeCommandsBundle():
  { mainRecipeCommands(argv: readonly string[], io: CliIo): Promise<number> } | undefined {
  const name = scanCommandLine(argv).name;
  if (name === undefined || !RECIPE_COMMANDS.includes(name)) return undefined;
  if (process.env.RECIPE_CLI_CODE_CACHE === 'off' || process.features.require_module !== true)
    return undefined;
  const file = fileURLToPath(new URL('./recipe-commands.cjs', import.meta.url));
  const cacheDir = codeCacheDir();
  const exports = loadBundleWithCodeCache(file, {
    ...(cacheDir === undefined ? {} : { cacheDir }),
    importModule: (specifier) => import(specifier),
  });
  return exports as { mainRecipeCommands(argv: readonly string[], io: CliIo): Promise<number> } | undefined;
}

// No top-level await: scripts/bundle-cli.mjs builds this file as CommonJS (dist/cli/main.cjs, the
// `bin`), which Node 20 loads with less work than an ES module (BENCHMARKS.md, bench/cli).
const bundle = recipeCommandsBundle();
const exitCode = bundle
  ? bundle.mainRecipeCommands(argv, io)
  : import('./program.js').then((program) => program.main(argv, io));
void exitCode.then((code) => {
  process.exitCode = code;
});
