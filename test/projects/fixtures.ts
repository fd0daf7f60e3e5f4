import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openTrackingStore, type Run, type TrackingStore } from '../../src/tracking/index.js';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** A fresh temp directory holding `files` (paths relative to it). */
export function tempDirWith(files: Record<string, string>, prefix = 'mlrecipe-proj-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  writeFiles(dir, files);
  return dir;
}

export function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
}

export interface TempStore {
  store: TrackingStore;
  trackingUri: string;
  dir: string;
}

/** A real SQLite tracking store in its own temp directory (artifacts next to it). */
export async function tempStore(): Promise<TempStore> {
  const dir = mkdtempSync(join(tmpdir(), 'mlrecipe-store-'));
  const trackingUri = `sqlite:///${join(dir, 'tracking.db')}`;
  const store = await openTrackingStore(trackingUri, { defaultArtifactRoot: join(dir, 'artifacts') });
  return { store, trackingUri, dir };
}

export function tagsOf(run: Run): Record<string, string> {
  return Object.fromEntries(run.data.tags.map((t) => [t.key, t.value]));
}

export function paramsOf(run: Run): Record<string, string> {
  return Object.fromEntries(run.data.params.map((p) => [p.key, p.value]));
}

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@example.com',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@example.com',
    },
  })
    .toString()
    .trim();
}

/** Initialises a git repository in `dir` and commits everything in it. */
export function initRepo(dir: string): string {
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'first');
  return git(dir, 'rev-parse', 'HEAD');
}
