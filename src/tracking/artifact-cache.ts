/**
 * A local copy of remote artifacts (a model behind `mlflow-artifacts:`), so what loads a model
 * from a directory can load one that lives on a tracking server. Each copy is downloaded into a
 * temporary directory and renamed into place, so a reader never sees half a model; a copy is
 * reused only under the same key (the caller's statement that the content has not changed, e.g.
 * a registered version's immutable source, or a finished run's end time).
 *
 * Where: `$RECIPE_ARTIFACT_CACHE`, else `$XDG_CACHE_HOME/mlrecipe/artifacts`, else
 * `~/.cache/mlrecipe/artifacts`.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { replaceAtomicallyAsync } from '../atomic-write.js';
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
  const root = options.cacheDir ?? artifactCacheDir(options.env);
  await mkdir(root, { recursive: true });
  const identity = options.key ?? `fresh:${randomBytes(8).toString('hex')}`;
  const digest = createHash('sha256').update(`${uri}\u0000${identity}`).digest('hex').slice(0, 32);
  const target = join(root, digest);
  if (options.key !== undefined && existsSync(target)) return target;
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
  return target;
}
