import { createHash } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, normalize, resolve, sep } from 'node:path';
import { type SimpleGit, simpleGit } from 'simple-git';
import { replaceAtomicallyAsync } from '../atomic-write.js';
import { MlrecipeError, UsageError } from '../errors.js';

/** A project URI split into where the code is and which subdirectory holds the project. */
export type ProjectSource =
  | { kind: 'local'; path: string; subdirectory?: string }
  | { kind: 'git'; repoUrl: string; subdirectory?: string };

/** Git remote forms MLflow accepts: URLs with a scheme, and scp-like `git@host:org/repo`. */
const GIT_URL = /^(https?|ssh|git|file):\/\//i;
const SCP_LIKE = /^[^/]*:/;

/**
 * Parses `uri[#subdirectory]` as MLflow's projects/utils.py does: `https://…`, `git@…`,
 * `ssh://…`, `file://…` are git repositories to clone; anything else is a local directory.
 * The subdirectory must stay inside the project (no absolute paths, no `..`).
 */
export function parseProjectUri(uri: string): ProjectSource {
  const hash = uri.indexOf('#');
  const base = hash >= 0 ? uri.slice(0, hash) : uri;
  const rawSub = hash >= 0 ? uri.slice(hash + 1) : '';
  let subdirectory: string | undefined;
  if (rawSub) {
    const norm = normalize(rawSub).replace(/\/+$/, '');
    if (isAbsolute(rawSub) || norm === '..' || norm.startsWith(`..${sep}`)) {
      throw new UsageError(`project subdirectory "${rawSub}" in ${uri} escapes the project`, {
        hint: 'write the subdirectory relative to the repository root, without ".."',
      });
    }
    subdirectory = norm === '.' ? undefined : norm;
  }
  const isGit = GIT_URL.test(base) || (SCP_LIKE.test(base) && !/^[a-zA-Z]:[\\/]/.test(base));
  if (isGit) return { kind: 'git', repoUrl: base, ...(subdirectory ? { subdirectory } : {}) };
  return { kind: 'local', path: base || '.', ...(subdirectory ? { subdirectory } : {}) };
}

/** `$RECIPE_CACHE_DIR/projects`, else `~/.cache/mlrecipe/projects`. */
export function projectCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const root = env.RECIPE_CACHE_DIR ? resolve(env.RECIPE_CACHE_DIR) : join(homedir(), '.cache', 'mlrecipe');
  return join(root, 'projects');
}

export interface FetchedGitProject {
  /** Immutable checkout of `commit` (shared by every run of that commit). */
  checkoutDir: string;
  commit: string;
  /** Set when `version` named a branch (MLflow records it as mlflow.source.git.branch). */
  branch?: string;
}

export interface FetchGitProjectOptions {
  repoUrl: string;
  /** Branch, tag or commit; the remote's default branch when absent. */
  version?: string;
  cacheDir?: string;
  log?: (message: string) => void;
}

/**
 * Clones `repoUrl` into a bare mirror under the cache (fetching it again on later calls), then
 * materialises an immutable checkout per commit: `checkouts/<repo>/<commit>/`, created in a
 * temporary directory and renamed into place, so concurrent runs and crashes never see a
 * half-written tree. A full commit id already in the mirror needs no network at all.
 */
export async function fetchGitProject(options: FetchGitProjectOptions): Promise<FetchedGitProject> {
  const cacheDir = options.cacheDir ?? projectCacheDir();
  const repoKey = createHash('sha256').update(options.repoUrl).digest('hex').slice(0, 20);
  const mirrorDir = join(cacheDir, 'repos', repoKey);
  const log = options.log ?? (() => {});
  if (options.version !== undefined && (options.version === '' || options.version.startsWith('-'))) {
    throw new UsageError(`--version ${JSON.stringify(options.version)} is not a branch, tag or commit`);
  }

  if (!existsSync(mirrorDir)) {
    mkdirSync(join(cacheDir, 'repos'), { recursive: true });
    log(`cloning ${options.repoUrl}`);
    // keepExisting: another process may finish the same mirror first; theirs is as good.
    await replaceAtomicallyAsync(
      mirrorDir,
      async (tmp) => {
        try {
          await simpleGit().raw(['clone', '--mirror', '--quiet', '--', options.repoUrl, tmp]);
        } catch (error) {
          throw new MlrecipeError(`cannot clone ${options.repoUrl}: ${gitMessage(error)}`, {
            hint: 'check the URI and that you can reach it with `git ls-remote <uri>`',
          });
        }
      },
      { keepExisting: true },
    );
  } else if (!(await isKnownCommit(simpleGit(mirrorDir), options.version))) {
    log(`fetching ${options.repoUrl}`);
    try {
      await simpleGit(mirrorDir).raw(['fetch', '--prune', '--quiet', 'origin']);
    } catch (error) {
      throw new MlrecipeError(`cannot fetch ${options.repoUrl}: ${gitMessage(error)}`, {
        hint: 'check your network, or pass --version <full commit id> to use the cached clone',
      });
    }
  }

  const mirror = simpleGit(mirrorDir);
  const rev = options.version ?? 'HEAD';
  let commit: string;
  try {
    commit = (
      await mirror.raw(['rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{commit}`])
    ).trim();
  } catch {
    commit = '';
  }
  if (!/^[0-9a-f]{40,64}$/.test(commit)) {
    throw new UsageError(`version ${JSON.stringify(rev)} does not exist in ${options.repoUrl}`, {
      hint: 'pass --version with a branch, tag or commit of that repository',
    });
  }
  let branch: string | undefined;
  if (options.version !== undefined) {
    // simple-git resolves on a non-zero exit without stderr, so decide on the output.
    const ref = await mirror
      .raw(['rev-parse', '--verify', '--quiet', `refs/heads/${options.version}`])
      .catch(() => '');
    branch = ref.trim() ? options.version : undefined;
  }

  const checkoutDir = join(cacheDir, 'checkouts', repoKey, commit);
  if (!existsSync(checkoutDir)) {
    mkdirSync(join(cacheDir, 'checkouts', repoKey), { recursive: true });
    // keepExisting: a checkout of one commit is the same whichever process finishes it first.
    await replaceAtomicallyAsync(
      checkoutDir,
      async (tmp) => {
        try {
          await simpleGit().raw(['clone', '--quiet', '--no-checkout', '--shared', '--', mirrorDir, tmp]);
          const work = simpleGit(tmp);
          // The checkout reports the user's URL as its origin (mlflow.source.git.repoURL), not the cache.
          await work.raw(['remote', 'set-url', 'origin', options.repoUrl]);
          await work.raw(['checkout', '--quiet', '--detach', commit]);
          if (existsSync(join(tmp, '.gitmodules')))
            await work.raw(['submodule', 'update', '--init', '--recursive']);
        } catch (error) {
          throw new MlrecipeError(`cannot check out ${commit} of ${options.repoUrl}: ${gitMessage(error)}`);
        }
      },
      { keepExisting: true },
    );
  }
  return { checkoutDir, commit, ...(branch ? { branch } : {}) };
}

async function isKnownCommit(git: SimpleGit, version: string | undefined): Promise<boolean> {
  if (!version || !/^[0-9a-f]{40}$/.test(version)) return false;
  const type = await git.raw(['cat-file', '-t', version]).catch(() => '');
  return type.trim() === 'commit';
}

function gitMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.trim().split('\n').filter(Boolean).slice(-2).join(' ');
}

/** What git knows about a project directory: MLflow's source tags come from here. */
export interface GitInfo {
  /** Repository root. */
  root: string;
  commit: string;
  /** `origin`'s URL, when there is one. */
  repoUrl?: string;
}

/** Git information for `dir` (searching parent directories), or undefined outside a repository. */
export async function gitInfoOf(dir: string): Promise<GitInfo | undefined> {
  const git = simpleGit(dir);
  let root: string;
  let commit: string;
  try {
    root = (await git.raw(['rev-parse', '--show-toplevel'])).trim();
    commit = (await git.raw(['rev-parse', '--verify', '--quiet', 'HEAD'])).trim();
  } catch {
    return undefined;
  }
  if (!root || !commit) return undefined;
  let repoUrl: string | undefined;
  try {
    repoUrl = (await git.raw(['remote', 'get-url', 'origin'])).trim() || undefined;
  } catch {
    repoUrl = undefined;
  }
  return { root, commit, ...(repoUrl ? { repoUrl } : {}) };
}

/**
 * Files under `dir` that differ from HEAD (modified, added, untracked; not ignored), relative to
 * the repository root — what makes a working tree's code differ from its commit.
 */
export async function changedFiles(dir: string): Promise<string[]> {
  const out = await simpleGit(dir).raw([
    'status',
    '--porcelain=v1',
    '-z',
    '--untracked-files=all',
    '--',
    '.',
  ]);
  const files: string[] = [];
  const entries = out.split('\0');
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i] as string;
    if (entry.length < 4) continue;
    const status = entry.slice(0, 2);
    files.push(entry.slice(3));
    // Renames and copies carry the original path as the next NUL-separated entry.
    if (status.includes('R') || status.includes('C')) i++;
  }
  return files;
}
