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

const MEASUREMENTS = ['Beak Length (mm)', 'Beak Depth (mm)', 'Flipper Length (mm)', 'Body Mass (g)'];

export function create_dataset_filter(dataset: Frame): boolean[] {
  const columns = dataset.columns.filter((c) => c.type === 'number' && MEASUREMENTS.includes(c.name));
  // Two birds in the data were never measured: they carry no signal, only a species label.
  return Array.from({ length: dataset.nRows }, (_, i) =>
    columns.some((c) => !Number.isNaN(c.values[i] as number)),
  );
}
