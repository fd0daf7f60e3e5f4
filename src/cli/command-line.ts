/**
 * The command line a program is built for: `argv` holds the user's arguments only (no node and
 * script names), exactly as given to `main(argv, io)`. Command modules read it from here, never
 * from `process.argv`, which is another program's when the CLI runs in-process (tests).
 */
export interface CommandLine {
  readonly argv: readonly string[];
}
