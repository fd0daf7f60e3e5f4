/**
 * The train step: applies the fitted transformer to the training split, fits the estimator and
 * saves transformer + estimator as one model directory, `model/` (docs/model-format.md).
 *
 * Config: `estimator: {name, params}` picks an estimator from the registry (src/ml/estimators.ts,
 * scikit-learn's parameter names); or, as in MLflow Recipes, `using: custom` with
 * `estimator_method`, a function exported by `steps/train.ts` that is called with
 * `estimator_params` and returns an object with `fit`/`predict` (and `predictProba` for
 * classifiers) over FeatureMatrix columns — see src/models/custom-components.ts for what a custom
 * estimator needs to be saved. Without either, regression uses `linear_regression` and
 * classification `logistic_regression`. (MLflow's template defaults to SGDRegressor; a closed-form
 * fit needs no learning-rate tuning and is deterministic.)
 *
 * Classification: labels (text, numbers or booleans) become class indices in sorted label order;
 * in a binary problem `positive_class` is index 1. The labels travel in the model, so a saved
 * classifier predicts labels. Metrics are logged as `training_<MLflow metric name>`.
 */
import { join } from 'node:path';
import { ConfigError, configFieldError, MlrecipeError } from '../errors.js';
import {
  createEstimator,
  estimatorNames,
  getEstimatorEntry,
  isRegistryState,
  loadEstimator,
  UnknownEstimatorError,
} from '../ml/estimators.js';
import { classificationMetrics, confusion_matrix } from '../ml/metrics/classification.js';
import { regressionMetrics } from '../ml/metrics/regression.js';
import type { Estimator } from '../ml/types.js';
import { asEstimatorState, CustomClassifier, CustomRegressor } from '../models/custom-components.js';
import { type ComponentSource, ModelPipeline, selectColumns } from '../models/pipeline.js';
import { saveModel } from '../models/save.js';
import { columnType, encodeLabels, labelStrings, regressionTarget, targetColumn } from '../models/targets.js';
import {
  escapeHtml,
  htmlHeatmapTable,
  htmlMetricsTable,
  htmlTable,
  svgBarChart,
  svgScatterPlot,
} from './cards.js';
import { trainCodeFiles } from './code-files.js';
import { MODEL_DIR } from './output-files.js';
import { findUserModule, loadUserFunction } from './user-module.js';
import { fitClasses, inputDir, readSplitDataset, recipeProblem } from './recipe-problem.js';
import { loadFittedTransformer } from './transform.js';
import type { CardSection, Step, StepContext, StepResult } from './types.js';

export interface TrainConfig {
  using?: string;
  estimator?: { name: string; params?: Record<string, unknown> };
  estimator_method?: string;
  estimator_params?: Record<string, unknown>;
  /** MLflow's hyperparameter search: rejected with a clear error (not implemented). */
  tuning?: unknown;
}

export { MODEL_DIR };

/** Estimators used when the recipe names none. */
export const DEFAULT_ESTIMATORS = {
  regression: 'linear_regression',
  classification: 'logistic_regression',
} as const;

function configIssue(path: string, message: string, hint?: string): ConfigError {
  return new ConfigError([
    { file: 'recipe.yaml', line: 0, column: 0, path, message, ...(hint ? { hint } : {}) },
  ]);
}

function isCustom(cfg: TrainConfig | undefined): boolean {
  return cfg?.using === 'custom';
}

export const trainStep: Step<TrainConfig> = {
  kind: 'train',
  codeFiles: trainCodeFiles,
  async inputFiles() {
    return [];
  },
  run: runTrain,
};

interface BuiltEstimator {
  estimator: Estimator;
  source: ComponentSource;
  description: string;
  params: Record<string, string>;
}

async function buildEstimator(
  cfg: TrainConfig | undefined,
  ctx: StepContext,
  kind: 'regressor' | 'classifier',
  problemType: 'regression' | 'classification',
): Promise<BuiltEstimator> {
  if (cfg?.tuning !== undefined) {
    // Training silently without the search the user asked for would mislead: say so instead.
    throw configIssue(
      'steps.train.tuning',
      'hyperparameter tuning is not supported yet',
      'remove `tuning` and set the parameters in estimator.params',
    );
  }
  if (isCustom(cfg)) {
    const method = cfg?.estimator_method;
    if (!method) {
      throw configIssue(
        'steps.train.estimator_method',
        'using: custom needs estimator_method',
        'name a function exported by steps/train.ts',
      );
    }
    const fn = await loadUserFunction({ recipeDir: ctx.recipeDir, step: 'train', name: method });
    const params = cfg?.estimator_params ?? {};
    const object = await fn(params);
    const origin = `steps/train.ts:${method}()`;
    const estimator =
      kind === 'regressor' ? new CustomRegressor(object, origin) : new CustomClassifier(object, origin);
    const modulePath = findUserModule({ recipeDir: ctx.recipeDir, module: 'train' }) ?? '';
    return {
      estimator,
      source: { kind: 'custom', modulePath, method, ...(Object.keys(params).length ? { params } : {}) },
      description: `custom:${method}`,
      params: stringParams(params),
    };
  }
  if (cfg?.using !== undefined && cfg.using !== 'estimator') {
    throw configIssue(
      'steps.train.using',
      `unknown value ${JSON.stringify(cfg.using)}`,
      'leave it out and set estimator: {name, params}, or use `custom` with estimator_method',
    );
  }
  const name = cfg?.estimator?.name ?? DEFAULT_ESTIMATORS[problemType];
  const params = cfg?.estimator?.params ?? cfg?.estimator_params ?? {};
  try {
    const estimator = createEstimator(name, params, kind);
    return {
      estimator,
      source: { kind: 'builtin' },
      description: name,
      params: stringParams((estimator as { params?: Record<string, unknown> }).params ?? params),
    };
  } catch (error) {
    if (error instanceof UnknownEstimatorError) {
      const unknownName = !estimatorNames().includes(name) || getEstimatorKind(name) !== kind;
      throw configFieldError(
        unknownName ? 'steps.train.estimator.name' : 'steps.train.estimator.params',
        error.message,
        error.hint ?? `use one of: ${error.names.join(', ')}`,
      );
    }
    // Nothing but the params reached the constructor: a value it refuses (ridge's alpha: -1) is a
    // config problem at the params, not a data problem.
    if (error instanceof MlrecipeError) {
      throw configFieldError(
        cfg?.estimator?.params !== undefined
          ? 'steps.train.estimator.params'
          : 'steps.train.estimator_params',
        error.message,
        error.hint ?? 'see docs/model-steps.md for the parameters each estimator takes',
      );
    }
    throw error;
  }
}

function getEstimatorKind(name: string): string | undefined {
  try {
    return getEstimatorEntry(name).kind;
  } catch {
    return undefined;
  }
}

function stringParams(params: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(params).map(([k, v]) => [k, typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v))]),
  );
}

/**
 * A custom estimator that is really a registry estimator (its toJSON() returns a registry state)
 * is saved as that estimator: the model then loads without the user's module.
 */
function unwrapBuiltin(built: BuiltEstimator): BuiltEstimator {
  const est = built.estimator;
  if (!(est instanceof CustomRegressor || est instanceof CustomClassifier)) return built;
  // Without toJSON() it cannot be a registry estimator; saveModel will say what is missing.
  if (!est.hasState) return built;
  const state = asEstimatorState(est.userState());
  if (!state || !isRegistryState(state)) return built;
  return { ...built, estimator: loadEstimator(state), source: { kind: 'builtin' } };
}

async function runTrain(cfg: TrainConfig | undefined, ctx: StepContext): Promise<StepResult> {
  const problem = recipeProblem(ctx.recipe);
  const train = readSplitDataset(inputDir(ctx, 'split', 'train'), 'train.arrow');
  const fitted = await loadFittedTransformer(inputDir(ctx, 'transform', 'train'), ctx.recipeDir);
  const where = 'train.arrow';
  const target = targetColumn(train.frame, problem.targetCol, where);
  const X = fitted.transformer.transform(selectColumns(train.frame, fitted.inputColumns));
  const featureNames = fitted.transformer.featureNames();
  const kind = problem.problemType === 'regression' ? 'regressor' : 'classifier';
  let built = await buildEstimator(cfg, ctx, kind, problem.problemType);

  const started = performance.now();
  let classes: string[] | undefined;
  let yIndex: Int32Array | undefined;
  let yNumber: Float64Array | undefined;
  if (built.estimator.kind === 'regressor') {
    yNumber = regressionTarget(target, where);
    built.estimator.fit(X, yNumber);
  } else {
    const labels = labelStrings(target, columnType(train, problem.targetCol), where);
    classes = fitClasses(
      labels,
      target.type === 'number' && columnType(train, problem.targetCol) !== 'boolean',
      problem.positiveClass,
    );
    yIndex = encodeLabels(labels, classes, where);
    built.estimator.fit(X, yIndex, classes.length);
  }
  const fitSeconds = (performance.now() - started) / 1000;
  built = unwrapBuiltin(built);
  ctx.log(
    `fitted ${built.description} on ${X.nRows} rows × ${X.columns.length} features in ${fitSeconds.toFixed(2)}s`,
  );

  const pipeline = new ModelPipeline({
    problemType: problem.problemType,
    targetCol: problem.targetCol,
    inputColumns: fitted.inputColumns,
    transformer: fitted.transformer,
    transformerSource: fitted.source,
    estimator: built.estimator,
    estimatorSource: built.source,
    ...(classes ? { classes } : {}),
    ...(classes && classes.length === 2 ? { positiveClass: classes[1] } : {}),
  });

  const metrics: Record<string, number> = {};
  const sections: CardSection[] = [];
  let trainingMetrics: Record<string, number>;
  if (built.estimator.kind === 'regressor' && yNumber) {
    const predicted = built.estimator.predict(X);
    trainingMetrics = regressionMetrics(yNumber, predicted);
    sections.push({
      title: 'Predicted vs actual (training split)',
      html: svgScatterPlot({
        title: 'Predicted vs actual',
        x: yNumber,
        y: predicted,
        xLabel: 'actual',
        yLabel: 'predicted',
        diagonal: true,
      }),
    });
  } else if (built.estimator.kind === 'classifier' && yIndex && classes) {
    const predicted = built.estimator.predict(X);
    const proba = built.estimator.predictProba(X);
    trainingMetrics = classificationMetrics({
      yTrue: yIndex,
      yPred: predicted,
      proba,
      nClasses: classes.length,
      positiveClass: 1,
    });
    sections.push({
      title: 'Confusion matrix (training split)',
      html: htmlHeatmapTable({
        rowLabels: classes,
        colLabels: classes,
        values: confusion_matrix(yIndex, predicted, classes.length),
      }),
    });
  } else {
    throw new Error('internal: estimator kind does not match the problem type');
  }
  for (const [name, value] of Object.entries(trainingMetrics)) metrics[`training_${name}`] = value;

  const saved = saveModel({
    dir: join(ctx.outDir, MODEL_DIR),
    pipeline,
    inputExample: train.frame,
    columnTypes: train.columnTypes,
    ...(ctx.runId ? { runId: ctx.runId } : {}),
    artifactPath: MODEL_DIR,
  });

  const weights = featureWeights(built.estimator, featureNames);
  if (weights) {
    sections.unshift({
      title: weights.title,
      html: svgBarChart({ title: weights.title, ...largestBars(featureNames, weights.values, 25) }),
    });
  }
  sections.unshift(
    {
      title: 'Summary',
      html:
        `<p>Estimator <code>${escapeHtml(built.description)}</code> fitted on ${X.nRows} rows × ${X.columns.length} features in ${fitSeconds.toFixed(2)} s.</p>` +
        (Object.keys(built.params).length
          ? htmlTable({ headers: ['parameter', 'value'], rows: Object.entries(built.params) })
          : ''),
    },
    {
      title: 'Training metrics',
      html: htmlMetricsTable(trainingMetrics),
    },
  );

  return {
    metrics,
    params: { estimator: built.description, ...prefixKeys(built.params, 'estimator.') },
    outputs: { model: MODEL_DIR },
    card: {
      step: 'train',
      data: {
        estimator: built.description,
        estimator_params: built.params,
        problem_type: problem.problemType,
        rows: X.nRows,
        features: featureNames,
        ...(classes ? { classes } : {}),
        fit_seconds: fitSeconds,
        training_metrics: trainingMetrics,
        model_uuid: saved.modelUuid,
        ...(weights
          ? { [weights.key]: Object.fromEntries(featureNames.map((n, j) => [n, weights.values[j]])) }
          : {}),
      },
      sections,
    },
  };
}

/** The `limit` features with the largest |value|, largest first (a readable bar chart). */
export function largestBars(
  labels: readonly string[],
  values: readonly number[],
  limit: number,
): { labels: string[]; values: number[] } {
  const order = labels
    .map((_, j) => j)
    .filter((j) => Number.isFinite(values[j]))
    .sort((a, b) => Math.abs(values[b]) - Math.abs(values[a]))
    .slice(0, limit);
  return { labels: order.map((j) => labels[j]), values: order.map((j) => values[j]) };
}

function prefixKeys(record: Record<string, string>, prefix: string): Record<string, string> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [`${prefix}${k}`, v]));
}

/**
 * Coefficients (linear models; for several classes the L2 norm across classes) or impurity
 * importances (trees), read from the estimator's saved state; undefined for anything else.
 */
export function featureWeights(
  estimator: Estimator,
  featureNames: readonly string[],
): { title: string; key: string; values: number[] } | undefined {
  let state: Record<string, unknown>;
  try {
    state = estimator.toJSON().state;
  } catch {
    return undefined;
  }
  const p = featureNames.length;
  const importances = state.feature_importances;
  if (Array.isArray(importances) && importances.length === p) {
    return { title: 'Feature importances', key: 'feature_importances', values: importances.map(Number) };
  }
  const coef = state.coef;
  if (Array.isArray(coef) && coef.length === p && coef.every((v) => typeof v === 'number')) {
    return { title: 'Coefficients', key: 'coefficients', values: coef as number[] };
  }
  if (Array.isArray(coef) && coef.length > 0 && coef.every((row) => Array.isArray(row) && row.length === p)) {
    const rows = coef as number[][];
    if (rows.length === 1) return { title: 'Coefficients', key: 'coefficients', values: rows[0] };
    const norms = Array.from({ length: p }, (_, j) =>
      Math.sqrt(rows.reduce((s, row) => s + row[j] * row[j], 0)),
    );
    return { title: 'Coefficient magnitude (L2 across classes)', key: 'coefficient_norms', values: norms };
  }
  return undefined;
}
