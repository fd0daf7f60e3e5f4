import { createHash } from 'node:crypto';
import { createReadStream, existsSync, lstatSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { isCodePath } from './code-paths.js';
import { changedFiles, type GitInfo } from './git-source.js';

const LARGE_FILE_BYTES = 32 * 1024 * 1024;

async function hashFile(hash: ReturnType<typeof createHash>, path: string): Promise<void> {
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
}

/**
 * Identifies the code a project run executes, for run reuse. In a git repository: the HEAD
 * commit (what MLflow compares) plus the content of every file under the project directory that
 * differs from it (uncommitted edits must not reuse a run of the committed code). Elsewhere: the
 * content of every file under the project directory (files over 32 MiB by size and mtime).
 * With `commitOnly` (a checkout mlrecipe cloned, where any change is a run's output, never an
 * edit) the commit alone is the identity. Results and caches (NOT_CODE) are skipped, and so are `options.exclude` (absolute paths): a
 * workflow file inside the project it runs is configuration, whose values reach the steps as
 * params, not code.
 */
export async function projectCodeDigest(
  projectDir: string,
  git: GitInfo | undefined,
  options: { exclude?: readonly string[]; commitOnly?: boolean } = {},
): Promise<string> {
  const hash = createHash('sha256');
  const excluded = new Set((options.exclude ?? []).map((p) => resolve(p)));
  if (git) {
    hash.update(`git:${git.commit}\n`);
    if (options.commitOnly) return hash.digest('hex');
    const changed = (await changedFiles(projectDir))
      .filter((rel) => isCodePath(rel) && !excluded.has(join(git.root, rel)))
      .sort();
    for (const rel of changed) {
      const abs = join(git.root, rel);
      hash.update(`${rel}\0`);
      if (existsSync(abs) && lstatSync(abs).isFile()) await hashFile(hash, abs);
      else hash.update('<deleted>');
      hash.update('\0');
    }
    return hash.digest('hex');
  }
  hash.update('files\n');
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const abs = join(dir, entry.name);
      const rel = relative(projectDir, abs).split('\\').join('/');
      if (!isCodePath(rel) || excluded.has(abs)) continue;
      if (entry.isDirectory()) walk(abs);
      else if (entry.isFile()) files.push(rel);
    }
  };
  walk(projectDir);
  for (const rel of files.sort()) {
    hash.update(`${rel}\0`);
    const abs = join(projectDir, rel);
    const info = statSync(abs);
    // Data files kept next to the code would be re-read on every run; big ones are identified
    // by size and modification time instead (what a stat cache would do).
    if (info.size > LARGE_FILE_BYTES) hash.update(`size:${info.size} mtime:${info.mtimeMs}`);
    else await hashFile(hash, abs);
    hash.update('\0');
  }
  return hash.digest('hex');
}
