/**
 * Scoring a loaded model on labelled data, with the metric code and MLflow names the evaluate
 * step uses (`root_mean_squared_error`, `f1_score`, …, without split prefixes). The gate scores
 * the candidate and the baseline with this on the same rows, so the comparison is fair even when
 * the baseline was evaluated on other data when it was registered.
 */
import type { Dataset } from '../data/infer-types.js';
import { DataError } from '../errors.js';
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
  const { yTrue, yPred, metrics, ...classification } = scorePredictions({
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
}

export interface ModelComparison {
  gate: GateResult;
  rows: number;
  candidateMetrics: Record<string, number>;
  baselineMetrics?: Record<string, number>;
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
      // Usually the data's columns changed since the baseline was trained: say which model failed.
      throw new DataError(`the baseline (${options.baseline.dir}) cannot score ${where}: ${error.message}`, {
        cause: error,
        hint:
          error.hint ??
          'the data no longer fits the baseline; compare on data it can score, or move the alias by hand (recipe models alias)',
      });
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
  };
}
