/**
 * Runs the compiled `recipe` CLI (`dist/cli/main.js`, built by vitest's globalSetup) in a real
 * child process and reports how it ended instead of throwing, so tests can assert on failures.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** Absolute path of the compiled CLI entry point. */
export const cli = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunCliOptions {
  /** Working directory of the child; the test process's own when omitted. */
  cwd?: string;
  /** Complete environment of the child; the test process's own when omitted. */
  env?: NodeJS.ProcessEnv;
}

/** Runs `node dist/cli/main.js ...args`; a non-zero exit is returned as `code`, not thrown. */
export async function runCli(args: readonly string[], options: RunCliOptions = {}): Promise<CliResult> {
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
