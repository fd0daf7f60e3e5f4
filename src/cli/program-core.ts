/**
 * The `recipe` program without its command table: buildProgram and main (program.ts) pass every
 * group of commands.ts; the single-file build of the recipe commands (recipe-commands-main.ts)
 * passes only theirs, so that it holds no other command's code.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { ConfigError, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, formatIssue, isMlrecipeError } from '../errors.js';
import { type CliIo, cliStderr, cliStdout, withCliIo } from './io.js';
import type { LazyCommandGroup, RegisterCommands } from './commands.js';
import { scanCommandLine } from './command-name.js';

export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

/** What `buildProgram` is built for. */
export interface BuildProgramOptions {
  /**
   * The command line (`process.argv` form): only the command group it names is loaded (see
   * `groupsToLoad`). Without it every group loads (e.g. to walk the whole command tree).
   */
  readonly argv?: readonly string[];
}

/** `buildProgram` (program.ts) over a given table of command groups. */
export async function buildProgramFrom(
  commandGroups: ReadonlyArray<LazyCommandGroup | RegisterCommands>,
  options: BuildProgramOptions = {},
): Promise<Command> {
  const program = new Command('recipe')
    .description(
      'Declarative ML pipelines: MLflow-compatible recipes, projects, tracking, registry and serving.',
    )
    .version(packageVersion(), '-V, --version', 'print the mlrecipe version')
    .option('--verbose', 'print stack traces and debug output')
    .option(
      '--tracking-uri <uri>',
      'tracking store URI (else $RECIPE_TRACKING_URI, $MLFLOW_TRACKING_URI, sqlite mlruns/)',
    )
    .showHelpAfterError('(run with --help for usage)')
    // Help, version and usage errors go to the streams `main` was given (subcommands inherit
    // this); commander throws instead of exiting, and `main` turns that into an exit code.
    .configureOutput({
      writeOut: (text) => cliStdout().write(text),
      writeErr: (text) => cliStderr().write(text),
    })
    .exitOverride();
  const wanted = options.argv === undefined ? commandGroups : groupsToLoad(commandGroups, options.argv);
  // Import in parallel, register in table order so help lists commands as it always did.
  const registers = await Promise.all(
    wanted.map((group) => (typeof group === 'function' ? group : group.load())),
  );
  const commandLine = { argv: options.argv?.slice(2) ?? [] };
  for (const register of registers) register(program, commandLine);
  return program;
}

/**
 * The groups a command line (`process.argv` form) needs: the groups listing its command name
 * (the first operand); none for a bare `recipe --version`; all of them for help, no command or
 * an unknown command, so commander's help text and "unknown command" errors (with suggestions)
 * stay exactly as with every group loaded. Plain register functions (old-style entries) are
 * always included.
 */
export function groupsToLoad(
  groups: ReadonlyArray<LazyCommandGroup | RegisterCommands>,
  argv: readonly string[],
): Array<LazyCommandGroup | RegisterCommands> {
  const args = argv.slice(2);
  const { name, onlyVersionOptions } = scanCommandLine(args);
  const eager = groups.filter((group) => typeof group === 'function');
  if (name === undefined) {
    const versionOnly = onlyVersionOptions && (args.includes('-V') || args.includes('--version'));
    return versionOnly ? eager : [...groups];
  }
  const named = groups.filter((group) => typeof group !== 'function' && group.commands.includes(name));
  if (named.length === 0) return [...groups];
  return groups.filter((group) => typeof group === 'function' || named.includes(group));
}

/** `main` (program.ts) over the command groups `groups` gives. */
export async function runCommandLine(
  argv: readonly string[],
  io: CliIo,
  groups: () => Promise<ReadonlyArray<LazyCommandGroup | RegisterCommands>>,
): Promise<number> {
  const args = ['node', 'recipe', ...argv];
  const verbose = argv.includes('--verbose');
  return withCliIo(io, async () => {
    try {
      // Loads only the command group argv names (see groupsToLoad): start-up cost is per command.
      const program = await buildProgramFrom(await groups(), { argv: args });
      await program.parseAsync(args);
      return EXIT_OK;
    } catch (error) {
      return reportError(error, verbose);
    }
  });
}

/** Turns any error into `error: …` on stderr and an exit code (DESIGN.md). */
export function reportError(error: unknown, verbose: boolean): number {
  if (error instanceof CommanderError) {
    // commander already printed its message; help and version exit 0.
    return error.exitCode === 0 ? 0 : EXIT_USAGE;
  }
  if (isMlrecipeError(error)) {
    if (error instanceof ConfigError) {
      cliStderr().write(
        `error: invalid configuration (${error.issues.length} problem${error.issues.length === 1 ? '' : 's'})\n`,
      );
      for (const issue of error.issues) cliStderr().write(`  ${formatIssue(issue)}\n`);
    } else {
      cliStderr().write(`error: ${error.message}\n`);
    }
    if (error.hint) cliStderr().write(`hint: ${error.hint}\n`);
    if (verbose && error.stack) cliStderr().write(`${error.stack}\n`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  cliStderr().write(`error: ${message}\n`);
  if (verbose && error instanceof Error && error.stack) cliStderr().write(`${error.stack}\n`);
  return EXIT_FAILURE;
}
