/**
 * Batch scoring with a loaded model: read a data file, predict, write the rows back with a
 * `prediction` column appended. Shared by the predict step and `recipe models predict`.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, extname } from 'node:path';
import { writeFileAtomic } from '../atomic-write.js';
import { writeFrameArrow } from '../data/arrow-io.js';
import { frameToCsv } from '../data/csv.js';
import { type Dataset, type DataType, typesOfFrame } from '../data/infer-types.js';
import { writeFrameParquet } from '../data/parquet.js';
import { type BuiltinFormat, isBuiltinFormat, readDataset } from '../data/read-dataset.js';
import { DataError, UsageError } from '../errors.js';
import type { Frame, FrameColumn } from '../ml/types.js';
import type { LoadedModel } from './load.js';
import { frameFromScoringPayload, SCORING_FORMATS } from './scoring-payload.js';
import type { ColSpec } from './signature.js';

/** MLflow's batch prediction column name. */
export const PREDICTION_COLUMN = 'prediction';

export type PredictionFormat = BuiltinFormat;

export interface ScoredDataset {
  frame: Frame;
  columnTypes: DataType[];
  predictions: Float64Array | string[];
}

export interface ScoreOptions {
  /**
   * Classifiers: also append class probabilities, as MLflow Recipes' `predict_scores_for_all_classes`
   * does: `<prefix>score` (the predicted class's probability) and `<prefix>score_<label>` per
   * class. `prefix` is `predict_prefix` (MLflow's default `predicted_`).
   */
  scores?: { prefix: string };
  /**
   * MLflow Recipes' `steps.predict.result_type` (the type its spark_udf casts predictions to):
   * `double` keeps numbers as they are and refuses labels, `float` rounds to 32-bit floats,
   * `string` writes every prediction as text. Absent: the model's own type.
   */
  resultType?: 'double' | 'float' | 'string';
}

/** Predictions cast as `result_type` asks; a DataError when labels cannot be numbers. */
export function castPredictions(
  predictions: Float64Array | string[],
  resultType: 'double' | 'float' | 'string' | undefined,
): Float64Array | string[] {
  if (resultType === undefined) return predictions;
  if (resultType === 'string') {
    return predictions instanceof Float64Array
      ? Array.from(predictions, (v) => (Number.isNaN(v) ? 'NaN' : String(v)))
      : predictions;
  }
  if (!(predictions instanceof Float64Array)) {
    throw new DataError(`result_type ${resultType}: the model predicts labels (strings), not numbers`, {
      hint: 'set steps.predict.result_type: string for a classifier, or remove result_type',
    });
  }
  return resultType === 'float' ? predictions.map((v) => Math.fround(v)) : predictions;
}

/**
 * Predicts every row of `dataset` and returns it with a `prediction` column appended (replacing
 * input columns of the same names). The input is checked against the model's signature first.
 */
export async function scoreDataset(
  model: LoadedModel,
  dataset: Dataset,
  options: ScoreOptions = {},
): Promise<ScoredDataset> {
  const predictions = castPredictions(await model.predictAsync(dataset.frame), options.resultType);
  const added: Array<{ column: FrameColumn; type: DataType }> = [
    predictions instanceof Float64Array
      ? { column: { name: PREDICTION_COLUMN, type: 'number', values: predictions }, type: 'double' }
      : { column: { name: PREDICTION_COLUMN, type: 'string', values: predictions }, type: 'string' },
  ];
  if (options.scores && model.predictProbaAsync && model.classes) {
    const proba = await model.predictProbaAsync(dataset.frame);
    const best = new Float64Array(dataset.frame.nRows);
    for (let i = 0; i < best.length; i++) {
      let max = 0;
      for (const column of proba) if (column[i] > max) max = column[i];
      best[i] = max;
    }
    const prefix = options.scores.prefix;
    added.push({ column: { name: `${prefix}score`, type: 'number', values: best }, type: 'double' });
    model.classes.forEach((label, k) => {
      added.push({
        column: { name: `${prefix}score_${label}`, type: 'number', values: proba[k] },
        type: 'double',
      });
    });
  }
  const addedNames = new Set(added.map((a) => a.column.name));
  const keep = dataset.frame.columns
    .map((column, j) => ({ column, type: (dataset.columnTypes[j] ?? 'double') as DataType }))
    .filter(({ column }) => !addedNames.has(column.name));
  const all = [...keep, ...added];
  return {
    frame: { nRows: dataset.frame.nRows, columns: all.map((a) => a.column) },
    columnTypes: all.map((a) => a.type),
    predictions,
  };
}

/** The format a path's extension names (`.csv`, `.parquet`, `.json`/`.jsonl`, `.arrow`/`.feather`/`.ipc`). */
export function formatFromPath(path: string): PredictionFormat | undefined {
  const ext = extname(path).toLowerCase();
  if (ext === '.csv' || ext === '.tsv') return 'csv';
  if (ext === '.parquet' || ext === '.pq') return 'parquet';
  if (ext === '.json' || ext === '.jsonl' || ext === '.ndjson') return 'json';
  if (ext === '.arrow' || ext === '.feather' || ext === '.ipc') return 'arrow';
  return undefined;
}

export function parsePredictionFormat(value: string, option: string): PredictionFormat {
  if (isBuiltinFormat(value)) return value;
  throw new UsageError(`${option} must be csv, parquet, json or arrow, not "${value}"`);
}

/**
 * Reads a file to score. Besides ingest's formats, a JSON file may hold an MLflow scoring payload
 * (src/models/scoring-payload.ts); `inputs` (the model's schema) reads rows given as lists.
 */
export async function readScoringFile(
  path: string,
  options: { format?: PredictionFormat; inputs?: readonly ColSpec[] } = {},
): Promise<Dataset> {
  if (!existsSync(path)) throw new DataError(`${path} does not exist`);
  const fmt = options.format ?? formatFromPath(path);
  if (!fmt) {
    throw new UsageError(`cannot tell the format of ${path} from its extension`, {
      hint: 'name the format with --content-type csv|parquet|json|arrow',
    });
  }
  if (fmt === 'json') {
    const text = (await readFile(path, 'utf8')).trimStart();
    // One JSON object naming a scoring format is an MLflow payload; anything else (an array of
    // records, JSON lines) is read as ingest reads JSON.
    const payload = text.startsWith('{') ? parseJsonOrUndefined(text) : undefined;
    if (
      payload !== null &&
      typeof payload === 'object' &&
      SCORING_FORMATS.some((key) => key in (payload as Record<string, unknown>))
    ) {
      const frame = frameFromScoringPayload(payload, options.inputs);
      return { frame, columnTypes: typesOfFrame(frame) };
    }
  }
  return readDataset({ format: fmt, files: [path] });
}

function parseJsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // Not one JSON document (e.g. JSON lines): the JSON reader handles it and its errors.
    return undefined;
  }
}

/**
 * Writes scored rows to `path` atomically. JSON output is MLflow's `{"predictions": [...]}`;
 * the other formats carry the input columns plus `prediction`.
 */
export async function writeScoredFile(
  path: string,
  scored: ScoredDataset,
  format?: PredictionFormat,
): Promise<void> {
  const fmt = format ?? formatFromPath(path);
  if (!fmt) {
    throw new UsageError(`cannot tell the output format of ${path} from its extension`, {
      hint: 'use .csv, .parquet, .json or .arrow, or name the format',
    });
  }
  mkdirSync(dirname(path), { recursive: true });
  switch (fmt) {
    case 'csv':
      writeFileAtomic(path, frameToCsv(scored.frame, { columnTypes: scored.columnTypes }));
      return;
    case 'arrow':
      writeFrameArrow(path, scored.frame, { columnTypes: scored.columnTypes });
      return;
    case 'parquet':
      await writeFrameParquet(path, scored.frame, { columnTypes: scored.columnTypes });
      return;
    case 'json':
      writeFileAtomic(path, `${predictionsJson(scored.predictions)}\n`);
      return;
  }
}

/** `{"predictions": [...]}` as MLflow's scoring server and `mlflow models predict` answer. */
export function predictionsJson(predictions: Float64Array | string[]): string {
  if (predictions instanceof Float64Array) {
    // Numbers written directly: JSON.stringify writes a finite number as String() does and a
    // non-finite one as null, without the intermediate array (the scoring server's reply).
    let text = '{"predictions":[';
    for (let i = 0; i < predictions.length; i++) {
      const v = predictions[i] as number;
      if (i > 0) text += ',';
      text += Number.isFinite(v) ? String(v) : 'null';
    }
    return `${text}]}`;
  }
  const values = Array.from(predictions as ArrayLike<number | string>, (v) =>
    typeof v === 'number' && !Number.isFinite(v) ? null : v,
  );
  return JSON.stringify({ predictions: values });
}
