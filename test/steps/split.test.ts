import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readArrowDataset, readFrameArrow, writeFrameArrow } from '../../src/data/index.js';
import { ConfigError, DataError } from '../../src/errors.js';
import type { Frame } from '../../src/ml/types.js';
import { makeSplitStep, splitDataset, splitStep, validateSplitRatios } from '../../src/steps/split.js';
import type { StepContext } from '../../src/steps/types.js';

const roots: string[] = [];
afterAll(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

/** A recipe dir with ingest's output holding `frame`, and a context for the split step. */
function setup(
  frame: Frame,
  options: { targetCol?: string; columnTypes?: Array<'double' | 'long' | 'string' | 'boolean'> } = {},
): StepContext {
  const dir = mkdtempSync(join(tmpdir(), 'mlrecipe-split-'));
  roots.push(dir);
  const ingestDir = join(dir, 'ingest');
  const outDir = join(dir, 'split');
  mkdirSync(ingestDir);
  mkdirSync(outDir);
  writeFrameArrow(join(ingestDir, 'dataset.arrow'), frame, { columnTypes: options.columnTypes });
  return {
    recipeDir: dir,
    recipe: { target_col: options.targetCol ?? 'y' },
    outDir,
    inputDirs: { ingest: ingestDir },
    log: () => {},
  };
}

function makeFrame(n: number, offset = 0): Frame {
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  const s: (string | null)[] = [];
  for (let i = 0; i < n; i++) {
    const k = i + offset;
    x[i] = k;
    y[i] = k % 10 === 3 ? Number.NaN : k * 0.5;
    s.push(k % 4 === 0 ? null : `c${k % 5}`);
  }
  return {
    nRows: n,
    columns: [
      { name: 'x', type: 'number', values: x },
      { name: 's', type: 'string', values: s },
      { name: 'y', type: 'number', values: y },
    ],
  };
}

function concat(a: Frame, b: Frame): Frame {
  return {
    nRows: a.nRows + b.nRows,
    columns: a.columns.map((c, j) => {
      const d = b.columns[j] as typeof c;
      if (c.type === 'number') {
        const values = new Float64Array(a.nRows + b.nRows);
        values.set(c.values);
        values.set(d.values as Float64Array, a.nRows);
        return { name: c.name, type: 'number', values };
      }
      return { name: c.name, type: 'string', values: [...c.values, ...(d.values as (string | null)[])] };
    }),
  };
}

const xs = (f: Frame) => Array.from(f.columns.find((c) => c.name === 'x')?.values as Float64Array);

describe('split step', () => {
  it('writes train/validation/test, drops and counts rows without a target, keeps column types', async () => {
    const ctx = setup(makeFrame(1000), { columnTypes: ['long', 'string', 'double'] });
    const result = await splitStep.run({ split_ratios: [0.6, 0.2, 0.2] }, ctx);
    expect(result.outputs).toEqual({
      train: 'train.arrow',
      validation: 'validation.arrow',
      test: 'test.arrow',
    });
    const parts = ['train', 'validation', 'test'].map((n) =>
      readArrowDataset(join(ctx.outDir, `${n}.arrow`)),
    );
    const sizes = parts.map((p) => p.frame.nRows);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(900);
    expect(result.card.data).toMatchObject({
      dropped_missing_target: 100,
      ingested_rows: 1000,
      rows: { train: sizes[0], validation: sizes[1], test: sizes[2] },
    });
    expect(Math.abs((sizes[0] as number) / 900 - 0.6)).toBeLessThan(0.07);
    for (const p of parts) {
      expect(p.columnTypes).toEqual(['long', 'string', 'double']);
      const y = p.frame.columns[2]?.values as Float64Array;
      expect(y.some((v) => Number.isNaN(v))).toBe(false);
    }
    // Every kept row is in exactly one split.
    const all = parts.flatMap((p) => xs(p.frame)).sort((a, b) => a - b);
    expect(new Set(all).size).toBe(900);
    const dist = result.card.data.target_distribution as Record<string, { kind: string; count: number }>;
    expect(dist.train).toMatchObject({ kind: 'numeric', count: sizes[0] });
  });

  it('is deterministic, and appending rows never moves existing rows', async () => {
    const base = makeFrame(500);
    const ctxA = setup(base);
    await splitStep.run({}, ctxA);
    const ctxB = setup(concat(base, makeFrame(300, 500)));
    await splitStep.run({}, ctxB);
    const ctxC = setup(base);
    await splitStep.run({}, ctxC);
    for (const name of ['train', 'validation', 'test']) {
      const a = xs(readFrameArrow(join(ctxA.outDir, `${name}.arrow`)));
      const b = xs(readFrameArrow(join(ctxB.outDir, `${name}.arrow`)));
      const c = xs(readFrameArrow(join(ctxC.outDir, `${name}.arrow`)));
      expect(c).toEqual(a);
      expect(b.filter((x) => x < 500)).toEqual(a);
    }
  });

  it('sends identical duplicate rows to the same split', () => {
    const row = makeFrame(1);
    let frame = row;
    for (let i = 0; i < 50; i++) frame = concat(frame, row);
    frame = concat(frame, makeFrame(200, 1000));
    const { splits } = splitDataset({ frame, targetCol: 'y', ratios: [0.5, 0.25, 0.25] });
    const holders = Object.values(splits).filter((f) => xs(f).includes(0));
    expect(holders).toHaveLength(1);
    expect(xs(holders[0] as Frame).filter((x) => x === 0)).toHaveLength(51);
  });

  it('drops rows whose string target is missing (classification)', () => {
    const frame: Frame = {
      nRows: 4,
      columns: [
        { name: 'f', type: 'number', values: Float64Array.from([1, 2, 3, 4]) },
        { name: 'label', type: 'string', values: ['a', null, 'b', 'a'] },
      ],
    };
    const { droppedMissingTarget, kept } = splitDataset({ frame, targetCol: 'label', ratios: [1, 0, 0] });
    expect(droppedMissingTarget).toBe(1);
    expect(kept.nRows).toBe(3);
  });

  it('a two-class target needs positive_class, as MLflow 2.12 validate_classification_config; three classes do not', async () => {
    const frame = (labels: string[]): Frame => ({
      nRows: labels.length,
      columns: [
        { name: 'f', type: 'number', values: Float64Array.from(labels, (_, i) => i) },
        { name: 'label', type: 'string', values: labels },
      ],
    });
    const two = Array.from({ length: 40 }, (_, i) => (i % 3 === 0 ? 'yes' : 'no'));
    const ctx = setup(frame(two), { targetCol: 'label' });
    ctx.recipe = { recipe: 'classification/v1', target_col: 'label' };
    const error = await splitStep.run({}, ctx).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    const issue = (error as ConfigError).issues[0];
    expect(issue?.path).toBe('positive_class');
    expect(issue?.message).toContain(
      'label has two classes (no, yes), and a two-class classification recipe needs positive_class',
    );
    expect(issue?.hint).toContain('positive_class: "yes"');
    // With positive_class, or with a third class, it splits.
    ctx.recipe = { recipe: 'classification/v1', target_col: 'label', positive_class: 'yes' };
    await expect(splitStep.run({}, ctx)).resolves.toBeDefined();
    const three = setup(frame(two.map((l, i) => (i % 5 === 0 ? 'maybe' : l))), { targetCol: 'label' });
    three.recipe = { recipe: 'classification/v1', target_col: 'label' };
    await expect(splitStep.run({}, three)).resolves.toBeDefined();
    // A regression recipe is never checked.
    const regression = setup(frame(two), { targetCol: 'label' });
    regression.recipe = { recipe: 'regression/v1', target_col: 'label' };
    await expect(splitStep.run({}, regression)).resolves.toBeDefined();
  });

  it('validates split_ratios', () => {
    expect(validateSplitRatios(undefined)).toEqual([0.75, 0.125, 0.125]);
    expect(validateSplitRatios([0.8, 0.1, 0.1])).toEqual([0.8, 0.1, 0.1]);
    expect(() => validateSplitRatios([0.8, 0.1, 0.2])).toThrow(/sum to 1/);
    expect(() => validateSplitRatios([1.2, -0.1, -0.1])).toThrow(/≥ 0/);
    expect(() => validateSplitRatios([0.5, 0.5])).toThrow(/three numbers/);
    expect(() => validateSplitRatios([0, 0.5, 0.5])).toThrow(ConfigError);
  });

  it('names a target column that does not exist, listing the columns', async () => {
    const ctx = setup(makeFrame(10), { targetCol: 'price' });
    const error = await splitStep.run({}, ctx).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataError);
    expect((error as Error).message).toMatch(/target_col "price" is not a column.*columns: x, s, y/);
  });

  it('applies post_split_filter_method from steps/split.ts to the train split only (MLflow >= 2.0.1)', async () => {
    const ctx = setup(makeFrame(400));
    mkdirSync(join(ctx.recipeDir, 'steps'));
    writeFileSync(
      join(ctx.recipeDir, 'steps', 'split.ts'),
      `import type { Frame } from '${join(process.cwd(), 'src/ml/types.js')}';
export function keep_even(frame: Frame): boolean[] {
  const x = frame.columns.find((c) => c.name === 'x')!.values as Float64Array;
  return Array.from(x, (v) => v % 2 === 0);
}
`,
    );
    const result = await splitStep.run({ post_split_filter_method: 'keep_even' }, ctx);
    expect(xs(readFrameArrow(join(ctx.outDir, 'train.arrow'))).every((x) => x % 2 === 0)).toBe(true);
    // Validation and test keep every row, odd ones included: the model is measured on all data.
    for (const name of ['validation', 'test']) {
      expect(xs(readFrameArrow(join(ctx.outDir, `${name}.arrow`))).some((x) => x % 2 === 1)).toBe(true);
    }
    const before = result.card.data.rows_before_filter as Record<string, number>;
    const after = result.card.data.rows as Record<string, number>;
    expect(after.train).toBeLessThan(before.train as number);
    expect(after.validation).toBe(before.validation);
    expect(after.test).toBe(before.test);
    expect(splitStep.codeFiles({ post_split_filter_method: 'keep_even' }, ctx.recipeDir)).toEqual([
      join(ctx.recipeDir, 'steps', 'split.ts'),
    ]);
  });

  it('uses a custom split_method returning TRAINING/VALIDATION/TEST per row', async () => {
    const step = makeSplitStep({
      resolver: async () => (frame: Frame) =>
        xs(frame).map((x) => (x < 100 ? 'TRAINING' : x < 150 ? 'VALIDATION' : 'TEST')),
    });
    const ctx = setup(makeFrame(200));
    const result = await step.run({ using: 'custom', split_method: 'by_x' }, ctx);
    expect(xs(readFrameArrow(join(ctx.outDir, 'train.arrow'))).every((x) => x < 100)).toBe(true);
    expect(result.card.data.rows).toEqual({ train: 90, validation: 45, test: 45 });
    const bad = makeSplitStep({ resolver: async () => () => ['TRAINING'] });
    await expect(bad.run({ using: 'custom', split_method: 'short' }, setup(makeFrame(5)))).rejects.toThrow(
      /one label per row/,
    );
  });
});
