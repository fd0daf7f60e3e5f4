/**
 * Registering a model: the registry keeps its own copy of the model directory, so a version
 * stays loadable after the run's artifacts are cleaned up or the working tree changes.
 *
 * Atomicity (what a failure leaves behind):
 * 1. the version row is created PENDING_REGISTRATION in one transaction (this fixes its number);
 * 2. the files are copied into a temp directory beside the final one, `<root>/models/<name>/.tmp-<version>.*`;
 * 3. the temp directory is renamed to `<root>/models/<name>/<version>/` (one rename, atomic);
 * 4. only then is the version marked READY, with `source` pointing at the copy.
 * When a step fails, the temp or final directory is removed and the version is marked
 * FAILED_REGISTRATION with the reason in `status_message`. A process killed midway leaves the
 * version PENDING_REGISTRATION (never READY) and at most a `.tmp-*` directory; URI resolution
 * refuses any version that is not READY, so nobody ever loads a half-copied model.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { cp, mkdir, rm } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { replaceAtomicallyAsync } from '../atomic-write.js';
import { MlrecipeError, StoreError, UsageError } from '../errors.js';
import {
  HttpArtifactRepository,
  localPathFromArtifactUri,
  proxiedArtifactLocation,
  type Tag,
  type TrackingStore,
} from '../tracking/index.js';
import { parseRunsUri, resolveModelDirectory, resolveRunsUri } from './model-uri.js';
import { validateModelName } from './registry-validation.js';
import { RestModelRegistryStore } from './rest-registry.js';
import type { ModelRegistryStore, ModelVersion, UpdateModelVersionStatusOptions } from './types.js';

/** A registry that keeps its copies on this file system (SqlModelRegistryStore does). */
export interface RegistryWithArtifacts extends ModelRegistryStore {
  /** Root of the registry's artifact area: copies go to `<artifactRoot>/models/`. */
  readonly artifactRoot: string;
  updateModelVersionStatus(
    name: string,
    version: string,
    update: UpdateModelVersionStatusOptions,
  ): Promise<ModelVersion>;
}

/** Where a tracking server's registry keeps mlrecipe's copies: `mlflow-artifacts:/models/<name>/…`. */
const SERVER_MODELS_ROOT = 'models';

export interface RegisterModelOptions {
  /** A registry on this file system's database, or a tracking server's (rest-registry.ts). */
  store: RegistryWithArtifacts | RestModelRegistryStore;
  /** A model URI (`runs:/…`, `models:/…`, `file:…`) or path; give this or `localDir`. */
  modelUri?: string;
  /** A local model directory; give this or `modelUri`. */
  localDir?: string;
  name: string;
  /** Lineage; taken from a `runs:/<run_id>/…` URI when not given. */
  runId?: string;
  tags?: Tag[];
  description?: string;
  /** Resolves `runs:/` URIs against this store (otherwise through `trackingUri`). */
  trackingStore?: TrackingStore;
  /** Tracking URI for resolving `runs:/` / `models:/` when no `trackingStore` is given. */
  trackingUri?: string;
  /** Copies a directory tree; a seam for tests that inject a failure midway. */
  copyDirectory?: (from: string, to: string) => Promise<void>;
}

async function copyTree(from: string, to: string): Promise<void> {
  // Symbolic links are followed, so the copy holds files and cannot point outside itself.
  await cp(from, to, { recursive: true, dereference: true, errorOnExist: true, force: false });
}

/** A model name as one safe directory name: percent-encoded, never `.` or `..`. */
export function modelDirectoryName(name: string): string {
  const encoded = encodeURIComponent(name);
  return encoded === '.' || encoded === '..' ? encoded.replaceAll('.', '%2E') : encoded;
}

/** `<artifactRoot>/models`, as a local directory. */
export function registryModelsRoot(artifactRoot: string): string {
  return join(localPathFromArtifactUri(artifactRoot), 'models');
}

async function resolveSourceDir(
  options: RegisterModelOptions,
): Promise<{ dir: string; source: string; runId?: string }> {
  if ((options.modelUri === undefined) === (options.localDir === undefined)) {
    throw new UsageError('registerModel needs exactly one of modelUri and localDir', {
      hint: 'pass the model as a URI (runs:/<run_id>/model) or as a local directory',
    });
  }
  let dir: string;
  let runId = options.runId;
  const source = options.modelUri ?? resolve(options.localDir as string);
  if (options.modelUri !== undefined && /^runs:/i.test(options.modelUri)) {
    runId ??= parseRunsUri(options.modelUri).runId;
    dir = options.trackingStore
      ? await resolveRunsUri(options.trackingStore, options.modelUri)
      : await resolveModelDirectory(options.modelUri, { trackingUri: options.trackingUri });
  } else if (options.modelUri !== undefined) {
    dir = await resolveModelDirectory(options.modelUri, { trackingUri: options.trackingUri });
  } else {
    dir = source;
  }
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new UsageError(`cannot register "${source}": ${dir} is not a directory`, {
      hint: 'point -m at a model directory (one holding an MLmodel file) or a runs:/<run_id>/model URI',
    });
  }
  if (!existsSync(join(dir, 'MLmodel'))) {
    throw new UsageError(
      `cannot register "${source}": ${dir} holds no MLmodel file, so it is not a model directory`,
      {
        hint: 'point -m at the directory the train step saved the model to (it holds MLmodel)',
      },
    );
  }
  return runId === undefined ? { dir, source } : { dir, source, runId };
}

/**
 * Copies a model into the registry as a new version of `name` (creating the registered model
 * when missing) and returns the READY version. See the file comment for what a failure leaves.
 */
export async function registerModel(options: RegisterModelOptions): Promise<ModelVersion> {
  validateModelName(options.name);
  const { store, name } = options;
  const { dir, runId } = await resolveSourceDir(options);
  if (store instanceof RestModelRegistryStore) return registerOnServer(store, options, dir, runId);
  const modelsRoot = registryModelsRoot(store.artifactRoot);
  try {
    await store.createRegisteredModel(name);
  } catch (error) {
    if (!(error instanceof StoreError && error.mlflowErrorCode === 'RESOURCE_ALREADY_EXISTS')) throw error;
  }
  const pending = await store.createModelVersion({
    name,
    source: options.modelUri ?? dir,
    ...(runId === undefined ? {} : { runId }),
    ...(options.tags === undefined ? {} : { tags: options.tags }),
    ...(options.description === undefined ? {} : { description: options.description }),
    status: 'PENDING_REGISTRATION',
  });
  const modelDir = join(modelsRoot, modelDirectoryName(name));
  const random = randomBytes(6).toString('hex');
  // A renamed or deleted model may have left files under the same name and number.
  const final = existsSync(join(modelDir, pending.version))
    ? join(modelDir, `${pending.version}-${random}`)
    : join(modelDir, pending.version);
  let renamed = false;
  try {
    await mkdir(modelDir, { recursive: true });
    const copy = options.copyDirectory ?? copyTree;
    await replaceAtomicallyAsync(final, (temp) => copy(dir, temp), { tempPrefix: '.tmp-' });
    renamed = true;
    return await store.updateModelVersionStatus(name, pending.version, { status: 'READY', source: final });
  } catch (error) {
    if (renamed) await rm(final, { recursive: true, force: true }).catch(() => undefined);
    const reason = error instanceof Error ? error.message : String(error);
    // Best effort: when the database itself failed, the version stays PENDING_REGISTRATION.
    await store
      .updateModelVersionStatus(name, pending.version, {
        status: 'FAILED_REGISTRATION',
        statusMessage: reason.slice(0, 480),
      })
      .catch(() => undefined);
    if (error instanceof MlrecipeError) throw error;
    throw new StoreError(
      'INTERNAL_ERROR',
      `registering ${name} version ${pending.version} failed while copying ${dir} into ${modelDir}: ${reason}`,
      { cause: error, hint: 'check free space and permissions under the artifact root, then register again' },
    );
  }
}

/**
 * Removes registry copies of deleted versions. Only directories under `<artifactRoot>/models/`
 * are touched, so a version whose source points elsewhere (registered by another tool) keeps
 * its files.
 */
export async function removeRegisteredFiles(
  artifactRoot: string,
  versions: readonly ModelVersion[],
): Promise<void> {
  let modelsRoot: string;
  try {
    modelsRoot = registryModelsRoot(artifactRoot);
  } catch {
    return;
  }
  for (const version of versions) {
    let dir: string;
    try {
      dir = localPathFromArtifactUri(version.source);
    } catch {
      continue;
    }
    const rel = relative(modelsRoot, dir);
    // Exactly <models>/<name>/<version…>: never a model's whole folder, never outside the root.
    if (rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel) || rel.split(sep).length !== 2)
      continue;
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Registering with a tracking server's registry. MLflow's REST API creates versions READY and
 * cannot change a version's status, so the order is reversed: the files are uploaded first, through
 * the server's artifact proxy, to a fresh `mlflow-artifacts:/models/<name>/<random>/`, and the
 * version is created only once every file is there, with that URI as its source. A failure before
 * the version exists leaves no version (and the upload is deleted, best effort); nobody can load a
 * version whose files are incomplete.
 */
async function registerOnServer(
  store: RestModelRegistryStore,
  options: RegisterModelOptions,
  dir: string,
  runId: string | undefined,
): Promise<ModelVersion> {
  const { name } = options;
  try {
    await store.createRegisteredModel(name);
  } catch (error) {
    if (!(error instanceof StoreError && error.mlflowErrorCode === 'RESOURCE_ALREADY_EXISTS')) throw error;
  }
  const rootPath = `${SERVER_MODELS_ROOT}/${modelDirectoryName(name)}/${randomBytes(8).toString('hex')}`;
  const repo = new HttpArtifactRepository({ baseUrl: store.baseUrl, rootPath, env: store.env });
  const source = `mlflow-artifacts:/${rootPath.split('/').map(encodeURIComponent).join('/')}`;
  try {
    await repo.logArtifacts(dir);
    return await store.createModelVersion({
      name,
      source,
      ...(runId === undefined ? {} : { runId }),
      ...(options.tags === undefined ? {} : { tags: options.tags }),
      ...(options.description === undefined ? {} : { description: options.description }),
    });
  } catch (error) {
    await repo.deleteArtifacts().catch(() => undefined);
    if (error instanceof MlrecipeError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new StoreError(
      'INTERNAL_ERROR',
      `registering ${name} on ${store.baseUrl} failed while uploading ${dir}: ${reason}`,
      {
        cause: error,
        hint: 'the server must serve artifacts (recipe server --serve-artifacts, the default); then register again',
      },
    );
  }
}

/**
 * Removes the registry's own copies of deleted versions: files under `<artifactRoot>/models/` for
 * a SQL registry (removeRegisteredFiles), `mlflow-artifacts:/models/<name>/<copy>` on a tracking
 * server. A version whose source points elsewhere keeps its files.
 */
export async function removeRegisteredCopies(
  store: RegistryWithArtifacts | RestModelRegistryStore,
  versions: readonly ModelVersion[],
): Promise<void> {
  if (!(store instanceof RestModelRegistryStore)) {
    await removeRegisteredFiles(store.artifactRoot, versions);
    return;
  }
  for (const version of versions) {
    if (!/^mlflow-artifacts:/i.test(version.source)) continue;
    const location = proxiedArtifactLocation(version.source, store.baseUrl);
    const parts = location?.rootPath.split('/') ?? [];
    // Exactly models/<name>/<copy>: never a model's whole folder, never anything else.
    if (location === undefined || parts.length !== 3 || parts[0] !== SERVER_MODELS_ROOT) continue;
    await new HttpArtifactRepository({
      baseUrl: location.baseUrl,
      rootPath: location.rootPath,
      env: store.env,
    })
      .deleteArtifacts()
      .catch(() => undefined);
  }
}
