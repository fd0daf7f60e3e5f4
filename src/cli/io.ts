/**
 * Where the CLI writes. `main(argv, io)` runs a command line with the streams it is given, so
 * the `recipe` program can run inside another process (the tests do, instead of spawning a Node
 * process per command); the `recipe` binary passes process.stdout and process.stderr.
 *
 * The streams travel with the command's async context (AsyncLocalStorage) rather than through
 * every command's and helper's parameters: command modules write to `cliStdout()` /
 * `cliStderr()`, which are the process's own streams outside `main`.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

/** A writable stream; `isTTY` decides between live and plain progress output. */
export type CliOutputStream = NodeJS.WritableStream & { readonly isTTY?: boolean };

export interface CliIo {
  readonly stdout: CliOutputStream;
  readonly stderr: CliOutputStream;
}

const current = new AsyncLocalStorage<CliIo>();

/** Runs `fn` with `io` as the CLI's streams (for everything `fn` starts, awaited or not). */
export function withCliIo<T>(io: CliIo, fn: () => Promise<T>): Promise<T> {
  // The process's own streams are what cliStdout()/cliStderr() give outside any context, so the
  // `recipe` binary needs none: entering one turns on Node's promise hooks for the rest of the
  // process, a cost on every promise (the module loader's included) of a short command.
  if (current.getStore() === undefined && io.stdout === process.stdout && io.stderr === process.stderr)
    return fn();
  return current.run(io, fn);
}

/** The stream the running command prints its results to. */
export function cliStdout(): CliOutputStream {
  return current.getStore()?.stdout ?? process.stdout;
}

/** The stream for progress, warnings and errors. */
export function cliStderr(): CliOutputStream {
  return current.getStore()?.stderr ?? process.stderr;
}
