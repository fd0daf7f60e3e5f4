/**
 * The target column of labelled rows as an estimator or a metric wants it: numbers for
 * regression, label strings and class indices for classification. Shared by the steps that fit
 * and evaluate a model and by the registry gate that re-scores one, so that a label is spelled the
 * same wherever it is compared.
 */
import type { Dataset, DataType } from '../data/infer-types.js';
import { DataError } from '../errors.js';
import type { Frame, FrameColumn } from '../ml/types.js';

/** The target column of a frame, or a DataError naming the columns there are. */
export function targetColumn(frame: Frame, targetCol: string, where: string): FrameColumn {
  const column = frame.columns.find((c) => c.name === targetCol);
  if (!column) {
    throw new DataError(`${where}: target_col "${targetCol}" is not a column`, {
      hint: `the columns are ${frame.columns.map((c) => c.name).join(', ')}`,
    });
  }
  return column;
}

/** The regression target as numbers; text or a missing value is a DataError naming the row. */
export function regressionTarget(column: FrameColumn, where: string): Float64Array {
  if (column.type !== 'number') {
    throw new DataError(`${where}: target "${column.name}" is text, but regression needs numbers`, {
      hint: 'use recipe: classification/v1 for labels, or clean the column',
    });
  }
  for (let i = 0; i < column.values.length; i++) {
    if (Number.isNaN(column.values[i])) {
      throw new DataError(`${where}: target "${column.name}" is missing in row ${i + 1}`, {
        hint: 'the split step drops rows without a target; re-run it',
      });
    }
  }
  return column.values;
}

/** Class labels as strings: text as it is, booleans `true`/`false`, numbers as JavaScript prints them. */
export function labelStrings(column: FrameColumn, type: DataType | undefined, where: string): string[] {
  const out = new Array<string>(column.values.length);
  for (let i = 0; i < column.values.length; i++) {
    const v = column.values[i];
    if (v === null || (typeof v === 'number' && Number.isNaN(v))) {
      throw new DataError(`${where}: target "${column.name}" is missing in row ${i + 1}`, {
        hint: 'the split step drops rows without a target; re-run it',
      });
    }
    out[i] = typeof v === 'number' && type === 'boolean' ? (v === 1 ? 'true' : 'false') : String(v);
  }
  return out;
}

/** Labels → class indices; a label unseen in training is a DataError. */
export function encodeLabels(
  labels: readonly string[],
  classes: readonly string[],
  where: string,
): Int32Array {
  const index = new Map(classes.map((label, k) => [label, k]));
  const out = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    const k = index.get(labels[i]);
    if (k === undefined) {
      throw new DataError(
        `${where}: row ${i + 1} has class "${labels[i]}", which the training data does not have`,
        {
          hint: `the model knows ${classes.join(', ')}; a rare class may have landed only in this split`,
        },
      );
    }
    out[i] = k;
  }
  return out;
}

/** The type of a named column in a dataset. */
export function columnType(dataset: Dataset, name: string): DataType | undefined {
  const j = dataset.frame.columns.findIndex((c) => c.name === name);
  return j < 0 ? undefined : dataset.columnTypes[j];
}
