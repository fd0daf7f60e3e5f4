/**
 * Git lineage of a recipe run, read from real repositories (one git process per call; remotes from
 * the config files, checked against `git config` itself).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { gitLineage, parseGitConfig, remoteUrlsFromConfig } from '../../src/recipes/git-lineage.js';

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

  it('reads remotes from a linked worktree (a .git file) as from the main one', async () => {
    const dir = repoWithCommit();
    git(dir, 'remote', 'add', 'origin', 'https://example.invalid/main.git');
    const linked = join(tempDir(), 'linked');
    git(dir, 'worktree', 'add', '-q', '-b', 'side', linked);
    const lineage = await gitLineage(linked);
    expect(lineage?.branch).toBe('side');
    expect(lineage?.repoUrl).toBe('https://example.invalid/main.git');
    expect(remoteUrlsFromConfig(linked)?.get('origin')).toBe('https://example.invalid/main.git');
  });
});

/** What `git config --get-regexp` says, first URL per remote, as gitLineage used to ask it. */
function urlsFromGit(dir: string): Map<string, string> {
  const urls = new Map<string, string>();
  let out = '';
  try {
    out = git(dir, 'config', '--get-regexp', '^remote\\..*\\.url$');
  } catch {
    // exit 1: no remote at all
  }
  for (const line of out.split('\n')) {
    const match = /^remote\.(.+)\.url (.*)$/.exec(line);
    if (match && !urls.has(match[1] as string)) urls.set(match[1] as string, match[2] as string);
  }
  return urls;
}

describe('remoteUrlsFromConfig (remotes without a second git process)', () => {
  it('agrees with `git config` on quoting, escapes, comments, continuations, case and repeated urls', () => {
    const dir = repoWithCommit();
    const config = join(dir, '.git', 'config');
    const before = readFileSync(config, 'utf8');
    writeFileSync(
      config,
      `${before}` +
        '[remote "origin"]\n\turl = https://example.invalid/o.git ; a comment\n\tURL = https://example.invalid/second.git\n' +
        '[Remote "Fork.Name"]\n  url="git@example.invalid:a b/#not-a-comment.git"  # comment\n' +
        '[remote "cont"]\n\turl = https://example.invalid/\\\n  long.git\n' +
        '[remote "esc"]\n\turl = "tab\\there\\\\x"\n\tfetch = +refs/heads/*:refs/remotes/esc/*\n' +
        '[remote.old]\n\turl = https://example.invalid/old.git\n' +
        '[remote "nourl"]\n\tfetch = +refs/heads/*:refs/remotes/nourl/*\n',
    );
    const fromConfig = remoteUrlsFromConfig(dir);
    expect(fromConfig).toBeDefined();
    expect(Object.fromEntries(fromConfig ?? [])).toEqual(Object.fromEntries(urlsFromGit(dir)));
    expect(fromConfig?.get('Fork.Name')).toBe('git@example.invalid:a b/#not-a-comment.git');
    // git keeps the continuation line's leading blanks (the value is not empty there).
    expect(fromConfig?.get('cont')).toBe('https://example.invalid/  long.git');
  });

  it('leaves the answer to git when a config includes another file or the environment relocates it', async () => {
    const dir = repoWithCommit();
    const extra = join(tempDir(), 'extra.gitconfig');
    writeFileSync(extra, '[remote "origin"]\n\turl = https://example.invalid/included.git\n');
    git(dir, 'config', 'include.path', extra);
    expect(remoteUrlsFromConfig(dir)).toBeUndefined();
    // gitLineage then asks git, which follows the include.
    expect((await gitLineage(dir))?.repoUrl).toBe('https://example.invalid/included.git');
    const plain = repoWithCommit();
    expect(remoteUrlsFromConfig(plain)).toEqual(new Map());
    expect(remoteUrlsFromConfig(plain, { ...process.env, GIT_DIR: join(plain, '.git') })).toBeUndefined();
    expect(remoteUrlsFromConfig(tempDir())).toBeUndefined();
  });

  it('refuses lines git would refuse', () => {
    expect(parseGitConfig('url = x\n')).toBeUndefined(); // no section
    expect(parseGitConfig('[remote "a"]\n\turl = "unterminated\n')).toBeUndefined();
    expect(parseGitConfig('[remote "a"]\n\turl = bad\\qescape\n')).toBeUndefined();
    expect(parseGitConfig('[core]\n\tbare\n')).toEqual([
      { section: 'core', subsection: undefined, key: 'bare' },
    ]);
  });
});
