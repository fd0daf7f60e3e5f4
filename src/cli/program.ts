import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { EXIT_FAILURE, EXIT_USAGE, formatIssue, isMlrecipeError, ConfigError } from '../errors.js';

export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/**
 * Builds the `recipe` program. Each command group lives in its own file and registers itself
 * here; command files only parse arguments and call into the library.
 */
export async function buildProgram(): Promise<Command> {
  const program = new Command('recipe')
    .description('Declarative ML pipelines: MLflow-compatible recipes, projects, tracking, registry and serving.')
    .version(packageVersion(), '-V, --version', 'print the mlrecipe version')
    .option('--verbose', 'print stack traces and debug output')
    .option('--tracking-uri <uri>', 'tracking store URI (else $RECIPE_TRACKING_URI, $MLFLOW_TRACKING_URI, sqlite mlruns/)')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  const groups = await import('./commands.js');
  for (const register of groups.commandGroups) register(program);
  return program;
}

/** Turns any error into `error: …` on stderr and an exit code (DESIGN.md). */
export function reportError(error: unknown, verbose: boolean): number {
  if (error instanceof CommanderError) {
    // commander already printed its message; help and version exit 0.
    return error.exitCode === 0 ? 0 : EXIT_USAGE;
  }
  if (isMlrecipeError(error)) {
    if (error instanceof ConfigError) {
      process.stderr.write(`error: invalid configuration (${error.issues.length} problem${error.issues.length === 1 ? '' : 's'})\n`);
      for (const issue of error.issues) process.stderr.write(`  ${formatIssue(issue)}\n`);
    } else {
      process.stderr.write(`error: ${error.message}\n`);
    }
    if (error.hint) process.stderr.write(`hint: ${error.hint}\n`);
    if (verbose && error.stack) process.stderr.write(`${error.stack}\n`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`error: ${message}\n`);
  if (verbose && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  return EXIT_FAILURE;
}
