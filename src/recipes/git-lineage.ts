/**
 * Git lineage of a recipe run, as MLflow records it for projects: commit, branch and remote URL
 * under MLflow's tag names, plus whether the working tree had uncommitted changes (a run from a
 * dirty tree cannot be reproduced from the commit alone).
 */
import { TAGS } from '../tracking/types.js';

export interface GitLineage {
  commit: string;
  branch?: string;
  repoUrl?: string;
  dirty: boolean;
}

/** The lineage of the git repository containing `dir`, or undefined when it is not in one. */
export async function gitLineage(dir: string): Promise<GitLineage | undefined> {
  const { simpleGit } = await import('simple-git');
  const git = simpleGit({ baseDir: dir });
  try {
    if (!(await git.checkIsRepo())) return undefined;
    // Independent git processes: run them at once (this is on the path of every `recipe run`).
    const [commit, branch, remotes, status] = await Promise.all([
      git.revparse(['HEAD']).then((s) => s.trim()),
      git
        .revparse(['--abbrev-ref', 'HEAD'])
        .then((s) => s.trim())
        .catch(() => ''),
      git.getRemotes(true).catch(() => []),
      git.status(),
    ]);
    const origin = remotes.find((r) => r.name === 'origin') ?? remotes[0];
    return {
      commit,
      branch: branch && branch !== 'HEAD' ? branch : undefined,
      repoUrl: origin?.refs.fetch || undefined,
      dirty: !status.isClean(),
    };
  } catch {
    // A repository without commits (or a broken one) has no lineage to record.
    return undefined;
  }
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
