/** Git lineage of a recipe run, read from real repositories (two git processes per call). */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { gitLineage } from '../../src/recipes/git-lineage.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mlrecipe-lineage-'));
  dirs.push(dir);
  return dir;
}

const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd }).toString().trim();

function repoWithCommit(): string {
  const dir = tempDir();
  git(dir, 'init', '-q', '-b', 'main');
  writeFileSync(join(dir, 'recipe.yaml'), 'recipe: regression/v1\n');
  git(dir, 'add', '.');
  git(dir, 'commit', '-q', '-m', 'first');
  return dir;
}

describe('gitLineage', () => {
  it('is undefined outside a repository and in one without commits', async () => {
    expect(await gitLineage(tempDir())).toBeUndefined();
    const empty = tempDir();
    git(empty, 'init', '-q');
    expect(await gitLineage(empty)).toBeUndefined();
  });

  it('gives commit, branch and a clean tree; any change or untracked file makes it dirty', async () => {
    const dir = repoWithCommit();
    const sub = join(dir, 'nested');
    mkdirSync(sub);
    expect(await gitLineage(dir)).toEqual({
      commit: git(dir, 'rev-parse', 'HEAD'),
      branch: 'main',
      dirty: false,
    });
    writeFileSync(join(sub, 'new.txt'), 'x');
    expect((await gitLineage(sub))?.dirty).toBe(true); // from a subdirectory too
    rmSync(sub, { recursive: true });
    writeFileSync(join(dir, 'recipe.yaml'), 'recipe: classification/v1\n');
    expect((await gitLineage(dir))?.dirty).toBe(true);
  });

  it('has no branch on a detached HEAD', async () => {
    const dir = repoWithCommit();
    git(dir, 'checkout', '-q', '--detach');
    const lineage = await gitLineage(dir);
    expect(lineage?.branch).toBeUndefined();
    expect(lineage?.commit).toBe(git(dir, 'rev-parse', 'HEAD'));
  });

  it("takes origin's URL, else the first remote's by name", async () => {
    const dir = repoWithCommit();
    expect((await gitLineage(dir))?.repoUrl).toBeUndefined();
    git(dir, 'remote', 'add', 'zeta', 'https://example.invalid/zeta.git');
    git(dir, 'remote', 'add', 'alpha.fork', 'https://example.invalid/alpha.git');
    expect((await gitLineage(dir))?.repoUrl).toBe('https://example.invalid/alpha.git');
    git(dir, 'remote', 'add', 'origin', 'git@example.invalid:team/recipes.git');
    expect((await gitLineage(dir))?.repoUrl).toBe('git@example.invalid:team/recipes.git');
  });
});
