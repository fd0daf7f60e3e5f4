/**
 * What the model steps (transform, train, evaluate, predict) read from the recipe as a whole: the
 * problem type (`recipe: regression/v1 | classification/v1`), `target_col`, `positive_class`,
 * and how class labels become the class indices an estimator works with (`fitClasses`; the
 * labelled-rows helpers the registry gate shares are in models/targets.ts).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readArrowDataset } from '../data/arrow-io.js';
import type { Dataset } from '../data/infer-types.js';
import { ConfigError, DataError, StepError } from '../errors.js';
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
