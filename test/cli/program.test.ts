import { describe, expect, it } from 'vitest';
import { type CliResult, runCli } from '../helpers/cli.js';

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
});
