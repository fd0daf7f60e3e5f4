/**
 * Regression and classification metrics against scikit-learn 1.2 to 1e-9, on
 * test/fixtures/ml/linear/metrics.json (written by test/fixtures/ml/linear/generate.py with
 * /usr/bin/python3). The fixtures include zero targets (MAPE's eps floor), exact 0/1
 * probabilities (log_loss clipping), tied scores (curve thresholds) and a class that is never
 * predicted (zero division).
 */
import { describe, expect, it } from 'vitest';
import { DataError } from '../../../src/errors.js';
import {
  type Average,
  accuracy_score,
  classificationMetrics,
  confusion_matrix,
  f1_score,
  log_loss,
  precision_recall_curve,
  precision_score,
  recall_score,
  roc_auc,
  roc_curve,
} from '../../../src/ml/metrics/classification.js';
import {
  max_error,
  mean_absolute_error,
  mean_absolute_percentage_error,
  mean_squared_error,
  r2_score,
  regressionMetrics,
  root_mean_squared_error,
} from '../../../src/ml/metrics/regression.js';
import { loadFixture, maxAbsDiff } from '../linear/fixtures.js';

interface ClassificationCase {
  n_classes: number;
  y_true: number[];
  y_pred: number[];
  proba: number[][];
  confusion_matrix: number[][];
  roc_curve?: { fpr: number[]; tpr: number[]; thresholds: number[] };
  precision_recall_curve?: { precision: number[]; recall: number[]; thresholds: number[] };
  [metric: string]: unknown;
}
interface Fixture {
  regression: Record<string, number> & { y_true: number[]; y_pred: number[] };
  classification: ClassificationCase[];
}

const fx = loadFixture<Fixture>('metrics.json');
const TOL = 1e-9;

describe('regression metrics', () => {
  const { y_true: yt, y_pred: yp } = fx.regression;
  const fns = {
    mean_squared_error,
    root_mean_squared_error,
    mean_absolute_error,
    r2_score,
    max_error,
    mean_absolute_percentage_error,
  };
  it.each(Object.entries(fns))('%s matches scikit-learn to 1e-9', (name, fn) => {
    const expected = fx.regression[name];
    expect(Math.abs(fn(yt, yp) - expected)).toBeLessThanOrEqual(TOL * Math.max(1, Math.abs(expected)));
  });

  it('regressionMetrics reports MLflow keys with the same values', () => {
    const m = regressionMetrics(Float64Array.from(yt), Float64Array.from(yp));
    for (const name of Object.keys(fns)) {
      expect(Math.abs(m[name] - fx.regression[name])).toBeLessThanOrEqual(
        TOL * Math.max(1, Math.abs(m[name])),
      );
    }
    expect(m.example_count).toBe(yt.length);
    expect(m.mean_on_target).toBeCloseTo(yt.reduce((s, v) => s + v, 0) / yt.length, 12);
  });

  it('r2_score with constant y_true follows sklearn force_finite', () => {
    expect(r2_score([2, 2, 2], [2, 2, 2])).toBe(1);
    expect(r2_score([2, 2, 2], [1, 2, 3])).toBe(0);
  });

  it('rejects mismatched lengths, empty input and NaN', () => {
    expect(() => mean_squared_error([1, 2], [1])).toThrow(DataError);
    expect(() => mean_squared_error([1, 2], [1])).toThrow(/y_true has 2 values but y_pred has 1/);
    expect(() => r2_score([], [])).toThrow(/empty/);
    expect(() => mean_absolute_error([1, Number.NaN], [1, 2])).toThrow(/row 1 holds a non-finite value/);
  });
});

describe.each(fx.classification.map((c) => [`${c.n_classes} classes`, c] as const))(
  'classification metrics, %s',
  (_label, c) => {
    const yt = Int32Array.from(c.y_true);
    const yp = Int32Array.from(c.y_pred);
    const proba = c.proba.map((col) => Float64Array.from(col));
    const close = (actual: number, key: string): void => {
      const expected = c[key] as number;
      expect(typeof expected).toBe('number');
      expect(Math.abs(actual - expected)).toBeLessThanOrEqual(TOL);
    };

    it('accuracy and confusion matrix', () => {
      close(accuracy_score(yt, yp), 'accuracy_score');
      expect(confusion_matrix(yt, yp, c.n_classes)).toEqual(c.confusion_matrix);
    });

    const averages: Average[] =
      c.n_classes === 2 ? ['binary', 'macro', 'micro', 'weighted'] : ['macro', 'micro', 'weighted'];
    it.each(averages)('precision, recall and F1 with average=%s', (average) => {
      close(precision_score(yt, yp, { average }), `precision_score_${average}`);
      close(recall_score(yt, yp, { average }), `recall_score_${average}`);
      close(f1_score(yt, yp, { average }), `f1_score_${average}`);
    });

    it('log_loss and roc_auc', () => {
      close(log_loss(yt, proba), 'log_loss');
      close(roc_auc(yt, proba), 'roc_auc');
    });

    if (c.n_classes === 2) {
      it('pos_label=0', () =>
        close(precision_score(yt, yp, { average: 'binary', posLabel: 0 }), 'precision_score_pos0'));

      it('roc_curve and precision_recall_curve points', () => {
        const isPos = Array.from(yt, (v) => v === 1);
        const roc = roc_curve(isPos, proba[1]);
        const want = c.roc_curve;
        const pr = precision_recall_curve(isPos, proba[1]);
        const wantPr = c.precision_recall_curve;
        if (!want || !wantPr) throw new Error('fixture lacks curves');
        expect(maxAbsDiff(roc.fpr, want.fpr)).toBeLessThanOrEqual(TOL);
        expect(maxAbsDiff(roc.tpr, want.tpr)).toBeLessThanOrEqual(TOL);
        expect(roc.thresholds[0]).toBe(Number.POSITIVE_INFINITY);
        expect(maxAbsDiff(roc.thresholds.slice(1), want.thresholds)).toBeLessThanOrEqual(TOL);
        expect(maxAbsDiff(pr.precision, wantPr.precision)).toBeLessThanOrEqual(TOL);
        expect(maxAbsDiff(pr.recall, wantPr.recall)).toBeLessThanOrEqual(TOL);
        expect(maxAbsDiff(pr.thresholds, wantPr.thresholds)).toBeLessThanOrEqual(TOL);
      });
    }

    it('classificationMetrics reports MLflow keys with sklearn values', () => {
      const m = classificationMetrics({ yTrue: yt, yPred: yp, proba, nClasses: c.n_classes });
      const avg = c.n_classes === 2 ? 'binary' : 'weighted';
      close(m.accuracy_score, 'accuracy_score');
      close(m.precision_score, `precision_score_${avg}`);
      close(m.recall_score, `recall_score_${avg}`);
      close(m.f1_score, `f1_score_${avg}`);
      close(m.log_loss, 'log_loss');
      close(m.roc_auc, 'roc_auc');
      expect(m.example_count).toBe(yt.length);
      if (c.n_classes === 2) {
        close(m.precision_recall_auc, 'precision_recall_auc');
        const cm = c.confusion_matrix;
        expect([m.true_negatives, m.false_positives, m.false_negatives, m.true_positives]).toEqual([
          cm[0][0],
          cm[0][1],
          cm[1][0],
          cm[1][1],
        ]);
      } else {
        expect(m.true_positives).toBeUndefined();
      }
    });
  },
);

describe('classificationMetrics on a single-class test set', () => {
  it('omits roc_auc and precision_recall_auc instead of failing, as MLflow does', () => {
    const yTrue = Int32Array.of(1, 1, 1);
    const yPred = Int32Array.of(1, 0, 1);
    const proba = [Float64Array.of(0.2, 0.6, 0.1), Float64Array.of(0.8, 0.4, 0.9)];
    const m = classificationMetrics({ yTrue, yPred, proba, nClasses: 2 });
    expect(m.roc_auc).toBeUndefined();
    expect(m.precision_recall_auc).toBeUndefined();
    expect(m.accuracy_score).toBeCloseTo(2 / 3, 12);
    expect(m.log_loss).toBeCloseTo(-(Math.log(0.8) + Math.log(0.4) + Math.log(0.9)) / 3, 12);
    const multi = classificationMetrics({
      yTrue: Int32Array.of(2, 2),
      yPred: Int32Array.of(2, 1),
      proba: [Float64Array.of(0.1, 0.2), Float64Array.of(0.2, 0.5), Float64Array.of(0.7, 0.3)],
      nClasses: 3,
    });
    expect(multi.roc_auc).toBeUndefined();
    expect(multi.accuracy_score).toBe(0.5);
  });
});

describe('classification metric errors', () => {
  it('rejects mismatched lengths, empty input and a single-class roc_auc', () => {
    expect(() => accuracy_score([0, 1], [0])).toThrow(/y_true has 2 values but y_pred has 1/);
    expect(() => f1_score([], [])).toThrow(DataError);
    expect(() => roc_auc([1, 1], [Float64Array.of(0.2, 0.3), Float64Array.of(0.8, 0.7)])).toThrow(
      /only one class/,
    );
    expect(() => precision_score([0, 1, 2], [0, 1, 2], { average: 'binary' })).toThrow(/at most 2 classes/);
    expect(() => log_loss([0, 1], [Float64Array.of(0.5)])).toThrow(/one probability column per class/);
  });
});
