/**
 * Rebalancing an imbalanced binary training split, as MLflow 2.12's train step does
 * (mlflow/recipes/steps/train.py, `_rebalance_classes`): in a binary classification recipe
 * (`positive_class` set) whose train split has more than 5,000 rows and `rebalance_training_data`
 * is not false, when the minority class (the positive class, unless it outnumbers the rest) is
 * under `resampling_minority_percentage` (default 0.3) of the rows, the majority rows are
 * downsampled to `int(minority × (1 − p) / p)` and the rows shuffled. The estimator of a custom
 * `estimator_method` then gets `class_weight`: scikit-learn's "balanced" weights of the split
 * before downsampling, so that the model still learns the original class distribution.
 *
 * One difference: MLflow samples without a seed, so each run trains on other rows; here the draw
 * is seeded (REBALANCE_SEED), so the step's output is a function of its inputs and can be cached.
 */
import type { Dataset } from '../data/index.js';
import { takeRows } from '../data/row-hash.js';
import { configFieldError } from '../errors.js';
import { columnType, labelStrings, targetColumn } from '../models/targets.js';

/** MLflow's `_REBALANCING_CUTOFF`: splits of this many rows or fewer are never rebalanced. */
export const REBALANCING_CUTOFF = 5000;
/** MLflow's `_REBALANCING_DEFAULT_RATIO`. */
export const REBALANCING_DEFAULT_RATIO = 0.3;
/** The seed of the downsampling draw (MLflow's is unseeded). */
export const REBALANCE_SEED = 42;

export interface RebalanceOutcome {
  dataset: Dataset;
  /** Present when the rows were downsampled. */
  applied?: {
    rowsBefore: number;
    rowsAfter: number;
    minorityClass: string;
    minorityShareBefore: number;
    ratio: number;
  };
  /** "balanced" class weights of the split before downsampling, by label (only when applied). */
  classWeight?: Record<string, number>;
  /** Why it was not rebalanced, for the log (undefined when it does not apply at all). */
  skipped?: string;
}

/** Rebalances `train` when MLflow's rule says so (pure apart from reading the dataset). */
export function rebalanceTraining(options: {
  train: Dataset;
  problem: { problemType: 'regression' | 'classification'; targetCol: string; positiveClass?: string };
  rebalance: boolean | undefined;
  ratio: unknown;
}): RebalanceOutcome {
  const { train, problem } = options;
  // MLflow: only the "classification/binary" extended task, i.e. with positive_class.
  if (problem.problemType !== 'classification' || problem.positiveClass === undefined)
    return { dataset: train };
  if (options.rebalance === false) return { dataset: train };
  const ratio = options.ratio === undefined ? REBALANCING_DEFAULT_RATIO : options.ratio;
  if (typeof ratio !== 'number' || !(ratio > 0 && ratio < 1)) {
    throw configFieldError(
      'steps.train.resampling_minority_percentage',
      `must be a number between 0 and 1 (the minority class's share after downsampling), not ${JSON.stringify(ratio)}`,
      "e.g. 0.3, MLflow Recipes' default",
    );
  }
  const where = 'train.arrow';
  const labels = labelStrings(
    targetColumn(train.frame, problem.targetCol, where),
    columnType(train, problem.targetCol),
    where,
  );
  const classes = [...new Set(labels)];
  if (classes.length !== 2) return { dataset: train };
  const n = labels.length;
  if (n <= REBALANCING_CUTOFF) {
    return { dataset: train, skipped: `the train split has ${n} rows, not more than ${REBALANCING_CUTOFF}` };
  }
  const positive = problem.positiveClass;
  const positiveRows: number[] = [];
  const negativeRows: number[] = [];
  labels.forEach((label, i) => (label === positive ? positiveRows : negativeRows).push(i));
  // MLflow: the positive class is the minority unless it has more rows than the rest.
  const positiveIsMinority = !(positiveRows.length > negativeRows.length);
  const minority = positiveIsMinority ? positiveRows : negativeRows;
  const majority = positiveIsMinority ? negativeRows : positiveRows;
  const share = minority.length / n;
  if (share >= ratio) {
    return {
      dataset: train,
      skipped: `the minority class is ${(share * 100).toFixed(1)} % of the rows, not under ${ratio * 100} %`,
    };
  }
  const keep = Math.trunc((minority.length * (1 - ratio)) / ratio);
  const next = xorshift(REBALANCE_SEED);
  const drawn = shuffle(Int32Array.from(majority), next).subarray(0, keep);
  const rows = shuffle(Int32Array.from([...minority, ...drawn]), next);
  // scikit-learn's compute_class_weight("balanced"): n / (n_classes × count).
  const counts = new Map<string, number>();
  for (const label of labels) counts.set(label, (counts.get(label) ?? 0) + 1);
  const classWeight = Object.fromEntries(
    [...counts]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([label, count]) => [label, n / (2 * count)]),
  );
  const minorityClass = positiveIsMinority ? positive : (classes.find((c) => c !== positive) as string);
  return {
    dataset: { ...train, frame: takeRows(train.frame, rows) },
    applied: { rowsBefore: n, rowsAfter: rows.length, minorityClass, minorityShareBefore: share, ratio },
    classWeight,
  };
}

function xorshift(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return s >>> 0;
  };
}

/** Fisher–Yates in place. */
function shuffle(values: Int32Array, next: () => number): Int32Array {
  for (let i = values.length - 1; i > 0; i--) {
    const j = next() % (i + 1);
    const t = values[i] as number;
    values[i] = values[j] as number;
    values[j] = t;
  }
  return values;
}
