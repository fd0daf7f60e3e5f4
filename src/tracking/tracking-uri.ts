import { existsSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { UsageError } from '../errors.js';

/** Where a tracking URI came from, so error messages can say which setting to fix. */
export type TrackingUriSource = 'flag' | 'RECIPE_TRACKING_URI' | 'MLFLOW_TRACKING_URI' | 'default';

export type TrackingBackend = 'sqlite' | 'postgresql' | 'http';

export interface ResolveTrackingUriOptions {
  /** The value of `--tracking-uri`, if given. */
  flag?: string;
  /** Directory the command runs in; the repository root is searched upwards from here. */
  cwd: string;
  /** Defaults to `process.env`; tests pass their own. */
  env?: Record<string, string | undefined>;
}

export interface ResolvedTrackingUri {
  /** Normalised URI: `sqlite:////abs/path.db` (SQLAlchemy form), `postgresql://…` or `http(s)://…`. */
  uri: string;
  backend: TrackingBackend;
  source: TrackingUriSource;
  /**
   * Absolute directory under which new experiments keep their artifacts, or undefined for an
   * http store (the server decides). For SQLite it is `artifacts/` next to the database file,
   * which for the default `<root>/mlruns/tracking.db` is `<root>/mlruns/artifacts/`; for
   * PostgreSQL it is `<repo root>/mlruns/artifacts/`.
   */
  defaultArtifactRoot?: string;
}

/**
 * Picks the tracking store the way MLflow's clients do, with mlrecipe's own variable first:
 * `--tracking-uri`, else `$RECIPE_TRACKING_URI`, else `$MLFLOW_TRACKING_URI`, else the embedded
 * SQLite database `mlruns/tracking.db` at the repository root (nearest ancestor holding `.git`,
 * else `cwd`).
 */
export function resolveTrackingUri(options: ResolveTrackingUriOptions): ResolvedTrackingUri {
  const env = options.env ?? process.env;
  const cwd = resolve(options.cwd);
  const candidates: Array<[TrackingUriSource, string | undefined]> = [
    ['flag', options.flag],
    ['RECIPE_TRACKING_URI', env.RECIPE_TRACKING_URI],
    ['MLFLOW_TRACKING_URI', env.MLFLOW_TRACKING_URI],
  ];
  for (const [source, raw] of candidates) {
    const value = raw?.trim();
    if (value) return classifyTrackingUri({ value, source, cwd });
  }
  const root = findRepoRoot(cwd);
  const dbPath = join(root, 'mlruns', 'tracking.db');
  return {
    uri: sqliteUriForPath(dbPath),
    backend: 'sqlite',
    source: 'default',
    defaultArtifactRoot: join(root, 'mlruns', 'artifacts'),
  };
}

/** The nearest ancestor of `cwd` (itself included) that holds `.git`, else `cwd`. */
export function findRepoRoot(cwd: string): string {
  let dir = resolve(cwd);
  for (;;) {
    if (existsSync(join(dir, '.git'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return resolve(cwd);
    dir = parent;
  }
}

export function sqliteUriForPath(absPath: string): string {
  // SQLAlchemy's form for an absolute path: sqlite:/// followed by the path's own leading slash.
  return `sqlite:///${absPath}`;
}

/** The database file a `sqlite:` URI names, resolved against `cwd` when relative. */
export function sqlitePathFromUri(uri: string, cwd: string = process.cwd()): string {
  // SQLAlchemy: sqlite:///relative.db (three slashes) is relative, sqlite:////abs.db is absolute.
  const match = /^sqlite:\/\/(\/.*)$/.exec(uri);
  if (!match?.[1] || match[1] === '/') {
    throw new UsageError(`tracking URI "${uri}" names no database file`, {
      hint: 'write it as sqlite:///path/to/tracking.db (relative) or sqlite:////abs/path/tracking.db',
    });
  }
  const rest = decodeURIComponent(match[1].replace(/\?.*$/, ''));
  if (rest === '/:memory:') {
    throw new UsageError('an in-memory SQLite tracking store would lose every run when the command ends', {
      hint: 'use a file: sqlite:///mlruns/tracking.db',
    });
  }
  // rest is "/relative.db" or "//abs.db"; dropping the separator slash leaves the path.
  const path = rest.slice(1);
  return isAbsolute(path) ? path : resolve(cwd, path);
}

function classifyTrackingUri(args: {
  value: string;
  source: TrackingUriSource;
  cwd: string;
}): ResolvedTrackingUri {
  const { value, source, cwd } = args;
  const where = source === 'flag' ? '--tracking-uri' : `$${source}`;
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(value)?.[1]?.toLowerCase();
  if (scheme === 'sqlite') {
    const dbPath = /^sqlite:\/\//i.test(value) ? sqlitePathFromUri(value, cwd) : shortSqlitePath(value, cwd);
    return {
      uri: sqliteUriForPath(dbPath),
      backend: 'sqlite',
      source,
      defaultArtifactRoot: join(dirname(dbPath), 'artifacts'),
    };
  }
  if (scheme === 'postgresql' || scheme === 'postgres' || scheme?.startsWith('postgresql+')) {
    return {
      uri: value,
      backend: 'postgresql',
      source,
      defaultArtifactRoot: join(findRepoRoot(cwd), 'mlruns', 'artifacts'),
    };
  }
  if (scheme === 'http' || scheme === 'https') {
    return { uri: value, backend: 'http', source };
  }
  // A Windows drive letter parses as a one-letter scheme; everything else here is a path or a
  // file: URI, i.e. MLflow's FileStore, which mlrecipe does not implement.
  if (scheme === undefined || scheme === 'file' || scheme.length === 1) {
    const dir = scheme === 'file' ? safeFileUrlToPath(value) : resolve(cwd, value);
    const looksLikeFileStore = dir !== undefined && existsSync(dir) && statSync(dir).isDirectory();
    const suggestion = sqliteUriForPath(
      dir !== undefined && looksLikeFileStore
        ? join(dir, 'tracking.db')
        : join(findRepoRoot(cwd), 'mlruns', 'tracking.db'),
    );
    throw new UsageError(
      `${where} is "${value}", a local directory (MLflow's file store); mlrecipe does not support the file store`,
      { hint: `use a SQLite database instead, e.g. --tracking-uri ${suggestion}` },
    );
  }
  throw new UsageError(`${where} is "${value}": unsupported tracking URI scheme "${scheme}:"`, {
    hint: 'use sqlite:///path/to/tracking.db, postgresql://user@host/db or http(s)://tracking-server',
  });
}

/** `sqlite:path.db` / `sqlite:/abs/path.db`, the short forms openTrackingStore also accepts. */
function shortSqlitePath(value: string, cwd: string): string {
  const path = decodeURIComponent(value.slice('sqlite:'.length).replace(/\?.*$/, ''));
  if (path === '' || path === ':memory:') return sqlitePathFromUri(`sqlite:///${path}`, cwd);
  return isAbsolute(path) ? path : resolve(cwd, path);
}

function safeFileUrlToPath(value: string): string | undefined {
  try {
    return fileURLToPath(value);
  } catch {
    return undefined;
  }
}

/** `file://` URI for an absolute directory, the form MLflow records as artifact locations. */
export function fileUriForPath(absPath: string): string {
  return pathToFileURL(absPath).href;
}
