/**
 * Every config error says where (`file:line:column`, the real position of the field) and what to
 * do (`hint:`), over a table of bad recipes written as real files: most are caught by loadRecipe
 * before anything runs, a few only by a step (a positive_class the data does not have, a value an
 * estimator refuses), and a few go through the `recipe` CLI to check what a user reads.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, type ConfigIssue } from '../../src/errors.js';
import { runRecipe } from '../../src/recipes/execute.js';
import { loadRecipe } from '../../src/recipes/load.js';
import type { StepKind } from '../../src/steps/types.js';
import { envWithoutTrackingUri, runCli } from '../helpers/cli.js';

const BASE = `recipe: regression/v1
target_col: y
primary_metric: root_mean_squared_error
steps:
  ingest:
    using: csv
    location: data.csv
  split:
    split_ratios: [0.6, 0.2, 0.2]
  transform:
    using: default
  train:
    estimator:
      name: ridge
      params:
        alpha: 1.0
  evaluate:
    validation_criteria:
      - metric: root_mean_squared_error
        threshold: 100
custom_metrics:
  - name: within_one
    function: within_one
    greater_is_better: true
model_registry:
  model_name: cars
`;

const CUSTOM_METRICS = `export function within_one(data: { yTrue: Float64Array; yPred: Float64Array }): number {
  let n = 0;
  for (let i = 0; i < data.yTrue.length; i++) if (Math.abs(data.yTrue[i] - data.yPred[i]) <= 1) n++;
  return n / data.yTrue.length;
}
`;

/** 60 rows: two numeric features, a city, a numeric target and a yes/no label. */
function dataCsv(): string {
  const rows = ['x1,x2,city,y,label'];
  for (let i = 0; i < 60; i++) {
    const x1 = (i * 7) % 13;
    const x2 = (i * 5) % 11;
    rows.push(`${x1},${x2},${['a', 'b', 'c'][i % 3]},${2 * x1 - x2 + (i % 4)},${x1 > 6 ? 'yes' : 'no'}`);
  }
  return `${rows.join('\n')}\n`;
}

interface BadInput {
  name: string;
  /** recipe.yaml as BASE edited. */
  edit: (recipe: string) => string;
  /** Other files (relative path → text), or null to leave one of the defaults out. */
  files?: Record<string, string | null>;
  /** The issue's field path. */
  path: string;
  message: RegExp;
  /** The text the issue must point at (its first character), in `file`'s final text. */
  at: string;
  /** Which occurrence of `at` (default 0, the first). */
  occurrence?: number;
  /** The file the issue points into (default recipe.yaml). */
  file?: string;
  hint?: RegExp;
  /** Found only by running these steps, not by loadRecipe. */
  run?: StepKind[];
}

const replace =
  (from: string | RegExp, to: string) =>
  (text: string): string => {
    const out = text.replace(from, to);
    if (out === text) throw new Error(`test setup: ${String(from)} is not in the recipe`);
    return out;
  };

const CLASSIFICATION = (text: string): string =>
  replace(
    'regression/v1',
    'classification/v1',
  )(text)
    .replace('target_col: y', 'target_col: label')
    .replace(/primary_metric: .*\n/, 'primary_metric: f1_score\n')
    .replace(
      / {4}estimator:\n {6}name: ridge\n {6}params:\n {8}alpha: 1.0\n/,
      '    estimator:\n      name: logistic_regression\n',
    )
    .replace(/ {2}evaluate:\n(?: {4,}.*\n)+/, '')
    .replace(/custom_metrics:\n(?: {2,}.*\n)+/, '');

const CASES: BadInput[] = [
  {
    name: 'unknown top-level field',
    edit: replace('target_col: y', 'target_column: y'),
    path: 'target_column',
    message: /unknown field "target_column"/,
    at: 'target_column',
    hint: /did you mean `target_col`/,
  },
  {
    name: 'unknown recipe template',
    edit: replace('regression/v1', 'regression/v2'),
    path: 'recipe',
    message: /expected one of "regression\/v1", "classification\/v1"/,
    at: 'regression/v2',
    hint: /did you mean `regression\/v1`/,
  },
  {
    name: 'target_col missing',
    edit: replace('target_col: y\n', ''),
    path: 'target_col',
    message: /missing required field "target_col"/,
    at: 'recipe:',
    hint: /add `target_col:`/,
  },
  {
    name: 'unknown ingest format',
    edit: replace('using: csv', 'using: xlsx'),
    path: 'steps.ingest.using',
    message: /expected one of "csv"/,
    at: 'xlsx',
    hint: /use one of: csv, parquet/,
  },
  {
    name: 'csv ingest without location',
    edit: replace('    location: data.csv\n', ''),
    path: 'steps.ingest.using',
    message: /using: csv needs a location/,
    at: 'csv',
    hint: /add `location:`/,
  },
  {
    name: 'custom ingest without loader_method',
    edit: replace('using: csv', 'using: custom'),
    path: 'steps.ingest.using',
    message: /using: custom needs loader_method/,
    at: 'custom',
    hint: /steps\/ingest\.py \(or exported by steps\/ingest\.ts\)/,
  },
  {
    name: 'loader_method without steps/ingest.ts',
    edit: replace('using: csv', 'using: custom\n    loader_method: load_cars'),
    path: 'steps.ingest.loader_method',
    message: /needs the module steps\/ingest\.py or steps\/ingest\.ts, and neither exists/,
    at: 'load_cars',
    hint: /create steps\/ingest\.py defining load_cars/,
  },
  {
    name: 'split ratios that do not sum to 1',
    edit: replace('[0.6, 0.2, 0.2]', '[0.6, 0.2, 0.3]'),
    path: 'steps.split.split_ratios',
    message: /must sum to 1, these sum to 1\.1/,
    at: '[0.6',
    hint: /\[0\.75, 0\.125, 0\.125\]/,
  },
  {
    name: 'a train ratio of 0',
    edit: replace('[0.6, 0.2, 0.2]', '[0, 0.5, 0.5]'),
    path: 'steps.split.split_ratios[0]',
    message: /train ratio is 0/,
    at: '0, 0.5',
    hint: /training split/,
  },
  {
    name: 'two split ratios',
    edit: replace('[0.6, 0.2, 0.2]', '[0.5, 0.5]'),
    path: 'steps.split.split_ratios',
    message: /fewer than 3 items/,
    at: '[0.5, 0.5]',
    hint: /three fractions/,
  },
  {
    name: 'a typo in a split field',
    edit: replace('split_ratios:', 'split_ratio:'),
    path: 'steps.split.split_ratio',
    message: /unknown field "split_ratio"/,
    at: 'split_ratio:',
    hint: /did you mean `split_ratios`/,
  },
  {
    name: 'a typo in transform.using',
    edit: replace('using: default', 'using: custm'),
    path: 'steps.transform.using',
    message: /expected one of "default", "custom"/,
    at: 'custm',
    hint: /did you mean `custom`/,
  },
  {
    name: 'custom transform without transformer_method',
    edit: replace('using: default', 'using: custom'),
    path: 'steps.transform.using',
    message: /using: custom needs transformer_method/,
    at: 'custom',
    hint: /steps\/transform\.ts/,
  },
  {
    name: 'a category cap below 2',
    edit: replace('using: default', 'using: default\n    max_categories: 1'),
    path: 'steps.transform.max_categories',
    message: /must be >= 2/,
    at: '1\n  train:',
    hint: /use a number ≥ 2/,
  },
  {
    name: 'a misspelt estimator',
    edit: replace('name: ridge', 'name: rigde'),
    path: 'steps.train.estimator.name',
    message: /unknown estimator "rigde"/,
    at: 'rigde',
    hint: /did you mean `ridge`/,
  },
  {
    name: 'a classifier in a regression recipe',
    edit: replace('name: ridge', 'name: logistic_regression'),
    path: 'steps.train.estimator.name',
    message: /"logistic_regression" is a classifier, but a regression\/v1 recipe needs a regressor/,
    at: 'logistic_regression',
    hint: /linear_regression/,
  },
  {
    name: 'a misspelt estimator parameter',
    edit: replace('alpha: 1.0', 'alpah: 1.0'),
    path: 'steps.train.estimator.params.alpah',
    message: /estimator "ridge" has no parameter "alpah"/,
    at: 'alpah',
    hint: /did you mean `alpha`/,
  },
  {
    name: 'an estimator parameter of the wrong type',
    edit: replace('alpha: 1.0', 'alpha: high'),
    path: 'steps.train.estimator.params.alpha',
    message: /expected a number for alpha, got the string "high"/,
    at: 'high',
    hint: /default is 1/,
  },
  {
    name: 'an unknown train.using',
    edit: replace('  train:\n', '  train:\n    using: automl\n'),
    path: 'steps.train.using',
    message: /expected one of "estimator", "custom"/,
    at: 'automl',
    hint: /use one of: estimator, custom/,
  },
  {
    name: 'estimator without name',
    edit: replace('name: ridge', 'nam: ridge'),
    path: 'steps.train.estimator.nam',
    message: /unknown field "nam"/,
    at: 'nam:',
    hint: /did you mean `name`/,
  },
  {
    name: 'a misspelt primary_metric',
    edit: replace('primary_metric: root_mean_squared_error', 'primary_metric: rmsee'),
    path: 'primary_metric',
    message: /unknown metric "rmsee" for a regression recipe/,
    at: 'rmsee',
    hint: /did you mean `root_mean_squared_error`/,
  },
  {
    name: 'a classification metric as a regression primary_metric',
    edit: replace('primary_metric: root_mean_squared_error', 'primary_metric: f1_score'),
    path: 'primary_metric',
    message: /unknown metric "f1_score" for a regression recipe/,
    at: 'f1_score',
    hint: /f1_score is a classification metric; a regression recipe has mean_absolute_error/,
  },
  {
    name: 'an unknown validation_criteria metric',
    edit: replace('- metric: root_mean_squared_error', '- metric: r2'),
    path: 'steps.evaluate.validation_criteria[0].metric',
    message: /unknown metric "r2"/,
    at: 'r2',
    hint: /r2_score/,
  },
  {
    name: 'a validation criterion without threshold',
    edit: replace('        threshold: 100\n', ''),
    path: 'steps.evaluate.validation_criteria[0].threshold',
    message: /missing required field "threshold"/,
    at: 'metric: root_mean_squared_error',
    occurrence: 1,
    hint: /add `threshold:`/,
  },
  {
    name: 'a threshold that is not a number',
    edit: replace('threshold: 100', 'threshold: high'),
    path: 'steps.evaluate.validation_criteria[0].threshold',
    message: /expected number, got the string "high"/,
    at: 'high',
    hint: /write a number/,
  },
  {
    name: 'a custom metric function the module does not export',
    edit: replace('function: within_one', 'function: within_two'),
    path: 'custom_metrics[0].function',
    message: /does not export a function "within_two"/,
    at: 'within_two',
    hint: /did you mean `within_one`/,
  },
  {
    name: 'a custom metric named like a built-in one',
    edit: replace('- name: within_one', '- name: mean_squared_error'),
    path: 'custom_metrics[0].name',
    message: /"mean_squared_error" is a built-in metric/,
    at: 'mean_squared_error\n    function',
    hint: /a name of its own/,
  },
  {
    name: 'a custom metric defined twice',
    edit: replace(
      'model_registry:',
      '  - name: within_one\n    function: within_one\n    greater_is_better: false\nmodel_registry:',
    ),
    path: 'custom_metrics[1].name',
    message: /custom metric "within_one" is defined twice/,
    at: 'within_one',
    occurrence: 2,
    hint: /rename or remove/,
  },
  {
    name: 'a custom metric without greater_is_better',
    edit: replace('    greater_is_better: true\n', ''),
    path: 'custom_metrics[0].greater_is_better',
    message: /missing required field "greater_is_better"/,
    at: 'name: within_one',
    hint: /add `greater_is_better:`/,
  },
  {
    name: 'predict with save_mode append',
    edit: replace(
      'custom_metrics:',
      '  predict:\n    output: {using: csv, location: out.csv}\n    save_mode: append\ncustom_metrics:',
    ),
    path: 'steps.predict.save_mode',
    message: /append is not supported/,
    at: 'append',
    hint: /overwrite/,
  },
  {
    name: 'predict output without location',
    edit: replace('custom_metrics:', '  predict:\n    output: {using: csv}\ncustom_metrics:'),
    path: 'steps.predict.output.location',
    message: /missing required field "location"/,
    at: 'output: {using: csv}',
    hint: /add `location:`/,
  },
  {
    name: 'a validation threshold that is neither a number nor a mapping',
    edit: replace(
      'custom_metrics:',
      '  register:\n    validation_thresholds:\n      root_mean_squared_error: high\ncustom_metrics:',
    ),
    path: 'steps.register.validation_thresholds.root_mean_squared_error',
    message: /expected number or object, got the string "high"/,
    at: 'high',
    hint: /write a number or a mapping/,
  },
  {
    name: 'a typo under experiment',
    edit: (text) => `${text}experiment:\n  nmae: cars\n`,
    path: 'experiment.nmae',
    message: /unknown field "nmae"/,
    at: 'nmae',
    hint: /did you mean `name`/,
  },
  {
    name: 'an unclosed bracket',
    edit: replace('[0.6, 0.2, 0.2]', '[0.6, 0.2, 0.2'),
    path: '',
    message: /flow sequence/i,
    at: 'transform:',
    hint: /close every/,
  },
  {
    name: 'a key written twice',
    edit: replace('primary_metric:', 'target_col: x\nprimary_metric:'),
    path: '',
    message: /unique/i,
    at: 'target_col: x',
    hint: /keep one of the two/,
  },
  {
    name: 'a placeholder the profile does not define',
    edit: replace('target_col: y', 'target_col: "{{ TARGET }}"'),
    files: { 'profiles/local.yaml': 'ALPHA: 1\n' },
    path: '',
    message: /placeholder \{\{ TARGET \}\} is not defined in profile "local"/,
    at: '{{ TARGET }}',
    hint: /profiles/,
  },
  {
    name: 'a profile value of the wrong type',
    edit: replace('alpha: 1.0', 'alpha: {{ ALPHA }}'),
    files: { 'profiles/local.yaml': 'ALPHA: strong\n' },
    file: join('profiles', 'local.yaml'),
    path: 'steps.train.estimator.params.alpha',
    message: /expected a number for alpha, got the string "strong"/,
    at: 'strong',
    hint: /value of \{\{ ALPHA \}\} used at .*recipe\.yaml:16:16/,
  },
  {
    name: 'a recipe.yaml that is a list',
    edit: () => '- recipe: regression/v1\n',
    path: '',
    message: /must be a mapping of fields/,
    at: '- recipe',
    hint: /recipe: regression\/v1/,
  },
  {
    name: 'an empty ingest section',
    edit: replace('    using: csv\n    location: data.csv\n', ''),
    path: 'steps.ingest.using',
    message: /missing required field "using"/,
    at: 'ingest:',
    hint: /add `using:` under steps\.ingest/,
  },
  // Found while running: the engine gives the step's field its position.
  {
    name: 'a positive_class the training data does not have',
    edit: (text) =>
      CLASSIFICATION(text).replace('target_col: label', 'target_col: label\npositive_class: maybe'),
    path: 'positive_class',
    message: /"maybe" is not a class of the training data/,
    at: 'maybe',
    hint: /the classes are no, yes/,
    run: ['train'],
  },
  {
    name: 'an estimator parameter value the estimator refuses',
    edit: replace('alpha: 1.0', 'alpha: -1'),
    path: 'steps.train.estimator.params',
    message: /alpha must be a finite number >= 0, got -1/,
    at: 'alpha: -1',
    hint: /alpha/,
    run: ['train'],
  },
  {
    name: 'no ingest section at all',
    edit: replace('  ingest:\n    using: csv\n    location: data.csv\n', ''),
    path: 'steps.ingest',
    message: /is missing: nothing says where the data is/,
    at: 'split:',
    hint: /using: csv/,
    run: ['split'],
  },
];

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function writeRecipe(c: BadInput): { dir: string; texts: Record<string, string> } {
  const dir = mkdtempSync(join(tmpdir(), 'mlrecipe-config-errors-'));
  dirs.push(dir);
  const texts: Record<string, string> = {
    'recipe.yaml': c.edit(BASE),
    'data.csv': dataCsv(),
    'steps/custom_metrics.ts': CUSTOM_METRICS,
  };
  for (const [name, text] of Object.entries(c.files ?? {})) {
    if (text === null) delete texts[name];
    else texts[name] = text;
  }
  for (const [name, text] of Object.entries(texts)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return { dir, texts };
}

/** 1-based line and column of the `occurrence`-th `needle` in `text`. */
function positionOf(text: string, needle: string, occurrence = 0): { line: number; column: number } {
  let index = -1;
  for (let i = 0; i <= occurrence; i++) {
    index = text.indexOf(needle, index + 1);
    if (index < 0) throw new Error(`test setup: "${needle}" #${occurrence} is not in ${text}`);
  }
  const before = text.slice(0, index).split('\n');
  return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
}

async function configErrorOf(c: BadInput, dir: string): Promise<ConfigError> {
  try {
    if (c.run) {
      const result = await runRecipe({ recipeDir: dir, steps: c.run });
      if (result.error) throw result.error;
    } else {
      loadRecipe({ recipeDir: dir });
    }
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`expected a ConfigError for "${c.name}"`);
}

describe('config errors: position and hint for every bad input', () => {
  it('has at least 30 bad inputs', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(30);
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const { dir, texts } = writeRecipe(c);
    const error = await configErrorOf(c, dir);
    // Every issue of every error: a real position and a hint.
    for (const issue of error.issues) {
      expect(issue.line, JSON.stringify(issue)).toBeGreaterThan(0);
      expect(issue.column, JSON.stringify(issue)).toBeGreaterThan(0);
      expect(issue.hint, JSON.stringify(issue)).toMatch(/\S/);
    }
    const issue = error.issues.find((i) => c.message.test(i.message)) as ConfigIssue;
    expect(issue, error.message).toBeDefined();
    expect(issue.path).toBe(c.path);
    const file = c.file ?? 'recipe.yaml';
    expect(issue.file.endsWith(file), issue.file).toBe(true);
    expect({ line: issue.line, column: issue.column }).toEqual(
      positionOf(texts[file.replace(/\\/g, '/')] as string, c.at, c.occurrence),
    );
    if (c.hint) expect(issue.hint).toMatch(c.hint);
    // Found before any step wrote anything, unless a step had to find it.
    if (!c.run) expect(error.message).toContain(`${issue.line}:${issue.column}`);
  });
});

describe('an empty step section means the step with its defaults (as in MLflow)', () => {
  it('loads `transform:` as {} and runs the default transformer', async () => {
    const { dir } = writeRecipe({
      name: 'empty transform',
      edit: replace('  transform:\n    using: default\n', '  transform:\n'),
      path: '',
      message: /^$/,
      at: '',
    });
    expect(loadRecipe({ recipeDir: dir }).config.steps?.transform).toEqual({});
    const result = await runRecipe({ recipeDir: dir, steps: ['transform'] });
    expect(result.error).toBeUndefined();
    expect(result.outcomes.find((o) => o.step === 'transform')?.params.transformer).toBe('default');
  });
});

describe('config errors through the CLI', () => {
  it.each([
    CASES.find((c) => c.name === 'a misspelt primary_metric'),
    CASES.find((c) => c.name === 'a misspelt estimator parameter'),
    CASES.find((c) => c.name === 'an estimator parameter value the estimator refuses'),
  ] as BadInput[])('$name: exit 2, file:line:column and hint:', async (c) => {
    const { dir, texts } = writeRecipe(c);
    const result = await runCli(['run', ...(c.run ? ['--step', c.run[0] as string] : [])], {
      cwd: dir,
      env: envWithoutTrackingUri(),
    });
    expect(result.code, result.stderr).toBe(2);
    const { line, column } = positionOf(texts['recipe.yaml'] as string, c.at);
    expect(result.stderr).toContain(`recipe.yaml:${line}:${column}: ${c.path}:`);
    expect(result.stderr).toMatch(new RegExp(`\\n {4}hint: .*${c.hint?.source ?? ''}`));
  });
});
