/**
 * Scoring a loaded model on labelled data, with the metric code and MLflow names the evaluate
 * step uses (`root_mean_squared_error`, `f1_score`, …, without split prefixes). The gate scores
 * the candidate and the baseline with this on the same rows, so the comparison is fair even when
 * the baseline was evaluated on other data when it was registered.
 */
import type { Dataset } from '../data/infer-types.js';
import { BaselineScoringError, DataError } from '../errors.js';
import type { LoadedModel } from '../models/load.js';
import { columnType } from '../models/targets.js';
import { scorePredictions } from '../models/score-predictions.js';
import { evaluateGate, type GateResult, type GateThresholds } from './gate.js';

/** What a custom metric receives (the same shape as the evaluate step's EvalData). */
export interface ScoredPredictions {
  yTrue: Float64Array | string[];
  yPred: Float64Array | string[];
  frame: Dataset['frame'];
  metrics: Record<string, number>;
  classes?: string[];
  yTrueIndex?: Int32Array;
  yPredIndex?: Int32Array;
  proba?: Float64Array[];
}

export interface CustomMetric {
  name: string;
  compute(scored: ScoredPredictions): number | Promise<number>;
}

export interface ScoreModelOptions {
  model: LoadedModel;
  /** Labelled rows: the model's input columns plus the target column. */
  dataset: Dataset;
  /** Defaults to the target column the model was trained on. */
  targetCol?: string;
  /** Where the rows came from, for error messages (a file name, `test split`). */
  where?: string;
  customMetrics?: readonly CustomMetric[];
}

export interface ModelScore {
  rows: number;
  metrics: Record<string, number>;
}

export async function scoreModel(options: ScoreModelOptions): Promise<ModelScore> {
  const { model, dataset } = options;
  const where = options.where ?? 'evaluation data';
  const targetCol = options.targetCol ?? model.targetCol;
  const frame = dataset.frame;
  if (frame.nRows === 0) {
    throw new DataError(`${where} has no rows to score`, {
      hint: 'pass labelled rows to compare the models on',
    });
  }
  const { yTrue, yPred, metrics, ...classification } = await scorePredictions({
    model,
    frame,
    targetCol,
    targetType: columnType(dataset, targetCol),
    where,
  });
  const scored: ScoredPredictions = { yTrue, yPred, frame, metrics, ...classification };
  for (const custom of options.customMetrics ?? []) {
    const value = await custom.compute({ ...scored, metrics: { ...scored.metrics } });
    if (typeof value !== 'number' || Number.isNaN(value)) {
      throw new DataError(
        `custom metric "${custom.name}" returned ${String(value)} on ${where}, not a number`,
      );
    }
    scored.metrics[custom.name] = value;
  }
  return { rows: frame.nRows, metrics: scored.metrics };
}

export interface CompareModelsOptions {
  candidate: LoadedModel;
  /** Undefined when there is no baseline yet: only absolute thresholds apply. */
  baseline?: LoadedModel;
  dataset: Dataset;
  thresholds: Readonly<GateThresholds>;
  targetCol?: string;
  where?: string;
  customMetrics?: readonly CustomMetric[];
  directions?: Readonly<Record<string, boolean>>;
  /** Names the baseline in messages, e.g. `cars version 1`; defaults to its directory. */
  baselineLabel?: string;
  /**
   * When the baseline cannot score the data (its columns changed): `fail` (the default) throws a
   * BaselineScoringError; `skip` gates on the absolute thresholds alone and returns the error as
   * `baselineError`, for callers that were told to go on (`on_baseline_error: promote`, `--force`).
   */
  onBaselineError?: 'fail' | 'skip';
  /** The hint of a BaselineScoringError: what the caller's user can do. */
  baselineErrorHint?: string;
}

export interface ModelComparison {
  gate: GateResult;
  rows: number;
  candidateMetrics: Record<string, number>;
  baselineMetrics?: Record<string, number>;
  /** Why the baseline took no part, when it could not score the data and onBaselineError was `skip`. */
  baselineError?: BaselineScoringError;
}

interface SchemaColumn {
  name: string;
  type: string;
}

const NUMERIC_TYPES = new Set(['double', 'float', 'long', 'integer', 'number']);

/** Numbers score as numbers whatever their width: only number vs text (or boolean) is a difference. */
function sameKind(a: string, b: string): boolean {
  return a === b || (NUMERIC_TYPES.has(a) && NUMERIC_TYPES.has(b));
}

/**
 * Two column lists side by side, matched by name: the baseline's order first, then the columns
 * only the data has. A marker says which side lacks a column or where the types differ.
 */
export function formatSchemasSideBySide(
  left: { title: string; columns: readonly SchemaColumn[] },
  right: { title: string; columns: readonly SchemaColumn[] },
): string {
  const rightByName = new Map(right.columns.map((c) => [c.name, c]));
  const leftNames = new Set(left.columns.map((c) => c.name));
  const rows: [string, string, string][] = [];
  for (const col of left.columns) {
    const other = rightByName.get(col.name);
    const mark = other === undefined ? 'missing' : sameKind(other.type, col.type) ? '' : 'type differs';
    rows.push([`${col.name} ${col.type}`, other ? `${other.name} ${other.type}` : '—', mark]);
  }
  for (const col of right.columns)
    if (!leftNames.has(col.name)) rows.push(['—', `${col.name} ${col.type}`, 'new']);
  const width = Math.max(left.title.length, ...rows.map((r) => r[0].length));
  const rightWidth = Math.max(right.title.length, ...rows.map((r) => r[1].length));
  const line = (a: string, b: string, mark: string) =>
    `  ${a.padEnd(width)} | ${mark ? b.padEnd(rightWidth) : b}${mark ? `  <- ${mark}` : ''}`;
  return [line(left.title, right.title, ''), ...rows.map(([a, b, mark]) => line(a, b, mark))].join('\n');
}

function baselineScoringError(options: {
  baseline: LoadedModel;
  label: string;
  dataset: Dataset;
  targetCol: string;
  where: string;
  cause: DataError;
  hint: string | undefined;
}): BaselineScoringError {
  const { baseline, dataset, where } = options;
  const table = formatSchemasSideBySide(
    {
      title: `${options.label} expects`,
      columns: baseline.signature.inputs.map((spec) => ({ name: spec.name ?? '?', type: spec.type })),
    },
    {
      title: `${where} has`,
      columns: dataset.frame.columns
        .map((c, j) => ({ name: c.name, type: dataset.columnTypes[j] ?? c.type }))
        .filter((c) => c.name !== options.targetCol),
    },
  );
  return new BaselineScoringError(
    `the baseline (${options.label}) cannot score ${where}: ${options.cause.message}\n${table}`,
    {
      cause: options.cause,
      hint:
        options.hint ??
        "the data's columns changed since the baseline was trained: compare on data it can score, or move the alias by hand (recipe models alias)",
    },
  );
}

/** Scores the candidate and the baseline on the same rows and applies the gate's thresholds. */
export async function compareModels(options: CompareModelsOptions): Promise<ModelComparison> {
  const common = {
    dataset: options.dataset,
    ...(options.targetCol === undefined ? {} : { targetCol: options.targetCol }),
    ...(options.customMetrics === undefined ? {} : { customMetrics: options.customMetrics }),
  };
  const where = options.where ?? 'evaluation data';
  const candidate = await scoreModel({ ...common, model: options.candidate, where });
  let baseline: ModelScore | undefined;
  let baselineError: BaselineScoringError | undefined;
  if (options.baseline) {
    if (options.baseline.problemType !== options.candidate.problemType) {
      throw new DataError(
        `the baseline is a ${options.baseline.problemType} model but the candidate is a ${options.candidate.problemType} model`,
        { hint: 'compare models that predict the same target' },
      );
    }
    try {
      baseline = await scoreModel({ ...common, model: options.baseline, where: `${where} (baseline)` });
    } catch (error) {
      if (!(error instanceof DataError)) throw error;
      // Usually the data's columns changed since the baseline was trained: say which model failed,
      // and show what it expects next to what the data has.
      baselineError = baselineScoringError({
        baseline: options.baseline,
        label: options.baselineLabel ?? options.baseline.dir,
        dataset: options.dataset,
        targetCol: options.targetCol ?? options.candidate.targetCol,
        where,
        cause: error,
        hint: options.baselineErrorHint,
      });
      if (options.onBaselineError !== 'skip') throw baselineError;
    }
  }
  const gate = evaluateGate({
    candidate: candidate.metrics,
    ...(baseline ? { baseline: baseline.metrics } : {}),
    thresholds: options.thresholds,
    ...(options.directions ? { directions: options.directions } : {}),
  });
  return {
    gate,
    rows: candidate.rows,
    candidateMetrics: candidate.metrics,
    ...(baseline ? { baselineMetrics: baseline.metrics } : {}),
    ...(baselineError ? { baselineError } : {}),
  };
}
