/**
 * Git lineage of a recipe run, as MLflow records it for projects: commit, branch and remote URL
 * under MLflow's tag names, plus whether the working tree had uncommitted changes (a run from a
 * dirty tree cannot be reproduced from the commit alone).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { TAGS } from '../tracking/types.js';

export interface GitLineage {
  commit: string;
  branch?: string;
  repoUrl?: string;
  dirty: boolean;
}

const execFileAsync = promisify(execFile);

/** Runs git in `dir`; its stdout, or undefined when git fails (not a repository, no git, ...). */
async function git(dir: string, args: readonly string[]): Promise<string | undefined> {
  try {
    const { stdout } = await execFileAsync('git', args, { cwd: dir, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch {
    return undefined;
  }
}

/**
 * The lineage of the git repository containing `dir`, or undefined when it is not in one (or has
 * no commit yet). This is on the path of every `recipe run`, so it costs two git processes,
 * started together: `git status --porcelain=v2 --branch` gives the commit, the branch and
 * whether the tree is dirty; `git config --get-regexp` the remotes' URLs. (simple-git needed
 * five processes and its own module load for the same answer.)
 */
export async function gitLineage(dir: string): Promise<GitLineage | undefined> {
  const [status, remotes] = await Promise.all([
    git(dir, ['status', '--porcelain=v2', '--branch']),
    git(dir, ['config', '--get-regexp', '^remote\\..*\\.url$']),
  ]);
  if (status === undefined) return undefined;
  let commit: string | undefined;
  let branch: string | undefined;
  let dirty = false;
  for (const line of status.split('\n')) {
    if (line.startsWith('# branch.oid ')) commit = line.slice('# branch.oid '.length).trim();
    else if (line.startsWith('# branch.head ')) branch = line.slice('# branch.head '.length).trim();
    // Any entry (changed, renamed, unmerged or untracked) makes the tree dirty.
    else if (line !== '' && !line.startsWith('#')) dirty = true;
  }
  // A repository without commits has no lineage to record.
  if (!commit || commit === '(initial)') return undefined;
  const urls = new Map<string, string>();
  for (const line of (remotes ?? '').split('\n')) {
    const match = /^remote\.(.+)\.url (.*)$/.exec(line);
    if (match && !urls.has(match[1] as string)) urls.set(match[1] as string, match[2] as string);
  }
  // origin, else the first remote by name (as `git remote` lists them).
  const remote = urls.has('origin') ? 'origin' : [...urls.keys()].sort()[0];
  return {
    commit,
    branch: branch && branch !== '(detached)' ? branch : undefined,
    repoUrl: (remote && urls.get(remote)) || undefined,
    dirty,
  };
}

export function gitLineageTags(lineage: GitLineage | undefined): Array<{ key: string; value: string }> {
  if (!lineage) return [];
  const tags = [
    { key: TAGS.gitCommit, value: lineage.commit },
    { key: 'mlrecipe.git.dirty', value: String(lineage.dirty) },
  ];
  if (lineage.branch) tags.push({ key: TAGS.gitBranch, value: lineage.branch });
  if (lineage.repoUrl) tags.push({ key: TAGS.gitRepoUrl, value: lineage.repoUrl });
  return tags;
}
