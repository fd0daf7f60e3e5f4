/**
 * Custom metrics, the counterpart of MLflow Recipes' steps/custom_metrics.py. Each function named
 * under `custom_metrics` in recipe.yaml is called once per evaluated split (validation, test)
 * and returns a number, logged as `val_<name>` and `test_<name>`.
 */

interface EvalData {
  split: 'validation' | 'test';
  yTrue: Float64Array | string[];
  yPred: Float64Array | string[];
}

/** Mean squared error weighted by 1 / y: an error on a low-mpg car counts more. */
export function weighted_mean_squared_error(evalData: EvalData): number {
  const yTrue = evalData.yTrue as Float64Array;
  const yPred = evalData.yPred as Float64Array;
  let weighted = 0;
  let weights = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const w = 1 / (yTrue[i] as number);
    const e = (yTrue[i] as number) - (yPred[i] as number);
    weighted += w * e * e;
    weights += w;
  }
  return weights > 0 ? weighted / weights : Number.NaN;
}
