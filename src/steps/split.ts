/**
 * The split step: ingest's dataset → `train.arrow`, `validation.arrow`, `test.arrow`.
 *
 * As MLflow Recipes' split step (mlflow/recipes/steps/split.py): rows whose target is missing are
 * dropped first (and counted on the card); each remaining row goes to a split by a hash of its own
 * content mapped to [0, 1) and binned by the cumulative `split_ratios`, so the assignment is
 * deterministic, appending rows never moves existing ones, and identical rows share a split.
 * `using: custom` with `split_method` lets `steps/split.ts` label rows itself (MLflow's
 * "TRAINING" / "VALIDATION" / "TEST"); `post_split_filter_method` then filters the train split
 * only (a boolean per row, true = keep, as MLflow's `create_dataset_filter`; or a Frame to keep).
 * MLflow 2.0.1 and later apply the filter to the training rows alone, so validation and test keep
 * measuring the model on the data it will meet.
 */
import { join } from 'node:path';
import {
  assignSplits,
  type Dataset,
  type DataType,
  escapeHtml,
  histogramSvg,
  profileFrame,
  profileHtml,
  readArrowDataset,
  rowHashUnit,
  SPLIT_NAMES,
  type SplitName,
  selectRows,
  topValuesSvg,
  writeFrameArrowFile,
} from '../data/index.js';
import { type ConfigError, configFieldError, DataError } from '../errors.js';
import type { Frame, FrameColumn } from '../ml/types.js';
import { rowProgress } from './row-progress.js';
import { loadUserFunction } from './user-module.js';
import { splitCodeFiles } from './code-files.js';
import { INGEST_DATASET_FILE } from './ingest.js';
import type { Step, StepContext, StepResult } from './types.js';
import type { SplitConfig } from './recipe-config.js';

/** Declared once, in schema/recipe.schema.json. */
export type { SplitConfig };

/** MLflow Recipes' default split ratios. */
export const DEFAULT_SPLIT_RATIOS: readonly [number, number, number] = [0.75, 0.125, 0.125];

export const SPLIT_FILES: Readonly<Record<SplitName, string>> = {
  train: 'train.arrow',
  validation: 'validation.arrow',
  test: 'test.arrow',
};

function configIssue(path: string, message: string, hint: string): ConfigError {
  return configFieldError(path, message, hint);
}

/** Checks `split_ratios`: three numbers ≥ 0 summing to 1 (±1e-9). Returns them as a tuple. */
export function validateSplitRatios(ratios: unknown): [number, number, number] {
  const path = 'steps.split.split_ratios';
  if (ratios === undefined) return [...DEFAULT_SPLIT_RATIOS];
  if (
    !Array.isArray(ratios) ||
    ratios.length !== 3 ||
    ratios.some((r) => typeof r !== 'number' || !Number.isFinite(r))
  ) {
    throw configIssue(
      path,
      `must be three numbers [train, validation, test], not ${JSON.stringify(ratios)}`,
      'e.g. [0.75, 0.125, 0.125]',
    );
  }
  if (ratios.some((r) => r < 0))
    throw configIssue(path, `ratios must be ≥ 0, got ${JSON.stringify(ratios)}`, 'e.g. [0.75, 0.125, 0.125]');
  const sum = ratios[0] + ratios[1] + ratios[2];
  if (Math.abs(sum - 1) > 1e-9) {
    throw configIssue(path, `ratios must sum to 1, these sum to ${sum}`, 'e.g. [0.75, 0.125, 0.125]');
  }
  if (ratios[0] === 0)
    throw configIssue(
      path,
      'the train ratio must be > 0: there would be nothing to train on',
      'give the training split most of the rows, e.g. [0.75, 0.125, 0.125]',
    );
  return [ratios[0], ratios[1], ratios[2]];
}

/** A user function from `steps/split.ts`; replaceable in tests. */
export type SplitFunctionResolver = (options: {
  recipeDir: string;
  name: string;
  /** The recipe's `python:` setting, for functions in steps/split.py. */
  python?: unknown;
}) => Promise<(frame: Frame) => unknown>;

const defaultResolver: SplitFunctionResolver = ({ recipeDir, name, python }) =>
  loadUserFunction<(frame: Frame) => unknown>({ recipeDir, step: 'split', name, python });

function isMissing(column: FrameColumn, i: number): boolean {
  if (column.type === 'number') return Number.isNaN(column.values[i] as number);
  const v = column.values[i];
  return v === null || v === undefined;
}

/** The rows that have a target value, and how many did not (pure). */
export function dropMissingTarget(frame: Frame, targetCol: string): { kept: Frame; dropped: number } {
  const target = frame.columns.find((c) => c.name === targetCol);
  if (!target) {
    throw new DataError(
      `target_col "${targetCol}" is not a column of the ingested data; columns: ${frame.columns.map((c) => c.name).join(', ')}`,
      { hint: 'set target_col in recipe.yaml to one of these columns' },
    );
  }
  const keepMask = new Uint8Array(frame.nRows);
  let dropped = 0;
  for (let i = 0; i < frame.nRows; i++) {
    if (isMissing(target, i)) dropped++;
    else keepMask[i] = 1;
  }
  return { kept: dropped === 0 ? frame : selectRows(frame, keepMask), dropped };
}

/**
 * Splits a dataset in memory (pure: no files). Returns the three splits and how many rows were
 * dropped for a missing target. Exported for tests and for callers that split without the engine.
 */
export function splitDataset(options: {
  frame: Frame;
  targetCol: string;
  ratios: readonly [number, number, number];
  /** Labels per row from a custom split_method; by default the content hash decides. */
  labels?: Uint8Array;
}): { splits: Record<SplitName, Frame>; droppedMissingTarget: number; kept: Frame } {
  const { kept, dropped } = dropMissingTarget(options.frame, options.targetCol);
  let assignment: Uint8Array;
  if (options.labels) {
    if (options.labels.length !== kept.nRows)
      throw new DataError(`split labels: ${options.labels.length} labels for ${kept.nRows} rows`);
    assignment = options.labels;
  } else {
    assignment = assignSplits(rowHashUnit(kept), options.ratios);
  }
  const splits = {} as Record<SplitName, Frame>;
  SPLIT_NAMES.forEach((name, k) => {
    const mask = new Uint8Array(kept.nRows);
    for (let i = 0; i < kept.nRows; i++) if (assignment[i] === k) mask[i] = 1;
    splits[name] = selectRows(kept, mask);
  });
  return { splits, droppedMissingTarget: dropped, kept };
}

/** Reads a custom split_method's result: one of TRAINING/VALIDATION/TEST (or train/validation/test) per row. */
export function labelsFromSplitMethod(result: unknown, nRows: number, name: string): Uint8Array {
  const values = result as ArrayLike<unknown> | null;
  if (
    values === null ||
    typeof values !== 'object' ||
    typeof values.length !== 'number' ||
    values.length !== nRows
  ) {
    throw new DataError(
      `steps/split.ts ${name} must return one label per row (${nRows}), got ${Array.isArray(result) ? `${result.length} values` : typeof result}`,
      {
        hint: 'return an array of "TRAINING", "VALIDATION" or "TEST"',
      },
    );
  }
  const out = new Uint8Array(nRows);
  for (let i = 0; i < nRows; i++) {
    const label = String(values[i]).toUpperCase();
    if (label === 'TRAINING' || label === 'TRAIN') out[i] = 0;
    else if (label === 'VALIDATION') out[i] = 1;
    else if (label === 'TEST') out[i] = 2;
    else
      throw new DataError(
        `steps/split.ts ${name}: row ${i + 1} has label ${JSON.stringify(values[i])}; expected "TRAINING", "VALIDATION" or "TEST"`,
      );
  }
  return out;
}

/** Applies a post-split filter's result (boolean mask, or a Frame to keep as it is). */
export function applyPostSplitFilter(frame: Frame, result: unknown, where: string): Frame {
  if (result !== null && typeof result === 'object' && 'columns' in result && 'nRows' in result)
    return result as Frame;
  const mask = result as ArrayLike<unknown> | null;
  if (
    mask === null ||
    typeof mask !== 'object' ||
    typeof mask.length !== 'number' ||
    mask.length !== frame.nRows
  ) {
    throw new DataError(
      `${where} must return a boolean per row (${frame.nRows}) or a Frame, got ${Array.isArray(result) ? `${result.length} values` : typeof result}`,
      {
        hint: 'return e.g. an array with true for the rows to keep',
      },
    );
  }
  const keep = new Uint8Array(frame.nRows);
  for (let i = 0; i < frame.nRows; i++) keep[i] = mask[i] ? 1 : 0;
  return selectRows(frame, keep);
}

export function makeSplitStep(options: { resolver?: SplitFunctionResolver } = {}): Step<SplitConfig> {
  return {
    kind: 'split',
    codeFiles: splitCodeFiles,
    async inputFiles() {
      return [];
    },
    async run(cfg, ctx) {
      return runSplit(cfg ?? {}, ctx, options.resolver ?? defaultResolver);
    },
  };
}

async function runSplit(
  cfg: SplitConfig,
  ctx: StepContext,
  resolver: SplitFunctionResolver,
): Promise<StepResult> {
  const targetCol = ctx.recipe.target_col;
  if (typeof targetCol !== 'string' || targetCol === '') {
    throw configIssue(
      'target_col',
      'is required by the split step',
      'set target_col in recipe.yaml to the column to predict',
    );
  }
  const ingestDir = ctx.inputDirs.ingest;
  if (!ingestDir)
    throw new DataError("split needs the ingest step's output, which the engine did not provide");
  const ratios =
    cfg.using === 'custom'
      ? validateSplitRatios(cfg.split_ratios ?? [...DEFAULT_SPLIT_RATIOS])
      : validateSplitRatios(cfg.split_ratios);
  const input: Dataset = readArrowDataset(join(ingestDir, INGEST_DATASET_FILE));
  const { frame, columnTypes } = input;
  if (ctx.recipe.recipe === 'classification/v1') {
    checkClassificationTarget(dropMissingTarget(frame, targetCol).kept, targetCol, ctx.recipe.positive_class);
  }

  let labels: Uint8Array | undefined;
  if (cfg.using === 'custom') {
    if (!cfg.split_method)
      throw configIssue(
        'steps.split.using',
        'using: custom needs split_method',
        'name a function exported by steps/split.ts',
      );
    const fn = await resolver({
      recipeDir: ctx.recipeDir,
      name: cfg.split_method,
      python: ctx.recipe.python,
    });
    // The custom function sees the rows that have a target, as MLflow's does.
    const { kept } = dropMissingTarget(frame, targetCol);
    labels = labelsFromSplitMethod(await fn(kept), kept.nRows, cfg.split_method);
  }
  // One split at a time: cut its rows, write them, take its figures, let go of it before the
  // next, so that at most one split's copy of the data is alive next to the ingested frame.
  const { kept, dropped: droppedMissingTarget } = dropMissingTarget(frame, targetCol);
  let assignment: Uint8Array;
  if (labels) {
    if (labels.length !== kept.nRows)
      throw new DataError(`split labels: ${labels.length} labels for ${kept.nRows} rows`);
    assignment = labels;
  } else {
    assignment = assignSplits(rowHashUnit(kept), ratios);
  }
  const progress = rowProgress(ctx, 'written');
  let written = 0;
  const beforeFilter: Record<SplitName, number> = { train: 0, validation: 0, test: 0 };
  const counts: Record<SplitName, number> = { train: 0, validation: 0, test: 0 };
  const distribution: Record<string, TargetDistribution> = {};
  let trainProfile: ReturnType<typeof profileFrame> | undefined;
  let targetType: DataType = 'string';
  for (const [k, name] of SPLIT_NAMES.entries()) {
    const mask = new Uint8Array(kept.nRows);
    for (let i = 0; i < kept.nRows; i++) if (assignment[i] === k) mask[i] = 1;
    let part = selectRows(kept, mask);
    beforeFilter[name] = part.nRows;
    if (name === 'train') {
      if (cfg.post_split_filter_method) {
        const filter = await resolver({
          recipeDir: ctx.recipeDir,
          name: cfg.post_split_filter_method,
          python: ctx.recipe.python,
        });
        // Train only (mlflow/recipes/steps/split.py since 2.0.1: `train_df = train_df[filter(train_df)]`).
        part = applyPostSplitFilter(
          part,
          await filter(part),
          `steps/split.ts ${cfg.post_split_filter_method} (train split)`,
        );
      }
      if (part.nRows === 0) {
        throw new DataError(
          `the train split is empty (${frame.nRows} rows ingested, ${droppedMissingTarget} without a target${cfg.post_split_filter_method ? `, post_split_filter_method ${cfg.post_split_filter_method} applied` : ''})`,
          {
            hint: 'check the data, target_col and split_ratios',
          },
        );
      }
    }
    const types = alignTypes(part, frame, columnTypes);
    await writeFrameArrowFile(join(ctx.outDir, SPLIT_FILES[name]), part, { columnTypes: types });
    counts[name] = part.nRows;
    if (name === 'train') {
      targetType = types[part.columns.findIndex((c) => c.name === targetCol)] ?? 'string';
      if (!cfg.skip_data_profiling) trainProfile = profileFrame(part, types);
    }
    distribution[name] = targetDistribution(part, targetCol, targetType);
    written += beforeFilter[name];
    progress.update(written, { total: kept.nRows });
  }
  progress.end();
  ctx.log(
    `train ${counts.train}, validation ${counts.validation}, test ${counts.test} rows; ${droppedMissingTarget} dropped for a missing ${targetCol}`,
  );
  for (const name of ['validation', 'test'] as const)
    if (counts[name] === 0) ctx.log(`warning: the ${name} split is empty`);

  const sections = [
    {
      title: 'Summary',
      html: summaryHtml({
        counts,
        beforeFilter,
        droppedMissingTarget,
        ingested: frame.nRows,
        ratios,
        targetCol,
        custom: cfg.using === 'custom',
        filter: cfg.post_split_filter_method,
      }),
    },
    { title: `Target distribution (${targetCol})`, html: distributionHtml(distribution) },
  ];
  if (trainProfile) sections.push({ title: 'Train split profile', html: profileHtml(trainProfile) });
  return {
    outputs: { train: SPLIT_FILES.train, validation: SPLIT_FILES.validation, test: SPLIT_FILES.test },
    card: {
      step: 'split',
      data: {
        split_ratios: ratios,
        ingested_rows: frame.nRows,
        dropped_missing_target: droppedMissingTarget,
        rows: counts,
        rows_before_filter: beforeFilter,
        target_col: targetCol,
        target_distribution: distribution,
        ...(trainProfile ? { train_profile: trainProfile } : {}),
      },
      sections,
    },
  };
}

/**
 * MLflow 2.12's validate_classification_config (mlflow/recipes/utils/step.py), run by its split
 * and train steps: a classification target needs two classes or more, and one with exactly two
 * needs `positive_class` (MLflow never treats a two-class target as multiclass).
 */
export function checkClassificationTarget(frame: Frame, targetCol: string, positiveClass: unknown): void {
  const target = frame.columns.find((c) => c.name === targetCol);
  if (!target) return;
  const classes = [
    ...new Set<string>(Array.from(target.values as ArrayLike<unknown>, (v) => String(v))),
  ].sort();
  if (classes.length <= 1) {
    throw new DataError(
      `a classification recipe needs two classes or more in ${targetCol}; the data has ${classes.length}${classes.length === 1 ? ` (${classes[0]})` : ''}`,
      { hint: 'check target_col and the ingested data, or use recipe: regression/v1' },
    );
  }
  if (classes.length === 2 && (positiveClass === undefined || positiveClass === null)) {
    throw configFieldError(
      'positive_class',
      `${targetCol} has two classes (${classes.join(', ')}), and a two-class classification recipe needs positive_class, as in MLflow Recipes`,
      `add \`positive_class: ${JSON.stringify(classes[1])}\` (the class the binary metrics such as precision and roc_auc are about) at the top level of recipe.yaml`,
    );
  }
}

function alignTypes(split: Frame, source: Frame, sourceTypes: DataType[]): DataType[] {
  return split.columns.map((c) => {
    const j = source.columns.findIndex((s) => s.name === c.name);
    return j >= 0 && source.columns[j]?.type === c.type
      ? (sourceTypes[j] as DataType)
      : c.type === 'number'
        ? 'double'
        : 'string';
  });
}

type TargetDistribution =
  | {
      kind: 'numeric';
      count: number;
      mean: number;
      std: number;
      min: number;
      max: number;
      histogram: { lo: number; hi: number; count: number }[];
    }
  | { kind: 'categorical'; count: number; classes: Record<string, number> };

function targetDistribution(frame: Frame, targetCol: string, type: DataType): TargetDistribution {
  const column = frame.columns.find((c) => c.name === targetCol) as FrameColumn;
  if (column.type === 'number' && type !== 'boolean') {
    // The whole column: these are the target's figures, not a profile sample.
    const p = profileFrame({ nRows: frame.nRows, columns: [column] }, [type], {
      maxCells: Number.POSITIVE_INFINITY,
      maxRows: Number.POSITIVE_INFINITY,
    }).columns[0];
    return {
      kind: 'numeric',
      count: p?.count ?? 0,
      mean: p?.mean ?? Number.NaN,
      std: p?.std ?? Number.NaN,
      min: p?.min ?? Number.NaN,
      max: p?.max ?? Number.NaN,
      histogram: p?.histogram ?? [],
    };
  }
  const classes: Record<string, number> = {};
  for (let i = 0; i < frame.nRows; i++) {
    const v = column.values[i];
    const label =
      column.type === 'number' ? (type === 'boolean' ? (v === 1 ? 'true' : 'false') : String(v)) : String(v);
    classes[label] = (classes[label] ?? 0) + 1;
  }
  const sorted = Object.fromEntries(Object.entries(classes).sort((a, b) => (a[0] < b[0] ? -1 : 1)));
  return { kind: 'categorical', count: frame.nRows, classes: sorted };
}

function summaryHtml(s: {
  counts: Record<SplitName, number>;
  beforeFilter: Record<SplitName, number>;
  droppedMissingTarget: number;
  ingested: number;
  ratios: readonly number[];
  targetCol: string;
  custom: boolean;
  filter?: string;
}): string {
  const rows = SPLIT_NAMES.map(
    (name, k) =>
      `<tr><td>${name}</td><td>${s.custom ? 'custom' : s.ratios[k]}</td><td>${s.counts[name]}</td>${s.filter ? `<td>${s.beforeFilter[name] - s.counts[name]}</td>` : ''}</tr>`,
  ).join('');
  return (
    `<p>${s.ingested} rows ingested; <b>${s.droppedMissingTarget}</b> dropped because <code>${escapeHtml(s.targetCol)}</code> is missing.</p>` +
    `<table><thead><tr><th>split</th><th>ratio</th><th>rows</th>${s.filter ? `<th>removed by ${escapeHtml(s.filter)}</th>` : ''}</tr></thead><tbody>${rows}</tbody></table>` +
    `<p>Rows are assigned by a hash of their content, so the same row always lands in the same split.</p>`
  );
}

function distributionHtml(distribution: Record<string, TargetDistribution>): string {
  const cells = SPLIT_NAMES.map((name) => {
    const d = distribution[name] as TargetDistribution;
    if (d.kind === 'numeric') {
      const fmt = (v: number) => (Number.isFinite(v) ? String(Number(v.toPrecision(5))) : '');
      return `<td><div>n=${d.count}, mean ${fmt(d.mean)}, std ${fmt(d.std)}, range [${fmt(d.min)}, ${fmt(d.max)}]</div>${histogramSvg(d.histogram)}</td>`;
    }
    const values = Object.entries(d.classes)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 15)
      .map(([value, count]) => ({ value, count }));
    return `<td><div>n=${d.count}, ${Object.keys(d.classes).length} classes</div>${topValuesSvg(values)}</td>`;
  }).join('');
  return `<table><thead><tr>${SPLIT_NAMES.map((n) => `<th>${n}</th>`).join('')}</tr></thead><tbody><tr>${cells}</tr></tbody></table>`;
}

export const splitStep: Step<SplitConfig> = makeSplitStep();
