/** `recipe gate` as a child process, on real saved models, real files and a real SQLite registry. */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { datasetFromRecords } from '../../src/data/infer-types.js';
import { ColumnTransformer } from '../../src/ml/column-transformer.js';
import { createRegressor } from '../../src/ml/estimators.js';
import { dropColumn, ModelPipeline, saveModel } from '../../src/models/index.js';
import type { GateReport } from '../../src/registry/gate-report.js';
import { sqliteUriForPath } from '../../src/tracking/tracking-uri.js';
import { type CliResult, runCli } from '../helpers/cli.js';
import { saveFixtureModel } from '../registry/model-fixture.js';

const root = mkdtempSync(join(tmpdir(), 'mlrecipe-gate-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const env: NodeJS.ProcessEnv = { ...process.env };
for (const key of ['RECIPE_TRACKING_URI', 'MLFLOW_TRACKING_URI']) delete env[key];
const tracking = sqliteUriForPath(join(root, 'mlruns', 'tracking.db'));

function recipe(...args: string[]): Promise<CliResult> {
  return runCli(['--tracking-uri', tracking, ...args], { cwd: root, env });
}

const good = join(root, 'good');
const poor = join(root, 'poor');
const data = join(root, 'eval.csv');

beforeAll(() => {
  saveFixtureModel(good, { alpha: 0.01 });
  saveFixtureModel(poor, { alpha: 500 });
  const lines = ['a,b,y'];
  for (let i = 0; i < 30; i++) {
    const a = ((i * 3) % 7) + 0.25;
    const b = ((i * 2) % 5) * 1.5;
    lines.push(`${a},${b},${2 * a - b + 1}`);
  }
  writeFileSync(data, `${lines.join('\n')}\n`);
});

describe('recipe gate', () => {
  it('exits 0 for a better candidate and writes report.md, report.json and junit.xml', async () => {
    const reportDir = join(root, 'report-pass');
    const { code, stdout, stderr } = await recipe(
      'gate',
      '--candidate',
      good,
      '--baseline',
      poor,
      '--data',
      data,
      '--report-dir',
      reportDir,
    );
    expect(stderr).toContain('wrote');
    expect(code).toBe(0);
    expect(stdout).toContain('✅ Model gate: promote');
    const report = JSON.parse(readFileSync(join(reportDir, 'report.json'), 'utf8')) as GateReport;
    expect(report.decision).toBe('PROMOTE');
    expect(report.rows).toBe(30);
    // Default: the primary metric at least as good as the baseline's.
    expect(report.gate.results.map((r) => r.metric)).toEqual(['root_mean_squared_error']);
    expect(report.candidate_metrics.root_mean_squared_error).toBeLessThan(
      report.baseline_metrics?.root_mean_squared_error as number,
    );
    expect(readFileSync(join(reportDir, 'report.md'), 'utf8')).toContain('| root_mean_squared_error |');
    const junit = readFileSync(join(reportDir, 'junit.xml'), 'utf8');
    expect(junit.match(/<testcase /g)).toHaveLength(1);
    expect(junit).toContain('failures="0"');
  });

  it('exits 3 for a worse candidate, metric by metric, with a thresholds file', async () => {
    const thresholds = join(root, 'thresholds.yaml');
    writeFileSync(
      thresholds,
      [
        'validation_thresholds:',
        '  root_mean_squared_error: {min_relative_change: 0.05}',
        '  r2_score: {threshold: 0.5}',
        '  mean_absolute_error: {min_absolute_change: 0.01}',
      ].join('\n'),
    );
    const reportDir = join(root, 'report-fail');
    const { code, stdout, stderr } = await recipe(
      'gate',
      '--candidate',
      poor,
      '--baseline',
      good,
      '--data',
      data,
      '--thresholds',
      thresholds,
      '--report-dir',
      reportDir,
      '--output',
      'json',
    );
    expect(code).toBe(3);
    expect(stderr).toContain('error: the gate rejected');
    expect(stderr).toMatch(
      /root_mean_squared_error: .*% worse than baseline .*; required: at least 5% better/,
    );
    expect(stderr).toMatch(/mean_absolute_error: .*is not <= baseline/);
    const printed = JSON.parse(stdout) as GateReport;
    expect(printed.decision).toBe('REJECT');
    expect(printed.gate.results).toHaveLength(3);
    const junit = readFileSync(join(reportDir, 'junit.xml'), 'utf8');
    expect(junit.match(/<testcase /g)).toHaveLength(3);
    expect(junit.match(/<failure /g)?.length).toBe(printed.gate.results.filter((r) => !r.passed).length);
  });

  it('resolves models:/ URIs; a baseline alias that does not exist yet leaves only absolute thresholds', async () => {
    const registered = await recipe('models', 'register', '-m', good, '-n', 'fixture');
    expect(registered.code).toBe(0);
    const thresholds = join(root, 'absolute.yaml');
    writeFileSync(thresholds, 'root_mean_squared_error: {threshold: 1.0, min_absolute_change: 0.5}\n');
    const { code, stdout, stderr } = await recipe(
      'gate',
      '--candidate',
      'models:/fixture/1',
      '--baseline',
      'models:/fixture@champion',
      '--data',
      data,
      '--thresholds',
      thresholds,
    );
    expect(stderr).toContain('note: models:/fixture@champion does not resolve');
    expect(code).toBe(0);
    expect(stdout).toContain('Baseline: none yet');
    // The change threshold (Δ ≥ 0.5) cannot apply without a baseline; the absolute one passes.
    expect(stdout).toMatch(
      /\| root_mean_squared_error \| [\d.]+ \| — \| — \| ≤ 1, Δ ≥ 0.5 \| lower \| ✅ pass \|/,
    );
  });

  it("takes a recipe.yaml's steps.register.validation_thresholds, placeholders and all", async () => {
    const recipeYaml = join(root, 'recipe.yaml');
    writeFileSync(
      recipeYaml,
      [
        'recipe: "regression/v1"',
        'target_col: "y"',
        'steps:',
        '  ingest: {{INGEST_CONFIG}}',
        '  register:',
        '    validation_thresholds:',
        '      r2_score: {threshold: 0.999}',
        '      max_error: {min_absolute_change: 0}',
      ].join('\n'),
    );
    const { code, stdout, stderr } = await recipe(
      'gate',
      '--candidate',
      poor,
      '--baseline',
      good,
      '--data',
      data,
      '--thresholds',
      recipeYaml,
      '--output',
      'json',
    );
    expect(stderr).not.toContain('Warning');
    expect(code).toBe(3);
    const printed = JSON.parse(stdout) as GateReport;
    expect(printed.gate.results.map((r) => [r.metric, r.passed])).toEqual([
      ['r2_score', false],
      ['max_error', false],
    ]);
  });

  it('says when the baseline cannot score the data (its columns changed)', async () => {
    const wider = join(root, 'wider');
    const rows = Array.from({ length: 20 }, (_, i) => ({
      a: i % 7,
      b: i % 5,
      c: i % 3,
      y: 2 * (i % 7) - (i % 5),
    }));
    const { frame, columnTypes } = datasetFromRecords(rows, 'wider');
    const inputs = dropColumn(frame, 'y');
    const transformer = new ColumnTransformer().fit(inputs);
    const estimator = createRegressor('ridge', { alpha: 1 });
    estimator.fit(
      transformer.transform(inputs),
      frame.columns.find((c) => c.name === 'y')?.values as Float64Array,
    );
    saveModel({
      dir: wider,
      pipeline: new ModelPipeline({
        problemType: 'regression',
        targetCol: 'y',
        inputColumns: ['a', 'b', 'c'],
        transformer,
        estimator,
      }),
      inputExample: frame,
      columnTypes,
    });
    const { code, stderr } = await recipe('gate', '--candidate', good, '--baseline', wider, '--data', data);
    // Exit 2, both schemas side by side, and a hint that says how to go on.
    expect(code).toBe(2);
    expect(stderr).toContain(`error: the baseline (${wider}) cannot score ${data}:`);
    expect(stderr).toMatch(
      new RegExp(`${wider.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} expects +\\| .*eval\\.csv has`),
    );
    expect(stderr).toMatch(/ a long +\| a double\n/);
    expect(stderr).toMatch(/ c long +\| — +<- missing/);
    expect(stderr).toMatch(/hint: .*add --force/);

    // --force: the absolute thresholds alone decide, and the candidate version records it.
    expect((await recipe('models', 'register', '-m', good, '-n', 'forced')).code).toBe(0);
    const thresholds = join(root, 'forced.yaml');
    writeFileSync(thresholds, 'root_mean_squared_error: {threshold: 1.0, min_relative_change: 0.01}\n');
    const forced = await recipe(
      'gate',
      '--candidate',
      'models:/forced/1',
      '--baseline',
      wider,
      '--data',
      data,
      '--thresholds',
      thresholds,
      '--force',
    );
    expect(forced.stderr).toContain('tagged forced version 1 mlrecipe.gate.forced');
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain('⚠️ the baseline');
    expect(forced.stdout).toContain('Gated on the absolute thresholds alone (--force).');
    const shown = await recipe('models', 'show', 'forced', '-o', 'json');
    const model = JSON.parse(shown.stdout) as {
      model_versions: { tags?: { key: string; value: string }[] }[];
    };
    const tag = model.model_versions[0]?.tags?.find((t) => t.key === 'mlrecipe.gate.forced');
    expect(tag?.value).toMatch(/^recipe gate --force; .* could not score .*eval\.csv \(the baseline/);
  });

  it('fails with exit 1 or 2, and no report, when inputs are wrong', async () => {
    const reportDir = join(root, 'report-error');
    const missing = await recipe(
      'gate',
      '--candidate',
      good,
      '--data',
      join(root, 'nope.csv'),
      '--report-dir',
      reportDir,
    );
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('nope.csv does not exist');
    const bad = join(root, 'bad.yaml');
    writeFileSync(bad, 'root_mean_squared_error: {min_relative_change: 3}\n');
    const invalid = await recipe('gate', '--candidate', good, '--data', data, '--thresholds', bad);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toContain('root_mean_squared_error.min_relative_change');
    const wrongTarget = await recipe('gate', '--candidate', good, '--data', data, '--target-col', 'zz');
    expect(wrongTarget.code).toBe(1);
    expect(wrongTarget.stderr).toContain('target_col "zz" is not a column');
    expect(existsSync(reportDir)).toBe(false);
  });
});
