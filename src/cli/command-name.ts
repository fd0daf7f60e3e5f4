/**
 * Which command a `recipe` command line names, read without commander: the binary
 * (src/cli/main.ts) picks its build by it before any command code loads, and `groupsToLoad`
 * loads only that command's group.
 */

/** Root options that take a value: that value is not a command name. */
const ROOT_OPTIONS_WITH_VALUE = new Set(['--tracking-uri']);

export interface ScannedCommandLine {
  /** The first operand (the command's name), if any. */
  readonly name?: string;
  /** Whether every option before it (or in all of argv, without a name) is a version-safe root option. */
  readonly onlyVersionOptions: boolean;
}

/** `args`: the user's arguments (no node and script names). */
export function scanCommandLine(args: readonly string[]): ScannedCommandLine {
  let onlyVersionOptions = true;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (ROOT_OPTIONS_WITH_VALUE.has(arg)) i++;
    else if (arg.startsWith('--tracking-uri=') || arg === '--verbose' || arg === '-V' || arg === '--version')
      continue;
    else if (arg.startsWith('-'))
      onlyVersionOptions = false; // --help, -h, --, unknown options
    else return { name: arg, onlyVersionOptions };
  }
  return { onlyVersionOptions };
}
