/**
 * Runs the `recipe` CLI and reports how it ended instead of throwing, so tests can assert on
 * failures. `runCli` calls the program in this process (`main(argv, io)` from src/cli/program.ts):
 * a test file then costs one Node process, not one per command. `runCliProcess` runs the compiled
 * CLI (`dist/cli/main.js`, built by vitest's globalSetup) as a real child process, for what only a
 * process shows: the binary itself, signals, exit codes set by the process, concurrent processes.
 */
import { execFile } from 'node:child_process';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { main } from '../../src/cli/program.js';

const execFileAsync = promisify(execFile);

/** Absolute path of the compiled CLI entry point. */
export const cli = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunCliOptions {
  /** Working directory of the command; the test process's own when omitted. */
  cwd?: string;
  /** Complete environment of the command; the test process's own when omitted. */
  env?: NodeJS.ProcessEnv;
}

/** A stream that keeps what is written to it. */
class TextSink extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: () => void): void {
    this.text += chunk.toString();
    callback();
  }
}

/** In-process runs change the process's cwd and environment, so they take turns. */
let turn: Promise<unknown> = Promise.resolve();

/**
 * Runs `recipe ...args` in this process, in `cwd` with `env` (both restored afterwards); a
 * non-zero exit is returned as `code`, not thrown. Calls are serialised.
 */
export function runCli(args: readonly string[], options: RunCliOptions = {}): Promise<CliResult> {
  const result = turn.then(() => runInProcess(args, options));
  turn = result.catch(() => undefined);
  return result;
}

async function runInProcess(args: readonly string[], options: RunCliOptions): Promise<CliResult> {
  const stdout = new TextSink();
  const stderr = new TextSink();
  const cwd = process.cwd();
  const env = process.env;
  try {
    if (options.cwd !== undefined) process.chdir(options.cwd);
    if (options.env !== undefined) process.env = { ...options.env };
    const code = await main(args, { stdout, stderr });
    await Promise.all([stdout, stderr].map((s) => new Promise((done) => s.end(done))));
    return { code, stdout: stdout.text, stderr: stderr.text };
  } finally {
    process.chdir(cwd);
    process.env = env;
  }
}

/** Runs `node dist/cli/main.js ...args`; a non-zero exit is returned as `code`, not thrown. */
export async function runCliProcess(
  args: readonly string[],
  options: RunCliOptions = {},
): Promise<CliResult> {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, [cli, ...args], {
      cwd: options.cwd,
      env: options.env,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** A copy of the test process's environment with no tracking URI, so `recipe` falls back to its default. */
export function envWithoutTrackingUri(): NodeJS.ProcessEnv {
  return { ...process.env, RECIPE_TRACKING_URI: '', MLFLOW_TRACKING_URI: '' };
}

/** Variables that would point a command at another store or run than its repository's own. */
const TRACKING_VARIABLES = [
  'RECIPE_TRACKING_URI',
  'MLFLOW_TRACKING_URI',
  'MLFLOW_RUN_ID',
  'MLFLOW_EXPERIMENT_ID',
  'MLFLOW_EXPERIMENT_NAME',
];

/**
 * This process's environment without the tracking variables a developer's shell may set, so a
 * command uses its repository's own store; with `home`, also HOME and git's configuration
 * isolated there (no user or system git config, no XDG config).
 */
export function cleanEnv(home?: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of TRACKING_VARIABLES) delete env[key];
  if (home !== undefined) Object.assign(env, { HOME: home, XDG_CONFIG_HOME: home, GIT_CONFIG_NOSYSTEM: '1' });
  return env;
}
