import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { readArrowDataset, writeFrameParquet } from '../../src/data/index.js';
import { DataError } from '../../src/errors.js';
import type { FrameColumn } from '../../src/ml/types.js';
import { ingestStep, loadIngestDataset, makeIngestStep } from '../../src/steps/ingest.js';
import type { StepContext } from '../../src/steps/types.js';

const vegaData = join(dirname(fileURLToPath(import.meta.resolve('vega-datasets'))), '..', 'data');
const roots: string[] = [];
afterAll(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

function recipeDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mlrecipe-ingest-'));
  roots.push(dir);
  return dir;
}

function context(dir: string, name = 'out'): StepContext {
  const outDir = join(dir, name);
  mkdirSync(outDir, { recursive: true });
  return { recipeDir: dir, recipe: { target_col: 'y' }, outDir, inputDirs: {}, log: () => {} };
}

function column(columns: FrameColumn[], name: string): FrameColumn {
  const c = columns.find((x) => x.name === name);
  if (!c) throw new Error(`no column ${name}`);
  return c;
}

describe('ingest step', () => {
  it('ingests vega-datasets cars.json into dataset.arrow with inferred types and a profile', async () => {
    const dir = recipeDir();
    mkdirSync(join(dir, 'data'));
    copyFileSync(join(vegaData, 'cars.json'), join(dir, 'data', 'cars.json'));
    const ctx = context(dir);
    const result = await ingestStep.run({ using: 'json', location: 'data/cars.json' }, ctx);
    expect(result.outputs).toEqual({ dataset: 'dataset.arrow', dataset_info: 'dataset.json' });
    const { frame, columnTypes } = readArrowDataset(join(ctx.outDir, 'dataset.arrow'));
    expect(frame.nRows).toBe(406);
    const types = Object.fromEntries(frame.columns.map((c, j) => [c.name, columnTypes[j]]));
    expect(types).toMatchObject({
      Name: 'string',
      Miles_per_Gallon: 'double',
      Cylinders: 'long',
      Horsepower: 'long',
      Origin: 'string',
    });
    const mpg = column(frame.columns, 'Miles_per_Gallon').values as Float64Array;
    expect(mpg.filter((v) => Number.isNaN(v)).length).toBe(8);
    expect(result.card.data).toMatchObject({
      rows: 406,
      columns: 9,
      using: 'json',
      files: [{ path: 'data/cars.json' }],
    });
    const profile = result.card.data.profile as { columns: Array<{ name: string; missing: number }> };
    expect(profile.columns.find((c) => c.name === 'Horsepower')?.missing).toBe(6);
    expect(result.card.sections.map((s) => s.title)).toEqual(['Summary', 'Data profile']);
    expect(await ingestStep.inputFiles({ using: 'json', location: 'data/cars.json' }, dir)).toEqual([
      join(dir, 'data', 'cars.json'),
    ]);
    expect(ingestStep.codeFiles({ using: 'json', location: 'data/cars.json' }, dir)).toEqual([]);
  });

  it('ingests vega-datasets penguins.json', async () => {
    const dir = recipeDir();
    const { dataset } = await loadIngestDataset({
      config: { using: 'json', location: join(vegaData, 'penguins.json') },
      recipeDir: dir,
    });
    expect(dataset.frame.nRows).toBe(344);
    expect(dataset.columnTypes).toEqual(['string', 'string', 'double', 'double', 'long', 'long', 'string']);
    const species = column(dataset.frame.columns, 'Species').values as string[];
    expect(new Set(species)).toEqual(new Set(['Adelie', 'Chinstrap', 'Gentoo']));
  });

  it('reads a glob of CSV files as one dataset', async () => {
    const dir = recipeDir();
    mkdirSync(join(dir, 'data'));
    writeFileSync(join(dir, 'data', 'part-1.csv'), 'x,y\n1,a\n2,b\n');
    writeFileSync(join(dir, 'data', 'part-2.csv'), 'x,y\n3,c\n');
    writeFileSync(join(dir, 'data', 'notes.txt'), 'not data');
    const cfg = { using: 'csv' as const, location: 'data/part-*.csv' };
    const ctx = context(dir);
    const result = await ingestStep.run(cfg, ctx);
    expect(result.card.data.rows).toBe(3);
    expect((await ingestStep.inputFiles(cfg, dir)).map((f) => f.slice(dir.length + 1))).toEqual([
      'data/part-1.csv',
      'data/part-2.csv',
    ]);
  });

  it('reads a directory of Parquet files (the files of the format, sorted)', async () => {
    const dir = recipeDir();
    mkdirSync(join(dir, 'data'));
    const part = (from: number) => ({
      nRows: 2,
      columns: [
        { name: 'id', type: 'number' as const, values: Float64Array.from([from, from + 1]) },
        { name: 'tag', type: 'string' as const, values: [`t${from}`, null] },
      ],
    });
    await writeFrameParquet(join(dir, 'data', 'b.parquet'), part(3), { columnTypes: ['long', 'string'] });
    await writeFrameParquet(join(dir, 'data', 'a.parquet'), part(1), { columnTypes: ['long', 'string'] });
    writeFileSync(join(dir, 'data', 'README.md'), 'not data');
    const ctx = context(dir);
    const result = await ingestStep.run({ using: 'parquet', location: 'data' }, ctx);
    const { frame, columnTypes } = readArrowDataset(join(ctx.outDir, 'dataset.arrow'));
    expect(columnTypes).toEqual(['long', 'string']);
    expect(Array.from(column(frame.columns, 'id').values as Float64Array)).toEqual([1, 2, 3, 4]);
    expect(column(frame.columns, 'tag').values).toEqual(['t1', null, 't3', null]);
    expect((result.card.data.files as Array<{ path: string }>).map((f) => f.path)).toEqual([
      'data/a.parquet',
      'data/b.parquet',
    ]);
  });

  it('loads data with a custom loader_method from steps/ingest.ts (called once per file)', async () => {
    const dir = recipeDir();
    mkdirSync(join(dir, 'steps'));
    mkdirSync(join(dir, 'data'));
    writeFileSync(join(dir, 'data', 'a.txt'), '1 2\n3 4\n');
    writeFileSync(join(dir, 'data', 'b.txt'), '5 6\n');
    writeFileSync(
      join(dir, 'steps', 'ingest.ts'),
      `import { readFileSync } from 'node:fs';
export function load_file(location: string, format: string): Array<Record<string, unknown>> {
  return readFileSync(location, 'utf8').trim().split('\\n').map((line) => {
    const [a, b] = line.split(' ').map(Number);
    return { a, b, format };
  });
}
`,
    );
    const cfg = { using: 'custom' as const, location: 'data/*.txt', loader_method: 'load_file' };
    const ctx = context(dir);
    const result = await ingestStep.run(cfg, ctx);
    const { frame, columnTypes } = readArrowDataset(join(ctx.outDir, 'dataset.arrow'));
    expect(frame.nRows).toBe(3);
    expect(columnTypes).toEqual(['long', 'long', 'string']);
    expect(Array.from(column(frame.columns, 'b').values as Float64Array)).toEqual([2, 4, 6]);
    expect(column(frame.columns, 'format').values).toEqual(['txt', 'txt', 'txt']);
    expect(result.card.data.using).toBe('custom');
    expect(ingestStep.codeFiles(cfg, dir)).toEqual([join(dir, 'steps', 'ingest.ts')]);
  });

  it('accepts a Frame from a custom loader and wraps a loader failure in a DataError', async () => {
    const dir = recipeDir();
    const step = makeIngestStep('ingest', {
      loaderResolver: async ({ name }) =>
        name === 'frame'
          ? () => ({
              nRows: 2,
              columns: [{ name: 'v', type: 'number', values: Float64Array.from([1.5, 2]) }],
            })
          : () => {
              throw new Error('database unreachable');
            },
    });
    const ok = await step.run({ using: 'custom', loader_method: 'frame' }, context(dir, 'ok'));
    expect(ok.card.data.column_types).toEqual({ v: 'double' });
    const error = await step
      .run({ using: 'custom', loader_method: 'broken' }, context(dir, 'bad'))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataError);
    expect((error as Error).message).toMatch(/broken\("", "custom"\) threw: database unreachable/);
  });

  it('fails with the file and line when a CSV row is malformed, and names a missing location', async () => {
    const dir = recipeDir();
    writeFileSync(join(dir, 'bad.csv'), 'a,b\n1,2\n3\n');
    await expect(ingestStep.run({ using: 'csv', location: 'bad.csv' }, context(dir))).rejects.toThrow(
      /bad\.csv:3: row has 1 field but the header has 2/,
    );
    await expect(ingestStep.inputFiles({ using: 'csv', location: 'nope/*.csv' }, dir)).rejects.toThrow(
      /steps\.ingest\.location/,
    );
    await expect(ingestStep.inputFiles({ using: 'csv' }, dir)).rejects.toThrow(/needs a location/);
  });
});
