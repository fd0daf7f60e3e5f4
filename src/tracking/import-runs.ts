/**
 * `recipe runs import DIR`: reads a directory in MLflow's file-store layout (written by `recipe
 * runs export` or by MLflow's own FileStore, see mlflow-file-layout.ts) into the current store.
 *
 * - Everything is read and checked before anything is written; a bad file is reported with its
 *   path, line and field and a hint.
 * - Experiments are matched by name (created when missing); runs keep their ids. A run whose id
 *   is already taken by the same run (same experiment, info, params, tags, metric histories and
 *   inputs) is skipped, so importing twice changes nothing; one taken by a different run is an
 *   error unless `newIds`, which gives the imported run a fresh id (and points its children's
 *   `mlflow.parentRunId` at it).
 * - Each run is atomic: its artifacts are copied under a temporary name and renamed into place,
 *   then the run is written in one transaction (TrackingStore.importRun); if that fails, the
 *   artifacts are removed again. A failure never leaves half a run.
 */
import { randomUUID } from 'node:crypto';
import { lstat, mkdir, readdir, readFile, rm, rmdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { isMap, isScalar, LineCounter, parseDocument } from 'yaml';
import { replaceAtomicallyAsync } from '../atomic-write.js';
import { ConfigError, type ConfigIssue, StoreError, UsageError } from '../errors.js';
import { localPathFromArtifactUri } from './artifact-repo.js';
import { copyTree } from './export-runs.js';
import {
  ARTIFACTS_FOLDER,
  DATASETS_FOLDER,
  EXPERIMENT_FOLDER,
  INPUTS_FOLDER,
  META_FILE,
  METRICS_FOLDER,
  MODELS_FOLDER,
  PARAMS_FOLDER,
  parseMetricValue,
  RUN_FOLDER,
  statusFromFile,
  TAGS_FOLDER,
  TRASH_FOLDER,
} from './mlflow-file-layout.js';
import { MLFLOW_INFINITY_VALUE } from './mlflow-schema.js';
import {
  type Dataset,
  type DatasetInput,
  type Experiment,
  type ImportedRun,
  type LifecycleStage,
  type Metric,
  type Run,
  TAGS,
  type Tag,
  type TrackingStore,
} from './types.js';
import { validateDatasetInputs, validateEntityKey, validateParam, validateTag } from './validation.js';

/** One experiment of the source directory, fully read. */
export interface SourceExperiment {
  /** Its folder, e.g. `<DIR>/3` or `<DIR>/.trash/3`. */
  dir: string;
  experimentId: string;
  name: string;
  lifecycleStage: LifecycleStage;
  tags: Tag[];
  runs: SourceRun[];
}

export interface SourceRun {
  dir: string;
  /** The run as read; `info.artifact_uri` is the one recorded in its meta.yaml. */
  run: ImportedRun;
  /** Where its artifacts are on this machine, when it has any. */
  artifactsDir?: string;
}

const HINT_LAYOUT =
  'DIR must be an MLflow file store (written by `recipe runs export --format mlflow` or MLflow’s FileStore): <DIR>/<experiment_id>/meta.yaml, <DIR>/<experiment_id>/<run_id>/meta.yaml, …';

function issue(file: string, path: string, message: string, hint: string, line = 0): ConfigError {
  const one: ConfigIssue = { file, line, column: 0, path, message, hint };
  return new ConfigError([one]);
}

/** The directory entries of `dir`, refusing symbolic links (they could lead anywhere). */
async function entriesOf(dir: string): Promise<{ name: string; isDir: boolean }[]> {
  const out: { name: string; isDir: boolean }[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.isSymbolicLink()) {
      throw issue(
        join(dir, entry.name),
        '',
        'is a symbolic link; an import reads only plain files and folders',
        'replace the link with what it points to, or remove it',
      );
    }
    if (entry.isDirectory() || entry.isFile()) out.push({ name: entry.name, isDir: entry.isDirectory() });
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    const stat = await lstat(path);
    if (stat.isSymbolicLink()) {
      throw issue(
        path,
        '',
        'is a symbolic link; an import reads only plain files and folders',
        'replace the link with what it points to',
      );
    }
    return stat.isDirectory();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

/** Every file below `folder` as [key with `/` separators, absolute path]; none when it is missing. */
async function keyedFiles(folder: string, prefix = ''): Promise<[string, string][]> {
  if (!(await isDirectory(folder))) return [];
  const out: [string, string][] = [];
  for (const entry of await entriesOf(folder)) {
    const key = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDir) out.push(...(await keyedFiles(join(folder, entry.name), key)));
    else out.push([key, join(folder, entry.name)]);
  }
  return out;
}

interface YamlMap {
  file: string;
  value: Record<string, unknown>;
  line(field: string): number;
}

async function readYamlMap(file: string): Promise<YamlMap> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw issue(file, '', `cannot read: ${(error as Error).message}`, HINT_LAYOUT);
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) {
    const first = doc.errors[0];
    throw issue(
      file,
      '',
      `YAML syntax error: ${first.message.split('\n')[0]}`,
      'fix or regenerate the file',
      lineCounter.linePos(first.pos[0]).line,
    );
  }
  if (!isMap(doc.contents)) {
    throw issue(file, '', 'is not a YAML mapping', HINT_LAYOUT, 1);
  }
  const contents = doc.contents;
  return {
    file,
    value: doc.toJS() as Record<string, unknown>,
    line(field: string) {
      for (const pair of contents.items) {
        if (isScalar(pair.key) && pair.key.value === field && pair.key.range) {
          return lineCounter.linePos(pair.key.range[0]).line;
        }
      }
      return 0;
    },
  };
}

function field(meta: YamlMap, name: string, hint = HINT_LAYOUT): ConfigError {
  return issue(
    meta.file,
    name,
    `missing or invalid (got ${JSON.stringify(meta.value[name])})`,
    hint,
    meta.line(name),
  );
}

function stringField(meta: YamlMap, name: string): string {
  const value = meta.value[name];
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  throw field(meta, name);
}

function optionalString(meta: YamlMap, name: string): string | undefined {
  const value = meta.value[name];
  return value === undefined || value === null ? undefined : stringField(meta, name);
}

function timeField(meta: YamlMap, name: string, optional: boolean): number | undefined {
  const value = meta.value[name];
  if ((value === undefined || value === null) && optional) return undefined;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  throw field(meta, name, 'times are integers, milliseconds since 1970');
}

function lifecycleField(meta: YamlMap): LifecycleStage {
  const value = meta.value.lifecycle_stage ?? 'active';
  if (value === 'active' || value === 'deleted') return value;
  throw field(meta, 'lifecycle_stage', 'lifecycle_stage is active or deleted');
}

/** A StoreError from the store's own validation, reported against the file it came from. */
function checked<T>(file: string, path: string, check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof StoreError)
      throw issue(file, path, error.message, error.hint ?? 'fix or remove the file');
    throw error;
  }
}

/** Reads and checks a whole MLflow file-store directory; writes nothing. */
export async function readMlflowFileStore(dir: string): Promise<SourceExperiment[]> {
  const root = resolve(dir);
  if (!(await isDirectory(root))) {
    throw new UsageError(`${root} is not a directory`, {
      hint: 'give the folder an export wrote (e.g. ./mlruns)',
    });
  }
  const folders: { dir: string; id: string }[] = [];
  for (const entry of await entriesOf(root)) {
    if (entry.isDir && EXPERIMENT_FOLDER.test(entry.name))
      folders.push({ dir: join(root, entry.name), id: entry.name });
  }
  const trash = join(root, TRASH_FOLDER);
  if (await isDirectory(trash)) {
    for (const entry of await entriesOf(trash)) {
      if (entry.isDir && EXPERIMENT_FOLDER.test(entry.name))
        folders.push({ dir: join(trash, entry.name), id: entry.name });
    }
  }
  if (folders.length === 0) {
    const nested = (await isDirectory(join(root, 'mlruns')))
      ? ` (did you mean ${join(root, 'mlruns')}?)`
      : '';
    throw new UsageError(`${root} holds no experiment folders${nested}`, { hint: HINT_LAYOUT });
  }
  const experiments: SourceExperiment[] = [];
  const seenRuns = new Map<string, string>();
  for (const folder of folders) {
    const experiment = await readExperiment(folder.dir, folder.id);
    for (const run of experiment.runs) {
      const other = seenRuns.get(run.run.info.run_id);
      if (other !== undefined) {
        throw issue(
          run.dir,
          '',
          `run id ${run.run.info.run_id} appears twice (also in ${other})`,
          'remove one of the copies',
        );
      }
      seenRuns.set(run.run.info.run_id, run.dir);
    }
    experiments.push(experiment);
  }
  return experiments;
}

async function readExperiment(dir: string, folderId: string): Promise<SourceExperiment> {
  const meta = await readYamlMap(join(dir, META_FILE));
  const experimentId = stringField(meta, 'experiment_id');
  if (experimentId !== folderId) {
    throw issue(
      meta.file,
      'experiment_id',
      `is ${experimentId} but the folder is ${folderId}`,
      'the folder name and experiment_id must agree',
      meta.line('experiment_id'),
    );
  }
  const name = stringField(meta, 'name');
  const tags: Tag[] = [];
  for (const [key, file] of await keyedFiles(join(dir, TAGS_FOLDER))) {
    const tag = { key, value: await readFile(file, 'utf8') };
    checked(file, key, () => validateTag(tag));
    tags.push(tag);
  }
  const datasets = new Map<string, Dataset>();
  const datasetsDir = join(dir, DATASETS_FOLDER);
  if (await isDirectory(datasetsDir)) {
    for (const entry of await entriesOf(datasetsDir)) {
      if (!entry.isDir) continue;
      const dmeta = await readYamlMap(join(datasetsDir, entry.name, META_FILE));
      const dataset: Dataset = {
        name: stringField(dmeta, 'name'),
        digest: stringField(dmeta, 'digest'),
        source_type: stringField(dmeta, 'source_type'),
        source: stringField(dmeta, 'source'),
      };
      const schema = optionalString(dmeta, 'schema');
      const profile = optionalString(dmeta, 'profile');
      if (schema !== undefined) dataset.schema = schema;
      if (profile !== undefined) dataset.profile = profile;
      datasets.set(entry.name, dataset);
    }
  }
  const runs: SourceRun[] = [];
  for (const entry of await entriesOf(dir)) {
    if (
      !entry.isDir ||
      entry.name === TAGS_FOLDER ||
      entry.name === DATASETS_FOLDER ||
      entry.name === MODELS_FOLDER
    )
      continue;
    if (!RUN_FOLDER.test(entry.name)) continue;
    const runDir = join(dir, entry.name);
    // MLflow ignores folders without a meta.yaml (e.g. a run folder left half-created).
    try {
      await lstat(join(runDir, META_FILE));
    } catch {
      continue;
    }
    runs.push(await readRun(runDir, entry.name, experimentId, datasets));
  }
  return { dir, experimentId, name, lifecycleStage: lifecycleField(meta), tags, runs };
}

async function readRun(
  dir: string,
  folderId: string,
  experimentId: string,
  datasets: Map<string, Dataset>,
): Promise<SourceRun> {
  const meta = await readYamlMap(join(dir, META_FILE));
  const runId = stringField(meta, 'run_id' in meta.value ? 'run_id' : 'run_uuid');
  if (runId !== folderId) {
    throw issue(
      meta.file,
      'run_id',
      `is ${runId} but the folder is ${folderId}`,
      'the folder name and run_id must agree',
      meta.line('run_id'),
    );
  }
  const metaExperiment = stringField(meta, 'experiment_id');
  if (metaExperiment !== experimentId) {
    throw issue(
      meta.file,
      'experiment_id',
      `is ${metaExperiment} but the run lies in experiment ${experimentId}`,
      'move the run folder or fix experiment_id',
      meta.line('experiment_id'),
    );
  }
  const status = statusFromFile(meta.value.status);
  if (status === undefined)
    throw field(meta, 'status', 'status is 1 RUNNING, 2 SCHEDULED, 3 FINISHED, 4 FAILED or 5 KILLED');
  const tags: Tag[] = [];
  for (const [key, file] of await keyedFiles(join(dir, TAGS_FOLDER))) {
    const tag = { key, value: await readFile(file, 'utf8') };
    checked(file, key, () => validateTag(tag));
    tags.push(tag);
  }
  const params = [];
  for (const [key, file] of await keyedFiles(join(dir, PARAMS_FOLDER))) {
    const param = { key, value: await readFile(file, 'utf8') };
    checked(file, key, () => validateParam(param));
    params.push(param);
  }
  const metrics: Metric[] = [];
  for (const [key, file] of await keyedFiles(join(dir, METRICS_FOLDER))) {
    checked(file, key, () => validateEntityKey('metric', key));
    metrics.push(...parseMetricFile(await readFile(file, 'utf8'), key, file));
  }
  const inputs: DatasetInput[] = [];
  const inputsDir = join(dir, INPUTS_FOLDER);
  if (await isDirectory(inputsDir)) {
    for (const entry of await entriesOf(inputsDir)) {
      if (!entry.isDir) continue;
      const imeta = await readYamlMap(join(inputsDir, entry.name, META_FILE));
      const sourceId = stringField(imeta, 'source_id');
      const dataset = datasets.get(sourceId);
      if (dataset === undefined) {
        throw issue(
          imeta.file,
          'source_id',
          `names dataset ${sourceId}, which the experiment's datasets/ folder lacks`,
          'copy the dataset folder along, or remove this input',
          imeta.line('source_id'),
        );
      }
      const rawTags = imeta.value.tags ?? {};
      if (typeof rawTags !== 'object' || rawTags === null || Array.isArray(rawTags))
        throw field(imeta, 'tags');
      inputs.push({
        dataset,
        tags: Object.entries(rawTags).map(([key, value]) => ({ key, value: String(value) })),
      });
    }
  }
  checked(inputsDir, '', () => validateDatasetInputs(inputs));
  const runNameTag = tags.find((t) => t.key === TAGS.runName)?.value;
  const run: ImportedRun = {
    info: {
      run_id: runId,
      // Files from before MLflow 1.29 have no run_name; the tag holds it.
      run_name: optionalString(meta, 'run_name') ?? runNameTag ?? '',
      experiment_id: experimentId,
      user_id: optionalString(meta, 'user_id') ?? '',
      status,
      start_time: timeField(meta, 'start_time', false) as number,
      artifact_uri: optionalString(meta, 'artifact_uri') ?? '',
      lifecycle_stage: lifecycleField(meta),
    },
    metrics,
    params,
    tags,
    inputs,
  };
  const endTime = timeField(meta, 'end_time', true);
  if (endTime !== undefined) run.info.end_time = endTime;
  const deletedTime = timeField(meta, 'deleted_time', true);
  if (deletedTime !== undefined) run.deletedTime = deletedTime;
  return { dir, run, artifactsDir: await findArtifacts(dir, run.info.artifact_uri) };
}

/**
 * The run's artifacts: its own artifacts/ folder (where FileStore keeps them by default, and what
 * moves with the directory), else the local path its artifact_uri names, when that exists.
 */
async function findArtifacts(runDir: string, artifactUri: string): Promise<string | undefined> {
  const own = join(runDir, ARTIFACTS_FOLDER);
  let found: string | undefined;
  if (await isDirectory(own)) found = own;
  else if (artifactUri !== '') {
    try {
      const path = localPathFromArtifactUri(artifactUri);
      if (await isDirectory(path)) found = path;
    } catch {
      // s3:, mlflow-artifacts: … — not on this machine, so nothing to copy.
    }
  }
  // Walked now, so a symbolic link among the artifacts stops the import before anything is written.
  if (found !== undefined) await keyedFiles(found);
  return found;
}

/** "timestamp value [step]" per line (FileStore._get_metric_from_line); errors name the line. */
export function parseMetricFile(text: string, key: string, file: string): Metric[] {
  const out: Metric[] = [];
  const lines = text.split('\n');
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    const parts = line.trim().split(' ');
    const timestamp = Number(parts[0]);
    const value = parseMetricValue(parts[1] ?? '');
    const step = parts.length === 3 ? Number(parts[2]) : 0;
    if (
      (parts.length !== 2 && parts.length !== 3) ||
      !/^-?\d+$/.test(parts[0]) ||
      !Number.isSafeInteger(timestamp) ||
      value === undefined ||
      (parts.length === 3 && !/^-?\d+$/.test(parts[2])) ||
      !Number.isSafeInteger(step)
    ) {
      throw issue(
        file,
        key,
        `malformed metric line ${JSON.stringify(line)}`,
        'each line is "<timestamp ms> <value> <step>", e.g. "1700000000000 0.25 3"',
        index + 1,
      );
    }
    out.push({ key, value, timestamp, step });
  });
  return out;
}

// ---- writing into the store -------------------------------------------------------------------

export interface ImportRunsOptions {
  store: TrackingStore;
  dir: string;
  /** Give a run a fresh id when its id is taken by a different run (default: refuse). */
  newIds?: boolean;
}

export interface ImportedRunReport {
  source_run_id: string;
  run_id: string;
  experiment_id: string;
  /** imported: written with its own id; renamed: written under a new id; unchanged: already there. */
  outcome: 'imported' | 'renamed' | 'unchanged';
  artifact_files: number;
}

export interface ImportRunsResult {
  experiments: { source_experiment_id: string; name: string; experiment_id: string; created: boolean }[];
  runs: ImportedRunReport[];
}

export async function importRuns(options: ImportRunsOptions): Promise<ImportRunsResult> {
  const { store } = options;
  const importRun = store.importRun?.bind(store);
  if (importRun === undefined) {
    throw new UsageError(
      `${store.uri} cannot import runs with their ids (MLflow's REST API has no such call)`,
      {
        hint: 'import into the server’s own database: recipe --tracking-uri sqlite:///… (or postgresql://…) runs import DIR',
      },
    );
  }
  const source = await readMlflowFileStore(options.dir);

  // Decide every run's fate before writing anything, so a collision stops the import up front.
  const targets = new Map<string, Experiment | null>();
  for (const experiment of source) {
    if (!targets.has(experiment.name))
      targets.set(experiment.name, await store.getExperimentByName(experiment.name));
  }
  const plans: { experiment: SourceExperiment; run: SourceRun; existing?: Run }[] = [];
  const collisions = new Map<string, string>();
  for (const experiment of source) {
    for (const run of experiment.runs) {
      const existing = await findRun(store, run.run.info.run_id);
      plans.push({ experiment, run, existing });
      const target = targets.get(experiment.name);
      if (
        existing !== undefined &&
        !(target && (await sameRun(store, existing, run.run, target.experiment_id)))
      ) {
        collisions.set(run.run.info.run_id, run.dir);
      }
    }
  }
  if (collisions.size > 0 && !options.newIds) {
    const shown = [...collisions].slice(0, 5).map(([id, dir]) => `${id} (${dir})`);
    throw new StoreError(
      'RESOURCE_ALREADY_EXISTS',
      `${collisions.size} run id(s) of the import are taken by different runs in ${store.uri}: ${shown.join(', ')}${collisions.size > 5 ? ', …' : ''}`,
      { hint: 'import them under new ids with --new-ids (children follow their parent’s new id)' },
    );
  }

  const result: ImportRunsResult = { experiments: [], runs: [] };
  const experimentIds = new Map<SourceExperiment, Experiment>();
  for (const experiment of source) {
    let target = targets.get(experiment.name) ?? null;
    const created = target === null;
    if (target === null) {
      const id = await store.createExperiment(experiment.name, undefined, experiment.tags);
      target = await store.getExperiment(id);
      targets.set(experiment.name, target);
    } else if (target.lifecycle_stage === 'active') {
      const have = new Map(target.tags.map((t) => [t.key, t.value]));
      for (const tag of experiment.tags) {
        if (have.get(tag.key) !== tag.value) await store.setExperimentTag(target.experiment_id, tag);
      }
    }
    experimentIds.set(experiment, target);
    result.experiments.push({
      source_experiment_id: experiment.experimentId,
      name: experiment.name,
      experiment_id: target.experiment_id,
      created,
    });
  }

  // New ids first, so parent links can follow them whatever order the runs are written in.
  const renamed = new Map<string, string>();
  for (const id of collisions.keys()) renamed.set(id, randomUUID().replaceAll('-', ''));
  for (const plan of plans) {
    const sourceId = plan.run.run.info.run_id;
    const target = experimentIds.get(plan.experiment) as Experiment;
    if (plan.existing !== undefined && !renamed.has(sourceId)) {
      result.runs.push({
        source_run_id: sourceId,
        run_id: sourceId,
        experiment_id: target.experiment_id,
        outcome: 'unchanged',
        artifact_files: 0,
      });
      continue;
    }
    const runId = renamed.get(sourceId) ?? sourceId;
    const artifactUri = [target.artifact_location.replace(/\/+$/, ''), runId, ARTIFACTS_FOLDER].join('/');
    const tags = plan.run.run.tags.map((tag) =>
      tag.key === TAGS.parentRunId && renamed.has(tag.value)
        ? { key: tag.key, value: renamed.get(tag.value) as string }
        : tag,
    );
    const run: ImportedRun = {
      ...plan.run.run,
      info: {
        ...plan.run.run.info,
        run_id: runId,
        experiment_id: target.experiment_id,
        artifact_uri: artifactUri,
      },
      tags,
    };
    const artifactFiles = await placeArtifacts(plan.run, artifactUri, () => importRun(run));
    result.runs.push({
      source_run_id: sourceId,
      run_id: runId,
      experiment_id: target.experiment_id,
      outcome: runId === sourceId ? 'imported' : 'renamed',
      artifact_files: artifactFiles,
    });
  }

  // A deleted experiment comes back deleted, once its runs are in.
  for (const experiment of source) {
    const target = experimentIds.get(experiment) as Experiment;
    const created = result.experiments.find(
      (e) => e.source_experiment_id === experiment.experimentId,
    )?.created;
    if (experiment.lifecycleStage === 'deleted' && created)
      await store.deleteExperiment(target.experiment_id);
  }
  return result;
}

async function findRun(store: TrackingStore, runId: string): Promise<Run | undefined> {
  try {
    return await store.getRun(runId);
  } catch (error) {
    if (error instanceof StoreError && error.mlflowErrorCode === 'RESOURCE_DOES_NOT_EXIST') return undefined;
    throw error;
  }
}

/**
 * Copies the run's artifacts to where the store will record them (under a temporary name, then
 * one rename), then runs `write`; if `write` fails, the copied artifacts go again. Returns the
 * number of files copied.
 */
async function placeArtifacts(
  source: SourceRun,
  artifactUri: string,
  write: () => Promise<void>,
): Promise<number> {
  if (source.artifactsDir === undefined || (await keyedFiles(source.artifactsDir)).length === 0) {
    await write();
    return 0;
  }
  let target: string;
  try {
    target = localPathFromArtifactUri(artifactUri);
  } catch (error) {
    throw new StoreError(
      'INVALID_PARAMETER_VALUE',
      `cannot import the artifacts of run ${source.run.info.run_id}: ${(error as Error).message}`,
      {
        cause: error,
        hint: 'import into a store whose experiments keep artifacts on this machine',
      },
    );
  }
  if (await isDirectory(target)) {
    if ((await readdir(target)).length > 0) {
      throw issue(
        source.dir,
        '',
        `the store already holds artifacts at ${target}, which belong to no run`,
        `move ${target} away, or import with --new-ids`,
      );
    }
    await rmdir(target);
  }
  await mkdir(dirname(target), { recursive: true });
  const from = source.artifactsDir;
  const count = await replaceAtomicallyAsync(target, async (temp) => {
    await mkdir(temp);
    return copyTree(from, temp);
  });
  try {
    await write();
  } catch (error) {
    await rm(target, { recursive: true, force: true });
    // The run's folder (<location>/<run_id>) was made for these artifacts alone.
    await rmdir(dirname(target)).catch(() => undefined);
    throw error;
  }
  return count;
}

// ---- "is this the same run?" ------------------------------------------------------------------

/** ±Infinity as the SQL stores keep it, NaN spelled out: metric points that compare as stored. */
function canonicalMetric(m: Metric): string {
  let value: string;
  if (Number.isNaN(m.value)) value = 'nan';
  else if (m.value === Number.POSITIVE_INFINITY || m.value >= MLFLOW_INFINITY_VALUE) value = 'inf';
  else if (m.value === Number.NEGATIVE_INFINITY || m.value <= -MLFLOW_INFINITY_VALUE) value = '-inf';
  else value = String(m.value);
  return JSON.stringify([m.key, m.step, m.timestamp, value]);
}

function sortedStrings(items: string[]): string[] {
  return [...new Set(items)].sort();
}

function pairs(items: Tag[]): string[] {
  return sortedStrings(items.map((t) => JSON.stringify([t.key, t.value])));
}

function inputKeys(inputs: DatasetInput[]): string[] {
  return sortedStrings(
    inputs.map((i) =>
      JSON.stringify([
        i.dataset.name,
        i.dataset.digest,
        i.dataset.source,
        i.dataset.source_type,
        i.dataset.schema ?? null,
        i.dataset.profile ?? null,
        pairs(i.tags),
      ]),
    ),
  );
}

/** True when `existing` already holds everything `incoming` would write (artifacts aside). */
async function sameRun(
  store: TrackingStore,
  existing: Run,
  incoming: ImportedRun,
  experimentId: string,
): Promise<boolean> {
  const a = existing.info;
  const b = incoming.info;
  if (
    a.experiment_id !== experimentId ||
    a.status !== b.status ||
    a.start_time !== b.start_time ||
    (a.end_time ?? null) !== (b.end_time ?? null) ||
    a.lifecycle_stage !== b.lifecycle_stage ||
    a.user_id !== b.user_id
  ) {
    return false;
  }
  if (JSON.stringify(pairs(existing.data.params)) !== JSON.stringify(pairs(incoming.params))) return false;
  if (JSON.stringify(pairs(existing.data.tags)) !== JSON.stringify(pairs(incoming.tags))) return false;
  if (
    JSON.stringify(inputKeys(existing.inputs?.dataset_inputs ?? [])) !==
    JSON.stringify(inputKeys(incoming.inputs))
  )
    return false;
  const history: Metric[] = [];
  for (const key of sortedStrings(existing.data.metrics.map((m) => m.key))) {
    history.push(...(await store.getMetricHistory(existing.info.run_id, key)));
  }
  return (
    JSON.stringify(sortedStrings(history.map(canonicalMetric))) ===
    JSON.stringify(sortedStrings(incoming.metrics.map(canonicalMetric)))
  );
}
