/**
 * The evaluate step: loads the model train saved (exactly as a user or the scoring server would,
 * signature check included), scores the validation and test splits, and decides whether the model
 * passes the recipe's `validation_criteria`.
 *
 * Metrics use MLflow's names (`mlflow.evaluate`'s default evaluator), prefixed `val_` and `test_`:
 * `test_root_mean_squared_error`, `val_f1_score`, … `custom_metrics` (recipe top level: `name`,
 * `function`, `greater_is_better`) name functions exported by `steps/custom_metrics.ts`, called
 * once per split with an EvalData and returning a number; they are logged with the same prefixes.
 *
 * `validation_criteria: [{metric, threshold}]` are checked against the test split, as MLflow
 * Recipes does: a metric where greater is better passes when value >= threshold, any other when
 * value <= threshold. All pass → `VALIDATED`, any fails → `REJECTED`; without criteria the
 * status is `UNKNOWN` (MLflow's value when nothing was checked). The outcome goes to
 * `validation.json`, the card, and the run tag `validation_status`.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ConfigError, configFieldError, DataError } from '../errors.js';
import { ALL_BUILTIN_METRIC_DIRECTIONS } from '../ml/metrics/directions.js';
import { confusion_matrix, precision_recall_curve, roc_curve } from '../ml/metrics/classification.js';
import { r2_score } from '../ml/metrics/regression.js';
import { type PermutationImportance, permutationImportance } from '../ml/permutation-importance.js';
import type { Frame, FrameColumn } from '../ml/types.js';
import { type LoadedModel, loadModel } from '../models/load.js';
import {
  escapeHtml,
  formatNumber,
  htmlHeatmapTable,
  htmlTable,
  svgBarChart,
  svgLinePlot,
  svgScatterPlot,
} from './cards.js';
import { customMetricsCodeFiles } from './code-files.js';
import { METRICS_FILE, VALIDATION_FILE } from './output-files.js';
import { loadUserFunction, locateUserFunction, pythonUserFunction } from './user-module.js';
import { inputDir, readSplitDataset, recipeProblem } from './recipe-problem.js';
import { scorePredictions } from '../models/score-predictions.js';
import { columnType } from '../models/targets.js';
import { featureWeights, largestBars, MODEL_DIR } from './train.js';
import type { CardSection, Step, StepContext, StepResult } from './types.js';
import type { CustomMetricConfig, EvaluateConfig, ValidationCriterion } from './recipe-config.js';

/** Declared once, in schema/recipe.schema.json. */
export type { CustomMetricConfig, EvaluateConfig, ValidationCriterion };

/**
 * What a custom metric function receives. Regression: `yTrue`/`yPred` are numbers.
 * Classification: they are labels; `yTrueIndex`/`yPredIndex` are class indices into `classes`
 * and `proba` has one array per class.
 */
export interface EvalData {
  split: 'validation' | 'test';
  yTrue: Float64Array | string[];
  yPred: Float64Array | string[];
  /** The raw split, target column included. */
  frame: Frame;
  /** Built-in metrics of this split, without prefix. */
  metrics: Record<string, number>;
  classes?: string[];
  yTrueIndex?: Int32Array;
  yPredIndex?: Int32Array;
  proba?: Float64Array[];
}

export type CustomMetricFunction = (evalData: EvalData) => number | Promise<number>;

/**
 * A custom metric `function` from steps/custom_metrics.*: TypeScript/JavaScript functions get
 * EvalData; Python ones are called as MLflow Recipes calls them (2.12,
 * mlflow/recipes/utils/metrics.py): `function(eval_df, builtin_metrics)` with `eval_df` holding the
 * columns `prediction` and `target`, and the split's built-in metrics by name.
 */
export async function loadCustomMetricFunction(options: {
  recipeDir: string;
  name: string;
  python?: unknown;
}): Promise<CustomMetricFunction> {
  const { recipeDir, name, python } = options;
  const location = locateUserFunction({ recipeDir, module: 'custom_metrics', name });
  if (location?.language !== 'python') {
    return loadUserFunction<CustomMetricFunction>({ recipeDir, step: 'custom_metrics', name, python });
  }
  const call = pythonUserFunction({ recipeDir, file: location.file, name, python });
  return async (data) => {
    const column = (columnName: string, values: Float64Array | string[]): FrameColumn =>
      values instanceof Float64Array
        ? { name: columnName, type: 'number', values }
        : { name: columnName, type: 'string', values };
    const evalDf: Frame = {
      nRows: data.yTrue.length,
      columns: [column('prediction', data.yPred), column('target', data.yTrue)],
    };
    const value = await call(evalDf, data.metrics);
    return typeof value === 'number' ? value : Number.NaN;
  };
}

export type ValidationStatus = 'VALIDATED' | 'REJECTED' | 'UNKNOWN';

export interface CriterionResult extends ValidationCriterion {
  value: number;
  greater_is_better: boolean;
  passed: boolean;
}

export interface ValidationReport {
  validation_status: ValidationStatus;
  /** The split the criteria were checked on. */
  split: 'test';
  criteria: CriterionResult[];
}

export { METRICS_FILE, VALIDATION_FILE };

/** Direction of each built-in metric a criterion may name. */
const GREATER_IS_BETTER: Readonly<Record<string, boolean>> = ALL_BUILTIN_METRIC_DIRECTIONS;

const SPLITS = [
  { name: 'validation', file: 'validation.arrow', prefix: 'val_' },
  { name: 'test', file: 'test.arrow', prefix: 'test_' },
] as const;

function configIssue(path: string, message: string, hint: string): ConfigError {
  return configFieldError(path, message, hint);
}

function customMetricsOf(recipe: Record<string, unknown>): CustomMetricConfig[] {
  const list = recipe.custom_metrics;
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list))
    throw configIssue(
      'custom_metrics',
      'must be a list of {name, function, greater_is_better}',
      'e.g. custom_metrics: [{name: weighted_mae, function: weighted_mae, greater_is_better: false}]',
    );
  return list as CustomMetricConfig[];
}

export const evaluateStep: Step<EvaluateConfig> = {
  kind: 'evaluate',
  codeFiles: customMetricsCodeFiles,
  async inputFiles() {
    return [];
  },
  run: runEvaluate,
};

interface SplitScores {
  name: 'validation' | 'test';
  rows: number;
  metrics: Record<string, number>;
  yTrue: Float64Array | string[];
  yPred: Float64Array | string[];
  yTrueIndex?: Int32Array;
  yPredIndex?: Int32Array;
  proba?: Float64Array[];
  noProbaReason?: string;
}

async function runEvaluate(cfg: EvaluateConfig | undefined, ctx: StepContext): Promise<StepResult> {
  const problem = recipeProblem(ctx.recipe);
  const splitDir = inputDir(ctx, 'split', 'evaluate');
  const model = await loadModel(join(inputDir(ctx, 'train', 'evaluate'), MODEL_DIR), {
    python: ctx.recipe.python,
  });
  const customMetrics = customMetricsOf(ctx.recipe);
  const customFunctions = new Map<string, CustomMetricFunction>();
  for (const [i, metric] of customMetrics.entries()) {
    if (GREATER_IS_BETTER[metric.name] !== undefined) {
      throw configIssue(
        `custom_metrics[${i}].name`,
        `"${metric.name}" is a built-in metric name`,
        'choose another name',
      );
    }
    customFunctions.set(
      metric.name,
      await loadCustomMetricFunction({
        recipeDir: ctx.recipeDir,
        name: metric.function,
        python: ctx.recipe.python,
      }),
    );
  }

  const scored: SplitScores[] = [];
  const metrics: Record<string, number> = {};
  let validationFrame: Frame | undefined;
  for (const split of SPLITS) {
    const dataset = readSplitDataset(splitDir, split.file);
    if (dataset.frame.nRows === 0) {
      ctx.log(`${split.file} is empty: no ${split.name} metrics`);
      continue;
    }
    const scores = await scoreSplit(
      model,
      dataset.frame,
      columnType(dataset, problem.targetCol),
      split.name,
      problem.targetCol,
    );
    if (scores.noProbaReason !== undefined) {
      // MLflow 2.12's evaluator leaves these out silently; saying why spares a search.
      ctx.log(
        `${split.name}: roc_auc, log_loss and precision_recall_auc not computed: ${scores.noProbaReason}`,
      );
    }
    for (const metric of customMetrics) {
      const fn = customFunctions.get(metric.name) as CustomMetricFunction;
      const value = await fn({
        split: split.name,
        yTrue: scores.yTrue,
        yPred: scores.yPred,
        frame: dataset.frame,
        metrics: { ...scores.metrics },
        ...(model.classes ? { classes: model.classes } : {}),
        ...(scores.yTrueIndex ? { yTrueIndex: scores.yTrueIndex } : {}),
        ...(scores.yPredIndex ? { yPredIndex: scores.yPredIndex } : {}),
        ...(scores.proba ? { proba: scores.proba } : {}),
      });
      if (typeof value !== 'number' || Number.isNaN(value)) {
        throw new DataError(
          `custom metric "${metric.name}" (steps/custom_metrics: ${metric.function}) returned ${String(value)}, not a number`,
        );
      }
      scores.metrics[metric.name] = value;
    }
    for (const [name, value] of Object.entries(scores.metrics)) metrics[`${split.prefix}${name}`] = value;
    scored.push(scores);
    if (split.name === 'validation') validationFrame = dataset.frame;
    ctx.log(`${split.name}: ${summaryLine(scores.metrics, problem.problemType)}`);
  }

  const validation = scored.find((s) => s.name === 'validation');
  const permutation =
    validation && validationFrame
      ? await validationPermutationImportance(model, validationFrame, validation, ctx)
      : null;

  const directions: Record<string, boolean> = { ...GREATER_IS_BETTER };
  for (const metric of customMetrics) directions[metric.name] = metric.greater_is_better;
  const report = checkCriteria(
    cfg?.validation_criteria ?? [],
    scored.find((s) => s.name === 'test'),
    directions,
  );
  writeFileSync(join(ctx.outDir, VALIDATION_FILE), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(ctx.outDir, METRICS_FILE), `${JSON.stringify(metrics, null, 2)}\n`);
  ctx.log(`validation status: ${report.validation_status}`);

  return {
    metrics,
    tags: { validation_status: report.validation_status },
    outputs: { validation: VALIDATION_FILE, metrics: METRICS_FILE },
    card: {
      step: 'evaluate',
      data: {
        problem_type: problem.problemType,
        model_uuid: model.mlmodel.model_uuid,
        metrics,
        validation: report,
        rows: Object.fromEntries(scored.map((s) => [s.name, s.rows])),
      },
      sections: [...cardSections(scored, report, model), ...permutationSections(permutation)],
    },
  };
}

/**
 * Predictions permutation importance may make on the validation rows (rows × input columns ×
 * repeats). Past it the card says it was left out: a model that predicts through the Python
 * worker, or a wide frame, would otherwise make evaluate many times slower than training.
 */
const PERMUTATION_MAX_PREDICTED_ROWS = 5_000_000;
/** scikit-learn's default n_repeats; random_state fixed so cached and fresh runs agree. */
const PERMUTATION_REPEATS = 5;
const PERMUTATION_RANDOM_STATE = 0;

type ColumnImportance = { column: string } & Pick<PermutationImportance, 'baselineScore'> & {
    mean: number;
    std: number;
  };

/**
 * scikit-learn's permutation_importance of the model on the validation split: each input column
 * of the raw frame shuffled among the rows (so a one-hot encoded column counts once), the drop
 * in the model's own score (R² for regressors, accuracy for classifiers, as scikit-learn's
 * `estimator.score`), 5 repeats, random_state 0. Null when the validation split is too large
 * for it (logged).
 */
async function validationPermutationImportance(
  model: LoadedModel,
  frame: Frame,
  scores: SplitScores,
  ctx: StepContext,
): Promise<{ skipped: string } | ColumnImportance[]> {
  const inputs = new Set(model.signature.inputs.map((c) => c.name));
  const columns = frame.columns
    .map((c, index) => ({ c, index }))
    .filter(({ c }) => c.name !== model.targetCol && (inputs.size === 0 || inputs.has(c.name)));
  const predicted = frame.nRows * columns.length * PERMUTATION_REPEATS;
  if (predicted > PERMUTATION_MAX_PREDICTED_ROWS) {
    const skipped = `${frame.nRows} validation rows × ${columns.length} columns × ${PERMUTATION_REPEATS} repeats is over ${PERMUTATION_MAX_PREDICTED_ROWS} predicted rows`;
    ctx.log(`permutation importance not computed: ${skipped}`);
    return { skipped };
  }
  const score = async (f: Frame): Promise<number> => {
    const yPred = await model.predictAsync(f);
    if (model.problemType === 'regression')
      return r2_score(scores.yTrue as Float64Array, yPred as Float64Array);
    const truth = scores.yTrue as string[];
    const labels = yPred instanceof Float64Array ? Array.from(yPred, String) : yPred;
    let hits = 0;
    for (let i = 0; i < truth.length; i++) if (truth[i] === labels[i]) hits++;
    return hits / truth.length;
  };
  const result = await permutationImportance({
    nFeatures: columns.length,
    nRows: frame.nRows,
    nRepeats: PERMUTATION_REPEATS,
    randomState: PERMUTATION_RANDOM_STATE,
    score: (j, order) => {
      if (j === null || order === null) return score(frame);
      const { c, index } = columns[j];
      const shuffled: FrameColumn =
        c.type === 'number'
          ? { name: c.name, type: 'number', values: Float64Array.from(order, (r) => c.values[r]) }
          : { name: c.name, type: 'string', values: Array.from(order, (r) => c.values[r]) };
      const cols = frame.columns.slice();
      cols[index] = shuffled;
      return score({ nRows: frame.nRows, columns: cols });
    },
  });
  return columns.map(({ c }, j) => ({
    column: c.name,
    baselineScore: result.baselineScore,
    mean: result.importancesMean[j],
    std: result.importancesStd[j],
  }));
}

function permutationSections(result: { skipped: string } | ColumnImportance[] | null): CardSection[] {
  if (result === null) return [];
  const title = 'Permutation importance (validation split)';
  if (!Array.isArray(result)) {
    return [{ title, html: `<p>Not computed: ${escapeHtml(result.skipped)}.</p>` }];
  }
  const sorted = [...result].sort((a, b) => b.mean - a.mean);
  const scorer = sorted[0]?.baselineScore;
  return [
    {
      title,
      html:
        `<p>Drop in the model's score (R² or accuracy; ${escapeHtml(formatNumber(scorer ?? Number.NaN))} unshuffled) when one input column is shuffled among the validation rows: ${PERMUTATION_REPEATS} repeats, random_state ${PERMUTATION_RANDOM_STATE}, as scikit-learn's permutation_importance.</p>` +
        svgBarChart({
          title: 'Mean score drop',
          ...largestBars(
            sorted.map((r) => r.column),
            sorted.map((r) => r.mean),
            25,
          ),
        }) +
        htmlTable({
          headers: ['column', 'mean drop', 'std'],
          rows: sorted.map((r) => [r.column, r.mean, r.std]),
        }),
    },
  ];
}

function summaryLine(metrics: Record<string, number>, problemType: string): string {
  const keys =
    problemType === 'regression' ? ['root_mean_squared_error', 'r2_score'] : ['accuracy_score', 'f1_score'];
  return keys
    .filter((k) => metrics[k] !== undefined)
    .map((k) => `${k}=${formatNumber(metrics[k])}`)
    .join(' ');
}

async function scoreSplit(
  model: LoadedModel,
  frame: Frame,
  targetType: ReturnType<typeof columnType>,
  name: 'validation' | 'test',
  targetCol: string,
): Promise<SplitScores> {
  // The custom metrics and the card take the classes from the model itself.
  const { classes: _classes, ...scores } = await scorePredictions({
    model,
    frame,
    targetCol,
    targetType,
    where: `${name}.arrow`,
  });
  return { name, rows: frame.nRows, ...scores };
}

/** Applies validation criteria to the test split's metrics (pure; exported for the register step). */
export function checkCriteria(
  criteria: readonly ValidationCriterion[],
  test: { metrics: Record<string, number>; noProbaReason?: string } | undefined,
  directions: Readonly<Record<string, boolean>>,
): ValidationReport {
  if (criteria.length === 0) return { validation_status: 'UNKNOWN', split: 'test', criteria: [] };
  if (!test) {
    throw new DataError('validation_criteria need test metrics, but the test split is empty', {
      hint: 'give the test split a share in steps.split.split_ratios',
    });
  }
  const results = criteria.map((criterion, i): CriterionResult => {
    const path = `steps.evaluate.validation_criteria[${i}]`;
    if (typeof criterion?.metric !== 'string' || typeof criterion.threshold !== 'number') {
      throw configIssue(
        path,
        'needs metric (a name) and threshold (a number)',
        'e.g. - {metric: root_mean_squared_error, threshold: 5}',
      );
    }
    const value = test.metrics[criterion.metric];
    const greater = directions[criterion.metric];
    if (value === undefined && greater !== undefined && test.noProbaReason !== undefined) {
      throw configIssue(
        `${path}.metric`,
        `${criterion.metric} was not computed on the test split: ${test.noProbaReason}`,
        `use a classifier with predict_proba (e.g. SGDClassifier(loss="log_loss"), SVC(probability=True)) or drop the ${criterion.metric} criterion`,
      );
    }
    if (value === undefined || greater === undefined) {
      const known = Object.keys(test.metrics).filter((k) => directions[k] !== undefined);
      throw configIssue(
        `${path}.metric`,
        `unknown metric "${criterion.metric}"`,
        `use one of: ${known.join(', ')}`,
      );
    }
    const passed = greater ? value >= criterion.threshold : value <= criterion.threshold;
    return {
      metric: criterion.metric,
      threshold: criterion.threshold,
      value,
      greater_is_better: greater,
      passed,
    };
  });
  return {
    validation_status: results.every((r) => r.passed) ? 'VALIDATED' : 'REJECTED',
    split: 'test',
    criteria: results,
  };
}

/**
 * What the fitted model itself tells: its feature importances (trees, forests, boosting: bar
 * chart of the largest 25) and, for gradient boosting, the loss per iteration on the training
 * rows and, with early stopping, on the held-out ones.
 */
function modelSections(model: LoadedModel): CardSection[] {
  const sections: CardSection[] = [];
  // A scikit-learn model lives in the Python worker: nothing of it to chart here.
  if (!model.pipeline) return sections;
  const estimator = model.pipeline.estimator;
  const featureNames = model.pipeline.featureNames();
  const weights = featureWeights(estimator, featureNames);
  if (weights?.key === 'feature_importances') {
    sections.push({
      title: weights.title,
      html: svgBarChart({ title: weights.title, ...largestBars(featureNames, weights.values, 25) }),
    });
  }
  let state: Record<string, unknown> = {};
  try {
    state = estimator.toJSON().state;
  } catch {
    // a custom estimator without toJSON has no loss curve to show
  }
  const curve = (v: unknown): number[] =>
    Array.isArray(v) && v.every((x) => typeof x === 'number') ? (v as number[]) : [];
  const train = curve(state.train_loss);
  const validation = curve(state.validation_loss);
  if (train.length > 1) {
    const series = [{ name: 'training', x: train.map((_, i) => i), y: train }];
    if (validation.length > 1)
      series.push({ name: 'validation', x: validation.map((_, i) => i), y: validation });
    sections.push({
      title: 'Boosting loss per iteration',
      html: svgLinePlot({ title: 'Loss per iteration', series, xLabel: 'iteration', yLabel: 'mean loss' }),
    });
  }
  return sections;
}

function cardSections(scored: SplitScores[], report: ValidationReport, model: LoadedModel): CardSection[] {
  const sections: CardSection[] = [];
  const names = [...new Set(scored.flatMap((s) => Object.keys(s.metrics)))];
  const byName = (split: string) => scored.find((s) => s.name === split)?.metrics ?? {};
  sections.push({
    title: 'Metrics',
    html: htmlTable({
      headers: ['metric', 'validation', 'test'],
      rows: names.map((n) => [n, byName('validation')[n] ?? '', byName('test')[n] ?? '']),
    }),
  });
  const statusColor = { VALIDATED: '#2ca02c', REJECTED: '#d62728', UNKNOWN: '#7f7f7f' }[
    report.validation_status
  ];
  sections.push({
    title: 'Validation',
    html:
      `<p>Status: <b style="color:${statusColor}">${report.validation_status}</b></p>` +
      (report.criteria.length
        ? htmlTable({
            headers: ['metric', 'threshold', 'test value', 'direction', 'result'],
            rows: report.criteria.map((c) => [
              c.metric,
              c.threshold,
              c.value,
              c.greater_is_better ? '≥' : '≤',
              c.passed ? 'pass' : 'FAIL',
            ]),
          })
        : '<p>No validation_criteria configured.</p>'),
  });
  sections.push(...modelSections(model));
  const focus = scored.find((s) => s.name === 'test') ?? scored[0];
  if (!focus) return sections;
  const label = `${focus.name} split`;
  if (model.problemType === 'regression') {
    const yTrue = focus.yTrue as Float64Array;
    const yPred = focus.yPred as Float64Array;
    const residuals = yPred.map((p, i) => yTrue[i] - p);
    sections.push({
      title: `Predicted vs actual (${label})`,
      html: svgScatterPlot({
        title: 'Predicted vs actual',
        x: yTrue,
        y: yPred,
        xLabel: 'actual',
        yLabel: 'predicted',
        diagonal: true,
      }),
    });
    sections.push({
      title: `Residuals (${label})`,
      html: svgScatterPlot({
        title: 'Residuals',
        x: yPred,
        y: residuals,
        xLabel: 'predicted',
        yLabel: 'actual − predicted',
        zeroLine: true,
      }),
    });
    return sections;
  }
  const classes = model.classes ?? [];
  if (focus.yTrueIndex && focus.yPredIndex) {
    sections.push({
      title: `Confusion matrix (${label})`,
      html: htmlHeatmapTable({
        rowLabels: classes,
        colLabels: classes,
        values: confusion_matrix(focus.yTrueIndex, focus.yPredIndex, classes.length),
      }),
    });
  }
  if (focus.proba && focus.yTrueIndex) {
    const truth = focus.yTrueIndex;
    const proba = focus.proba;
    // Binary: the positive class (index 1). Multiclass: one-vs-rest per class.
    const curveClasses = classes.length === 2 ? [1] : classes.map((_, k) => k);
    const present = curveClasses.filter((k) => truth.some((t) => t === k) && truth.some((t) => t !== k));
    if (present.length > 0) {
      const rocs = present.map((k) => {
        const isPositive = Array.from(truth, (t) => t === k);
        const roc = roc_curve(isPositive, proba[k]);
        const pr = precision_recall_curve(isPositive, proba[k]);
        return { name: classes[k] ?? String(k), roc, pr };
      });
      sections.push({
        title: `ROC curve (${label})`,
        html: svgLinePlot({
          title: 'ROC',
          series: rocs.map((r) => ({ name: r.name, x: r.roc.fpr, y: r.roc.tpr })),
          xLabel: 'false positive rate',
          yLabel: 'true positive rate',
          diagonal: true,
        }),
      });
      sections.push({
        title: `Precision-recall curve (${label})`,
        html: svgLinePlot({
          title: 'Precision-recall',
          series: rocs.map((r) => ({ name: r.name, x: r.pr.recall, y: r.pr.precision })),
          xLabel: 'recall',
          yLabel: 'precision',
        }),
      });
    } else {
      sections.push({
        title: 'Curves',
        html: `<p>${escapeHtml(label)} has a single class: no ROC or precision-recall curve.</p>`,
      });
    }
  }
  return sections;
}
