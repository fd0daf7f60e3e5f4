/**
 * Entry of the single-file build of the recipe engine's commands (`recipe run`, `status`,
 * `inspect`, `clean`, `gc`, `get-artifact`): scripts/bundle-cli.mjs bundles it, with everything
 * those commands can reach, into dist/cli/recipe-commands.cjs, which the binary (main.ts) compiles
 * with a V8 code cache (code-cache.ts). Every dynamic import stays lazy in that file (esbuild
 * wraps each lazily imported module in an initialiser), so a cached run still runs no training,
 * server or Arrow code; it only no longer pays the module loader per file nor V8's compiler.
 */
import type { CliIo } from './io.js';
import { runCommandLine } from './program-core.js';
import { registerRecipeCommands } from './recipe.js';
import { RECIPE_COMMANDS } from './recipe-command-names.js';

/** `main(argv, io)` (program.ts) with only the recipe engine's command group. */
export function mainRecipeCommands(argv: readonly string[], io: CliIo): Promise<number> {
  return runCommandLine(argv, io, async () => [
    { commands: RECIPE_COMMANDS, load: async () => registerRecipeCommands },
  ]);
}
