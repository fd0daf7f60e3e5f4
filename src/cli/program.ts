import type { CliIo } from './io.js';
import { type BuildProgramOptions, buildProgramFrom, runCommandLine } from './program-core.js';
import type { Command } from 'commander';

export {
  type BuildProgramOptions,
  buildProgramFrom,
  groupsToLoad,
  packageVersion,
  reportError,
  runCommandLine,
} from './program-core.js';

/**
 * Builds the `recipe` program. Each command group lives in its own file and is listed in
 * commands.ts; command files only parse arguments and call into the library.
 */
export async function buildProgram(options: BuildProgramOptions = {}): Promise<Command> {
  const { commandGroups } = await import('./commands.js');
  return buildProgramFrom(commandGroups, options);
}

/**
 * Runs one `recipe` command line — `argv` without the node and script names, e.g.
 * `['run', '--step', 'train']` — writing to `io`'s streams, and returns the exit code
 * (DESIGN.md: 0, 1 failure, 2 usage or config, 3 gate rejection). The `recipe` binary is this
 * with the process's streams; tests call it in-process. Paths and the environment are the
 * process's (`process.cwd()`, `process.env`).
 */
export function main(argv: readonly string[], io: CliIo): Promise<number> {
  return runCommandLine(argv, io, async () => (await import('./commands.js')).commandGroups);
}
