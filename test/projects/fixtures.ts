import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, it } from 'vitest';
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
  /** The URI child processes get (MLFLOW_TRACKING_URI); names the same store. */
  trackingUri: string;
  dir: string;
  /** Closes the store (and drops a PostgreSQL test schema). */
  dispose(): Promise<void>;
}

export type BackendName = 'sqlite' | 'postgres';

const POSTGRES_URL = process.env.RECIPE_TEST_POSTGRES_URL;

/** SQLite always; PostgreSQL when RECIPE_TEST_POSTGRES_URL is set (CI sets it). */
export const STORE_BACKENDS: Array<{ name: BackendName; available: boolean }> = [
  { name: 'sqlite', available: true },
  { name: 'postgres', available: POSTGRES_URL !== undefined && POSTGRES_URL !== '' },
];

/**
 * A real tracking store of its own: a SQLite file in a temp directory, or a fresh random
 * schema in the PostgreSQL database of RECIPE_TEST_POSTGRES_URL. Artifacts go to the temp dir.
 */
export async function tempStore(backend: BackendName = 'sqlite'): Promise<TempStore> {
  const dir = mkdtempSync(join(tmpdir(), 'mlrecipe-store-'));
  const artifactRoot = join(dir, 'artifacts');
  if (backend === 'sqlite') {
    const trackingUri = `sqlite:///${join(dir, 'tracking.db')}`;
    const store = await openTrackingStore(trackingUri, { defaultArtifactRoot: artifactRoot });
    return { store, trackingUri, dir, dispose: () => store.close() };
  }
  const schema = `p_${randomBytes(6).toString('hex')}`;
  const url = new URL(POSTGRES_URL as string);
  url.searchParams.set('schema', schema);
  const trackingUri = url.href;
  const store = await openTrackingStore(trackingUri, { defaultArtifactRoot: artifactRoot });
  return {
    store,
    trackingUri,
    dir,
    async dispose() {
      await store.close();
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      // The schema is this test's own (random name); drop exactly it.
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    },
  };
}

/**
 * A {@link tempStore} for the enclosing `describe`: opened in `beforeAll`, disposed in
 * `afterAll`. The object is filled in when `beforeAll` has run, so use it inside tests only.
 */
export function useTempStore(backend: BackendName = 'sqlite'): TempStore {
  const holder = {} as TempStore;
  beforeAll(async () => {
    Object.assign(holder, await tempStore(backend));
  });
  afterAll(async () => {
    await holder.dispose?.();
  });
  return holder;
}

/**
 * `describe` once per backend of {@link STORE_BACKENDS} ("<title> on the sqlite store"), each with
 * a store of its own; PostgreSQL is skipped, visibly, without RECIPE_TEST_POSTGRES_URL.
 */
export function describeEachStore(title: string, body: (ts: TempStore, backend: BackendName) => void): void {
  describe.each(STORE_BACKENDS)(`${title} on the $name store`, ({ name, available }) => {
    if (!available) {
      it.skip('needs RECIPE_TEST_POSTGRES_URL', () => {});
      return;
    }
    body(useTempStore(name), name);
  });
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
