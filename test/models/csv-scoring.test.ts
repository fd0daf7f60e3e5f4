import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCsvDataset } from '../../src/data/csv.js';
import { datasetFromRecords } from '../../src/data/infer-types.js';
import { ColumnTransformer } from '../../src/ml/column-transformer.js';
import { createClassifier, createRegressor } from '../../src/ml/estimators.js';
import { scoreCsvFile } from '../../src/models/csv-scoring.js';
import {
  dropColumn,
  type LoadedModel,
  loadModel,
  ModelPipeline,
  readScoringFile,
  saveModel,
  scoreDataset,
} from '../../src/models/index.js';
import { runCli } from '../helpers/cli.js';

let work: string;
let regressor: LoadedModel;
let classifier: LoadedModel;

/** Rows with a number, a whole number, a category and a label; deterministic. */
function rows(n: number): Record<string, unknown>[] {
  return Array.from({ length: n }, (_, i) => ({
    x: ((i * 37) % 101) / 7,
    k: i % 9,
    city: ['Oslo', 'Bergen', 'Tromsø, N', 'Ålesund'][i % 4],
    y: ((i * 37) % 101) / 7 + (i % 9) * 2 + (i % 4),
    label: i % 3 === 0 ? 'yes' : 'no',
  }));
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'mlrecipe-csv-scoring-'));
  const { frame, columnTypes } = datasetFromRecords(rows(200), 'train');
  const inputs = dropColumn(dropColumn(frame, 'y'), 'label');
  const transformer = new ColumnTransformer().fit(inputs);
  const matrix = transformer.transform(inputs);
  const ridge = createRegressor('ridge', { alpha: 1 });
  ridge.fit(matrix, frame.columns.find((c) => c.name === 'y')?.values as Float64Array);
  saveModel({
    dir: join(work, 'regressor'),
    pipeline: new ModelPipeline({
      problemType: 'regression',
      targetCol: 'y',
      inputColumns: ['x', 'k', 'city'],
      transformer,
      estimator: ridge,
    }),
    inputExample: dropColumn(frame, 'label'),
    columnTypes: columnTypes.filter((_, j) => frame.columns[j]?.name !== 'label'),
  });
  const labels = (frame.columns.find((c) => c.name === 'label')?.values as string[]).map((l) =>
    l === 'yes' ? 1 : 0,
  );
  const logistic = createClassifier('logistic_regression', {});
  logistic.fit(matrix, Int32Array.from(labels), 2);
  saveModel({
    dir: join(work, 'classifier'),
    pipeline: new ModelPipeline({
      problemType: 'classification',
      targetCol: 'label',
      inputColumns: ['x', 'k', 'city'],
      transformer,
      estimator: logistic,
      classes: ['no', 'yes'],
    }),
    inputExample: dropColumn(frame, 'y'),
    columnTypes: columnTypes.filter((_, j) => frame.columns[j]?.name !== 'y'),
  });
  regressor = await loadModel(join(work, 'regressor'));
  classifier = await loadModel(join(work, 'classifier'));
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('scoreCsvFile (streamed CSV → CSV scoring)', () => {
  it('writes every input line as it was plus the same predictions as the whole-frame path, at any chunk size', async () => {
    const text = `${['id,x,k,city,note', ...scoringLines()].join('\r\n')}\r\n`;
    const input = join(work, 'in.csv');
    writeFileSync(input, text);
    const whole = await scoreDataset(regressor, await readScoringFile(input, { inputs: regressor.signature.inputs }));
    for (const chunkBytes of [5, 64, 1 << 20]) {
      const output = join(work, `out-${chunkBytes}.csv`);
      const count = await scoreCsvFile({ model: regressor, inputPath: input, outputPath: output, chunkBytes });
      expect(count).toBe(300);
      const written = readFileSync(output, 'utf8');
      // Each row is its input text verbatim (quoted fields, embedded newline, spaces) + prediction.
      const inputRows = text.split('\r\n').slice(0, -1);
      expect(written.startsWith(`${inputRows[0]},prediction\n${inputRows[1]},`)).toBe(true);
      const back = await readCsvDataset(output);
      expect(back.frame.nRows).toBe(300);
      const predicted = back.frame.columns.find((c) => c.name === 'prediction')?.values as Float64Array;
      expect(Array.from(predicted)).toEqual(Array.from(whole.predictions as Float64Array));
      const notes = back.frame.columns.find((c) => c.name === 'note')?.values as string[];
      expect(notes[0]).toBe('said "hi"\nthen left');
    }
  });

  it('reads .csv.gz and quotes class labels that need it', async () => {
    const input = join(work, 'in.csv.gz');
    writeFileSync(input, gzipSync(`${['id,x,k,city,note', ...scoringLines()].join('\n')}\n`));
    const output = join(work, 'labels.csv');
    expect(await scoreCsvFile({ model: classifier, inputPath: input, outputPath: output })).toBe(300);
    const back = await readCsvDataset(output);
    const labels = back.frame.columns.find((c) => c.name === 'prediction')?.values as string[];
    const whole = await scoreDataset(classifier, await readScoringFile(input, { format: 'csv' }));
    expect(labels).toEqual(whole.predictions);
    expect(new Set(labels)).toEqual(new Set(['no', 'yes']));
  });

  it('names file, line and column for a bad cell, a fraction in a whole-number column and a short row, and leaves no output', async () => {
    const cases: Array<[string, RegExp]> = [
      ['x,k,city\n1.5,2,Oslo\n2.5,3,Oslo\nabc,1,Oslo\n', /bad\.csv:4: column "x": expected double, got string "abc"/],
      ['x,k,city\n1.5,2,Oslo\n2.5,3.5,Oslo\n', /bad\.csv:3: column "k": expected long, got 3\.5/],
      ['x,k,city\n1.5,2,Oslo\n2.5,3\n', /bad\.csv:3: row has 2 fields but the header has 3/],
      ['x,city\n1.5,Oslo\n', /missing required column "k" \(long\)/],
    ];
    for (const [text, message] of cases) {
      const input = join(work, 'bad.csv');
      writeFileSync(input, text);
      const dir = mkdtempSync(join(work, 'bad-out-'));
      await expect(
        scoreCsvFile({ model: regressor, inputPath: input, outputPath: join(dir, 'out.csv') }),
      ).rejects.toThrow(message);
      expect(readdirSync(dir)).toEqual([]);
    }
  });

  it('leaves a file that already has a prediction column to the whole-frame path, which replaces it', async () => {
    const input = join(work, 'has-prediction.csv');
    writeFileSync(input, 'x,k,city,prediction\n1.5,2,Oslo,old\n');
    const output = join(work, 'replaced.csv');
    expect(await scoreCsvFile({ model: regressor, inputPath: input, outputPath: output })).toBeUndefined();
    expect(existsSync(output)).toBe(false);
    const cli = await runCli(['models', 'predict', '-m', join(work, 'regressor'), '-i', input, '-o', output]);
    expect(cli.code).toBe(0);
    const back = await readCsvDataset(output);
    expect(back.frame.columns.map((c) => c.name)).toEqual(['x', 'k', 'city', 'prediction']);
    expect(back.frame.columns[3]?.type).toBe('number');
  });
});

/** Scoring rows that exercise the tokenizer: quotes, an escaped quote, an embedded newline, spaces, missing cells. */
function scoringLines(): string[] {
  const lines: string[] = [];
  for (let i = 0; i < 300; i++) {
    const x = i % 17 === 0 ? '' : i % 13 === 0 ? ` ${(i / 3).toFixed(2)} ` : (i / 3).toFixed(4);
    const k = i % 11 === 0 ? 'NA' : String(i % 9);
    const city = i % 5 === 0 ? '"Tromsø, N"' : i % 7 === 0 ? '' : ['Oslo', 'Bergen', 'Ålesund'][i % 3];
    const note = i % 4 === 0 ? '"said ""hi""\nthen left"' : 'plain';
    lines.push(`r${i},${x},${k},${city},${note}`);
  }
  return lines;
}
