/**
 * Model URIs, as MLflow writes them (mlflow/store/artifact/utils/models.py, runs_artifact_repo.py):
 *
 * - `runs:/<run_id>/<path>`       a directory inside a run's artifacts
 * - `models:/<name>/<version>`    one version
 * - `models:/<name>/<stage>`      the newest version in a stage (None, Staging, Production, Archived)
 * - `models:/<name>/latest`       the newest version of the model
 * - `models:/<name>@<alias>`      the version an alias points at
 *
 * `resolveModelDirectory` and `loadModelFromUri` are the one model-URI resolver: every command
 * that takes `-m <uri>`, the gate and the predict step go through them. They hand `loadModel`
 * (src/models/load.ts) the resolvers for both schemes per call; nothing is registered globally,
 * so importing this module changes no behaviour. A version resolves only when READY: a version
 * whose registration is pending or failed has no complete files.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { StoreError, UsageError } from '../errors.js';
// Types only: the model stack (estimators) loads when a model is, not with the registry.
import type { LoadedModel, ModelUriResolver, ResolveContext } from '../models/load.js';
import {
  downloadArtifactDirectory,
  isLocalArtifactUri,
  localPathFromArtifactUri,
  normaliseArtifactPath,
  openTrackingStore,
  RestTrackingStore,
  resolveTrackingUri,
  type TrackingStore,
} from '../tracking/index.js';
import { canonicalStage, parseVersion, validateAlias, validateModelName } from './registry-validation.js';
import { registryForTrackingStore } from './registry-for-store.js';
import { modelVersionDirectory } from './version-files.js';
import type { ModelRegistryStore, ModelStage, ModelVersion } from './types.js';

export type ParsedModelsUri =
  | { kind: 'version'; name: string; version: string }
  | { kind: 'stage'; name: string; stage: ModelStage }
  | { kind: 'latest'; name: string }
  | { kind: 'alias'; name: string; alias: string };

export interface ParsedRunsUri {
  runId: string;
  /** Normalised artifact path inside the run ('' for the run's artifact root). */
  path: string;
}

const MODELS_FORMS =
  'models:/<name>/<version>, models:/<name>/<stage>, models:/<name>/latest or models:/<name>@<alias>';

function badModelsUri(uri: string, why: string): UsageError {
  return new UsageError(`"${uri}" is not a valid models:/ URI: ${why}`, {
    hint: `write it as ${MODELS_FORMS}`,
  });
}

/** Parses a `models:/…` URI without touching any store. */
export function parseModelsUri(uri: string): ParsedModelsUri {
  const match = /^models:(.*)$/i.exec(uri);
  if (match === null) throw badModelsUri(uri, 'it does not start with models:/');
  const rest = match[1];
  if (rest.startsWith('//')) {
    throw badModelsUri(
      uri,
      'a registry host (models://<profile>/…) is not supported; use models:/ with one slash',
    );
  }
  if (!rest.startsWith('/') || rest.length <= 1) throw badModelsUri(uri, 'the model name is missing');
  const path = rest.slice(1);
  const slash = path.indexOf('/');
  if (slash >= 0) {
    const name = path.slice(0, slash);
    const suffix = path.slice(slash + 1);
    if (name.trim() === '' || suffix === '' || suffix.includes('/')) {
      throw badModelsUri(uri, 'expected exactly a name and a version, stage or "latest"');
    }
    if (/^\d+$/.test(suffix)) return { kind: 'version', name, version: String(parseVersion(suffix)) };
    if (suffix.toLowerCase() === 'latest') return { kind: 'latest', name };
    try {
      return { kind: 'stage', name, stage: canonicalStage(suffix) };
    } catch {
      throw badModelsUri(
        uri,
        `"${suffix}" is neither a version number, a stage (None, Staging, Production, Archived) nor "latest"`,
      );
    }
  }
  const at = path.lastIndexOf('@');
  if (at < 0) throw badModelsUri(uri, 'it names a model but no version, stage, "latest" or @alias');
  const name = path.slice(0, at);
  const alias = path.slice(at + 1);
  if (name.trim() === '' || alias === '') throw badModelsUri(uri, 'expected <name>@<alias>');
  validateAlias(alias);
  return { kind: 'alias', name, alias };
}

/** Parses `runs:/<run_id>/<path>`; the path may not leave the run's artifact root. */
export function parseRunsUri(uri: string): ParsedRunsUri {
  const match = /^runs:\/([^/]+)(?:\/(.*))?$/i.exec(uri);
  if (match === null || uri.toLowerCase().startsWith('runs://')) {
    throw new UsageError(`"${uri}" is not a valid runs:/ URI`, {
      hint: "write it as runs:/<run_id>/<path inside the run's artifacts>, e.g. runs:/0123abcd/model",
    });
  }
  return { runId: match[1], path: normaliseArtifactPath(match[2] ?? '') };
}

/**
 * The model version a parsed `models:/` URI stands for. `latest` and stages pick the highest
 * version number (MLflow's rule); `latest` skips versions that are not READY, since a pending or
 * failed registration has nothing to load.
 */
export async function getModelVersionForUri(
  store: ModelRegistryStore,
  parsed: ParsedModelsUri,
): Promise<ModelVersion> {
  validateModelName(parsed.name);
  switch (parsed.kind) {
    case 'version':
      return store.getModelVersion(parsed.name, parsed.version);
    case 'alias':
      return store.getModelVersionByAlias(parsed.name, parsed.alias);
    case 'stage': {
      const [version] = await store.getLatestVersions(parsed.name, [parsed.stage]);
      if (version === undefined) {
        throw new StoreError(
          'RESOURCE_DOES_NOT_EXIST',
          `Registered model ${parsed.name} has no version in stage ${parsed.stage}`,
          { hint: `\`recipe models transition ${parsed.name} <version> ${parsed.stage}\` puts one there` },
        );
      }
      return version;
    }
    case 'latest': {
      const { model_versions } = await store.searchModelVersions({
        filter: `name = ${quoteFilterString(parsed.name)} AND status = 'READY'`,
        orderBy: ['version_number DESC'],
        maxResults: 1,
      });
      if (model_versions.length === 0) {
        await store.getRegisteredModel(parsed.name);
        throw new StoreError(
          'RESOURCE_DOES_NOT_EXIST',
          `Registered model ${parsed.name} has no READY version`,
          {
            hint: 'register one with `recipe models register -m <uri> -n <name>`',
          },
        );
      }
      return model_versions[0];
    }
  }
}

/** A filter string literal holding `value` exactly (the filter tokenizer unescapes `\x`). */
export function quoteFilterString(value: string): string {
  return `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}

async function withContextStore<T>(
  context: ResolveContext,
  fn: (store: TrackingStore) => Promise<T>,
): Promise<T> {
  const resolved = resolveTrackingUri({ flag: context.trackingUri, cwd: process.cwd() });
  const store = await openTrackingStore(resolved.uri, { defaultArtifactRoot: resolved.defaultArtifactRoot });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** The tracking URI behind a store when it is a server's (what `mlflow-artifacts:/` URIs are relative to). */
function serverUriOf(store: TrackingStore): string | undefined {
  return store instanceof RestTrackingStore ? store.uri : undefined;
}

/**
 * The local directory a `runs:/` URI names, read through the run's artifact URI: in place when
 * the artifacts are on this file system, else downloaded from the tracking server's artifact
 * proxy into the local artifact cache (reused while the finished run's end time is the same).
 */
export async function resolveRunsUri(store: TrackingStore, uri: string): Promise<string> {
  const parsed = parseRunsUri(uri);
  const run = await store.getRun(parsed.runId);
  const artifactUri = run.info.artifact_uri;
  if (!isLocalArtifactUri(artifactUri)) {
    const remote = parsed.path === '' ? artifactUri : `${artifactUri.replace(/\/+$/, '')}/${parsed.path}`;
    const finished = run.info.status !== 'RUNNING' && run.info.end_time !== undefined;
    try {
      return await downloadArtifactDirectory(remote, {
        trackingUri: serverUriOf(store),
        ...(finished ? { key: `run-end:${run.info.end_time}` } : {}),
      });
    } catch (error) {
      if (error instanceof StoreError && error.mlflowErrorCode === 'RESOURCE_DOES_NOT_EXIST') {
        throw new StoreError(
          'RESOURCE_DOES_NOT_EXIST',
          `Run ${parsed.runId} has no artifact "${parsed.path}" (${remote})`,
          {
            cause: error,
            hint: `\`recipe runs show ${parsed.runId}\` lists the run; models are usually logged under "model"`,
          },
        );
      }
      throw error;
    }
  }
  const root = localPathFromArtifactUri(artifactUri);
  const dir = parsed.path === '' ? root : join(root, ...parsed.path.split('/'));
  if (!existsSync(dir)) {
    throw new StoreError(
      'RESOURCE_DOES_NOT_EXIST',
      `Run ${parsed.runId} has no artifact "${parsed.path}" (${dir})`,
      {
        hint: `\`recipe runs show ${parsed.runId}\` lists the run; models are usually logged under "model"`,
      },
    );
  }
  return dir;
}

/**
 * The local directory holding a model version's files: `runs:/` sources through the run, local
 * sources in place, remote ones (`mlflow-artifacts:` on a tracking server) downloaded into the
 * local artifact cache — once per version, since a registered version's files never change.
 * Fails unless the version is READY.
 */
export async function modelVersionFiles(store: TrackingStore, version: ModelVersion): Promise<string> {
  // Versions created by MLflow's clients (or createModelVersion) may keep a runs:/ source, as
  // MLflow's models artifact repository allows; mlrecipe's own registrations hold a path or URI.
  if (version.status === 'READY' && /^runs:/i.test(version.source))
    return resolveRunsUri(store, version.source);
  if (version.status === 'READY' && !isLocalArtifactUri(version.source)) {
    return downloadArtifactDirectory(version.source, {
      trackingUri: serverUriOf(store),
      key: `model-version:${version.name}/${version.version}/${version.creation_timestamp}`,
    });
  }
  return modelVersionDirectory(version);
}

/** The local directory a `models:/` URI names, through the registry of `store`. */
export async function resolveModelsUri(store: TrackingStore, uri: string): Promise<string> {
  const version = await getModelVersionForUri(registryForTrackingStore(store), parseModelsUri(uri));
  return modelVersionFiles(store, version);
}

/** Resolvers for `runs:` and `models:` URIs, for `loadModel`'s per-call `resolvers` option. */
export function modelUriResolvers(): Record<'runs' | 'models', ModelUriResolver> {
  return {
    runs: (uri, context) => withContextStore(context, (store) => resolveRunsUri(store, uri)),
    models: (uri, context) => withContextStore(context, (store) => resolveModelsUri(store, uri)),
  };
}

/**
 * The local directory of any model URI: a path, `file:`, `runs:/<run>/<path>`,
 * `models:/<name>/<version>`, `models:/<name>/<stage>`, `models:/<name>/latest` or
 * `models:/<name>@<alias>` (`runs:`/`models:` through the tracking URI in `context`).
 */
export async function resolveModelDirectory(uri: string, context: ResolveContext = {}): Promise<string> {
  const { resolveModelUri } = await import('../models/load.js');
  return resolveModelUri(uri, { ...context, resolvers: modelUriResolvers() });
}

/** Loads the model behind any URI `resolveModelDirectory` understands. */
export async function loadModelFromUri(uri: string, context: ResolveContext = {}): Promise<LoadedModel> {
  const { loadModel } = await import('../models/load.js');
  return loadModel(uri, { ...context, resolvers: modelUriResolvers() });
}

/** The version tag that marks a model the baseline gate rejected (see the register step). */
const REJECTED_TAG = { key: 'validation_status', value: 'REJECTED' } as const;

/**
 * The registered version to score with when nothing names one (the predict step without
 * `model_uri`): the version `alias` points at, as the register step promotes it; without the
 * alias, the newest READY version not tagged `validation_status=REJECTED` — MLflow's
 * `models:/<name>/latest`, minus versions the gate rejected (allow_non_validated_model registers
 * those). Answers a `models:/<name>/<version>` URI, so what was scored is recorded exactly.
 */
export async function registeredModelToScore(
  store: ModelRegistryStore,
  options: { name: string; alias: string },
): Promise<{ uri: string; version: ModelVersion; via: 'alias' | 'latest' }> {
  const { name, alias } = options;
  validateModelName(name);
  try {
    const version = await store.getModelVersionByAlias(name, alias);
    return { uri: `models:/${name}/${version.version}`, version, via: 'alias' };
  } catch (error) {
    if (!(error instanceof StoreError && error.mlflowErrorCode === 'RESOURCE_DOES_NOT_EXIST')) throw error;
  }
  let pageToken: string | undefined;
  do {
    const page = await store.searchModelVersions({
      filter: `name = ${quoteFilterString(name)} AND status = 'READY'`,
      orderBy: ['version_number DESC'],
      maxResults: 100,
      ...(pageToken ? { pageToken } : {}),
    });
    const usable = page.model_versions.find(
      (v) => !(v.tags ?? []).some((t) => t.key === REJECTED_TAG.key && t.value === REJECTED_TAG.value),
    );
    if (usable) return { uri: `models:/${name}/${usable.version}`, version: usable, via: 'latest' };
    pageToken = page.next_page_token;
  } while (pageToken);
  throw new StoreError(
    'RESOURCE_DOES_NOT_EXIST',
    `Registered model ${name} has no version to score with: no @${alias} alias and no READY version that the gate did not reject`,
    { hint: 'run the recipe through register first (recipe run), or set steps.predict.model_uri' },
  );
}
