/**
 * Opens the tracking store a URI names:
 *
 * - `sqlite:///relative/path.db`, `sqlite:////abs/path.db` (SQLAlchemy's forms, as MLflow uses
 *   them) and `sqlite:path.db` / `sqlite:/abs/path.db` → SQLite; parent directories are created.
 *   Default artifact root: `artifacts/` next to the database file.
 * - `postgresql://…` / `postgres://…` (also `postgresql+psycopg2://…`) → PostgreSQL. Default
 *   artifact root: `./mlruns/artifacts`, made absolute. `?schema=name` picks a schema.
 *
 * Artifact locations are stored as plain absolute paths (URIs such as s3://… are kept as given).
 */
import { isAbsolute, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { endOrphanedRuns } from './orphaned-runs.js';
import type { SchemaOpenOptions } from './schema-setup.js';
import { sqlitePathFromUri } from './tracking-uri.js';
import type { TrackingStore } from './types.js';

export interface OpenTrackingStoreOptions extends SchemaOpenOptions {
  /** Absolute path (or URI) under which new experiments keep their artifacts. */
  defaultArtifactRoot?: string;
  /** SQLite only: checkpoint the WAL on a worker thread (see wal-checkpointer.ts); for servers. */
  backgroundCheckpoint?: boolean;
}

const SCHEMES_HINT =
  'use sqlite:///path/to/tracking.db, sqlite:////abs/path.db, postgresql://user@host:port/db or http(s)://tracking-server:port';

/** The database file path a sqlite URI names, resolved against the current directory. */
export function sqliteDatabasePath(uri: string): string {
  if (/^sqlite:\/\//i.test(uri)) return sqlitePathFromUri(uri);
  const path = decodeURIComponent(uri.slice('sqlite:'.length).replace(/\?.*$/, ''));
  if (path === '' || path === ':memory:') {
    throw new UsageError(`tracking URI "${uri}" names no database file`, { hint: SCHEMES_HINT });
  }
  return isAbsolute(path) ? path : resolve(path);
}

/**
 * A run whose runner was SIGKILLed stays RUNNING until some process ends it: opening the store is
 * that moment (see orphaned-runs.ts): two small queries when nothing is orphaned.
 */
async function withOrphansEnded(store: TrackingStore): Promise<TrackingStore> {
  try {
    await endOrphanedRuns(store);
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}

export async function openTrackingStore(
  uri: string,
  options: OpenTrackingStoreOptions = {},
): Promise<TrackingStore> {
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(uri)?.[1]?.toLowerCase();
  // Each store's module is imported when its scheme is used: the pg and better-sqlite3 drivers
  // are slow to load, and commands that never open a store (or open the other kind) skip them.
  if (scheme === 'sqlite') {
    const { openSqliteTrackingStore } = await import('./sqlite-store.js');
    return withOrphansEnded(
      await openSqliteTrackingStore({
        path: sqliteDatabasePath(uri),
        defaultArtifactRoot: options.defaultArtifactRoot,
        upgradeMlflowSchema: options.upgradeMlflowSchema,
        onSchemaPrepared: options.onSchemaPrepared,
        backgroundCheckpoint: options.backgroundCheckpoint,
      }),
    );
  }
  if (scheme === 'postgresql' || scheme === 'postgres' || scheme?.startsWith('postgresql+')) {
    const { openPostgresTrackingStore } = await import('./postgres-store.js');
    return withOrphansEnded(
      await openPostgresTrackingStore({
        connectionString: uri.replace(/^postgresql\+[^:]*:/i, 'postgresql:'),
        defaultArtifactRoot: options.defaultArtifactRoot ?? resolve('mlruns', 'artifacts'),
        upgradeMlflowSchema: options.upgradeMlflowSchema,
        onSchemaPrepared: options.onSchemaPrepared,
      }),
    );
  }
  if (scheme === 'http' || scheme === 'https') {
    const { openRestTrackingStore } = await import('./rest-store.js');
    return openRestTrackingStore({ uri });
  }
  throw new UsageError(
    scheme === undefined
      ? `tracking URI "${uri}" has no scheme`
      : `tracking URI "${uri}": unsupported scheme "${scheme}:"; supported: sqlite:, postgresql:, http(s):`,
    { hint: SCHEMES_HINT },
  );
}
