/**
 * Classification metrics with scikit-learn's definitions (checked against scikit-learn 1.2 on
 * fixtures) and MLflow's names. Classes are integer indices 0..nClasses-1, as the pipeline
 * encodes them; probabilities come as one Float64Array per class.
 *
 * Choices that mirror scikit-learn:
 * - precision/recall/F1 use the labels present in y_true ∪ y_pred (sklearn's `unique_labels`),
 *   and a 0/0 ratio counts as 0 (sklearn's `zero_division="warn"` value, without the warning);
 * - `log_loss` clips probabilities to [eps, 1−eps] with eps = float64 epsilon, then renormalises
 *   each row (sklearn ≥ 1.2's `eps="auto"`);
 * - ROC/PR curves are built from the same cumulative counts as sklearn's `_binary_clf_curve`,
 *   and `roc_curve` drops collinear points like `drop_intermediate=True`. Its first threshold is
 *   +Infinity (sklearn ≥ 1.3; 1.2 used max(score)+1 — only that one value differs).
 */
import { DataError } from '../../errors.js';

const FLOAT64_EPS = 2.220446049250313e-16;

export type Average = 'binary' | 'macro' | 'micro' | 'weighted';

export interface AverageOptions {
  /** Default 'binary' (scikit-learn's default). */
  average?: Average;
  /** Class index counted as positive for average='binary'; default 1. */
  posLabel?: number;
}

function checkLabels(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, metric: string): void {
  if (yTrue.length !== yPred.length) {
    throw new DataError(`${metric}: y_true has ${yTrue.length} values but y_pred has ${yPred.length}`, {
      hint: 'pass one prediction per true label',
    });
  }
  if (yTrue.length === 0) {
    throw new DataError(`${metric}: y_true and y_pred are empty`, {
      hint: 'evaluate on a non-empty dataset',
    });
  }
}

function maxLabel(...arrays: ArrayLike<number>[]): number {
  let m = -1;
  for (const a of arrays) {
    for (let i = 0; i < a.length; i++) {
      const v = a[i];
      if (!Number.isInteger(v) || v < 0) {
        throw new DataError(`class labels must be integers >= 0, got ${v} at row ${i}`, {
          hint: 'encode classes as 0..nClasses-1',
        });
      }
      if (v > m) m = v;
    }
  }
  return m;
}

export function accuracy_score(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  checkLabels(yTrue, yPred, 'accuracy_score');
  let hits = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === yPred[i]) hits++;
  return hits / yTrue.length;
}

/** counts[t][p] = rows with true class t predicted as p (sklearn's layout). */
export function confusion_matrix(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  nClasses?: number,
): number[][] {
  checkLabels(yTrue, yPred, 'confusion_matrix');
  const k = Math.max(nClasses ?? 0, maxLabel(yTrue, yPred) + 1);
  const m: number[][] = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < yTrue.length; i++) m[yTrue[i]][yPred[i]]++;
  return m;
}

interface PerClassCounts {
  labels: number[];
  tp: number[];
  fp: number[];
  fn: number[];
  support: number[];
}

function perClassCounts(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): PerClassCounts {
  const k = maxLabel(yTrue, yPred) + 1;
  const tpAll = new Array<number>(k).fill(0);
  const predAll = new Array<number>(k).fill(0);
  const trueAll = new Array<number>(k).fill(0);
  for (let i = 0; i < yTrue.length; i++) {
    trueAll[yTrue[i]]++;
    predAll[yPred[i]]++;
    if (yTrue[i] === yPred[i]) tpAll[yTrue[i]]++;
  }
  const out: PerClassCounts = { labels: [], tp: [], fp: [], fn: [], support: [] };
  for (let c = 0; c < k; c++) {
    if (trueAll[c] === 0 && predAll[c] === 0) continue;
    out.labels.push(c);
    out.tp.push(tpAll[c]);
    out.fp.push(predAll[c] - tpAll[c]);
    out.fn.push(trueAll[c] - tpAll[c]);
    out.support.push(trueAll[c]);
  }
  return out;
}

const ratio = (num: number, den: number): number => (den === 0 ? 0 : num / den);
const fScore = (p: number, r: number): number => (p + r === 0 ? 0 : (2 * p * r) / (p + r));

type Which = 'precision' | 'recall' | 'f1';

function scoreFromCounts(tp: number, fp: number, fn: number, which: Which): number {
  const p = ratio(tp, tp + fp);
  const r = ratio(tp, tp + fn);
  if (which === 'precision') return p;
  if (which === 'recall') return r;
  return fScore(p, r);
}

function averagedScore(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  options: AverageOptions,
  which: Which,
  metric: string,
): number {
  checkLabels(yTrue, yPred, metric);
  const average = options.average ?? 'binary';
  const counts = perClassCounts(yTrue, yPred);
  if (average === 'binary') {
    const pos = options.posLabel ?? 1;
    if (counts.labels.length > 2) {
      throw new DataError(
        `${metric}: average='binary' needs at most 2 classes, found ${counts.labels.length}`,
        { hint: "use average='weighted', 'macro' or 'micro' for multiclass targets" },
      );
    }
    const idx = counts.labels.indexOf(pos);
    if (idx < 0) {
      // sklearn raises when pos_label is absent from a binary problem that has 2 labels,
      // and scores 0 when y holds only the other label; both mean "no positive rows".
      if (counts.labels.length === 2) {
        throw new DataError(
          `${metric}: pos_label=${pos} is not one of the labels ${counts.labels.join(', ')}`,
        );
      }
      return 0;
    }
    return scoreFromCounts(counts.tp[idx], counts.fp[idx], counts.fn[idx], which);
  }
  if (average === 'micro') {
    const sum = (a: number[]): number => a.reduce((s, v) => s + v, 0);
    return scoreFromCounts(sum(counts.tp), sum(counts.fp), sum(counts.fn), which);
  }
  const scores = counts.labels.map((_, i) =>
    scoreFromCounts(counts.tp[i], counts.fp[i], counts.fn[i], which),
  );
  if (average === 'macro') return scores.reduce((s, v) => s + v, 0) / scores.length;
  const total = counts.support.reduce((s, v) => s + v, 0);
  if (total === 0) return 0;
  let s = 0;
  for (let i = 0; i < scores.length; i++) s += scores[i] * counts.support[i];
  return s / total;
}

export function precision_score(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  options: AverageOptions = {},
): number {
  return averagedScore(yTrue, yPred, options, 'precision', 'precision_score');
}

export function recall_score(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  options: AverageOptions = {},
): number {
  return averagedScore(yTrue, yPred, options, 'recall', 'recall_score');
}

export function f1_score(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  options: AverageOptions = {},
): number {
  return averagedScore(yTrue, yPred, options, 'f1', 'f1_score');
}

interface ClfCurve {
  fps: Float64Array;
  tps: Float64Array;
  thresholds: Float64Array;
}

function checkScores(isPositive: ArrayLike<boolean>, score: ArrayLike<number>, metric: string): void {
  if (isPositive.length !== score.length) {
    throw new DataError(
      `${metric}: y_true has ${isPositive.length} values but the scores have ${score.length}`,
    );
  }
  if (score.length === 0) throw new DataError(`${metric}: no rows to score`);
  for (let i = 0; i < score.length; i++) {
    if (Number.isNaN(score[i])) {
      throw new DataError(`${metric}: score at row ${i} is NaN`, {
        hint: 'the model produced NaN probabilities',
      });
    }
  }
}

/** Distinct thresholds in decreasing order with cumulative false/true positive counts. */
function binaryClfCurve(isPositive: ArrayLike<boolean>, score: ArrayLike<number>): ClfCurve {
  const n = score.length;
  const order = Array.from({ length: n }, (_, i) => i);
  order.sort((a, b) => score[b] - score[a]);
  const fps: number[] = [];
  const tps: number[] = [];
  const thresholds: number[] = [];
  let tp = 0;
  for (let r = 0; r < n; r++) {
    const i = order[r];
    if (isPositive[i]) tp++;
    if (r === n - 1 || score[order[r + 1]] !== score[i]) {
      tps.push(tp);
      fps.push(r + 1 - tp);
      thresholds.push(score[i]);
    }
  }
  return {
    fps: Float64Array.from(fps),
    tps: Float64Array.from(tps),
    thresholds: Float64Array.from(thresholds),
  };
}

export interface RocCurve {
  fpr: number[];
  tpr: number[];
  thresholds: number[];
}

/** ROC curve points for a binary problem; `isPositive[i]` says whether row i is the positive class. */
export function roc_curve(isPositive: ArrayLike<boolean>, score: ArrayLike<number>): RocCurve {
  checkScores(isPositive, score, 'roc_curve');
  const curve = binaryClfCurve(isPositive, score);
  const m = curve.fps.length;
  // Keep only corners: a point collinear with both neighbours adds nothing to the curve or AUC.
  const keep: number[] = [];
  for (let i = 0; i < m; i++) {
    if (i === 0 || i === m - 1 || m <= 2) {
      keep.push(i);
      continue;
    }
    const d2f = curve.fps[i + 1] - 2 * curve.fps[i] + curve.fps[i - 1];
    const d2t = curve.tps[i + 1] - 2 * curve.tps[i] + curve.tps[i - 1];
    if (d2f !== 0 || d2t !== 0) keep.push(i);
  }
  const lastFp = curve.fps[m - 1];
  const lastTp = curve.tps[m - 1];
  const fpr = [0];
  const tpr = [0];
  const thresholds = [Number.POSITIVE_INFINITY];
  for (const i of keep) {
    // sklearn yields NaN when one class is absent; we do too rather than inventing a value.
    fpr.push(lastFp > 0 ? curve.fps[i] / lastFp : Number.NaN);
    tpr.push(lastTp > 0 ? curve.tps[i] / lastTp : Number.NaN);
    thresholds.push(curve.thresholds[i]);
  }
  return { fpr, tpr, thresholds };
}

export interface PrecisionRecallCurve {
  precision: number[];
  recall: number[];
  thresholds: number[];
}

/** Precision-recall points in sklearn 1.2's order: recall decreasing, ending at (recall 0, precision 1). */
export function precision_recall_curve(
  isPositive: ArrayLike<boolean>,
  score: ArrayLike<number>,
): PrecisionRecallCurve {
  checkScores(isPositive, score, 'precision_recall_curve');
  const curve = binaryClfCurve(isPositive, score);
  const m = curve.fps.length;
  const totalTp = curve.tps[m - 1];
  const precision: number[] = [];
  const recall: number[] = [];
  const thresholds: number[] = [];
  for (let i = m - 1; i >= 0; i--) {
    const ps = curve.tps[i] + curve.fps[i];
    precision.push(ps === 0 ? 0 : curve.tps[i] / ps);
    recall.push(totalTp === 0 ? 1 : curve.tps[i] / totalTp);
    thresholds.push(curve.thresholds[i]);
  }
  precision.push(1);
  recall.push(0);
  return { precision, recall, thresholds };
}

/** Area under a curve by the trapezoidal rule; x must be monotonic (either direction), as sklearn's `auc`. */
export function auc(x: ArrayLike<number>, y: ArrayLike<number>): number {
  if (x.length !== y.length || x.length < 2) {
    throw new DataError(
      `auc: needs at least 2 points with matching x and y, got ${x.length} and ${y.length}`,
    );
  }
  let direction = 1;
  let increasing = true;
  let decreasing = true;
  for (let i = 1; i < x.length; i++) {
    if (x[i] < x[i - 1]) increasing = false;
    if (x[i] > x[i - 1]) decreasing = false;
  }
  if (!increasing) {
    if (decreasing) direction = -1;
    else throw new DataError('auc: x is neither increasing nor decreasing');
  }
  let area = 0;
  for (let i = 1; i < x.length; i++) area += ((x[i] - x[i - 1]) * (y[i] + y[i - 1])) / 2;
  return direction * area;
}

function binaryRocAuc(isPositive: ArrayLike<boolean>, score: ArrayLike<number>, metric: string): number {
  let pos = 0;
  for (let i = 0; i < isPositive.length; i++) if (isPositive[i]) pos++;
  if (pos === 0 || pos === isPositive.length) {
    throw new DataError(`${metric}: only one class is present in y_true; ROC AUC is undefined`, {
      hint: 'evaluate on data that holds both classes',
    });
  }
  const { fpr, tpr } = roc_curve(isPositive, score);
  return auc(fpr, tpr);
}

function checkProba(proba: Float64Array[], n: number, metric: string): void {
  if (proba.length < 2) {
    throw new DataError(
      `${metric}: expected one probability column per class (at least 2), got ${proba.length}`,
    );
  }
  for (let k = 0; k < proba.length; k++) {
    if (proba[k].length !== n) {
      throw new DataError(
        `${metric}: probability column ${k} has ${proba[k].length} rows but y_true has ${n}`,
      );
    }
  }
}

/**
 * ROC AUC from class probabilities. Binary: AUC of proba[posLabel]. Multiclass: one-vs-rest AUC
 * per class weighted by its support (sklearn's `roc_auc_score(multi_class='ovr', average='weighted')`,
 * what MLflow's evaluator logs).
 */
export function roc_auc(
  yTrue: ArrayLike<number>,
  proba: Float64Array[],
  options: { posLabel?: number } = {},
): number {
  if (yTrue.length === 0) throw new DataError('roc_auc: y_true is empty');
  checkProba(proba, yTrue.length, 'roc_auc');
  if (proba.length === 2) {
    const pos = options.posLabel ?? 1;
    const isPositive = Array.from(yTrue, (v) => v === pos);
    return binaryRocAuc(isPositive, proba[pos], 'roc_auc');
  }
  const support = new Array<number>(proba.length).fill(0);
  for (let i = 0; i < yTrue.length; i++) support[yTrue[i]]++;
  let total = 0;
  let s = 0;
  for (let k = 0; k < proba.length; k++) {
    if (support[k] === 0) continue;
    const isPositive = Array.from(yTrue, (v) => v === k);
    s += support[k] * binaryRocAuc(isPositive, proba[k], 'roc_auc');
    total += support[k];
  }
  return s / total;
}

/** Mean negative log-likelihood of the true class, with sklearn's clipping and renormalisation. */
export function log_loss(yTrue: ArrayLike<number>, proba: Float64Array[]): number {
  if (yTrue.length === 0) throw new DataError('log_loss: y_true is empty');
  checkProba(proba, yTrue.length, 'log_loss');
  const k = proba.length;
  let loss = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const t = yTrue[i];
    if (!(t >= 0 && t < k)) {
      throw new DataError(`log_loss: y_true at row ${i} is ${t}, outside the ${k} probability columns`);
    }
    let rowSum = 0;
    for (let c = 0; c < k; c++) rowSum += clip(proba[c][i]);
    loss -= Math.log(clip(proba[t][i]) / rowSum);
  }
  return loss / yTrue.length;
}

function clip(p: number): number {
  return Math.min(Math.max(p, FLOAT64_EPS), 1 - FLOAT64_EPS);
}

export interface ClassificationMetricsInput {
  yTrue: Int32Array;
  yPred: Int32Array;
  /** One column per class, as `Classifier.predictProba` returns. */
  proba?: Float64Array[];
  nClasses: number;
  /** Positive class index for binary problems; default 1. */
  positiveClass?: number;
}

/**
 * The metrics MLflow's default evaluator logs for a classifier, under its keys: binary problems
 * get pos_label scores, confusion counts, roc_auc and precision_recall_auc; multiclass ones get
 * weighted averages and OvR-weighted roc_auc. Probability-based metrics need `proba`; ROC and
 * PR AUC are left out when y_true holds a single class (undefined there).
 */
export function classificationMetrics(input: ClassificationMetricsInput): Record<string, number> {
  const { yTrue, yPred, proba, nClasses } = input;
  checkLabels(yTrue, yPred, 'classificationMetrics');
  const out: Record<string, number> = {
    example_count: yTrue.length,
    accuracy_score: accuracy_score(yTrue, yPred),
  };
  if (nClasses <= 2) {
    const pos = input.positiveClass ?? 1;
    const opts: AverageOptions = { average: 'binary', posLabel: pos };
    out.recall_score = recall_score(yTrue, yPred, opts);
    out.precision_score = precision_score(yTrue, yPred, opts);
    out.f1_score = f1_score(yTrue, yPred, opts);
    let tn = 0;
    let fp = 0;
    let fn = 0;
    let tp = 0;
    for (let i = 0; i < yTrue.length; i++) {
      const t = yTrue[i] === pos;
      const p = yPred[i] === pos;
      if (t && p) tp++;
      else if (t) fn++;
      else if (p) fp++;
      else tn++;
    }
    Object.assign(out, { true_negatives: tn, false_positives: fp, false_negatives: fn, true_positives: tp });
    if (proba) {
      out.log_loss = log_loss(yTrue, proba);
      const isPositive = Array.from(yTrue, (v) => v === pos);
      // ROC AUC is undefined when y_true holds one class; MLflow's evaluator then logs a
      // warning and omits it, rather than failing the evaluation, and so do we.
      if (distinctCount(yTrue) >= 2) {
        out.roc_auc = binaryRocAuc(isPositive, proba[pos], 'roc_auc');
        const pr = precision_recall_curve(isPositive, proba[pos]);
        out.precision_recall_auc = auc(pr.recall, pr.precision);
      }
    }
    return out;
  }
  const opts: AverageOptions = { average: 'weighted' };
  out.recall_score = recall_score(yTrue, yPred, opts);
  out.precision_score = precision_score(yTrue, yPred, opts);
  out.f1_score = f1_score(yTrue, yPred, opts);
  if (proba) {
    out.log_loss = log_loss(yTrue, proba);
    if (distinctCount(yTrue) >= 2) out.roc_auc = roc_auc(yTrue, proba);
  }
  return out;
}

function distinctCount(values: ArrayLike<number>): number {
  return new Set(Array.from(values)).size;
}
