/**
 * A trial scored on its worker (TrialWorkerPayload.score) gets the same built-in metrics as one
 * whose predictions are scored by the caller, for a regressor and a binary classifier; without
 * `predictions` the result carries no predictions (nothing but metrics crosses back).
 */
import { describe, expect, it } from 'vitest';
import type { FeatureMatrix } from '../../src/ml/types.js';
import { builtinTrialMetrics, fitTrainTrial, type TrialWorkerPayload } from '../../src/sweeps/train-trial.js';

/** Two features, a linear target with a deterministic wobble, and a class from its sign. */
function data(n: number, shift: number): { X: FeatureMatrix; y: Float64Array; cls: Int32Array } {
  const a = Float64Array.from({ length: n }, (_, i) => Math.sin(i * 0.7 + shift));
  const b = Float64Array.from({ length: n }, (_, i) => Math.cos(i * 1.3 + shift));
  const y = Float64Array.from(
    { length: n },
    (_, i) => 2 * (a[i] as number) - (b[i] as number) + 0.1 * Math.sin(i),
  );
  const cls = Int32Array.from(y, (v) => (v > 0 ? 1 : 0));
  return { X: { nRows: n, columns: [a, b] }, y, cls };
}

const train = data(60, 0);
const validation = data(25, 5);

function payload(kind: 'regressor' | 'classifier'): TrialWorkerPayload {
  return {
    recipeDir: '/nonexistent',
    cfg: { estimator: { name: kind === 'regressor' ? 'ridge' : 'logistic_regression' } },
    kind,
    problemType: kind === 'regressor' ? 'regression' : 'classification',
    X: train.X,
    y: kind === 'regressor' ? train.y : train.cls,
    nClasses: kind === 'regressor' ? 0 : 2,
    Xval: validation.X,
  };
}

describe('fitTrainTrial scoring on the worker', () => {
  for (const kind of ['regressor', 'classifier'] as const) {
    it(`gives the caller's built-in metrics for a ${kind}`, async () => {
      const truth = kind === 'regressor' ? { number: validation.y } : { index: validation.cls };
      const params = kind === 'regressor' ? { alpha: 0.5 } : { C: 2 };
      const plain = await fitTrainTrial(payload(kind), { params });
      expect(plain.yPred).toBeDefined();
      expect(plain.metrics).toBeUndefined();
      const expected = builtinTrialMetrics({ kind, truth, result: plain, nClasses: 2, positiveClass: 1 });
      expect(Object.keys(expected).length).toBeGreaterThan(2);

      const scored = await fitTrainTrial(
        { ...payload(kind), score: { truth, positiveClass: 1, predictions: false } },
        { params },
      );
      expect(scored.yPred).toBeUndefined();
      expect(scored.proba).toBeUndefined();
      expect(scored.metrics).toEqual(expected);
      // The caller takes the worker's metrics as they are.
      expect(builtinTrialMetrics({ kind, truth, result: scored, nClasses: 2 })).toEqual(expected);

      const both = await fitTrainTrial(
        { ...payload(kind), score: { truth, positiveClass: 1, predictions: true } },
        { params },
      );
      expect(both.metrics).toEqual(expected);
      expect(Array.from(both.yPred ?? [])).toEqual(Array.from(plain.yPred ?? []));
    });
  }
});
