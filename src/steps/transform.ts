/**
 * The transform step: fits the feature transformer on the training split only (the target column
 * excluded) and writes it as `transformer.json`.
 *
 * Config (MLflow Recipes' names): by default the ColumnTransformer (numeric columns
 * median-imputed and standardised, text columns one-hot encoded with unknown categories ignored);
 * or `using: custom` with `transformer_method`, a function exported by `steps/transform.ts` that
 * returns an object with `fit(frame)`, `transform(frame)` (→ FeatureMatrix or a Frame of numeric
 * columns), optionally `featureNames()`, and `toJSON()` + `loadState(state)` so that the fitted
 * transformer can travel inside the model. A method that returns null means the identity
 * transformer (MLflow's semantics): the input columns, which must then be numeric, as features.
 *
 * Only the fitted transformer is written, not transformed copies of the splits: applying it is
 * one linear pass that train repeats in well under the time writing and re-reading three Arrow
 * files would take, and evaluate scores raw rows through the saved model anyway.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { ConfigError, DataError } from '../errors.js';
import { ColumnTransformer } from '../ml/column-transformer.js';
import { encodedWidth, transformEncoded } from '../ml/encoded-matrix.js';
import type { EncodedMatrix, EstimatorState, FeatureMatrix, Frame } from '../ml/types.js';
import { CustomTransformer } from '../models/custom-components.js';
import {
  type ComponentSource,
  dropColumn,
  PassthroughTransformer,
  type PipelineTransformer,
} from '../models/pipeline.js';
import { importUserModule } from '../models/user-code.js';
import { escapeHtml, htmlTable } from './cards.js';
import { transformCodeFiles } from './code-files.js';
import { displayUserFile, findUserModule, loadUserFunction, locateUserFunction } from './user-module.js';
import { inputDir, readSplitDataset, recipeProblem } from './recipe-problem.js';
import type { Step, StepContext, StepResult } from './types.js';
import type { TransformConfig } from './recipe-config.js';

/** Declared once, in schema/recipe.schema.json. */
export type { TransformConfig };

export const TRANSFORMER_FILE = 'transformer.json';

/** `transformer.json`: what train needs to rebuild the fitted transformer. */
export type TransformerFile =
  | { kind: 'column_transformer'; input_columns: string[]; state: unknown }
  /** `transformer_method` returned null: the features are the input columns as they are. */
  | { kind: 'identity'; input_columns: string[]; method: string }
  | {
      kind: 'custom';
      input_columns: string[];
      /** The user module, relative to the recipe directory. */
      module: string;
      method: string;
      state: unknown;
    }
  /** A scikit-learn transformer from steps/transform.py, fitted and pickled beside this file. */
  | { kind: 'sklearn'; input_columns: string[]; method: string; pickle: string; features: number };

/** The fitted scikit-learn transformer of a `kind: sklearn` transform step. */
export const SKLEARN_TRANSFORMER_FILE = 'transformer.pkl';

/** Reads the transform step's transformer.json. */
export function readTransformerFile(transformDir: string): TransformerFile {
  const path = join(transformDir, TRANSFORMER_FILE);
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as TransformerFile;
  } catch (error) {
    throw new DataError(`cannot read ${path}: ${(error as Error).message}`, {
      hint: 'run the transform step again',
    });
  }
}

function isCustom(cfg: TransformConfig | undefined): boolean {
  return cfg?.using === 'custom';
}

function checkConfig(cfg: TransformConfig | undefined): void {
  if (cfg?.using !== undefined && cfg.using !== 'custom' && cfg.using !== 'default') {
    throw new ConfigError([
      {
        file: 'recipe.yaml',
        line: 0,
        column: 0,
        path: 'steps.transform.using',
        message: `unknown value ${JSON.stringify(cfg.using)}`,
        hint: 'leave it out for the default transformer, or use `custom` with transformer_method',
      },
    ]);
  }
  if (isCustom(cfg) && !cfg?.transformer_method) {
    throw new ConfigError([
      {
        file: 'recipe.yaml',
        line: 0,
        column: 0,
        path: 'steps.transform.transformer_method',
        message: 'using: custom needs transformer_method',
        hint: 'name a function exported by steps/transform.ts',
      },
    ]);
  }
}

export const transformStep: Step<TransformConfig> = {
  kind: 'transform',
  codeFiles: transformCodeFiles,
  async inputFiles() {
    return [];
  },
  run: runTransform,
};

async function runTransform(cfg: TransformConfig | undefined, ctx: StepContext): Promise<StepResult> {
  checkConfig(cfg);
  const { targetCol } = recipeProblem(ctx.recipe);
  const train = readSplitDataset(inputDir(ctx, 'split', 'transform'), 'train.arrow');
  const frame = dropColumn(train.frame, targetCol);
  if (frame.columns.length === 0)
    throw new DataError(`the training data has no columns besides the target "${targetCol}"`);
  const inputColumns = frame.columns.map((c) => c.name);
  const started = performance.now();

  let file: TransformerFile;
  let transformer: PipelineTransformer;
  const warnings: string[] = [];
  if (isCustom(cfg)) {
    const method = cfg?.transformer_method ?? '';
    const location = locateUserFunction({ recipeDir: ctx.recipeDir, module: 'transform', name: method });
    if (location?.language === 'python')
      return runSklearnTransform({ file: location.file, method, frame, ctx, started });
    const fn = await loadUserFunction({ recipeDir: ctx.recipeDir, step: 'transform', name: method });
    const made = await fn();
    if (made === null || made === undefined) {
      // MLflow Recipes (2.12, steps/transform.py) uses an identity transformer when the method
      // returns None: the input columns go to the estimator as they are.
      transformer = identityTransformer(frame, method);
      file = { kind: 'identity', input_columns: inputColumns, method };
    } else {
      const custom = new CustomTransformer(made, `steps/transform.ts:${method}()`);
      custom.fit(frame);
      transformer = custom;
      const modulePath = findUserModule({ recipeDir: ctx.recipeDir, module: 'transform' }) ?? '';
      file = {
        kind: 'custom',
        input_columns: inputColumns,
        module: relative(ctx.recipeDir, modulePath),
        method,
        state: custom.toJSON(),
      };
    }
  } else {
    const ct = new ColumnTransformer(
      cfg?.max_categories === undefined ? {} : { max_categories: cfg.max_categories },
    );
    ct.fit(frame);
    warnings.push(...categoryWarnings(ct, frame));
    transformer = ct;
    file = { kind: 'column_transformer', input_columns: inputColumns, state: ct.toJSON() };
  }
  const X = transformEncoded(transformer, frame);
  const nFeatures = encodedWidth(X);
  const fitSeconds = (performance.now() - started) / 1000;
  writeFileSync(join(ctx.outDir, TRANSFORMER_FILE), `${JSON.stringify(file)}\n`);
  const names = transformer.featureNames();
  ctx.log(
    `fitted the ${describeTransformer(file)} on ${frame.nRows} rows: ${frame.columns.length} columns → ${nFeatures} features`,
  );

  for (const warning of warnings) ctx.log(`warning: ${warning}`);
  // MLflow's skip_data_profiling: no profile of the transformed training data on the card.
  const stats = cfg?.skip_data_profiling ? undefined : featureStats(X, names);
  return {
    outputs: { transformer: TRANSFORMER_FILE },
    params: {
      transformer:
        file.kind === 'custom'
          ? `custom:${file.method}`
          : file.kind === 'identity'
            ? `identity:${file.method}`
            : 'default',
    },
    card: {
      step: 'transform',
      data: {
        transformer: file.kind,
        input_columns: inputColumns,
        feature_names: names,
        rows: frame.nRows,
        fit_seconds: fitSeconds,
        ...(stats ? { feature_stats: stats } : {}),
        warnings,
      },
      sections: [
        ...(warnings.length > 0
          ? [
              {
                title: 'Warnings',
                html: `<ul>${warnings.map((w) => `<li>${escapeHtml(w)}</li>`).join('')}</ul>`,
              },
            ]
          : []),
        {
          title: 'Summary',
          html: `<p>${file.kind === 'custom' ? `Custom transformer <code>${escapeHtml(file.method)}</code>` : file.kind === 'identity' ? `Identity transformer (<code>${escapeHtml(file.method)}</code> returned null)` : 'Default transformer'} fitted on ${frame.nRows} training rows: ${frame.columns.length} input columns → ${nFeatures} features in ${fitSeconds.toFixed(2)} s.</p>`,
        },
        ...(stats
          ? [
              {
                title: 'Features (training split, after transform)',
                html: htmlTable({
                  headers: ['feature', 'mean', 'std', 'min', 'max', 'missing'],
                  rows: stats.map((s) => [s.name, s.mean, s.std, s.min, s.max, s.missing]),
                }),
              },
            ]
          : []),
      ],
    },
  };
}

/** An ISO-8601 date or date-time at the start of a value (`2024-05-01`, `2024-05-01T10:00:00Z`). */
const TIMESTAMP_LIKE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2})?/;

/**
 * One warning per string column whose categories were capped: silently turning an id or a
 * timestamp into thousands of one-hot features is what the cap prevents, and the user should
 * know the column carries little as a category.
 */
export function categoryWarnings(ct: ColumnTransformer, frame: Frame): string[] {
  const max = ct.params.max_categories;
  if (max === null) return [];
  const warnings: string[] = [];
  for (const summary of ct.categoricalSummary()) {
    if (summary.grouped === 0) continue;
    const column = frame.columns.find((c) => c.name === summary.column);
    const sample = column?.type === 'string' ? column.values.find((v) => v !== null) : undefined;
    const why =
      sample !== undefined && sample !== null && TIMESTAMP_LIKE.test(sample)
        ? 'it looks like a timestamp: derive features from it (year, month, weekday, hour) in a custom transformer, or drop it'
        : summary.distinct >= frame.nRows / 2
          ? 'nearly one value per row (an id?): consider dropping it'
          : 'raise steps.transform.max_categories to keep more of them';
    warnings.push(
      `column "${summary.column}" has ${summary.distinct} distinct values in training: one-hot encoded as its ${max - 1} most frequent + one "other" column (${summary.column}_infrequent_sklearn), not ${summary.distinct} features; ${why}`,
    );
  }
  return warnings;
}

function describeTransformer(file: TransformerFile): string {
  if (file.kind === 'custom') return `custom transformer ${file.method}`;
  if (file.kind === 'identity') return `identity transformer (${file.method} returned null)`;
  return 'default transformer';
}

/** The input columns as features; each must already be numeric, as the estimator takes numbers. */
function identityTransformer(frame: Frame, method: string): PassthroughTransformer {
  const text = frame.columns.filter((c) => c.type !== 'number').map((c) => c.name);
  if (text.length > 0) {
    throw new DataError(
      `steps/transform.ts:${method}() returned null, so the columns go to the estimator as they are, but ${text.map((n) => `"${n}"`).join(', ')} ${text.length === 1 ? 'is' : 'are'} not numeric`,
      {
        hint: 'return a transformer that encodes them, drop them in ingest or split, or leave `using: custom` out for the default transformer (one-hot encoding)',
      },
    );
  }
  return new PassthroughTransformer(frame.columns.map((c) => c.name));
}

export interface FeatureStat {
  name: string;
  mean: number;
  std: number;
  min: number;
  max: number;
  /** Count of NaN values (non-zero means the transformer passes missing values through). */
  missing: number;
}

/**
 * Per-feature statistics of the transformed training data. One-hot blocks are read as codes: a
 * 0/1 column's statistics follow from its count (mean = count/n, Σx² = count), so the dense
 * columns are never built; the figures equal those of the dense columns exactly.
 */
export function featureStats(X: FeatureMatrix | EncodedMatrix, names: readonly string[]): FeatureStat[] {
  const stats = denseFeatureStats(X, names);
  if (!('blocks' in X)) return stats;
  const n = X.nRows;
  let j = X.columns.length;
  for (const block of X.blocks) {
    const counts = new Float64Array(block.width);
    for (let i = 0; i < block.codes.length; i++) {
      const o = block.codes[i];
      if (o >= 0) counts[o]++;
    }
    for (let a = 0; a < block.width; a++, j++) {
      const count = counts[a];
      const mean = n ? count / n : Number.NaN;
      stats.push({
        name: names[j] ?? `f${j}`,
        mean,
        std: Math.sqrt(n ? Math.max(0, count / n - mean * mean) : Number.NaN),
        min: n ? (count === n ? 1 : 0) : Number.NaN,
        max: n ? (count > 0 ? 1 : 0) : Number.NaN,
        missing: 0,
      });
    }
  }
  return stats;
}

function denseFeatureStats(X: FeatureMatrix, names: readonly string[]): FeatureStat[] {
  return X.columns.map((column, j) => {
    let n = 0;
    let sum = 0;
    let sumSq = 0;
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    let missing = 0;
    for (let i = 0; i < column.length; i++) {
      const v = column[i];
      if (Number.isNaN(v)) {
        missing++;
        continue;
      }
      n++;
      sum += v;
      sumSq += v * v;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    const mean = n ? sum / n : Number.NaN;
    const variance = n ? Math.max(0, sumSq / n - mean * mean) : Number.NaN;
    return {
      name: names[j] ?? `f${j}`,
      mean,
      std: Math.sqrt(variance),
      min: n ? min : Number.NaN,
      max: n ? max : Number.NaN,
      missing,
    };
  });
}

/**
 * Rebuilds the fitted transformer that the transform step wrote into `transformDir`, with the
 * source the model needs to save it (a custom one is re-created from the user's module).
 */
export async function loadFittedTransformer(
  transformDir: string,
  recipeDir: string,
): Promise<{ transformer: PipelineTransformer; source: ComponentSource; inputColumns: string[] }> {
  const path = join(transformDir, TRANSFORMER_FILE);
  let file: TransformerFile;
  try {
    file = JSON.parse(readFileSync(path, 'utf8')) as TransformerFile;
  } catch (error) {
    throw new DataError(`cannot read ${path}: ${(error as Error).message}`, {
      hint: 'run the transform step again',
    });
  }
  if (file.kind === 'column_transformer') {
    return {
      transformer: ColumnTransformer.fromJSON(file.state as EstimatorState),
      source: { kind: 'builtin' },
      inputColumns: file.input_columns,
    };
  }
  if (file.kind === 'identity') {
    return {
      transformer: new PassthroughTransformer(file.input_columns),
      source: { kind: 'builtin' },
      inputColumns: file.input_columns,
    };
  }
  if (file.kind === 'sklearn') {
    throw new DataError(
      `the transformer of ${transformDir} is a scikit-learn object (steps/transform.py:${file.method}()); it is applied in the Python worker with a scikit-learn estimator`,
      {
        hint: 'set steps.train to `using: custom` with an estimator_method in steps/train.py returning a scikit-learn estimator',
      },
    );
  }
  if (file.kind === 'custom') {
    const modulePath = resolve(recipeDir, file.module);
    const module = await importUserModule(modulePath);
    const fn = module[file.method];
    if (typeof fn !== 'function') {
      throw new DataError(`${file.module} no longer exports the function "${file.method}"`, {
        hint: 'run the transform step again',
      });
    }
    const custom = new CustomTransformer(await (fn as () => unknown)(), `${file.module}:${file.method}()`);
    custom.loadState(file.state);
    return {
      transformer: custom,
      source: { kind: 'custom', modulePath, method: file.method },
      inputColumns: file.input_columns,
    };
  }
  throw new DataError(`${path}: unknown transformer kind "${(file as { kind: unknown }).kind}"`);
}

/**
 * `transformer_method` from steps/transform.py: called in the Python worker; None is MLflow's
 * identity transformer; a scikit-learn transformer is fitted on the training rows (target
 * excluded) there and pickled as transformer.pkl for train, which puts it into the model's
 * sklearn Pipeline.
 */
async function runSklearnTransform(options: {
  file: string;
  method: string;
  frame: Frame;
  ctx: StepContext;
  started: number;
}): Promise<StepResult> {
  const { file, method, frame, ctx } = options;
  const py = await import('../python/index.js');
  const worker = await py.sharedPythonWorker({ configured: ctx.recipe.python, recipeDir: ctx.recipeDir });
  const shown = displayUserFile(ctx.recipeDir, file);
  const made = await worker.callFunction({
    module: file,
    function: method,
    recipeDir: ctx.recipeDir,
    shownFile: shown,
  });
  const inputColumns = frame.columns.map((c) => c.name);
  if (made.kind === 'none') {
    const transformer = identityTransformer(frame, method);
    const identity: TransformerFile = { kind: 'identity', input_columns: inputColumns, method };
    writeFileSync(join(ctx.outDir, TRANSFORMER_FILE), `${JSON.stringify(identity)}\n`);
    ctx.log(
      `${shown}:${method}() returned None: the ${transformer.featureNames().length} input columns go to the estimator as they are`,
    );
    return sklearnTransformResult(identity, frame.nRows, options.started);
  }
  if (made.kind !== 'object') {
    throw new DataError(
      `${shown}:${method}() returned ${made.kind === 'json' ? JSON.stringify(made.value) : made.kind}, not a transformer`,
      {
        hint: 'return an unfitted scikit-learn transformer (e.g. a ColumnTransformer), or None for no transformation',
      },
    );
  }
  const features = await py.fitTransformer(worker, made.object, frame);
  await worker.savePickle(made.object, join(ctx.outDir, SKLEARN_TRANSFORMER_FILE), 'cloudpickle');
  const written: TransformerFile = {
    kind: 'sklearn',
    input_columns: inputColumns,
    method,
    pickle: SKLEARN_TRANSFORMER_FILE,
    features,
  };
  writeFileSync(join(ctx.outDir, TRANSFORMER_FILE), `${JSON.stringify(written)}\n`);
  ctx.log(
    `fitted ${made.object.type} (${shown}:${method}()) on ${frame.nRows} rows: ${inputColumns.length} columns → ${features} features`,
  );
  return sklearnTransformResult(written, frame.nRows, options.started, made.object.repr);
}

function sklearnTransformResult(
  file: TransformerFile,
  rows: number,
  started: number,
  repr?: string,
): StepResult {
  const fitSeconds = (performance.now() - started) / 1000;
  const what =
    file.kind === 'sklearn' ? `custom:${file.method}` : `identity:${(file as { method: string }).method}`;
  return {
    outputs: {
      transformer: TRANSFORMER_FILE,
      ...(file.kind === 'sklearn' ? { transformer_pickle: SKLEARN_TRANSFORMER_FILE } : {}),
    },
    params: { transformer: what },
    card: {
      step: 'transform',
      data: {
        transformer: file.kind,
        input_columns: file.input_columns,
        rows,
        fit_seconds: fitSeconds,
        ...(repr ? { python: repr } : {}),
      },
      sections: [
        {
          title: 'Summary',
          html: `<p>${file.kind === 'sklearn' ? `scikit-learn transformer <code>${escapeHtml(repr ?? '')}</code>` : 'Identity transformer (None)'} fitted on ${rows} training rows in ${fitSeconds.toFixed(2)} s.</p>`,
        },
      ],
    },
  };
}
