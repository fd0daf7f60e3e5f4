import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';

const roots: string[] = [];
afterAll(() => {
  for (const r of roots) {
    chmodSync(join(r, 'data'), 0o755);
    rmSync(r, { recursive: true, force: true });
  }
});

/**
 * Runs `recipe run -s ingest` in a real child process that cannot read mode-000 files. Root
 * reads them anyway (CAP_DAC_OVERRIDE), so as root the child runs under util-linux's setpriv
 * without the two capabilities that bypass file permissions; the files stay owned by root.
 */
function ingestAsUnprivileged(dir: string): Promise<{ code: number; stderr: string }> {
  const node = [process.execPath, cli, 'run', '-s', 'ingest', '--no-tracking'];
  const [file, ...args] =
    process.getuid?.() === 0
      ? [
          'setpriv',
          '--bounding-set=-dac_override,-dac_read_search',
          '--inh-caps=-dac_override,-dac_read_search',
          ...node,
        ]
      : node;
  return new Promise((done) => {
    execFile(file as string, args, { cwd: dir }, (error, _stdout, stderr) => {
      done({ code: error ? Number(error.code) : 0, stderr });
    });
  });
}

function recipeWithData(files: Record<string, string>, location: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'mlrecipe-unreadable-'));
  roots.push(dir);
  writeFileSync(
    join(dir, 'recipe.yaml'),
    `recipe: "regression/v1"\ntarget_col: "y"\nprimary_metric: "root_mean_squared_error"\nsteps:\n  ingest:\n    using: csv\n    location: "${location}"\n`,
  );
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

describe('ingest with a location that reaches an unreadable file', () => {
  it('names the file, the glob that matched it and what to do (exit 1)', async () => {
    const dir = recipeWithData({ 'data/a.csv': 'a,y\n1,2\n', 'data/b.csv': 'a,y\n3,4\n' }, 'data/*.csv');
    chmodSync(join(dir, 'data', 'b.csv'), 0o000);
    const result = await ingestAsUnprivileged(dir);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toContain(
      `error: steps.ingest.location: ${join(dir, 'data', 'b.csv')} (matched by data/*.csv) cannot be read (permission denied)`,
    );
    expect(result.stderr).toMatch(/^hint: give this user read access \(e\.g\. chmod a\+r .*b\.csv\)/m);
  });

  it('names an unreadable directory a ** glob has to search', async () => {
    const dir = recipeWithData(
      { 'data/a.csv': 'a,y\n1,2\n', 'data/locked/c.csv': 'a,y\n5,6\n' },
      'data/**/*.csv',
    );
    chmodSync(join(dir, 'data', 'locked'), 0o000);
    const result = await ingestAsUnprivileged(dir);
    chmodSync(join(dir, 'data', 'locked'), 0o755);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toContain(`directory ${join(dir, 'data', 'locked')} cannot be read`);
    expect(result.stderr).toMatch(/^hint: .*chmod a\+rx/m);
  });
});
