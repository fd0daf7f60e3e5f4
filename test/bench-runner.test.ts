// `npm run bench` runs bench/run-all.mjs, which finds every benchmark in bench/ by itself.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const exec = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));

describe('npm run bench', () => {
  it('points at a runner that exists and lists every bench/*.ts', async () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    const runner = /^node (\S+)$/.exec(pkg.scripts.bench ?? '')?.[1];
    expect(runner).toBe('bench/run-all.mjs');
    expect(existsSync(join(root, runner as string))).toBe(true);
    const { stdout } = await exec(process.execPath, [join(root, 'bench/run-all.mjs'), '--list'], {
      cwd: root,
    });
    const expected = readdirSync(join(root, 'bench'))
      .filter((name) => name.endsWith('.ts'))
      .map((name) => name.replace(/\.ts$/, ''))
      .sort();
    expect(expected.length).toBeGreaterThan(0);
    expect(stdout.trim().split('\n')).toEqual(expected);
  });

  it('names the benchmarks when asked for one that does not exist', async () => {
    const error = await exec(process.execPath, [join(root, 'bench/run-all.mjs'), 'no-such-bench'], {
      cwd: root,
    }).catch((e: unknown) => e as { code: number; stderr: string });
    expect(error).toMatchObject({ code: 2 });
    expect((error as { stderr: string }).stderr).toMatch(
      /no benchmark no-such-bench\nhint: the benchmarks are .*tracking/,
    );
  });
});
