/**
 * A local copy of remote artifacts (a model behind `mlflow-artifacts:`), so what loads a model
 * from a directory can load one that lives on a tracking server. Each copy is downloaded into a
 * temporary directory and renamed into place, so a reader never sees half a model; a copy is
 * reused only under the same key (the caller's statement that the content has not changed, e.g.
 * a registered version's immutable source, or a finished run's end time).
 *
 * Where: `$RECIPE_ARTIFACT_CACHE`, else `$XDG_CACHE_HOME/mlrecipe/artifacts`, else
 * `~/.cache/mlrecipe/artifacts`.
 *
 * Bounded: after each download the cache drops entries, least recently used first, until it
 * holds at most `$RECIPE_ARTIFACT_CACHE_MAX_BYTES` (default 2 GiB), and drops one-off copies (of
 * content that may still change, never reused) — but nothing used within the last hour, which a
 * process may still be reading. MLflow itself downloads into a temporary directory per call; a
 * cache that only grows would be a surprise to its users. Deleting the directory is always safe.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { lstat, mkdir, readdir, rename, rm, utimes } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { replaceAtomicallyAsync, tempPathBeside } from '../atomic-write.js';
import { StoreError } from '../errors.js';
import { type ArtifactRepositoryOptions, artifactRepositoryForUri } from './artifact-repository.js';

export function artifactCacheDir(env: Record<string, string | undefined> = process.env): string {
  if (env.RECIPE_ARTIFACT_CACHE) return resolve(env.RECIPE_ARTIFACT_CACHE);
  const base = env.XDG_CACHE_HOME ? resolve(env.XDG_CACHE_HOME) : join(homedir(), '.cache');
  return join(base, 'mlrecipe', 'artifacts');
}

export interface CachedDownloadOptions extends ArtifactRepositoryOptions {
  /**
   * What identifies the content besides the URI; a copy made under the same URI and key is
   * reused. Undefined: always download afresh (content that may still change).
   */
  key?: string;
  /** Overrides the cache directory (tests). */
  cacheDir?: string;
  /** Overrides `$RECIPE_ARTIFACT_CACHE_MAX_BYTES` (tests). */
  maxBytes?: number;
}

export const DEFAULT_ARTIFACT_CACHE_MAX_BYTES = 2 * 1024 ** 3;
/** An entry used this recently is never removed: a process may still be reading it. */
export const ARTIFACT_CACHE_GRACE_MS = 60 * 60 * 1000;
/** Entries of content that may still change (no key) are named so, and never reused. */
const ONE_OFF_PREFIX = 'once-';

/** The bound in bytes: `$RECIPE_ARTIFACT_CACHE_MAX_BYTES` (a whole number, 0 allowed), else 2 GiB. */
export function artifactCacheMaxBytes(env: Record<string, string | undefined> = process.env): number {
  const text = env.RECIPE_ARTIFACT_CACHE_MAX_BYTES;
  if (text === undefined || text === '') return DEFAULT_ARTIFACT_CACHE_MAX_BYTES;
  if (!/^\d+$/.test(text.trim())) {
    throw new StoreError(
      'INVALID_PARAMETER_VALUE',
      `RECIPE_ARTIFACT_CACHE_MAX_BYTES must be a whole number of bytes, not "${text}"`,
      { hint: 'e.g. RECIPE_ARTIFACT_CACHE_MAX_BYTES=1073741824 for 1 GiB, or unset it for 2 GiB' },
    );
  }
  return Number(text.trim());
}

/**
 * The local directory holding the artifact directory `uri` (a run's or a model version's files),
 * downloaded through its repository when not cached. Fails with RESOURCE_DOES_NOT_EXIST when
 * there is nothing under `uri`.
 */
export async function downloadArtifactDirectory(
  uri: string,
  options: CachedDownloadOptions = {},
): Promise<string> {
  // Read the bound before anything is made, so a bad setting fails first.
  const maxBytes = options.maxBytes ?? artifactCacheMaxBytes(options.env);
  const root = options.cacheDir ?? artifactCacheDir(options.env);
  await mkdir(root, { recursive: true });
  const identity = options.key ?? `fresh:${randomBytes(8).toString('hex')}`;
  const digest = createHash('sha256').update(`${uri}\u0000${identity}`).digest('hex').slice(0, 32);
  const target = join(root, options.key === undefined ? `${ONE_OFF_PREFIX}${digest}` : digest);
  if (options.key !== undefined && existsSync(target)) {
    // The entry's time of last use is its directory's mtime (what pruning orders by).
    const now = new Date();
    await utimes(target, now, now).catch(() => undefined);
    return target;
  }
  const repo = artifactRepositoryForUri(uri, options);
  await replaceAtomicallyAsync(
    target,
    async (temp) => {
      await repo.downloadArtifacts('', temp);
      if ((await readdir(temp)).length === 0) {
        throw new StoreError('RESOURCE_DOES_NOT_EXIST', `no artifacts under ${uri}`, {
          hint: 'check the run or model version; models are usually logged under "model"',
        });
      }
    },
    { keepExisting: true },
  );
  await pruneArtifactCache({ cacheDir: root, maxBytes, keep: target });
  return target;
}

export interface PruneArtifactCacheOptions {
  /** Default: artifactCacheDir(). */
  cacheDir?: string;
  /** Default: artifactCacheMaxBytes(). 0 removes every entry outside the grace period. */
  maxBytes?: number;
  /** Entries used more recently than this are kept (default one hour). */
  graceMs?: number;
  /** An entry never removed (the one just handed out). */
  keep?: string;
  /** The clock (tests). */
  now?: number;
}

export interface PruneArtifactCacheResult {
  /** Entry names removed. */
  removed: string[];
  /** Bytes the cache holds afterwards. */
  bytes: number;
}

/**
 * Brings the artifact cache within its bound: removes one-off copies and abandoned temporaries
 * past the grace period, then the least recently used entries past it until the total is at most
 * `maxBytes`. An entry is renamed away before it is deleted, so no reader finds half of one.
 */
export async function pruneArtifactCache(
  options: PruneArtifactCacheOptions = {},
): Promise<PruneArtifactCacheResult> {
  const root = options.cacheDir ?? artifactCacheDir();
  const maxBytes = options.maxBytes ?? artifactCacheMaxBytes();
  const graceMs = options.graceMs ?? ARTIFACT_CACHE_GRACE_MS;
  const now = options.now ?? Date.now();
  let names: string[];
  try {
    names = await readdir(root);
  } catch {
    return { removed: [], bytes: 0 };
  }
  const entries: { name: string; path: string; lastUse: number; bytes: number }[] = [];
  for (const name of names) {
    const path = join(root, name);
    const stat = await lstat(path).catch(() => undefined);
    if (stat === undefined) continue;
    entries.push({ name, path, lastUse: stat.mtimeMs, bytes: await treeBytes(path) });
  }
  const removed: string[] = [];
  const removable = (entry: (typeof entries)[number]) =>
    entry.path !== options.keep && now - entry.lastUse >= graceMs;
  const remove = async (entry: (typeof entries)[number]) => {
    const aside = tempPathBeside(entry.path);
    try {
      await rename(entry.path, aside);
    } catch {
      return false; // another process removed or replaced it first
    }
    await rm(aside, { recursive: true, force: true });
    removed.push(entry.name);
    return true;
  };
  let bytes = 0;
  const lru: typeof entries = [];
  for (const entry of entries) {
    const disposable = entry.name.startsWith(ONE_OFF_PREFIX) || entry.name.startsWith('.');
    if (disposable && removable(entry) && (await remove(entry))) continue;
    bytes += entry.bytes;
    lru.push(entry);
  }
  lru.sort((a, b) => a.lastUse - b.lastUse);
  for (const entry of lru) {
    if (bytes <= maxBytes) break;
    if (removable(entry) && (await remove(entry))) bytes -= entry.bytes;
  }
  return { removed, bytes };
}

/** Bytes of the files under `path` (symlinks counted as themselves, not followed). */
async function treeBytes(path: string): Promise<number> {
  const stat = await lstat(path).catch(() => undefined);
  if (stat === undefined) return 0;
  if (!stat.isDirectory()) return stat.size;
  let total = 0;
  for (const name of await readdir(path).catch(() => [] as string[]))
    total += await treeBytes(join(path, name));
  return total;
}
