/**
 * The ingest step (and, with another kind, ingest_scoring): reads the recipe's data into one
 * Arrow IPC dataset, `dataset.arrow`, with inferred column types and a profile on the card.
 *
 * Config (MLflow Recipes' names): `using: csv | parquet | json | arrow | custom`, `location` (a
 * path, a list of paths or a glob, relative to the recipe directory), `loader_method` (for
 * custom, and for csv/json/arrow as MLflow calls it for any format but parquet: a function in
 * `steps/ingest.py` or exported by `steps/ingest.ts`), `skip_data_profiling`.
 *
 * A custom loader is called as MLflow calls `load_file_as_dataframe(file_path, file_format)`: once
 * per resolved file, with the file's absolute path and its extension as the format; the parts are
 * stacked. Without a `location` it is called once with an empty path and the format `custom`. It
 * returns a Frame or an array of row objects (types are then inferred from the values).
 */
import { statSync, writeFileSync } from 'node:fs';
import { extname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  concatDatasets,
  type Dataset,
  datasetFromRecords,
  escapeHtml,
  isBuiltinFormat,
  profileFrame,
  profileHtml,
  readDataset,
  typesOfFrame,
  writeFrameArrowFile,
} from '../data/index.js';
import { DataError, isMlrecipeError } from '../errors.js';
import { inferInputSchema, schemaToJson } from '../models/signature.js';
import type { Frame } from '../ml/types.js';
import { ingestCodeFiles, resolveIngestFiles } from './ingest-files.js';
import { rowProgress } from './row-progress.js';
import { loadUserFunction } from './user-module.js';
import type { Step, StepContext, StepKind, StepResult } from './types.js';
import type { IngestConfig } from './recipe-config.js';

/** Declared once, in schema/recipe.schema.json. */
export type { IngestConfig };

/** The output file every ingest step writes into its outDir. */
export const INGEST_DATASET_FILE = 'dataset.arrow';

export { resolveIngestFiles };

/**
 * The dataset as MLflow's `log_inputs` records it (name, digest, source, schema, profile), written
 * next to the data so that the recorder logs it for the run — cached or not — as the run's input.
 */
export const INGEST_DATASET_INFO_FILE = 'dataset.json';

/** The longest dataset name MLflow's `datasets.name` column holds. */
const MAX_DATASET_NAME = 500;

/** Signature of a custom loader in `steps/ingest.ts`. */
export type LoaderFunction = (location: string, format: string) => unknown;

/** Loads the `loader_method` function; replaceable in tests. */
export type LoaderResolver = (options: {
  recipeDir: string;
  name: string;
  /** The recipe's `python:` setting, for a loader in steps/ingest.py. */
  python?: unknown;
}) => Promise<LoaderFunction>;

// MLflow's template declares `load_file_as_dataframe(location)` while MLflow 2.x calls it with
// (file_path, file_format): a Python loader gets as many of the two as it declares.
const defaultLoaderResolver: LoaderResolver = ({ recipeDir, name, python }) =>
  loadUserFunction<LoaderFunction>({ recipeDir, step: 'ingest', name, python, fitArity: true });

/**
 * Reads the dataset an ingest config describes, with inferred column types. Batch scoring calls
 * this too, so both read data the same way.
 */
export async function loadIngestDataset(options: {
  config: IngestConfig;
  recipeDir: string;
  kind?: StepKind;
  loaderResolver?: LoaderResolver;
  /** The recipe's `python:` setting (from the profile). */
  python?: unknown;
  /** Rows read so far (CSV files read by mlrecipe itself). */
  onProgress?(rows: number, pass: 1 | 2): void;
}): Promise<{ dataset: Dataset; files: string[] }> {
  const { config, recipeDir } = options;
  const kind = options.kind ?? 'ingest';
  const files = resolveIngestFiles(config, recipeDir, kind);
  // resolveIngestFiles refused anything else (`using: project` is run by a wrapper before this).
  // MLflow Recipes 2.x reads only parquet (and Spark's formats) itself: any other `using` with a
  // `loader_method` calls the loader with that format name (`using: csv` → "csv"). mlrecipe reads
  // csv, json and arrow itself only when no loader is named. (parquet + loader_method is refused
  // by validation: MLflow would not call the loader.)
  if (isBuiltinFormat(config.using) && config.loader_method === undefined) {
    return {
      dataset: await readDataset({
        format: config.using,
        files,
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      }),
      files,
    };
  }
  const resolver = options.loaderResolver ?? defaultLoaderResolver;
  const loader = await resolver({ recipeDir, name: config.loader_method as string, python: options.python });
  const calls =
    files.length > 0
      ? files.map((f) => ({
          path: f,
          // `using: custom`: the file's extension (MLflow passes "custom"; docs/migrating-from-mlflow.md).
          format: config.using === 'custom' ? extname(f).slice(1).toLowerCase() : config.using,
        }))
      : [{ path: '', format: 'custom' }];
  const parts: Dataset[] = [];
  for (const call of calls) {
    const where = `steps/ingest ${config.loader_method}(${JSON.stringify(call.path)}, ${JSON.stringify(call.format)})`;
    let result: unknown;
    try {
      result = await loader(call.path, call.format);
    } catch (error) {
      // Our own errors (a Python exception with its file and line included) say where already.
      if (isMlrecipeError(error)) throw error;
      throw new DataError(`${where} threw: ${(error as Error)?.message ?? String(error)}`, { cause: error });
    }
    parts.push(datasetFromLoaderResult(result, where));
  }
  return {
    dataset: concatDatasets(
      parts,
      calls.map((c) => c.path || 'custom loader'),
    ),
    files,
  };
}

/** Accepts what a loader returned: a Frame, or an array of row objects. */
export function datasetFromLoaderResult(result: unknown, where: string): Dataset {
  if (Array.isArray(result)) return datasetFromRecords(result, where);
  if (isFrame(result)) {
    result.columns.forEach((c) => {
      const ok = c.type === 'number' ? c.values instanceof Float64Array : Array.isArray(c.values);
      if (!ok || c.values.length !== result.nRows) {
        throw new DataError(
          `${where}: column "${c.name}" must hold ${result.nRows} values in a ${c.type === 'number' ? 'Float64Array' : 'array of string|null'}`,
        );
      }
    });
    return { frame: result, columnTypes: typesOfFrame(result) };
  }
  throw new DataError(
    `${where} returned ${result === null ? 'null' : typeof result}, not a Frame or an array of row objects`,
    {
      hint: 'return e.g. [{ "x": 1, "label": "a" }, ...] or { nRows, columns: [{ name, type, values }] }',
    },
  );
}

function isFrame(value: unknown): value is Frame {
  if (value === null || typeof value !== 'object') return false;
  const v = value as { nRows?: unknown; columns?: unknown };
  return typeof v.nRows === 'number' && Array.isArray(v.columns);
}

/** Builds the ingest step for `ingest` or `ingest_scoring`. */
export function makeIngestStep(
  kind: 'ingest' | 'ingest_scoring',
  options: { loaderResolver?: LoaderResolver } = {},
): Step<IngestConfig> {
  // `using: project` is not handled here: the engine's step registry wraps this step with
  // projects/project-step.ts (steps do not import the projects layer above them).
  return {
    kind,
    codeFiles: ingestCodeFiles,
    async inputFiles(cfg, recipeDir) {
      return resolveIngestFiles(cfg, recipeDir, kind);
    },
    async run(cfg, ctx) {
      return runIngest(kind, cfg, ctx, options.loaderResolver);
    },
  };
}

async function runIngest(
  kind: 'ingest' | 'ingest_scoring',
  cfg: IngestConfig,
  ctx: StepContext,
  loaderResolver?: LoaderResolver,
): Promise<StepResult> {
  const started = performance.now();
  const progress = rowProgress(ctx, 'read');
  const { dataset, files } = await loadIngestDataset({
    config: cfg,
    recipeDir: ctx.recipeDir,
    kind,
    loaderResolver,
    python: ctx.recipe.python,
    onProgress: (rows, pass) =>
      progress.update(rows, pass === 2 ? { phase: '(again, text columns as strings)' } : {}),
  });
  progress.end();
  const { frame, columnTypes } = dataset;
  const readSeconds = (performance.now() - started) / 1000;
  if (frame.columns.length === 0) {
    throw new DataError(
      `steps.${kind}: the data has no columns${files.length > 0 ? ` (${files.map((f) => relative(ctx.recipeDir, f)).join(', ')})` : ''}`,
    );
  }
  const written = await writeFrameArrowFile(join(ctx.outDir, INGEST_DATASET_FILE), frame, { columnTypes });
  const described = describeDataset({
    cfg,
    files,
    frame,
    columnTypes,
    arrowSha256: written.sha256,
    recipeDir: ctx.recipeDir,
  });
  writeFileSync(join(ctx.outDir, INGEST_DATASET_INFO_FILE), `${JSON.stringify(described, null, 2)}\n`);
  ctx.log(
    `read ${frame.nRows} rows × ${frame.columns.length} columns from ${files.length || 1} source${files.length === 1 ? '' : 's'} in ${readSeconds.toFixed(2)}s`,
  );

  const fileInfo = files.map((f) => ({ path: displayDataPath(f, ctx.recipeDir), bytes: statSync(f).size }));
  const types = Object.fromEntries(frame.columns.map((c, j) => [c.name, columnTypes[j]]));
  const profile = cfg.skip_data_profiling ? undefined : profileFrame(frame, columnTypes);
  const summary =
    `<p><b>${frame.nRows}</b> rows × <b>${frame.columns.length}</b> columns, read with <code>${escapeHtml(cfg.using)}</code>` +
    `${cfg.loader_method ? ` (<code>${escapeHtml(cfg.loader_method)}</code>)` : ''} in ${readSeconds.toFixed(2)} s.</p>` +
    (fileInfo.length > 0
      ? `<ul>${fileInfo.map((f) => `<li><code>${escapeHtml(f.path)}</code> (${f.bytes} bytes)</li>`).join('')}</ul>`
      : '');
  const sections = [{ title: 'Summary', html: summary }];
  if (profile) sections.push({ title: 'Data profile', html: profileHtml(profile) });
  else
    sections.push({
      title: 'Columns',
      html: `<ul>${frame.columns.map((c, j) => `<li><code>${escapeHtml(c.name)}</code>: ${columnTypes[j]}</li>`).join('')}</ul>`,
    });
  return {
    outputs: { dataset: INGEST_DATASET_FILE, dataset_info: INGEST_DATASET_INFO_FILE },
    card: {
      step: kind,
      data: {
        rows: frame.nRows,
        columns: frame.columns.length,
        column_types: types,
        using: cfg.using,
        files: fileInfo,
        read_seconds: readSeconds,
        ...(profile ? { profile } : {}),
      },
      sections,
    },
  };
}

/** MLflow's dataset fields for what ingest read (see `mlflow.data`: PandasDataset, its sources). */
export interface IngestedDataset {
  name: string;
  /** First 8 hex digits of the SHA-256 of the dataset's Arrow file (MLflow's digests are 8 long). */
  digest: string;
  /** `local` for files (MLflow's LocalArtifactDatasetSource), `code` for a loader that reads none. */
  source_type: 'local' | 'code';
  /** JSON: `{"uri": …}` for files, `{"tags": {…}}` for code, as MLflow's sources serialise. */
  source: string;
  /** JSON: `{"mlflow_colspec": [...]}`, MLflow's dataset schema. */
  schema: string;
  /** JSON: `{"num_rows": …, "num_elements": …}`, as MLflow's PandasDataset profile. */
  profile: string;
}

function describeDataset(options: {
  cfg: IngestConfig;
  files: string[];
  frame: Frame;
  columnTypes: Parameters<typeof inferInputSchema>[1];
  /** SHA-256 (hex) of `dataset.arrow`, hashed as it was written rather than read back. */
  arrowSha256: string;
  recipeDir: string;
}): IngestedDataset {
  const { cfg, files, frame } = options;
  const digest = options.arrowSha256.slice(0, 8);
  const location = Array.isArray(cfg.location) ? cfg.location.join(', ') : cfg.location;
  // A custom loader reading files still stands on those files: they are the source.
  const fromFiles = files.length > 0;
  const name = (location ?? cfg.loader_method ?? 'dataset').slice(0, MAX_DATASET_NAME);
  const source = fromFiles
    ? {
        uri:
          files.length === 1
            ? pathToFileURL(files[0] as string).href
            : pathToFileURL(resolve(options.recipeDir, String(location))).href,
      }
    : { tags: { 'mlrecipe.loader_method': cfg.loader_method ?? '', 'mlrecipe.location': location ?? '' } };
  const schema = schemaToJson(inferInputSchema(frame, options.columnTypes));
  return {
    name,
    digest,
    source_type: fromFiles ? 'local' : 'code',
    source: JSON.stringify(source),
    schema: `{"mlflow_colspec": ${schema}}`,
    profile: JSON.stringify({ num_rows: frame.nRows, num_elements: frame.nRows * frame.columns.length }),
  };
}

/** Paths inside the recipe directory are shown relative to it; others absolute. */
function displayDataPath(file: string, recipeDir: string): string {
  const rel = relative(recipeDir, file);
  return rel.startsWith('..') ? file : rel;
}

export const ingestStep: Step<IngestConfig> = makeIngestStep('ingest');
