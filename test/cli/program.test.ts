import { describe, expect, it } from 'vitest';
import { type CliResult, runCli, runCliProcess } from '../helpers/cli.js';

function recipe(...args: string[]): Promise<CliResult> {
  return runCli(args);
}

describe('recipe CLI', () => {
  it('prints the package version', async () => {
    const { code, stdout } = await recipe('--version');
    expect(code).toBe(0);
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('describes itself with --help', async () => {
    const { code, stdout } = await recipe('--help');
    expect(code).toBe(0);
    expect(stdout).toContain('Usage: recipe');
  });

  it('exits 2 on an unknown command', async () => {
    const { code, stderr } = await recipe('no-such-command');
    expect(code).toBe(2);
    expect(stderr).toMatch(/error|unknown/i);
  });

  it('writes only to the streams it is given and leaves the process exit code alone', async () => {
    const before = process.exitCode;
    const { code, stdout, stderr } = await recipe('runs', 'list', '--no-such-option');
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain("unknown option '--no-such-option'");
    expect(process.exitCode).toBe(before);
  });
});

describe('the recipe binary (a real process)', () => {
  it('prints the version and exits 0; exits 2 on an unknown command, with the error on stderr', async () => {
    const version = await runCliProcess(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const unknown = await runCliProcess(['no-such-command']);
    expect(unknown.code).toBe(2);
    expect(unknown.stdout).toBe('');
    expect(unknown.stderr).toMatch(/unknown command/i);
  });
});
