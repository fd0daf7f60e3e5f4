import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { protectedOutputReason } from '../../src/data/index.js';
import { runCli } from '../helpers/cli.js';

const root = mkdtempSync(join(tmpdir(), 'mlrecipe-outpath-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
mkdirSync(join(root, '.git', 'objects'), { recursive: true });
mkdirSync(join(root, '.recipe', 'cache'), { recursive: true });
mkdirSync(join(root, 'predictions'));
symlinkSync(join(root, '.recipe', 'cache'), join(root, 'cache-link'));

describe('protectedOutputReason', () => {
  it.each([
    ['.git/preds.csv', /inside a \.git directory/],
    ['.git/objects/new/deep.csv', /inside a \.git directory/],
    ['.recipe/preds.csv', /inside a \.recipe directory, mlrecipe's step cache/],
    ['predictions/../.recipe/cache/x.csv', /\.recipe directory/],
    // A symbolic link on the way is resolved: this lands in .recipe/cache.
    ['cache-link/x.csv', /\.recipe directory/],
    ['cache-link/not/yet/there.csv', /\.recipe directory/],
  ])('refuses %s', (path, reason) => {
    expect(protectedOutputReason(join(root, path))).toMatch(reason);
  });

  it.each(['predictions/out.csv', 'out.git/x.csv', 'recipe/x.csv', '.github/x.csv', 'new/dir/x.csv'])(
    'allows %s',
    (path) => {
      expect(protectedOutputReason(join(root, path))).toBeNull();
    },
  );
});

describe('commands refuse to write output into .git/ or .recipe/', () => {
  it('recipe models predict -o .git/… exits 2 before loading anything', async () => {
    writeFileSync(join(root, 'in.csv'), 'a\n1\n');
    const result = await runCli(
      ['models', 'predict', '-m', join(root, 'no-such-model'), '-i', 'in.csv', '-o', '.git/preds.csv'],
      { cwd: root },
    );
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain(
      `error: --output-path .git/preds.csv: ${join(root, '.git', 'preds.csv')} is inside a .git directory, which belongs to git`,
    );
    expect(result.stderr).toMatch(/^hint: write outputs elsewhere .*outside \.git\/ and \.recipe\//m);
    expect(existsSync(join(root, '.git', 'preds.csv'))).toBe(false);
  });

  it('recipe gate --report-dir .recipe/… exits 2', async () => {
    const result = await runCli(
      ['gate', '--candidate', join(root, 'no-such-model'), '--data', 'in.csv', '--report-dir', '.recipe/report'],
      { cwd: root },
    );
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(/--report-dir \.recipe\/report: .* is inside a \.recipe directory/);
  });

  it('recipe run refuses steps.predict.output.location inside .recipe/ before any step runs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlrecipe-outpath-recipe-'));
    try {
      mkdirSync(join(dir, 'data'));
      writeFileSync(join(dir, 'data', 'train.csv'), 'a,y\n1,2\n2,3\n');
      writeFileSync(
        join(dir, 'recipe.yaml'),
        [
          'recipe: "regression/v1"',
          'target_col: "y"',
          'primary_metric: "root_mean_squared_error"',
          'steps:',
          '  ingest: {using: csv, location: data/train.csv}',
          '  ingest_scoring: {using: csv, location: data/train.csv}',
          '  predict:',
          '    model_uri: model',
          '    output: {using: csv, location: .recipe/predictions.csv}',
          '',
        ].join('\n'),
      );
      const result = await runCli(['run', '-s', 'predict', '--no-tracking'], { cwd: dir });
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toMatch(
        /steps\.predict\.output\.location.*predictions cannot be written to \.recipe\/predictions\.csv: .* is inside a \.recipe directory/,
      );
      // Refused while planning: ingest_scoring never ran, nothing was written.
      expect(existsSync(join(dir, '.recipe', 'cache', 'ingest_scoring'))).toBe(false);
      expect(existsSync(join(dir, '.recipe', 'predictions.csv'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
