/**
 * The step cache's remote tier: cache entries shared through an artifact store (an `s3://`
 * bucket, a tracking server's artifact proxy `mlflow-artifacts:/…`, or a shared directory), so a
 * second machine — another clone with an empty `.recipe/cache` — reuses the steps the first one
 * ran.
 *
 * Layout under the remote root, content-addressed:
 *
 * - `blobs/<aa>/<sha256>`: one object per distinct file content (`aa` = the hash's first two hex
 *   digits, so no listing grows with the whole cache);
 * - `steps/<step>/<fingerprint>.json`: the entry's pointer — its manifest and, for each file of
 *   the entry directory, its relative path, size and SHA-256.
 *
 * Invariants: a pointer is uploaded only after every blob it names, so an entry is visible only
 * when complete (an interrupted upload leaves unreferenced blobs, harmless and reused by the
 * next). Blobs are named by their hash, so two machines pushing the same entry write the same
 * bytes under the same names. Every downloaded file is checked against its hash before the entry
 * is committed to the local cache (which is itself atomic: temp directory + rename); an entry
 * that fails the check is not used, and the step runs.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  createReadStream,
  linkSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { copyFileAtomic } from '../atomic-write.js';
import { MlrecipeError, UsageError } from '../errors.js';
import type { StepKind } from '../steps/types.js';
// The one tracking file it uses, not tracking/index (export/import runs and the YAML parser), which
// every recipe command would then load (recipes/index re-exports this module; bench/cli,
// test/cli/lazy-loading.test.ts).
import {
  type ArtifactRepository,
  artifactRepositoryForUri,
  isLocalArtifactUri,
} from '../tracking/artifact-repository.js';
import { type CacheManifest, MANIFEST_FILE, type StepCache } from './cache.js';

export interface RemoteCacheOptions {
  /** The remote root: `s3://bucket/prefix`, `mlflow-artifacts:/prefix`, or a directory. */
  uri: string;
  /** Gives `mlflow-artifacts:` URIs their server. */
  trackingUri?: string;
  /** The recipe directory: external outputs travel relative to it. */
  recipeDir: string;
  env?: Record<string, string | undefined>;
}

/** A remote entry's pointer: the manifest, and every file of the entry directory. */
interface RemotePointer {
  format: 1;
  step: StepKind;
  fingerprint: string;
  /** externalOutputs' keys are relative to the recipe directory here (machines differ). */
  manifest: CacheManifest;
  files: Array<{ path: string; size: number; sha256: string }>;
}

const SHA256 = /^[0-9a-f]{64}$/;

export class RemoteStepCache {
  readonly uri: string;
  private readonly repo: ArtifactRepository;
  private readonly recipeDir: string;

  constructor(options: RemoteCacheOptions) {
    this.uri = options.uri.replace(/\/+$/, '');
    this.recipeDir = resolve(options.recipeDir);
    const uri = isLocalArtifactUri(this.uri) && !this.uri.startsWith('file:') ? resolve(this.uri) : this.uri;
    this.repo = artifactRepositoryForUri(uri, {
      ...(options.trackingUri ? { trackingUri: options.trackingUri } : {}),
      ...(options.env ? { env: options.env } : {}),
    });
  }

  /**
   * Fetches the entry `step/fingerprint` into the local cache and returns its manifest (as the
   * local cache's lookup would), or null when the remote has no such entry. Throws when the
   * remote entry is corrupt (a file whose hash differs): nothing is committed then.
   */
  async pull(cache: StepCache, step: StepKind, fingerprint: string): Promise<CacheManifest | null> {
    const work = join(tmpdir(), `mlrecipe-remote-${process.pid}-${randomBytes(6).toString('hex')}`);
    mkdirSync(work, { recursive: true });
    let target: string | undefined;
    try {
      let pointerFile: string;
      try {
        pointerFile = await this.repo.downloadArtifacts(`steps/${step}/${fingerprint}.json`, work);
      } catch (error) {
        if ((error as { code?: string }).code === 'RESOURCE_DOES_NOT_EXIST') return null;
        throw error;
      }
      const pointer = parsePointer(readFileSync(pointerFile, 'utf8'), step, fingerprint, this.uri);
      target = cache.createTempDir(step);
      for (const file of pointer.files) {
        const rel = file.sha256.slice(0, 2);
        const blob = await this.repo.downloadArtifacts(`blobs/${rel}/${file.sha256}`, join(work, 'blobs'));
        const actual = await sha256Of(blob);
        if (actual !== file.sha256) {
          throw new MlrecipeError(
            `the remote cache entry ${step}/${fingerprint.slice(0, 12)} in ${this.uri} is corrupt: ${file.path} has SHA-256 ${actual}, not ${file.sha256}`,
            {
              hint: `the step runs here instead; delete ${this.uri}/blobs/${rel}/${file.sha256} so others do not fetch it`,
            },
          );
        }
        const dest = join(target, ...file.path.split('/'));
        mkdirSync(dirname(dest), { recursive: true });
        copyFileAtomic(blob, dest);
        rmSync(blob, { force: true });
      }
      const manifest: CacheManifest = {
        ...pointer.manifest,
        ...(pointer.manifest.externalOutputs
          ? {
              externalOutputs: Object.fromEntries(
                Object.entries(pointer.manifest.externalOutputs).map(([path, value]) => [
                  resolve(this.recipeDir, path),
                  value,
                ]),
              ),
            }
          : {}),
      };
      cache.commit(target, manifest);
      target = undefined;
      return manifest;
    } finally {
      if (target !== undefined) rmSync(target, { recursive: true, force: true });
      rmSync(work, { recursive: true, force: true });
    }
  }

  /**
   * Uploads the local entry `dir` (complete, with its manifest): the blobs the remote lacks, then
   * the pointer. Returns how many blobs were uploaded.
   */
  async push(dir: string, manifest: CacheManifest): Promise<number> {
    const files = listFiles(dir).filter((rel) => rel !== MANIFEST_FILE);
    const described: RemotePointer['files'] = [];
    for (const rel of files) {
      const path = join(dir, ...rel.split('/'));
      described.push({ path: rel, size: statSync(path).size, sha256: await sha256Of(path) });
    }
    const work = join(tmpdir(), `mlrecipe-remote-${process.pid}-${randomBytes(6).toString('hex')}`);
    mkdirSync(work, { recursive: true });
    let uploaded = 0;
    try {
      const present = new Map<string, Set<string>>();
      for (const file of described) {
        const shard = file.sha256.slice(0, 2);
        let names = present.get(shard);
        if (names === undefined) {
          names = new Set(
            (await this.repo.listArtifacts(`blobs/${shard}`)).map((f) =>
              f.path.slice(f.path.lastIndexOf('/') + 1),
            ),
          );
          present.set(shard, names);
        }
        if (names.has(file.sha256)) continue;
        // The artifact API names an upload after the local file: a link named by the hash.
        const named = join(work, file.sha256);
        linkOrCopy(join(dir, ...file.path.split('/')), named);
        await this.repo.logArtifact(named, `blobs/${shard}`);
        rmSync(named, { force: true });
        names.add(file.sha256);
        uploaded++;
      }
      const pointer: RemotePointer = {
        format: 1,
        step: manifest.step,
        fingerprint: manifest.fingerprint,
        manifest: this.portableManifest(manifest),
        files: described,
      };
      const pointerFile = join(work, `${manifest.fingerprint}.json`);
      writeFileSync(pointerFile, `${JSON.stringify(pointer, null, 2)}\n`);
      await this.repo.logArtifact(pointerFile, `steps/${manifest.step}`);
      return uploaded;
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }

  /** External outputs inside the recipe directory travel relative to it; others stay local. */
  private portableManifest(manifest: CacheManifest): CacheManifest {
    if (!manifest.externalOutputs) return manifest;
    const portable: NonNullable<CacheManifest['externalOutputs']> = {};
    for (const [path, value] of Object.entries(manifest.externalOutputs)) {
      const rel = relative(this.recipeDir, path);
      if (rel === '' || rel.startsWith(`..${sep}`) || rel === '..' || isAbsolute(rel)) continue;
      portable[rel.split(sep).join('/')] = value;
    }
    const { externalOutputs: _dropped, ...rest } = manifest;
    return Object.keys(portable).length > 0 ? { ...rest, externalOutputs: portable } : rest;
  }
}

/** The remote cache's URI from `--remote-cache`, else `$RECIPE_REMOTE_CACHE`; undefined for none. */
export function remoteCacheUriFrom(
  flag: string | undefined,
  env: Record<string, string | undefined> = process.env,
): string | undefined {
  const value = (flag ?? env.RECIPE_REMOTE_CACHE)?.trim();
  if (!value) return undefined;
  if (/^[a-z][a-z0-9+.-]+:/i.test(value) && !/^(s3|mlflow-artifacts|https?|file):/i.test(value)) {
    throw new UsageError(`the remote cache "${value}" is not an artifact location mlrecipe can use`, {
      hint: 'give s3://bucket/prefix, mlflow-artifacts:/prefix (the tracking server), or a shared directory',
    });
  }
  return value;
}

function parsePointer(text: string, step: StepKind, fingerprint: string, uri: string): RemotePointer {
  let pointer: RemotePointer;
  try {
    pointer = JSON.parse(text) as RemotePointer;
  } catch {
    throw new MlrecipeError(
      `the remote cache entry ${step}/${fingerprint.slice(0, 12)} in ${uri} is not JSON`,
      {
        hint: `delete ${uri}/steps/${step}/${fingerprint}.json; the step then runs and pushes a good one`,
      },
    );
  }
  const valid =
    pointer?.format === 1 &&
    pointer.step === step &&
    pointer.fingerprint === fingerprint &&
    pointer.manifest?.fingerprint === fingerprint &&
    Array.isArray(pointer.files) &&
    pointer.files.every(
      (f) =>
        typeof f?.path === 'string' &&
        SHA256.test(f.sha256) &&
        f.path
          .split('/')
          .every((part) => part !== '' && part !== '.' && part !== '..' && !part.includes('\\')),
    );
  if (!valid) {
    throw new MlrecipeError(
      `the remote cache entry ${step}/${fingerprint.slice(0, 12)} in ${uri} is not a format-1 pointer for that step`,
      { hint: 'run the same mlrecipe version on every machine sharing the cache, or delete the entry' },
    );
  }
  return pointer;
}

/** Relative `/`-separated paths of the regular files under `dir`. */
function listFiles(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...listFiles(dir, rel));
    else if (entry.isFile()) out.push(rel);
  }
  return out.sort();
}

function linkOrCopy(source: string, target: string): void {
  try {
    linkSync(source, target);
  } catch {
    copyFileAtomic(source, target);
  }
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}
