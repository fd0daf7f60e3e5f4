/** Small real models saved to temp directories for the scoring server tests and bench/serve. */
import { join } from 'node:path';
import { datasetFromRecords } from '../../src/data/infer-types.js';
import { ColumnTransformer } from '../../src/ml/column-transformer.js';
import { createClassifier, createRegressor } from '../../src/ml/estimators.js';
import type { Frame } from '../../src/ml/types.js';
import { dropColumn, ModelPipeline, saveModel } from '../../src/models/index.js';
import { carsRows, penguinRows } from '../steps/model-recipe-fixture.js';

export const CARS_TARGET = 'Miles_per_Gallon';
export const PENGUINS_TARGET = 'Species';

/** Ridge regression of Miles_per_Gallon on cars.json, saved under `dir/cars-model`. */
export function saveCarsModel(dir: string): string {
  const training = carsRows().filter((r) => r[CARS_TARGET] !== null);
  const { frame, columnTypes } = datasetFromRecords(training, 'cars.json');
  const inputs = dropColumn(frame, CARS_TARGET);
  const transformer = new ColumnTransformer().fit(inputs);
  const y = frame.columns.find((c) => c.name === CARS_TARGET)?.values as Float64Array;
  const estimator = createRegressor('ridge', { alpha: 1 });
  estimator.fit(transformer.transform(inputs), y);
  const pipeline = new ModelPipeline({
    problemType: 'regression',
    targetCol: CARS_TARGET,
    inputColumns: inputs.columns.map((c) => c.name),
    transformer,
    estimator,
  });
  const modelDir = join(dir, 'cars-model');
  saveModel({ dir: modelDir, pipeline, inputExample: frame, columnTypes });
  return modelDir;
}

/** Logistic regression of Species on penguins.json, saved under `dir/penguins-model`. */
export function savePenguinsModel(dir: string): string {
  const training = penguinRows().filter((r) => r[PENGUINS_TARGET] !== null);
  const { frame, columnTypes } = datasetFromRecords(training, 'penguins.json');
  const inputs = dropColumn(frame, PENGUINS_TARGET);
  const transformer = new ColumnTransformer().fit(inputs);
  const target = frame.columns.find((c) => c.name === PENGUINS_TARGET);
  if (target?.type !== 'string') throw new Error('penguins.json: Species must be text');
  const classes = [...new Set(target.values.filter((v): v is string => v !== null))].sort();
  const y = Int32Array.from(target.values, (v) => classes.indexOf(v as string));
  const estimator = createClassifier('logistic_regression', {});
  estimator.fit(transformer.transform(inputs), y, classes.length);
  const pipeline = new ModelPipeline({
    problemType: 'classification',
    targetCol: PENGUINS_TARGET,
    inputColumns: inputs.columns.map((c) => c.name),
    transformer,
    estimator,
    classes,
  });
  const modelDir = join(dir, 'penguins-model');
  saveModel({ dir: modelDir, pipeline, inputExample: frame, columnTypes });
  return modelDir;
}

/** Rows as records with only `columns` (missing as null), for building request bodies. */
export function pickColumns(rows: Record<string, unknown>[], columns: string[]): Record<string, unknown>[] {
  return rows.map((row) => Object.fromEntries(columns.map((c) => [c, row[c] ?? null])));
}

/** A CSV text of `rows` (header first; missing as an empty field; quotes where needed). */
export function csvText(rows: Record<string, unknown>[], columns: string[]): string {
  const cell = (v: unknown): string => {
    if (v === null || v === undefined) return '';
    const text = String(v);
    return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  return `${[columns.join(','), ...rows.map((r) => columns.map((c) => cell(r[c])).join(','))].join('\n')}\n`;
}

export type { Frame };
