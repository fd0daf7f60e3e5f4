/**
 * What the model steps (transform, train, evaluate, predict) read from the recipe as a whole: the
 * problem type (`recipe: regression/v1 | classification/v1`), `target_col`, `positive_class`,
 * and how class labels become the class indices an estimator works with.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readArrowDataset } from '../data/arrow-io.js';
import type { Dataset, DataType } from '../data/infer-types.js';
import { ConfigError, DataError, StepError } from '../errors.js';
import type { Frame, FrameColumn } from '../ml/types.js';
import type { ProblemType } from '../models/pipeline.js';
import type { StepContext, StepKind } from './types.js';

export interface RecipeProblem {
  problemType: ProblemType;
  targetCol: string;
  /** `positive_class` as a label string (classification only). */
  positiveClass?: string;
}

function issue(path: string, message: string, hint?: string): ConfigError {
  return new ConfigError([
    { file: 'recipe.yaml', line: 0, column: 0, path, message, ...(hint ? { hint } : {}) },
  ]);
}

export function recipeProblem(recipe: Record<string, unknown>): RecipeProblem {
  const template = recipe.recipe;
  let problemType: ProblemType;
  if (template === 'regression/v1') problemType = 'regression';
  else if (template === 'classification/v1') problemType = 'classification';
  else
    throw issue(
      'recipe',
      `unknown recipe ${JSON.stringify(template)}`,
      'use regression/v1 or classification/v1',
    );
  const targetCol = recipe.target_col;
  if (typeof targetCol !== 'string' || targetCol === '') {
    throw issue('target_col', 'is missing', 'name the column the model predicts');
  }
  const positive = recipe.positive_class;
  return {
    problemType,
    targetCol,
    ...(problemType === 'classification' && positive !== undefined && positive !== null
      ? { positiveClass: String(positive) }
      : {}),
  };
}

/** The directory of an upstream step, or a StepError saying the engine did not provide it. */
export function inputDir(ctx: StepContext, step: StepKind, self: StepKind): string {
  const dir = ctx.inputDirs[step];
  if (!dir)
    throw new StepError(self, `the output of the ${step} step is missing`, {
      hint: `run the ${step} step first`,
    });
  return dir;
}

/** Reads one of split's Arrow files (`train.arrow`, …) with its column types. */
export function readSplitDataset(splitDir: string, file: string): Dataset {
  const path = join(splitDir, file);
  if (!existsSync(path)) {
    throw new DataError(`${path} does not exist`, { hint: 'run the split step first' });
  }
  return readArrowDataset(path);
}

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

/**
 * Sorted class labels (numerically when the target is numeric, like scikit-learn's `np.unique`);
 * in a binary problem `positiveClass` goes to index 1.
 */
export function fitClasses(labels: readonly string[], numeric: boolean, positiveClass?: string): string[] {
  const unique = [...new Set(labels)];
  unique.sort(numeric ? (a, b) => Number(a) - Number(b) : (a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (unique.length < 2) {
    throw new DataError(
      `the training data has ${unique.length} class${unique.length === 1 ? '' : 'es'} (${unique.join(', ')}); a classifier needs at least two`,
    );
  }
  if (positiveClass !== undefined && unique.length === 2) {
    const index = unique.indexOf(positiveClass);
    if (index < 0) {
      throw issue(
        'positive_class',
        `"${positiveClass}" is not a class of the training data`,
        `the classes are ${unique.join(', ')}`,
      );
    }
    if (index === 0) unique.reverse();
  }
  return unique;
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
