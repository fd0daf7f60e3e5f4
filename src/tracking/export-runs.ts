/**
 * `recipe runs export --format mlflow DIR`: experiments and runs written in MLflow's file-store
 * layout (see mlflow-file-layout.ts), so MLflow's own FileStore (`mlflow ui --backend-store-uri
 * DIR`) and `recipe runs import` read them back. The whole directory is made under a temporary
 * name beside DIR and renamed into place: a failed export leaves nothing behind.
 */
import { copyFile, lstat, mkdir, readdir, rmdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { replaceAtomicallyAsync } from '../atomic-write.js';
import { StoreError, UsageError } from '../errors.js';
import { localPathFromArtifactUri } from './artifact-repo.js';
import { artifactRepositoryForUri, isLocalArtifactUri } from './artifact-repository.js';
import {
  ARTIFACTS_FOLDER,
  DATASETS_FOLDER,
  datasetFolderId,
  EXPERIMENT_FOLDER,
  formatMetricValue,
  INPUTS_FOLDER,
  inputFolderId,
  isSafeRelativeKey,
  META_FILE,
  METRICS_FOLDER,
  PARAMS_FOLDER,
  RUN_FOLDER,
  SOURCE_TYPE_LOCAL,
  statusCode,
  TAGS_FOLDER,
  TRASH_FOLDER,
} from './mlflow-file-layout.js';
import type { Experiment, Run, TrackingStore } from './types.js';

export interface ExportRunsOptions {
  store: TrackingStore;
  /** The directory to create (it must not exist, or be empty). */
  dir: string;
  /** Experiments to export by id; every experiment, deleted ones included, when omitted. */
  experimentIds?: string[];
  /** Copy each run's artifacts (default true); false writes metadata only. */
  artifacts?: boolean;
}

export interface ExportRunsResult {
  dir: string;
  experiments: number;
  runs: number;
  metricPoints: number;
  artifactFiles: number;
}

export async function exportRuns(options: ExportRunsOptions): Promise<ExportRunsResult> {
  const dir = resolve(options.dir);
  await checkTarget(dir);
  const experiments = await selectExperiments(options.store, options.experimentIds);
  const result: ExportRunsResult = { dir, experiments: 0, runs: 0, metricPoints: 0, artifactFiles: 0 };
  await mkdir(dirname(dir), { recursive: true });
  await replaceAtomicallyAsync(dir, async (temp) => {
    await mkdir(temp);
    for (const experiment of experiments) {
      await writeExperiment(options, experiment, temp, dir, result);
      result.experiments += 1;
    }
  });
  return result;
}

async function checkTarget(dir: string): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new UsageError(`cannot export into ${dir}: ${(error as Error).message}`, {
      hint: 'name a new directory',
    });
  }
  if (entries.length > 0) {
    throw new UsageError(`cannot export into ${dir}: the directory is not empty`, {
      hint: 'name a new (or empty) directory; an export never mixes with other files',
    });
  }
  // An empty directory is replaced by the finished export in one rename.
  await rmdir(dir);
}

async function selectExperiments(store: TrackingStore, ids: string[] | undefined): Promise<Experiment[]> {
  if (ids !== undefined && ids.length > 0) return Promise.all(ids.map((id) => store.getExperiment(id)));
  const experiments: Experiment[] = [];
  let pageToken: string | undefined;
  do {
    const page = await store.searchExperiments({ viewType: 'ALL', maxResults: 1000, pageToken });
    experiments.push(...page.experiments);
    pageToken = page.next_page_token;
  } while (pageToken);
  return experiments;
}

function unsafe(what: string, value: string): StoreError {
  return new StoreError(
    'INVALID_PARAMETER_VALUE',
    `cannot export ${what} ${JSON.stringify(value)}: as a file name it would leave its folder`,
    {
      hint: 'rename or delete it in the store (MLflow refuses such names when they are logged), then export again',
    },
  );
}

/** `key` (with `/` for nested folders) under `folder`, refusing anything that escapes it. */
function keyPath(folder: string, key: string, what: string): string {
  if (!isSafeRelativeKey(key)) throw unsafe(what, key);
  return join(folder, ...key.split('/'));
}

async function writeText(file: string, text: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, text, 'utf8');
}

function yamlText(value: Record<string, unknown>): string {
  return stringify(value, { sortMapEntries: true, lineWidth: 0 });
}

async function writeExperiment(
  options: ExportRunsOptions,
  experiment: Experiment,
  temp: string,
  finalDir: string,
  result: ExportRunsResult,
): Promise<void> {
  const id = experiment.experiment_id;
  if (!EXPERIMENT_FOLDER.test(id)) throw unsafe('experiment id', id);
  const deleted = experiment.lifecycle_stage === 'deleted';
  const expDir = deleted ? join(temp, TRASH_FOLDER, id) : join(temp, id);
  // MLflow's FileStore records artifact locations as absolute paths under its root; a deleted
  // experiment keeps the location it had before it moved into .trash.
  const artifactLocation = join(finalDir, id);
  await mkdir(expDir, { recursive: true });
  await writeText(
    join(expDir, META_FILE),
    yamlText({
      artifact_location: artifactLocation,
      creation_time: experiment.creation_time,
      experiment_id: id,
      last_update_time: experiment.last_update_time,
      lifecycle_stage: experiment.lifecycle_stage,
      name: experiment.name,
    }),
  );
  for (const tag of experiment.tags) {
    await writeText(keyPath(join(expDir, TAGS_FOLDER), tag.key, 'experiment tag'), tag.value);
  }
  let pageToken: string | undefined;
  do {
    const page = await options.store.searchRuns({
      experimentIds: [id],
      runViewType: 'ALL',
      maxResults: 1000,
      orderBy: ['attributes.start_time ASC'],
      pageToken,
    });
    for (const run of page.runs) {
      await writeRun(options, run, expDir, artifactLocation, result);
      result.runs += 1;
    }
    pageToken = page.next_page_token;
  } while (pageToken);
}

async function writeRun(
  options: ExportRunsOptions,
  run: Run,
  expDir: string,
  artifactLocation: string,
  result: ExportRunsResult,
): Promise<void> {
  const info = run.info;
  if (!RUN_FOLDER.test(info.run_id)) throw unsafe('run id', info.run_id);
  const runDir = join(expDir, info.run_id);
  await mkdir(runDir);
  const meta: Record<string, unknown> = {
    artifact_uri: join(artifactLocation, info.run_id, ARTIFACTS_FOLDER),
    end_time: info.end_time ?? null,
    entry_point_name: '',
    experiment_id: info.experiment_id,
    lifecycle_stage: info.lifecycle_stage,
    run_id: info.run_id,
    run_name: info.run_name,
    run_uuid: info.run_id,
    source_name: '',
    source_type: SOURCE_TYPE_LOCAL,
    source_version: '',
    start_time: info.start_time,
    status: statusCode(info.status),
    tags: [],
    user_id: info.user_id,
  };
  // FileStore.create_run writes deleted_time: null; the store does not say when a deleted run
  // was deleted, and MLflow's gc reads a missing deleted_time as "long ago", never a null one.
  if (info.lifecycle_stage === 'active') meta.deleted_time = null;
  await writeText(join(runDir, META_FILE), yamlText(meta));
  await mkdir(join(runDir, METRICS_FOLDER));
  await mkdir(join(runDir, PARAMS_FOLDER));
  await mkdir(join(runDir, TAGS_FOLDER));
  for (const latest of run.data.metrics) {
    const file = keyPath(join(runDir, METRICS_FOLDER), latest.key, 'metric key');
    const history = await options.store.getMetricHistory(info.run_id, latest.key);
    const lines = history.map((m) => `${m.timestamp} ${formatMetricValue(m.value)} ${m.step}\n`);
    await writeText(file, lines.join(''));
    result.metricPoints += history.length;
  }
  for (const param of run.data.params) {
    await writeText(keyPath(join(runDir, PARAMS_FOLDER), param.key, 'param key'), param.value);
  }
  for (const tag of run.data.tags) {
    await writeText(keyPath(join(runDir, TAGS_FOLDER), tag.key, 'tag key'), tag.value);
  }
  for (const input of run.inputs?.dataset_inputs ?? []) {
    const dataset = input.dataset;
    const datasetId = datasetFolderId(dataset.name, dataset.digest);
    const datasetMeta: Record<string, unknown> = {
      digest: dataset.digest,
      name: dataset.name,
      source: dataset.source,
      source_type: dataset.source_type,
    };
    if (dataset.schema !== undefined) datasetMeta.schema = dataset.schema;
    if (dataset.profile !== undefined) datasetMeta.profile = dataset.profile;
    await writeText(join(expDir, DATASETS_FOLDER, datasetId, META_FILE), yamlText(datasetMeta));
    await writeText(
      join(runDir, INPUTS_FOLDER, inputFolderId(datasetId, info.run_id), META_FILE),
      yamlText({
        destination_id: info.run_id,
        destination_type: 'RUN',
        source_id: datasetId,
        source_type: 'DATASET',
        tags: Object.fromEntries(input.tags.map((t) => [t.key, t.value])),
      }),
    );
  }
  const target = join(runDir, ARTIFACTS_FOLDER);
  await mkdir(target);
  if (options.artifacts === false) return;
  if (isLocalArtifactUri(info.artifact_uri)) {
    result.artifactFiles += await copyTree(localPathFromArtifactUri(info.artifact_uri), target);
    return;
  }
  // mlflow-artifacts: (a tracking server's proxy, ours or MLflow's): downloaded through it.
  let repository;
  try {
    repository = artifactRepositoryForUri(info.artifact_uri, { trackingUri: options.store.uri });
  } catch (error) {
    throw new StoreError(
      'INVALID_PARAMETER_VALUE',
      `cannot export the artifacts of run ${info.run_id}: ${(error as Error).message}`,
      { cause: error, hint: 'export with --no-artifacts to leave them out' },
    );
  }
  await repository.downloadArtifacts('', target);
  result.artifactFiles += await countFiles(target);
}

async function countFiles(dir: string): Promise<number> {
  let count = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) count += await countFiles(join(dir, entry.name));
    else if (entry.isFile()) count += 1;
  }
  return count;
}

/**
 * Copies the files below `source` into `target` (which exists); returns how many. A missing
 * source is a run without artifacts. Symbolic links are refused: following one could copy files
 * from anywhere on the machine into the export.
 */
export async function copyTree(source: string, target: string): Promise<number> {
  let entries;
  try {
    entries = await readdir(source, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
  let count = 0;
  for (const entry of entries) {
    const from = join(source, entry.name);
    const to = join(target, entry.name);
    const stat = await lstat(from);
    if (stat.isSymbolicLink()) {
      throw new StoreError(
        'INVALID_PARAMETER_VALUE',
        `${from} is a symbolic link; artifacts are copied only as files`,
        {
          hint: 'replace the link with the file it points to, or remove it',
        },
      );
    }
    if (stat.isDirectory()) {
      await mkdir(to);
      count += await copyTree(from, to);
    } else if (stat.isFile()) {
      await copyFile(from, to);
      count += 1;
    }
  }
  return count;
}
