/**
 * Custom metrics, the counterpart of MLflow Recipes' steps/custom_metrics.py. Each function named
 * under `custom_metrics` in recipe.yaml is called once per evaluated split (validation, test)
 * and returns a number, logged as `val_<name>` and `test_<name>`.
 */

interface EvalData {
  split: 'validation' | 'test';
  /** Labels (classification). */
  yTrue: Float64Array | string[];
  yPred: Float64Array | string[];
}

/** The mean of the per-class recalls (scikit-learn's balanced_accuracy_score). */
export function balanced_accuracy(evalData: EvalData): number {
  const hits = new Map<string, number>();
  const totals = new Map<string, number>();
  for (let i = 0; i < evalData.yTrue.length; i++) {
    const label = String(evalData.yTrue[i]);
    totals.set(label, (totals.get(label) ?? 0) + 1);
    if (String(evalData.yPred[i]) === label) hits.set(label, (hits.get(label) ?? 0) + 1);
  }
  let sum = 0;
  for (const [label, total] of totals) sum += (hits.get(label) ?? 0) / total;
  return totals.size > 0 ? sum / totals.size : Number.NaN;
}
