/**
 * Walks the "No silent ignores" tables of docs/migrating-from-mlflow.md: every row has a case
 * here and every case a row. A refused row's recipe must stop before any step with a ConfigError
 * at the field's own line whose message holds the error the row quotes, with a hint. A supported
 * (or differing) row's recipe must be accepted, and its effect is checked: most in one real recipe
 * run below (tracked in SQLite, registered, then scored by predict), the rest in the test the case
 * names (which must exist and mention the field).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readArrowDataset, readParquetDataset } from '../../src/data/index.js';
import type { Dataset } from '../../src/data/infer-types.js';
import { ConfigError } from '../../src/errors.js';
import { openModelRegistry } from '../../src/registry/index.js';
import { runRecipe, type RunRecipeResult } from '../../src/recipes/execute.js';
import { loadRecipe } from '../../src/recipes/load.js';
import { trackingRecorder } from '../../src/recipes/record.js';
import { openTrackingStore } from '../../src/tracking/open-store.js';
import type { Run } from '../../src/tracking/types.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DOC = join(ROOT, 'docs', 'migrating-from-mlflow.md');

interface Row {
  field: string;
  mlrecipe: string;
  status: 'supported' | 'differs' | 'refused';
}

/** The rows of the doc's field tables (those whose header starts with `| field |`). */
function docRows(): Row[] {
  const rows: Row[] = [];
  let inTable = false;
  for (const line of readFileSync(DOC, 'utf8').split('\n')) {
    if (line.startsWith('| field |')) {
      inTable = true;
      continue;
    }
    if (!line.startsWith('|')) {
      inTable = false;
      continue;
    }
    if (!inTable || line.startsWith('| ---')) continue;
    const cells = line
      .slice(1, -1)
      .split(/(?<!\\)\|/)
      .map((c) => c.trim());
    // The first cell, without its backticks: `steps.ingest.using: csv` + `loader_method`.
    const field = (cells[0] ?? '').replace(/`/g, '');
    const status = cells[3] as Row['status'];
    if (!field || !['supported', 'differs', 'refused'].includes(status)) {
      throw new Error(`docs/migrating-from-mlflow.md: a malformed row: ${line}`);
    }
    rows.push({ field, mlrecipe: cells[2] ?? '', status });
  }
  return rows;
}

/** The error a refused row quotes: the first backticked text after "error:". */
function quotedError(row: Row): string {
  const quoted = /error:\s*`((?:[^`\\]|\\.)+)`/.exec(row.mlrecipe)?.[1];
  if (!quoted) throw new Error(`the refused row ${row.field} quotes no error`);
  return quoted.replace(/\\`/g, '`').replace(/\(…\)/, '');
}

type Config = Record<string, unknown>;

/** What a case changes in the base recipe (a copy of it), which will be written into `dir`. */
type Patch = (config: Config, dir: string) => void;

interface RefusedCase {
  patch: Patch;
  /** The dotted path of the issue. */
  path: string;
}

interface SupportedCase {
  patch: Patch;
  /** Checked against the shared run (its config holds every run-checked field). */
  run?: (shared: SharedRun) => void | Promise<void>;
  /** Or: checked here, apart from the run. */
  check?: () => void;
  /** Or: the test that shows the effect, and a string it must contain. */
  test?: { file: string; contains: string };
}

interface SharedRun {
  dir: string;
  result: RunRecipeResult;
  run: Run;
  predict: RunRecipeResult;
  card: (step: string) => { data: Record<string, unknown>; sections: Array<{ title: string }> };
}

function steps(config: Config): Record<string, Config> {
  config.steps ??= {};
  return config.steps as Record<string, Config>;
}
function step(config: Config, name: string): Config {
  const all = steps(config);
  all[name] ??= {};
  return all[name] as Config;
}
const set =
  (stepName: string, values: Config): Patch =>
  (c) =>
    Object.assign(step(c, stepName), values);

const SUPPORTED: Record<string, SupportedCase> = {
  recipe: {
    patch: () => {},
    run: ({ result }) => expect(result.recipe.config.recipe).toBe('regression/v1'),
  },
  target_col: {
    patch: () => {},
    run: ({ run }) => expect(run.data.params.find((p) => p.key === 'target_col')?.value).toBe('y'),
  },
  positive_class: {
    patch: () => {},
    test: { file: 'test/python/mlflow-classification.test.ts', contains: 'positive_class' },
  },
  'positive_class omitted': {
    patch: () => {},
    // MLflow 2.12's validate_classification_config: two classes without positive_class stop split.
    test: { file: 'test/steps/split.test.ts', contains: 'needs positive_class' },
  },
  primary_metric: {
    patch: (c) => {
      c.primary_metric = 'mean_absolute_error';
    },
    run: ({ result }) => expect(result.recipe.config.primary_metric).toBe('mean_absolute_error'),
  },
  custom_metrics: {
    patch: (c) => {
      c.custom_metrics = [{ name: 'within_one', function: 'within_one', greater_is_better: true }];
    },
    run: ({ run }) => expect(run.data.metrics.map((m) => m.key)).toContain('val_within_one'),
  },
  'experiment.name': {
    patch: (c) => {
      c.experiment = { ...(c.experiment as Config), name: 'migrating' };
    },
    run: async ({ run, dir }) => {
      const store = await openTrackingStore(trackingUri(dir));
      try {
        expect((await store.getExperimentByName('migrating'))?.experiment_id).toBe(run.info.experiment_id);
      } finally {
        await store.close();
      }
    },
  },
  'experiment.tracking_uri': {
    patch: (c) => {
      c.experiment = { ...(c.experiment as Config), tracking_uri: 'sqlite:///mlflow-here/runs.db' };
    },
    run: ({ dir }) => expect(existsSync(join(dir, 'mlflow-here', 'runs.db'))).toBe(true),
  },
  'experiment.artifact_location': {
    patch: (c) => {
      c.experiment = { ...(c.experiment as Config), artifact_location: './artifacts-here' };
    },
    run: ({ run, dir }) => expect(run.info.artifact_uri).toContain(join(dir, 'artifacts-here')),
  },
  'experiment.run_name_prefix': {
    patch: (c) => {
      c.experiment = { ...(c.experiment as Config), run_name_prefix: 'nightly' };
    },
    run: ({ run }) => expect(run.info.run_name).toMatch(/^nightly-[0-9a-f]{8}$/),
  },
  'model_registry.model_name': {
    patch: (c) => {
      c.model_registry = { ...(c.model_registry as Config), model_name: 'migrated' };
    },
    run: ({ run }) =>
      expect(run.data.tags.find((t) => t.key === 'mlrecipe.registered_model_name')?.value).toBe('migrated'),
  },
  'model_registry.registry_uri': {
    patch: () => {},
    test: { file: 'test/steps/predict.test.ts', contains: 'registry_uri' },
  },
  'Jinja in recipe.yaml': {
    patch: () => {},
    test: { file: 'test/recipes/jinja.test.ts', contains: 'from_json' },
  },
  'profile variables': {
    patch: () => {},
    test: { file: 'test/recipes/load.test.ts', contains: 'profile' },
  },
  MLFLOW_RECIPES_PROFILE: {
    patch: () => {},
    test: { file: 'test/recipes/jinja.test.ts', contains: 'MLFLOW_RECIPES_PROFILE' },
  },
  'steps.ingest.using: parquet': {
    patch: () => {},
    test: { file: 'test/steps/ingest.test.ts', contains: 'reads a directory of Parquet files' },
  },
  'steps.ingest.using: csv + loader_method': {
    patch: set('ingest_scoring', { using: 'csv', location: 'score.csv', loader_method: 'load_semicolons' }),
    run: async ({ dir }) => {
      // score.csv is `;`-separated: only the loader reads it into the columns x1, x2, city.
      const scored = await readScored(dir);
      expect(scored.frame.nRows).toBe(6);
      expect(scored.frame.columns.map((c) => c.name)).toEqual(expect.arrayContaining(['x1', 'x2', 'city']));
    },
  },
  'steps.ingest.using: custom': {
    patch: () => {},
    test: { file: 'test/steps/ingest.test.ts', contains: "['txt', 'txt', 'txt']" },
  },
  'steps.ingest.using: csv without loader_method': {
    patch: () => {},
    run: ({ result }) => expect(result.outcomes.find((o) => o.step === 'ingest')?.state).toBe('ran'),
  },
  'steps.ingest.location': {
    patch: () => {},
    run: ({ result }) => expect(result.recipe.config.steps?.ingest?.location).toBe('data.csv'),
  },
  'steps.ingest.skip_data_profiling': {
    patch: set('ingest', { skip_data_profiling: true }),
    run: ({ card }) => expect(JSON.stringify(card('ingest').data)).not.toContain('"profile"'),
  },
  'steps.ingest_scoring': {
    patch: () => {},
    run: ({ predict }) =>
      expect(predict.outcomes.find((o) => o.step === 'ingest_scoring')?.state).toBe('ran'),
  },
  'steps.split.split_ratios': {
    patch: set('split', { split_ratios: [0.5, 0.25, 0.25] }),
    run: ({ run }) =>
      expect(run.data.params.find((p) => p.key === 'steps.split.split_ratios')?.value).toBe(
        '[0.5,0.25,0.25]',
      ),
  },
  'steps.split.using: custom': {
    patch: () => {},
    test: { file: 'test/python/python-steps.test.ts', contains: 'split_method' },
  },
  'steps.split.post_split_filter_method': {
    patch: set('split', { post_split_filter_method: 'drop_x1_zero' }),
    run: ({ result }) => {
      // data.csv has 5 rows with x1 = 0 (i = 0, 13, 26, 39, 52); none may reach the training split.
      const split = result.outcomes.find((o) => o.step === 'split');
      const train = readArrowDataset(join(split?.dir ?? '', 'train.arrow')).frame;
      const x1 = train.columns.find((c) => c.name === 'x1')?.values as Float64Array;
      expect(x1.length).toBeGreaterThan(20);
      expect(Array.from(x1).filter((v) => v === 0)).toEqual([]);
    },
  },
  'steps.split.skip_data_profiling': {
    patch: set('split', { skip_data_profiling: true }),
    run: ({ card }) =>
      expect(
        card('split')
          .sections.map((s) => s.title)
          .join(','),
      ).not.toMatch(/profile/i),
  },
  'steps.transform.using: custom': {
    patch: () => {},
    test: { file: 'test/python/mlflow-recipe.test.ts', contains: 'transformer_fn' },
  },
  'steps.transform.skip_data_profiling': {
    patch: set('transform', { skip_data_profiling: true }),
    run: ({ card }) => {
      expect(card('transform').sections.map((s) => s.title)).not.toContain(
        'Features (training split, after transform)',
      );
      expect(card('transform').data.feature_stats).toBeUndefined();
    },
  },
  'steps.train.using: custom': {
    patch: () => {},
    test: { file: 'test/python/mlflow-recipe.test.ts', contains: 'estimator_fn' },
  },
  'steps.train.estimator_params': {
    patch: () => {},
    test: { file: 'test/steps/train.test.ts', contains: 'estimator_params' },
  },
  'steps.train.tuning': {
    patch: () => {},
    test: { file: 'test/python/python-sweep.test.ts', contains: 'early_stop_fn' },
  },
  'steps.train.rebalance_training_data': {
    patch: set('train', { rebalance_training_data: false }),
    test: { file: 'test/steps/rebalance.test.ts', contains: 'rebalance_training_data' },
  },
  'steps.train.resampling_minority_percentage': {
    patch: set('train', { resampling_minority_percentage: 0.3 }),
    test: { file: 'test/steps/rebalance.test.ts', contains: 'resampling_minority_percentage' },
  },
  'steps.train.predict_scores_for_all_classes': {
    patch: () => {},
    test: { file: 'test/steps/predict.test.ts', contains: 'predict_scores_for_all_classes' },
  },
  'steps.train.predict_prefix': {
    patch: () => {},
    test: { file: 'test/recipes/execute.test.ts', contains: 'predict_prefix: score_' },
  },
  'steps.train.skip_data_profiling': {
    patch: set('train', { skip_data_profiling: true }),
    run: ({ result }) => expect(result.outcomes.find((o) => o.step === 'train')?.state).toBe('ran'),
  },
  'steps.evaluate.validation_criteria': {
    patch: set('evaluate', {
      validation_criteria: [
        { metric: 'root_mean_squared_error', threshold: 100 },
        { metric: 'within_one', threshold: 0 },
      ],
    }),
    run: ({ card }) => expect(JSON.stringify(card('evaluate').data)).toContain('within_one'),
  },
  'steps.register.model_name': {
    patch: () => {},
    test: { file: 'test/steps/register.test.ts', contains: 'model_name' },
  },
  'steps.register.allow_non_validated_model': {
    patch: () => {},
    test: { file: 'test/steps/register.test.ts', contains: 'allow_non_validated_model' },
  },
  'steps.register.registry_uri': {
    patch: (c, dir) => {
      step(c, 'register').registry_uri = `sqlite:///${join(dir, 'registry-here', 'models.db')}`;
    },
    run: async ({ dir }) => {
      const registry = await openModelRegistry(`sqlite:///${join(dir, 'registry-here', 'models.db')}`);
      try {
        expect((await registry.getRegisteredModel('migrated')).name).toBe('migrated');
      } finally {
        await registry.close();
      }
    },
  },
  'steps.predict.model_uri': {
    patch: () => {},
    test: { file: 'test/steps/predict.test.ts', contains: 'model_uri' },
  },
  'steps.predict.output.using: parquet': {
    patch: set('predict', { output: { using: 'parquet', location: 'scored.parquet' } }),
    run: ({ dir }) =>
      expect(readFileSync(join(dir, 'scored.parquet')).subarray(0, 4).toString()).toBe('PAR1'),
  },
  'steps.predict.output.location': {
    patch: () => {},
    run: ({ dir }) => expect(existsSync(join(dir, 'scored.parquet'))).toBe(true),
  },
  'steps.predict.result_type': {
    patch: set('predict', { result_type: 'string' }),
    run: async ({ dir }) => {
      const scored = await readScored(dir);
      const j = scored.frame.columns.findIndex((c) => c.name === 'prediction');
      expect(scored.columnTypes[j]).toBe('string');
      expect(Number.isFinite(Number((scored.frame.columns[j]?.values as string[])[0]))).toBe(true);
    },
  },
  'steps.predict.save_mode': {
    patch: set('predict', { save_mode: 'default' }),
    run: async ({ dir }) => {
      // The output exists after the shared run: `default` (Spark's errorifexists) refuses to replace it.
      const again = await runRecipe({ recipeDir: dir, steps: ['predict'] });
      expect(again.error?.message).toContain('already exists and save_mode is default');
    },
  },
  'steps.predict.skip_data_profiling': {
    patch: set('predict', { skip_data_profiling: true }),
    run: ({ card }) => expect(card('predict').sections.map((s) => s.title)).not.toContain('Predictions'),
  },
};

const REFUSED: Record<string, RefusedCase> = {
  'experiment.id': {
    patch: (c) => {
      c.experiment = { id: '7' };
    },
    path: 'experiment.id',
  },
  'databricks URIs': {
    patch: (c) => {
      c.experiment = { tracking_uri: 'databricks' };
    },
    path: 'experiment.tracking_uri',
  },
  'steps.ingest.using: xlsx + loader_method': {
    patch: set('ingest', { using: 'xlsx', loader_method: 'load_semicolons' }),
    path: 'steps.ingest.using',
  },
  'steps.ingest.using: delta': { patch: set('ingest', { using: 'delta' }), path: 'steps.ingest.using' },
  'steps.ingest.using: spark_sql': {
    patch: set('ingest', { using: 'spark_sql' }),
    path: 'steps.ingest.using',
  },
  'steps.ingest.sql': { patch: set('ingest', { sql: 'SELECT * FROM t' }), path: 'steps.ingest.sql' },
  'steps.ingest.timestamp': {
    patch: set('ingest', { timestamp: '2022-06-09T23:59:59' }),
    path: 'steps.ingest.timestamp',
  },
  'steps.ingest.version': { patch: set('ingest', { version: '2' }), path: 'steps.ingest.version' },
  'steps.ingest.location: URL': {
    patch: set('ingest', { location: 'https://example.com/data.csv' }),
    path: 'steps.ingest.location',
  },
  'steps.ingest.loader_method with using: parquet': {
    patch: set('ingest', { using: 'parquet', location: 'data.parquet', loader_method: 'load_semicolons' }),
    path: 'steps.ingest.loader_method',
  },
  'steps.split.post_split_method': {
    patch: set('split', { post_split_method: 'drop_x1_zero' }),
    path: 'steps.split.post_split_method',
  },
  'steps.train.using: automl/flaml': {
    patch: (c) => {
      steps(c).train = { using: 'automl/flaml' };
    },
    path: 'steps.train.using',
  },
  'steps.train.flaml_params': {
    patch: set('train', { flaml_params: { n_jobs: 1 } }),
    path: 'steps.train.flaml_params',
  },
  'steps.train.time_budget_secs': {
    patch: set('train', { time_budget_secs: 60 }),
    path: 'steps.train.time_budget_secs',
  },
  'steps.train.calibrate_proba': {
    patch: set('train', { calibrate_proba: 'isotonic' }),
    path: 'steps.train.calibrate_proba',
  },
  'steps.predict.output.using: delta': {
    patch: set('predict', { output: { using: 'delta', location: 'out' } }),
    path: 'steps.predict.output.using',
  },
  'steps.predict.output.using: table': {
    patch: set('predict', { output: { using: 'table', location: 'out' } }),
    path: 'steps.predict.output.using',
  },
};

function baseConfig(): Config {
  return {
    recipe: 'regression/v1',
    target_col: 'y',
    primary_metric: 'root_mean_squared_error',
    steps: {
      ingest: { using: 'csv', location: 'data.csv' },
      split: { split_ratios: [0.6, 0.2, 0.2] },
      transform: { using: 'default' },
      train: { estimator: { name: 'ridge', params: { alpha: 1.0 } } },
      evaluate: { validation_criteria: [{ metric: 'root_mean_squared_error', threshold: 100 }] },
      register: {},
      predict: { output: { using: 'parquet', location: 'scored.parquet' } },
    },
    model_registry: { model_name: 'cars' },
  };
}

function readScored(dir: string): Promise<Dataset> {
  return readParquetDataset(join(dir, 'scored.parquet'));
}

function trackingUri(dir: string): string {
  return `sqlite:///${join(dir, 'mlflow-here', 'runs.db')}`;
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function recipeDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mlrecipe-migrating-'));
  dirs.push(dir);
  return dir;
}

/** A real recipe (in a git repository) with data, TypeScript user modules and recipe.yaml. */
function writeRecipe(dir: string, config: Config): void {
  mkdirSync(join(dir, 'steps'));
  const rows = ['x1,x2,city,y,label'];
  for (let i = 0; i < 60; i++) {
    const x1 = (i * 7) % 13;
    const x2 = (i * 5) % 11;
    rows.push(`${x1},${x2},${['a', 'b', 'c'][i % 3]},${2 * x1 - x2 + (i % 4)},${x1 > 6 ? 'yes' : 'no'}`);
  }
  writeFileSync(join(dir, 'data.csv'), `${rows.join('\n')}\n`);
  writeFileSync(
    join(dir, 'score.csv'),
    'x1;x2;city;label\n1;2;a;no\n3;4;b;no\n5;6;c;no\n7;8;a;yes\n9;10;b;yes\n11;0;c;yes\n',
  );
  writeFileSync(
    join(dir, 'steps', 'custom_metrics.ts'),
    `export function within_one(data: { yTrue: Float64Array; yPred: Float64Array }): number {
  let n = 0;
  for (let i = 0; i < data.yTrue.length; i++) if (Math.abs(data.yTrue[i] - data.yPred[i]) <= 1) n++;
  return n / data.yTrue.length;
}
`,
  );
  writeFileSync(
    join(dir, 'steps', 'split.ts'),
    `import type { Frame } from 'mlrecipe';
export function drop_x1_zero(frame: Frame): boolean[] {
  const x1 = frame.columns.find((c) => c.name === 'x1')!.values as Float64Array;
  return Array.from(x1, (v) => v !== 0);
}
`,
  );
  writeFileSync(
    join(dir, 'steps', 'ingest.ts'),
    `import { readFileSync } from 'node:fs';
export function load_semicolons(path: string, format: string): Array<Record<string, unknown>> {
  if (format !== 'csv') throw new Error('expected format csv, got ' + format);
  const [head, ...lines] = readFileSync(path, 'utf8').trim().split('\\n');
  const names = head!.split(';');
  return lines.map((l) => Object.fromEntries(l.split(';').map((v, i) => [names[i], i < 2 ? Number(v) : v])));
}
`,
  );
  writeFileSync(join(dir, 'recipe.yaml'), stringify(config));
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: dir });
}

const rows = docRows();

describe('docs/migrating-from-mlflow.md: the field table', () => {
  it('lists every case here, and every case is a row', () => {
    const documented = rows.map((r) => r.field).sort();
    const cases = [...Object.keys(SUPPORTED), ...Object.keys(REFUSED)].sort();
    expect(documented).toEqual(cases);
    for (const row of rows) {
      if (row.status === 'refused') expect(Object.hasOwn(REFUSED, row.field), row.field).toBe(true);
      else expect(Object.hasOwn(SUPPORTED, row.field), row.field).toBe(true);
    }
  });

  it.each(rows.filter((r) => r.status === 'refused').map((r) => [r.field, r] as const))(
    'refused: %s stops with the documented error at its line, with a hint',
    (_field, row) => {
      const c = REFUSED[row.field] as RefusedCase;
      const config = baseConfig();
      const dir = recipeDir();
      c.patch(config, dir);
      writeRecipe(dir, config);
      const issue = configIssues(dir).find((i) => i.path === c.path);
      expect(issue, `${row.field}: no issue at ${c.path}`).toBeDefined();
      expect(issue?.message).toContain(quotedError(row));
      expect(issue?.hint ?? '').not.toBe('');
      const lines = readFileSync(join(dir, 'recipe.yaml'), 'utf8').split('\n');
      const key = c.path.split('.').at(-1) as string;
      expect(lines[(issue?.line ?? 0) - 1], `${row.field}: the line of ${key}`).toContain(key);
    },
  );

  it.each(
    rows.filter((r) => r.status !== 'refused' && SUPPORTED[r.field]?.check).map((r) => [r.field] as const),
  )('%s: checked directly', (field) => {
    SUPPORTED[field]?.check?.();
  });

  it.each(
    rows
      .filter((r) => r.status !== 'refused' && SUPPORTED[r.field]?.test)
      .map((r) => [r.field, SUPPORTED[r.field]?.test as { file: string; contains: string }] as const),
  )('%s: shown by %s', (_field, proof) => {
    const file = join(ROOT, proof.file);
    expect(existsSync(file), proof.file).toBe(true);
    expect(readFileSync(file, 'utf8')).toContain(proof.contains);
  });
});

function configIssues(dir: string): ConfigError['issues'] {
  try {
    loadRecipe({ recipeDir: dir });
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
  return [];
}

describe('docs/migrating-from-mlflow.md: supported rows in one real recipe run', () => {
  let shared: SharedRun;
  const runChecked = rows.filter((r) => r.status !== 'refused' && SUPPORTED[r.field]?.run);

  beforeAll(async () => {
    const config = baseConfig();
    const dir = recipeDir();
    for (const row of runChecked) SUPPORTED[row.field]?.patch(config, dir);
    writeRecipe(dir, config);
    expect(configIssues(dir)).toEqual([]);
    const uri = trackingUri(dir);
    // No tracking URI given: the recipe's own experiment.tracking_uri must be the one used.
    const result = await runRecipe({ recipeDir: dir, recorder: trackingRecorder() });
    if (result.error) throw result.error;
    const predict = await runRecipe({ recipeDir: dir, steps: ['predict'], recorder: trackingRecorder() });
    if (predict.error) throw predict.error;
    const store = await openTrackingStore(uri);
    let run: Run;
    try {
      run = await store.getRun(result.runId ?? '');
    } finally {
      await store.close();
    }
    const outcomes = [...result.outcomes, ...predict.outcomes];
    shared = {
      dir,
      result,
      run,
      predict,
      card: (name) => {
        const outcome = outcomes.find((o) => o.step === name && o.dir);
        return JSON.parse(readFileSync(join(outcome?.dir ?? '', 'card.json'), 'utf8')) as ReturnType<
          SharedRun['card']
        >;
      },
    };
  }, 120_000);

  it.each(runChecked.map((r) => [r.field] as const))('%s: accepted and used', async (field) => {
    await SUPPORTED[field]?.run?.(shared);
  });
});
