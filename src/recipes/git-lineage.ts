/**
 * Git lineage of a recipe run, as MLflow records it for projects: commit, branch and remote URL
 * under MLflow's tag names, plus whether the working tree had uncommitted changes (a run from a
 * dirty tree cannot be reproduced from the commit alone).
 */
import { execFile } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
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
 * no commit yet). This is on the path of every `recipe run`, so it costs one git process:
 * `git status --porcelain=v2 --branch` gives the commit, the branch and whether the tree is dirty
 * (which only git can tell: it compares the index's stat data and the ignore rules with the
 * tree). The remotes' URLs are read from the config files themselves (`remoteUrlsFromConfig`),
 * and only when that cannot be done exactly is `git config --get-regexp` asked instead.
 */
export async function gitLineage(dir: string): Promise<GitLineage | undefined> {
  const status = await git(dir, ['status', '--porcelain=v2', '--branch']);
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
  const urls = remoteUrlsFromConfig(dir) ?? (await remoteUrlsFromGit(dir));
  // origin, else the first remote by name (as `git remote` lists them).
  const remote = urls.has('origin') ? 'origin' : [...urls.keys()].sort()[0];
  return {
    commit,
    branch: branch && branch !== '(detached)' ? branch : undefined,
    repoUrl: (remote && urls.get(remote)) || undefined,
    dirty,
  };
}

/** remote name → its first `url`, as `git config --get-regexp` lists them (all scopes, in order). */
async function remoteUrlsFromGit(dir: string): Promise<Map<string, string>> {
  const urls = new Map<string, string>();
  const listed = await git(dir, ['config', '--get-regexp', '^remote\\..*\\.url$']);
  for (const line of (listed ?? '').split('\n')) {
    const match = /^remote\.(.+)\.url (.*)$/.exec(line);
    if (match && !urls.has(match[1] as string)) urls.set(match[1] as string, match[2] as string);
  }
  return urls;
}

/**
 * Environment variables that change where git finds the repository or its config; with any of
 * them set, git itself is asked.
 */
const GIT_LOCATION_ENV =
  /^GIT_(DIR|COMMON_DIR|WORK_TREE|CEILING_DIRECTORIES|DISCOVERY_ACROSS_FILESYSTEM|CONFIG.*)$/;

/**
 * The remotes' URLs read from git's config files in git's order (system `/etc/gitconfig`, global
 * `$XDG_CONFIG_HOME/git/config` and `~/.gitconfig`, then the repository's `config`), the first URL
 * of each remote as `git config --get-regexp` reports it. Undefined — ask git — whenever reading
 * the files could differ from git's answer: an environment variable that relocates the
 * repository or its config, a config with `include`/`includeIf`, a per-worktree config, or a
 * repository layout not found by walking up from `dir`.
 */
export function remoteUrlsFromConfig(
  dir: string,
  env: NodeJS.ProcessEnv = process.env,
): Map<string, string> | undefined {
  if (Object.keys(env).some((name) => GIT_LOCATION_ENV.test(name))) return undefined;
  const commonDir = findCommonGitDir(resolve(dir));
  if (commonDir === undefined) return undefined;
  const home = env.HOME ?? homedir();
  const files = [
    '/etc/gitconfig',
    join(env.XDG_CONFIG_HOME || join(home, '.config'), 'git', 'config'),
    join(home, '.gitconfig'),
    join(commonDir, 'config'),
  ];
  const urls = new Map<string, string>();
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      return undefined;
    }
    const entries = parseGitConfig(text);
    if (entries === undefined) return undefined;
    for (const { section, subsection, key, value } of entries) {
      if (section === 'include' || section === 'includeif') return undefined;
      if (section === 'extensions' && key === 'worktreeconfig') return undefined;
      if (section === 'remote' && subsection !== undefined && key === 'url' && value !== undefined) {
        if (!urls.has(subsection)) urls.set(subsection, value);
      }
    }
  }
  return urls;
}

/**
 * The repository's common git directory (where `config` lives) for a path inside its work tree:
 * the nearest `.git` directory above `dir`, or the directory a `.git` file (`gitdir: …`, a linked
 * worktree or submodule) points at, followed to its `commondir`.
 */
function findCommonGitDir(dir: string): string | undefined {
  for (let at = dir; ; at = dirname(at)) {
    const dotGit = join(at, '.git');
    let gitDir: string | undefined;
    try {
      if (statSync(dotGit).isDirectory()) gitDir = dotGit;
      else {
        const pointer = /^gitdir: (.+)$/m.exec(readFileSync(dotGit, 'utf8'))?.[1]?.trim();
        if (!pointer) return undefined;
        gitDir = isAbsolute(pointer) ? pointer : resolve(at, pointer);
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return undefined;
    }
    if (gitDir !== undefined) {
      try {
        const common = readFileSync(join(gitDir, 'commondir'), 'utf8').trim();
        return isAbsolute(common) ? common : resolve(gitDir, common);
      } catch {
        return gitDir;
      }
    }
    if (dirname(at) === at) return undefined;
  }
}

export interface GitConfigEntry {
  /** Lower-cased section name. */
  section: string;
  /** The subsection as written (case-sensitive), when there is one. */
  subsection?: string;
  /** Lower-cased variable name. */
  key: string;
  /** undefined for a bare `key` (boolean true). */
  value?: string;
}

/**
 * Parses git's config syntax (git-config(1) "CONFIGURATION FILE"): `[section "subsection"]`
 * headers (and the old `[section.subsection]`), `key = value` lines with `#`/`;` comments,
 * double quotes, the escapes `\" \\ \n \t \b` and backslash line continuation. Undefined when a
 * line does not parse (git would refuse the file too), so the caller asks git instead.
 */
export function parseGitConfig(text: string): GitConfigEntry[] | undefined {
  const entries: GitConfigEntry[] = [];
  let section: string | undefined;
  let subsection: string | undefined;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    let line = (lines[i] as string).trimStart();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    if (line.startsWith('[')) {
      const header = /^\[\s*([A-Za-z0-9.-]+)(?:\s+"((?:[^"\\]|\\.)*)")?\s*\]\s*(.*)$/.exec(line);
      if (!header) return undefined;
      const name = header[1] as string;
      if (header[2] !== undefined) {
        section = name.toLowerCase();
        subsection = header[2].replace(/\\(.)/g, '$1');
      } else {
        const dot = name.indexOf('.');
        section = (dot < 0 ? name : name.slice(0, dot)).toLowerCase();
        // The deprecated `[section.subsection]` form: the subsection is lower-cased.
        subsection = dot < 0 ? undefined : name.slice(dot + 1).toLowerCase();
      }
      line = (header[3] as string).trimStart();
      if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    }
    if (section === undefined) return undefined;
    const keyMatch = /^([A-Za-z][A-Za-z0-9-]*)\s*(=?)(.*)$/.exec(line);
    if (!keyMatch) return undefined;
    const key = (keyMatch[1] as string).toLowerCase();
    if (keyMatch[2] !== '=') {
      const rest = (keyMatch[3] as string).trim();
      if (rest !== '' && !rest.startsWith('#') && !rest.startsWith(';')) return undefined;
      entries.push({ section, subsection, key });
      continue;
    }
    // The value: unquoted whitespace is trimmed at the ends; a trailing backslash continues it.
    let raw = keyMatch[3] as string;
    let value = '';
    let pendingSpace = '';
    let quoted = false;
    let done = false;
    while (!done) {
      let j = 0;
      if (value === '' && !quoted) raw = raw.trimStart();
      for (; j < raw.length; j++) {
        const c = raw[j] as string;
        if (c === '\\') {
          if (j === raw.length - 1) break; // continuation
          const e = raw[++j] as string;
          const escaped =
            e === 'n' ? '\n' : e === 't' ? '\t' : e === 'b' ? '\b' : e === '"' || e === '\\' ? e : undefined;
          if (escaped === undefined) return undefined;
          value += pendingSpace + escaped;
          pendingSpace = '';
        } else if (c === '"') {
          quoted = !quoted;
          value += pendingSpace;
          pendingSpace = '';
        } else if (!quoted && (c === '#' || c === ';')) {
          j = raw.length + 1;
          break;
        } else if (!quoted && (c === ' ' || c === '\t')) {
          pendingSpace += c;
        } else {
          value += pendingSpace + c;
          pendingSpace = '';
        }
      }
      if (j === raw.length - 1 && raw.endsWith('\\')) {
        // Backslash-newline: the value goes on with the next line.
        i++;
        if (i >= lines.length) return undefined;
        raw = lines[i] as string;
        continue;
      }
      done = true;
    }
    if (quoted) return undefined;
    entries.push({ section, subsection, key, value });
  }
  return entries;
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
