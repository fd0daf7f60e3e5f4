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
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StepError } from '../errors.js';
import { classificationMetrics, confusion_matrix } from '../ml/metrics/classification.js';
import { regressionMetrics } from '../ml/metrics/regression.js';
import {
  categoryCodeFeatures,
  categoryCodeMatrix,
  densify,
  encodedWidth,
  readsCategoryCodes,
  readsCodes,
  transformEncoded,
} from '../ml/encoded-matrix.js';
import type { Estimator, FeatureMatrix } from '../ml/types.js';
import { modelContentDigest } from '../models/content-digest.js';
import { ModelPipeline, selectColumns } from '../models/pipeline.js';
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
import { MODEL_DIGEST_FILE, MODEL_DIR } from './output-files.js';
import { fitClasses, inputDir, readSplitDataset, recipeProblem } from './recipe-problem.js';
import { buildEstimator, categoryCodesWanted, type TrainConfig, unwrapBuiltin } from './train-estimator.js';
import { enabledTuning, tuningRecipeKeys, tuningStatusNotes } from './tuning.js';
import { trainCodeFiles } from './code-files.js';
import { loadFittedTransformer } from './transform.js';
import { runSklearnTrain, trainsInPython } from './train-sklearn.js';
import { REBALANCE_SEED, rebalanceTraining } from './rebalance.js';
import type { Dataset } from '../data/index.js';
import type { CardSection, Step, StepContext, StepResult } from './types.js';

export { DEFAULT_ESTIMATORS, type TrainConfig } from './train-estimator.js';

export { MODEL_DIR };

export const trainStep: Step<TrainConfig> = {
  kind: 'train',
  codeFiles: trainCodeFiles,
  recipeKeys: (cfg) => tuningRecipeKeys(cfg),
  statusNotes: (cfg, recipeDir) => tuningStatusNotes(cfg, recipeDir),
  async inputFiles() {
    return [];
  },
  run: runTrain,
};

async function runTrain(cfg: TrainConfig | undefined, ctx: StepContext): Promise<StepResult> {
  const problem = recipeProblem(ctx.recipe);
  const balance = rebalanceTraining({
    train: readSplitDataset(inputDir(ctx, 'split', 'train'), 'train.arrow'),
    problem,
    rebalance: cfg?.rebalance_training_data,
    ratio: cfg?.resampling_minority_percentage,
  });
  if (balance.skipped) ctx.log(`not rebalanced: ${balance.skipped}`);
  let used = cfg;
  if (balance.applied) {
    const a = balance.applied;
    ctx.log(
      `rebalanced the training rows (MLflow Recipes' rule): the minority class ${a.minorityClass} was ${(a.minorityShareBefore * 100).toFixed(1)} % of ${a.rowsBefore} rows; ` +
        `the other class downsampled to ${a.rowsAfter} rows in all (${a.ratio * 100} % minority, seed ${REBALANCE_SEED})`,
    );
    // MLflow hands a custom estimator_method the original distribution as class_weight.
    if (cfg?.using === 'custom' && balance.classWeight) {
      used = {
        ...cfg,
        estimator_params: { ...(cfg.estimator_params ?? {}), class_weight: balance.classWeight },
      };
    }
  }
  // scikit-learn (steps/train.py, steps/transform.py) trains in the Python worker.
  const python = trainsInPython(used, ctx);
  const result = python
    ? await runSklearnTrain(used, ctx, python, balance.dataset)
    : await runNodeTrain(used, ctx, problem, balance.dataset);
  if (!balance.applied) return result;
  const a = balance.applied;
  return {
    ...result,
    params: {
      ...(result.params ?? {}),
      rebalance_training_data: 'true',
      resampling_minority_percentage: String(a.ratio),
    },
    metrics: {
      ...(result.metrics ?? {}),
      training_rows_before_rebalancing: a.rowsBefore,
      training_rows_after_rebalancing: a.rowsAfter,
      training_minority_share_before_rebalancing: a.minorityShareBefore,
    },
    tags: {
      ...(result.tags ?? {}),
      'mlrecipe.train.rebalanced': 'true',
      'mlrecipe.train.rebalance_seed': String(REBALANCE_SEED),
    },
    card: {
      ...result.card,
      data: {
        ...result.card.data,
        rebalanced: { ...a, seed: REBALANCE_SEED, class_weight: balance.classWeight },
      },
    },
  };
}

async function runNodeTrain(
  cfg: TrainConfig | undefined,
  ctx: StepContext,
  problem: ReturnType<typeof recipeProblem>,
  train: Dataset,
): Promise<StepResult> {
  const fitted = await loadFittedTransformer(inputDir(ctx, 'transform', 'train'), ctx.recipeDir);
  const where = 'train.arrow';
  const target = targetColumn(train.frame, problem.targetCol, where);
  // The default transformer keeps one-hot columns as codes; ridge and linear regression read
  // them so, every other estimator (and tuning) gets the dense 0/1 columns, made once on demand.
  const Xe = transformEncoded(fitted.transformer, selectColumns(train.frame, fitted.inputColumns));
  let denseX: FeatureMatrix | undefined;
  const dense = (): FeatureMatrix => (denseX ??= densify(Xe));
  // HistGradientBoosting with categorical_features reads each one-hot block as one column of codes.
  let codesX: FeatureMatrix | undefined;
  const codes = (): FeatureMatrix => (codesX ??= categoryCodeMatrix(Xe, fitted.transformer));
  let nFeatures = encodedWidth(Xe);
  let featureNames = fitted.transformer.featureNames();
  const kind = problem.problemType === 'regression' ? 'regressor' : 'classifier';
  let sweep;
  if (enabledTuning(cfg)) {
    if (!ctx.tune) {
      throw new StepError('train', 'tuning is enabled, but this engine provides no sweep runner', {
        hint: 'run the recipe with `recipe run`, or set tuning.enabled: false',
      });
    }
    // Trials build the recipe's estimator: its categorical_features decide their matrix too.
    const trialCodes = categoryCodesWanted(cfg);
    sweep = await ctx.tune({
      cfg,
      problem,
      fitted: trialCodes
        ? {
            transformer: { transform: (frame) => categoryCodeFeatures(fitted.transformer, frame) },
            inputColumns: fitted.inputColumns,
          }
        : fitted,
      train,
      X: trialCodes ? codes() : dense(),
      kind,
    });
  }
  let built = await buildEstimator({
    cfg,
    recipeDir: ctx.recipeDir,
    kind,
    problemType: problem.problemType,
    ...(sweep ? { params: sweep.finalParams } : {}),
  });

  const useCodes = readsCategoryCodes(built.estimator);
  const X = (): FeatureMatrix => (useCodes ? codes() : dense());
  if (useCodes) {
    featureNames = [...(codes().featureNames ?? featureNames)];
    nFeatures = codes().columns.length;
  }
  const started = performance.now();
  let classes: string[] | undefined;
  let yIndex: Int32Array | undefined;
  let yNumber: Float64Array | undefined;
  if (built.estimator.kind === 'regressor') {
    yNumber = regressionTarget(target, where);
    if (readsCodes(built.estimator)) built.estimator.fitEncoded(Xe, yNumber);
    else built.estimator.fit(X(), yNumber);
  } else {
    const labels = labelStrings(target, columnType(train, problem.targetCol), where);
    classes = fitClasses(
      labels,
      target.type === 'number' && columnType(train, problem.targetCol) !== 'boolean',
      problem.positiveClass,
    );
    yIndex = encodeLabels(labels, classes, where);
    built.estimator.fit(X(), yIndex, classes.length);
  }
  const fitSeconds = (performance.now() - started) / 1000;
  built = unwrapBuiltin(built);
  ctx.log(
    `fitted ${built.description} on ${Xe.nRows} rows × ${nFeatures} features in ${fitSeconds.toFixed(2)}s`,
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
    const predicted = readsCodes(built.estimator)
      ? built.estimator.predictEncoded(Xe)
      : built.estimator.predict(X());
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
    const predicted = built.estimator.predict(X());
    const proba = built.estimator.predictProba(X());
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
  // The cache entry never changes after this step, so neither does the digest (see output-files.ts).
  writeFileSync(join(ctx.outDir, MODEL_DIGEST_FILE), `${modelContentDigest(join(ctx.outDir, MODEL_DIR))}\n`);
  if (!saved.pythonFunction.available) {
    ctx.log(
      `the model has no python_function flavor (mlflow.pyfunc cannot load it): ${saved.pythonFunction.reason}; mlrecipe loads it as usual`,
    );
  }

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
        `<p>Estimator <code>${escapeHtml(built.description)}</code> fitted on ${Xe.nRows} rows × ${nFeatures} features in ${fitSeconds.toFixed(2)} s.</p>` +
        (Object.keys(built.params).length
          ? htmlTable({ headers: ['parameter', 'value'], rows: Object.entries(built.params) })
          : ''),
    },
    {
      title: 'Training metrics',
      html: htmlMetricsTable(trainingMetrics),
    },
  );
  // The sweep's sections come right after the summary: they explain where the params came from.
  if (sweep) sections.splice(1, 0, ...sweep.sections);
  if (sweep) Object.assign(metrics, sweep.metrics);

  return {
    metrics,
    params: { estimator: built.description, ...prefixKeys(built.params, 'estimator.') },
    ...(sweep ? { tags: sweep.tags } : {}),
    outputs: { model: MODEL_DIR, ...(sweep ? { trials: sweep.trialsFile } : {}) },
    card: {
      step: 'train',
      data: {
        estimator: built.description,
        estimator_params: built.params,
        problem_type: problem.problemType,
        rows: Xe.nRows,
        features: featureNames,
        ...(classes ? { classes } : {}),
        fit_seconds: fitSeconds,
        training_metrics: trainingMetrics,
        model_uuid: saved.modelUuid,
        ...(sweep ? { tuning: sweep.cardData } : {}),
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
