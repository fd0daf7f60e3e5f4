import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const cli = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

async function recipe(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
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
