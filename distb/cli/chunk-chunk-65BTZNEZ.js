import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  DataError
} from "./chunk-chunk-FHTLSLDU.js";

// src/ml/metrics/classification.ts
var FLOAT64_EPS = 2220446049250313e-31;
function checkLabels(yTrue, yPred, metric) {
  if (yTrue.length !== yPred.length) {
    throw new DataError(`${metric}: y_true has ${yTrue.length} values but y_pred has ${yPred.length}`, {
      hint: "pass one prediction per true label"
    });
  }
  if (yTrue.length === 0) {
    throw new DataError(`${metric}: y_true and y_pred are empty`, {
      hint: "evaluate on a non-empty dataset"
    });
  }
}
function maxLabel(...arrays) {
  let m = -1;
  for (const a of arrays) {
    for (let i = 0; i < a.length; i++) {
      const v = a[i];
      if (!Number.isInteger(v) || v < 0) {
        throw new DataError(`class labels must be integers >= 0, got ${v} at row ${i}`, {
          hint: "encode classes as 0..nClasses-1"
        });
      }
      if (v > m) m = v;
    }
  }
  return m;
}
function accuracy_score(yTrue, yPred) {
  checkLabels(yTrue, yPred, "accuracy_score");
  let hits = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === yPred[i]) hits++;
  return hits / yTrue.length;
}
function confusion_matrix(yTrue, yPred, nClasses) {
  checkLabels(yTrue, yPred, "confusion_matrix");
  const k = Math.max(nClasses ?? 0, maxLabel(yTrue, yPred) + 1);
  const m = Array.from({ length: k }, () => new Array(k).fill(0));
  for (let i = 0; i < yTrue.length; i++) m[yTrue[i]][yPred[i]]++;
  return m;
}
function perClassCounts(yTrue, yPred) {
  const k = maxLabel(yTrue, yPred) + 1;
  const tpAll = new Array(k).fill(0);
  const predAll = new Array(k).fill(0);
  const trueAll = new Array(k).fill(0);
  for (let i = 0; i < yTrue.length; i++) {
    trueAll[yTrue[i]]++;
    predAll[yPred[i]]++;
    if (yTrue[i] === yPred[i]) tpAll[yTrue[i]]++;
  }
  const out = { labels: [], tp: [], fp: [], fn: [], support: [] };
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
var ratio = (num, den) => den === 0 ? 0 : num / den;
var fScore = (p, r) => p + r === 0 ? 0 : 2 * p * r / (p + r);
function scoreFromCounts(tp, fp, fn, which) {
  const p = ratio(tp, tp + fp);
  const r = ratio(tp, tp + fn);
  if (which === "precision") return p;
  if (which === "recall") return r;
  return fScore(p, r);
}
function averagedScore(yTrue, yPred, options, which, metric) {
  checkLabels(yTrue, yPred, metric);
  const average = options.average ?? "binary";
  const counts = perClassCounts(yTrue, yPred);
  if (average === "binary") {
    const pos = options.posLabel ?? 1;
    if (counts.labels.length > 2) {
      throw new DataError(
        `${metric}: average='binary' needs at most 2 classes, found ${counts.labels.length}`,
        { hint: "use average='weighted', 'macro' or 'micro' for multiclass targets" }
      );
    }
    const idx = counts.labels.indexOf(pos);
    if (idx < 0) {
      if (counts.labels.length === 2) {
        throw new DataError(
          `${metric}: pos_label=${pos} is not one of the labels ${counts.labels.join(", ")}`
        );
      }
      return 0;
    }
    return scoreFromCounts(counts.tp[idx], counts.fp[idx], counts.fn[idx], which);
  }
  if (average === "micro") {
    const sum = (a) => a.reduce((s2, v) => s2 + v, 0);
    return scoreFromCounts(sum(counts.tp), sum(counts.fp), sum(counts.fn), which);
  }
  const scores = counts.labels.map(
    (_, i) => scoreFromCounts(counts.tp[i], counts.fp[i], counts.fn[i], which)
  );
  if (average === "macro") return scores.reduce((s2, v) => s2 + v, 0) / scores.length;
  const total = counts.support.reduce((s2, v) => s2 + v, 0);
  if (total === 0) return 0;
  let s = 0;
  for (let i = 0; i < scores.length; i++) s += scores[i] * counts.support[i];
  return s / total;
}
function precision_score(yTrue, yPred, options = {}) {
  return averagedScore(yTrue, yPred, options, "precision", "precision_score");
}
function recall_score(yTrue, yPred, options = {}) {
  return averagedScore(yTrue, yPred, options, "recall", "recall_score");
}
function f1_score(yTrue, yPred, options = {}) {
  return averagedScore(yTrue, yPred, options, "f1", "f1_score");
}
function checkScores(isPositive, score, metric) {
  if (isPositive.length !== score.length) {
    throw new DataError(
      `${metric}: y_true has ${isPositive.length} values but the scores have ${score.length}`
    );
  }
  if (score.length === 0) throw new DataError(`${metric}: no rows to score`);
  for (let i = 0; i < score.length; i++) {
    if (Number.isNaN(score[i])) {
      throw new DataError(`${metric}: score at row ${i} is NaN`, {
        hint: "the model produced NaN probabilities"
      });
    }
  }
}
function binaryClfCurve(isPositive, score) {
  const n = score.length;
  const order = Array.from({ length: n }, (_, i) => i);
  order.sort((a, b) => score[b] - score[a]);
  const fps = [];
  const tps = [];
  const thresholds = [];
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
    thresholds: Float64Array.from(thresholds)
  };
}
function roc_curve(isPositive, score) {
  checkScores(isPositive, score, "roc_curve");
  const curve = binaryClfCurve(isPositive, score);
  const m = curve.fps.length;
  const keep = [];
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
    fpr.push(lastFp > 0 ? curve.fps[i] / lastFp : Number.NaN);
    tpr.push(lastTp > 0 ? curve.tps[i] / lastTp : Number.NaN);
    thresholds.push(curve.thresholds[i]);
  }
  return { fpr, tpr, thresholds };
}
function precision_recall_curve(isPositive, score) {
  checkScores(isPositive, score, "precision_recall_curve");
  const curve = binaryClfCurve(isPositive, score);
  const m = curve.fps.length;
  const totalTp = curve.tps[m - 1];
  const precision = [];
  const recall = [];
  const thresholds = [];
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
function auc(x, y) {
  if (x.length !== y.length || x.length < 2) {
    throw new DataError(
      `auc: needs at least 2 points with matching x and y, got ${x.length} and ${y.length}`
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
    else throw new DataError("auc: x is neither increasing nor decreasing");
  }
  let area = 0;
  for (let i = 1; i < x.length; i++) area += (x[i] - x[i - 1]) * (y[i] + y[i - 1]) / 2;
  return direction * area;
}
function binaryRocAuc(isPositive, score, metric) {
  let pos = 0;
  for (let i = 0; i < isPositive.length; i++) if (isPositive[i]) pos++;
  if (pos === 0 || pos === isPositive.length) {
    throw new DataError(`${metric}: only one class is present in y_true; ROC AUC is undefined`, {
      hint: "evaluate on data that holds both classes"
    });
  }
  const { fpr, tpr } = roc_curve(isPositive, score);
  return auc(fpr, tpr);
}
function checkProba(proba, n, metric) {
  if (proba.length < 2) {
    throw new DataError(
      `${metric}: expected one probability column per class (at least 2), got ${proba.length}`
    );
  }
  for (let k = 0; k < proba.length; k++) {
    if (proba[k].length !== n) {
      throw new DataError(
        `${metric}: probability column ${k} has ${proba[k].length} rows but y_true has ${n}`
      );
    }
  }
}
function roc_auc(yTrue, proba, options = {}) {
  if (yTrue.length === 0) throw new DataError("roc_auc: y_true is empty");
  checkProba(proba, yTrue.length, "roc_auc");
  if (proba.length === 2) {
    const pos = options.posLabel ?? 1;
    const isPositive = Array.from(yTrue, (v) => v === pos);
    return binaryRocAuc(isPositive, proba[pos], "roc_auc");
  }
  const support = new Array(proba.length).fill(0);
  for (let i = 0; i < yTrue.length; i++) support[yTrue[i]]++;
  let total = 0;
  let s = 0;
  for (let k = 0; k < proba.length; k++) {
    if (support[k] === 0) continue;
    const isPositive = Array.from(yTrue, (v) => v === k);
    s += support[k] * binaryRocAuc(isPositive, proba[k], "roc_auc");
    total += support[k];
  }
  return s / total;
}
function log_loss(yTrue, proba) {
  if (yTrue.length === 0) throw new DataError("log_loss: y_true is empty");
  checkProba(proba, yTrue.length, "log_loss");
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
function clip(p) {
  return Math.min(Math.max(p, FLOAT64_EPS), 1 - FLOAT64_EPS);
}
function classificationMetrics(input) {
  const { yTrue, yPred, proba, nClasses } = input;
  checkLabels(yTrue, yPred, "classificationMetrics");
  const out = {
    example_count: yTrue.length,
    accuracy_score: accuracy_score(yTrue, yPred)
  };
  if (nClasses <= 2) {
    const pos = input.positiveClass ?? 1;
    const opts2 = { average: "binary", posLabel: pos };
    out.recall_score = recall_score(yTrue, yPred, opts2);
    out.precision_score = precision_score(yTrue, yPred, opts2);
    out.f1_score = f1_score(yTrue, yPred, opts2);
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
      if (distinctCount(yTrue) >= 2) {
        out.roc_auc = binaryRocAuc(isPositive, proba[pos], "roc_auc");
        const pr = precision_recall_curve(isPositive, proba[pos]);
        out.precision_recall_auc = auc(pr.recall, pr.precision);
      }
    }
    return out;
  }
  const opts = { average: "weighted" };
  out.recall_score = recall_score(yTrue, yPred, opts);
  out.precision_score = precision_score(yTrue, yPred, opts);
  out.f1_score = f1_score(yTrue, yPred, opts);
  if (proba) {
    out.log_loss = log_loss(yTrue, proba);
    if (distinctCount(yTrue) >= 2) out.roc_auc = roc_auc(yTrue, proba);
  }
  return out;
}
function distinctCount(values) {
  return new Set(Array.from(values)).size;
}

// src/ml/metrics/regression.ts
var FLOAT64_EPS2 = 2220446049250313e-31;
function checkPair(yTrue, yPred, metric) {
  if (yTrue.length !== yPred.length) {
    throw new DataError(`${metric}: y_true has ${yTrue.length} values but y_pred has ${yPred.length}`, {
      hint: "pass one prediction per true value"
    });
  }
  if (yTrue.length === 0) {
    throw new DataError(`${metric}: y_true and y_pred are empty`, {
      hint: "evaluate on a non-empty dataset"
    });
  }
  for (let i = 0; i < yTrue.length; i++) {
    if (!Number.isFinite(yTrue[i]) || !Number.isFinite(yPred[i])) {
      throw new DataError(
        `${metric}: row ${i} holds a non-finite value (y_true=${yTrue[i]}, y_pred=${yPred[i]})`,
        {
          hint: "drop rows with missing targets before evaluating"
        }
      );
    }
  }
}
function mean_squared_error(yTrue, yPred) {
  checkPair(yTrue, yPred, "mean_squared_error");
  let s = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const d = yTrue[i] - yPred[i];
    s += d * d;
  }
  return s / yTrue.length;
}
function root_mean_squared_error(yTrue, yPred) {
  return Math.sqrt(mean_squared_error(yTrue, yPred));
}
function mean_absolute_error(yTrue, yPred) {
  checkPair(yTrue, yPred, "mean_absolute_error");
  let s = 0;
  for (let i = 0; i < yTrue.length; i++) s += Math.abs(yTrue[i] - yPred[i]);
  return s / yTrue.length;
}
function max_error(yTrue, yPred) {
  checkPair(yTrue, yPred, "max_error");
  let m = 0;
  for (let i = 0; i < yTrue.length; i++) m = Math.max(m, Math.abs(yTrue[i] - yPred[i]));
  return m;
}
function mean_absolute_percentage_error(yTrue, yPred) {
  checkPair(yTrue, yPred, "mean_absolute_percentage_error");
  let s = 0;
  for (let i = 0; i < yTrue.length; i++) {
    s += Math.abs(yPred[i] - yTrue[i]) / Math.max(Math.abs(yTrue[i]), FLOAT64_EPS2);
  }
  return s / yTrue.length;
}
function r2_score(yTrue, yPred) {
  checkPair(yTrue, yPred, "r2_score");
  let m = 0;
  for (let i = 0; i < yTrue.length; i++) m += yTrue[i];
  m /= yTrue.length;
  let ssRes = 0;
  let ssTot = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const r = yTrue[i] - yPred[i];
    const t = yTrue[i] - m;
    ssRes += r * r;
    ssTot += t * t;
  }
  if (ssTot === 0) return ssRes === 0 ? 1 : 0;
  return 1 - ssRes / ssTot;
}
function regressionMetrics(yTrue, yPred) {
  checkPair(yTrue, yPred, "regressionMetrics");
  let sumTrue = 0;
  for (let i = 0; i < yTrue.length; i++) sumTrue += yTrue[i];
  return {
    example_count: yTrue.length,
    mean_absolute_error: mean_absolute_error(yTrue, yPred),
    mean_squared_error: mean_squared_error(yTrue, yPred),
    root_mean_squared_error: root_mean_squared_error(yTrue, yPred),
    sum_on_target: sumTrue,
    mean_on_target: sumTrue / yTrue.length,
    r2_score: r2_score(yTrue, yPred),
    max_error: max_error(yTrue, yPred),
    mean_absolute_percentage_error: mean_absolute_percentage_error(yTrue, yPred)
  };
}

// src/models/targets.ts
function targetColumn(frame, targetCol, where) {
  const column = frame.columns.find((c) => c.name === targetCol);
  if (!column) {
    throw new DataError(`${where}: target_col "${targetCol}" is not a column`, {
      hint: `the columns are ${frame.columns.map((c) => c.name).join(", ")}`
    });
  }
  return column;
}
function regressionTarget(column, where) {
  if (column.type !== "number") {
    throw new DataError(`${where}: target "${column.name}" is text, but regression needs numbers`, {
      hint: "use recipe: classification/v1 for labels, or clean the column"
    });
  }
  for (let i = 0; i < column.values.length; i++) {
    if (Number.isNaN(column.values[i])) {
      throw new DataError(`${where}: target "${column.name}" is missing in row ${i + 1}`, {
        hint: "the split step drops rows without a target; re-run it"
      });
    }
  }
  return column.values;
}
function labelStrings(column, type, where) {
  const out = new Array(column.values.length);
  for (let i = 0; i < column.values.length; i++) {
    const v = column.values[i];
    if (v === null || typeof v === "number" && Number.isNaN(v)) {
      throw new DataError(`${where}: target "${column.name}" is missing in row ${i + 1}`, {
        hint: "the split step drops rows without a target; re-run it"
      });
    }
    out[i] = typeof v === "number" && type === "boolean" ? v === 1 ? "true" : "false" : String(v);
  }
  return out;
}
function encodeLabels(labels, classes, where) {
  const index = new Map(classes.map((label, k) => [label, k]));
  const out = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    const k = index.get(labels[i]);
    if (k === void 0) {
      throw new DataError(
        `${where}: row ${i + 1} has class "${labels[i]}", which the training data does not have`,
        {
          hint: `the model knows ${classes.join(", ")}; a rare class may have landed only in this split`
        }
      );
    }
    out[i] = k;
  }
  return out;
}
function columnType(dataset, name) {
  const j = dataset.frame.columns.findIndex((c) => c.name === name);
  return j < 0 ? void 0 : dataset.columnTypes[j];
}

export {
  confusion_matrix,
  roc_curve,
  precision_recall_curve,
  classificationMetrics,
  regressionMetrics,
  targetColumn,
  regressionTarget,
  labelStrings,
  encodeLabels,
  columnType
};
