/**
 * The split step's post-split filter, the counterpart of MLflow Recipes' steps/split.py
 * `create_dataset_filter`. It is called on the train, validation and test splits and returns, per
 * row, whether to keep it. Arbitrary feature changes belong in the transform step instead.
 */

interface Frame {
  nRows: number;
  columns: Array<
    { name: string; type: 'number'; values: Float64Array } | { name: string; type: 'string'; values: (string | null)[] }
  >;
}

export function create_dataset_filter(dataset: Frame): boolean[] {
  const weight = dataset.columns.find((c) => c.name === 'Weight_in_lbs');
  // Keep every row with a plausible weight (missing weights are imputed by the transform step).
  return Array.from({ length: dataset.nRows }, (_, i) => {
    const w = weight?.type === 'number' ? (weight.values[i] as number) : Number.NaN;
    return Number.isNaN(w) || (w > 500 && w < 10_000);
  });
}
