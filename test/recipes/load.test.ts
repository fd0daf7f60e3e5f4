import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { loadRecipe } from '../../src/recipes/load.js';
import { mapRenderedPosition, renderPlaceholders } from '../../src/recipes/profiles.js';
import { didYouMean } from '../../src/recipes/validate.js';
import { isExactJson } from '../../src/recipes/yaml-cache.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function recipeDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'mlrecipe-load-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

const VALID = `recipe: "regression/v1"
target_col: "{{ TARGET }}"
primary_metric: root_mean_squared_error
steps:
  ingest: {{INGEST_CONFIG}}
  split:
    split_ratios: [0.75, 0.125, 0.125]
  train:
    estimator:
      name: ridge
      params: { alpha: {{ ALPHA }} }
`;

const PROFILE = `experiment:
  name: cars
  tracking_uri: "sqlite:///metadata/mlruns.db"
TARGET: mpg
ALPHA: 0.5
INGEST_CONFIG:
  using: json
  location: data/cars.json
`;

describe('loadRecipe', () => {
  it('renders placeholders from the profile, including whole mappings, and merges profile fields', () => {
    const dir = recipeDir({ 'recipe.yaml': VALID, 'profiles/local.yaml': PROFILE });
    const recipe = loadRecipe({ recipeDir: dir });
    expect(recipe.config.target_col).toBe('mpg');
    expect(recipe.config.steps?.ingest).toEqual({ using: 'json', location: 'data/cars.json' });
    expect(recipe.config.steps?.train?.estimator?.params).toEqual({ alpha: 0.5 });
    expect(recipe.config.experiment?.name).toBe('cars');
    // Template variables are not recipe fields.
    expect(recipe.config).not.toHaveProperty('INGEST_CONFIG');
    // Line numbers stay those of recipe.yaml.
    expect(recipe.locate(['steps', 'split', 'split_ratios'])).toMatchObject({ line: 7, column: 19 });
    expect(recipe.locate(['experiment', 'name'])).toMatchObject({ line: 2, column: 9 });
  });

  it('remembers a config that passed the schema, and re-checks a changed one', () => {
    const dir = recipeDir({ 'recipe.yaml': VALID, 'profiles/local.yaml': PROFILE });
    loadRecipe({ recipeDir: dir });
    loadRecipe({ recipeDir: dir });
    expect(readdirSync(join(dir, '.recipe', 'validated'))).toHaveLength(1);
    writeFileSync(join(dir, 'profiles', 'local.yaml'), PROFILE.replace('using: json', 'using: jsn'));
    expect(() => loadRecipe({ recipeDir: dir })).toThrow(/did you mean `json`/);
    expect(readdirSync(join(dir, '.recipe', 'validated'))).toHaveLength(1);
  });

  it('names an undefined placeholder and the profile file', () => {
    const dir = recipeDir({ 'recipe.yaml': VALID, 'profiles/local.yaml': 'TARGET: mpg\nALPHA: 1\n' });
    const error = configError(() => loadRecipe({ recipeDir: dir }));
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]).toMatchObject({ line: 5, column: 11 });
    expect(error.issues[0]?.message).toContain('INGEST_CONFIG');
    expect(error.issues[0]?.hint).toContain(join('profiles', 'local.yaml'));
  });

  it('lists the existing profiles when the requested one is missing', () => {
    const dir = recipeDir({
      'recipe.yaml': VALID,
      'profiles/local.yaml': PROFILE,
      'profiles/ci.yaml': PROFILE,
    });
    const error = configError(() => loadRecipe({ recipeDir: dir, profile: 'prod' }));
    expect(error.message).toContain('profile "prod" does not exist');
    expect(error.issues[0]?.hint).toContain('ci, local');
    expect(error.exitCode).toBe(2);
  });

  it('reports every schema problem at once with line, column and did-you-mean', () => {
    const dir = recipeDir({
      'recipe.yaml': `recipe: regression/v2
target_col: y
steps:
  split:
    split_ratio: [0.8, 0.1, 0.1]
  evaluate:
    validation_criteria:
      - metric: rmse
        threshold: ten
`,
    });
    const error = configError(() => loadRecipe({ recipeDir: dir }));
    const byPath = Object.fromEntries(error.issues.map((i) => [i.path, i]));
    expect(Object.keys(byPath).sort()).toEqual([
      'recipe',
      'steps.evaluate.validation_criteria[0].threshold',
      'steps.split.split_ratio',
    ]);
    expect(byPath['steps.split.split_ratio']).toMatchObject({ line: 5, column: 5 });
    expect(byPath['steps.split.split_ratio']?.hint).toBe('did you mean `split_ratios`?');
    expect(byPath.recipe).toMatchObject({ line: 1, column: 9 });
    expect(byPath.recipe?.message).toContain('"regression/v1"');
    expect(byPath['steps.evaluate.validation_criteria[0].threshold']).toMatchObject({ line: 9, column: 20 });
    expect(byPath['steps.evaluate.validation_criteria[0].threshold']?.message).toContain('expected number');
  });

  it('points into the profile when the bad value came from a placeholder', () => {
    const dir = recipeDir({
      'recipe.yaml': VALID,
      'profiles/local.yaml': PROFILE.replace('using: json', 'using: jsn'),
    });
    const error = configError(() => loadRecipe({ recipeDir: dir }));
    expect(error.issues[0]).toMatchObject({ path: 'steps.ingest.using', line: 7, column: 10 });
    expect(error.issues[0]?.file).toContain(join('profiles', 'local.yaml'));
    expect(error.issues[0]?.hint).toContain('did you mean `json`?');
  });

  it('rejects split ratios that do not sum to 1', () => {
    const dir = recipeDir({
      'recipe.yaml':
        'recipe: regression/v1\ntarget_col: y\nsteps:\n  split:\n    split_ratios: [0.8, 0.3, 0.1]\n',
    });
    const error = configError(() => loadRecipe({ recipeDir: dir }));
    expect(error.issues[0]).toMatchObject({ path: 'steps.split.split_ratios', line: 5 });
    expect(error.issues[0]?.message).toContain('sum to 1');
  });

  it('checks that a *_method names a function the user module exports', () => {
    const recipe = `recipe: regression/v1
target_col: y
steps:
  train:
    using: custom
    estimator_method: estimator_fn
  transform:
    using: custom
    transformer_method: make_transformer
`;
    const dir = recipeDir({
      'recipe.yaml': recipe,
      'steps/train.ts': 'export function estimator_fun(): unknown {\n  return {};\n}\n',
    });
    const error = configError(() => loadRecipe({ recipeDir: dir }));
    const messages = error.issues.map((i) => `${i.path}: ${i.message} (${i.hint})`);
    expect(messages).toEqual([
      expect.stringMatching(
        /steps\.train\.estimator_method: steps\/train\.ts does not export a function "estimator_fn".*estimator_fun/,
      ),
      expect.stringMatching(
        /steps\.transform\.transformer_method: .*steps\/transform\.py or steps\/transform\.ts, and neither exists/,
      ),
    ]);
    writeFileSync(join(dir, 'steps', 'train.ts'), 'export const estimator_fn = () => ({});\n');
    writeFileSync(join(dir, 'steps', 'transform.mjs'), 'export function make_transformer() {}\n');
    expect(loadRecipe({ recipeDir: dir }).config.steps?.train?.estimator_method).toBe('estimator_fn');
  });

  it('refuses a key defined in both recipe.yaml and the profile, as MLflow does', () => {
    const dir = recipeDir({
      'recipe.yaml': 'recipe: regression/v1\ntarget_col: y\nexperiment:\n  name: a\n',
      'profiles/local.yaml': 'experiment:\n  name: b\n',
    });
    const error = configError(() => loadRecipe({ recipeDir: dir }));
    expect(error.issues[0]).toMatchObject({ path: 'experiment', line: 3, column: 1 });
  });

  it('reports YAML syntax errors with their position', () => {
    const dir = recipeDir({ 'recipe.yaml': 'recipe: regression/v1\ntarget_col: [y\n' });
    const error = configError(() => loadRecipe({ recipeDir: dir }));
    expect(error.issues[0]?.line).toBeGreaterThanOrEqual(2);
  });

  it('says what to do when there is no recipe.yaml', () => {
    const dir = recipeDir({});
    const error = configError(() => loadRecipe({ recipeDir: dir }));
    expect(error.issues[0]?.hint).toContain('recipe init');
  });
});

describe('placeholders', () => {
  it('maps rendered columns back to the template', () => {
    const r = renderPlaceholders({
      text: 'a: {{ X }} {{Y}} z',
      values: { X: 'long-value', Y: [1, 2] },
      templateFile: 'recipe.yaml',
      profileName: 'local',
    });
    expect(r.text).toBe('a: long-value [1,2] z');
    expect(mapRenderedPosition(r.substitutions, 1, 21)).toEqual({ line: 1, column: 18 });
    expect(mapRenderedPosition(r.substitutions, 1, 16).placeholder?.name).toBe('Y');
  });

  it('ignores placeholders in comment lines', () => {
    const r = renderPlaceholders({
      text: '# {{ NOPE }}\na: 1',
      values: {},
      templateFile: 'r',
      profileName: 'p',
    });
    expect(r.issues).toEqual([]);
  });

  it.each([
    ['split_ratio', ['split_ratios', 'post_split_filter_method'], 'split_ratios'],
    ['estimater', ['estimator', 'estimator_method'], 'estimator'],
    ['zzz', ['split_ratios'], undefined],
  ])('did you mean %s', (name, allowed, expected) => {
    expect(didYouMean(name, allowed)).toBe(expected);
  });
});

describe('parsed YAML remembered by content (.recipe/parsed/)', () => {
  it('reads an unchanged recipe and profile back, with the same config and source positions', () => {
    const dir = recipeDir({ 'recipe.yaml': VALID, 'profiles/local.yaml': PROFILE });
    const first = loadRecipe({ recipeDir: dir });
    // The rendered recipe and the profile: one entry each.
    expect(readdirSync(join(dir, '.recipe', 'parsed')).length).toBe(2);
    const second = loadRecipe({ recipeDir: dir });
    expect(second.config).toEqual(first.config);
    expect(second.locate(['steps', 'split', 'split_ratios'])).toMatchObject({ line: 7, column: 19 });
    expect(second.locate(['experiment', 'name'])).toMatchObject({ line: 2, column: 9 });
  });

  it('a damaged entry is parsed again; errors found on a remembered parse still name their line', () => {
    const text =
      'recipe: regression/v1\ntarget_col: y\nsteps:\n  split:\n    split_ratios: [0.8, 0.3, 0.1]\n';
    const dir = recipeDir({ 'recipe.yaml': text });
    const first = configError(() => loadRecipe({ recipeDir: dir }));
    const parsed = join(dir, '.recipe', 'parsed');
    expect(readdirSync(parsed).length).toBe(1);
    const again = configError(() => loadRecipe({ recipeDir: dir }));
    expect(again.issues).toEqual(first.issues);
    expect(again.issues[0]).toMatchObject({ path: 'steps.split.split_ratios', line: 5 });
    for (const name of readdirSync(parsed)) writeFileSync(join(parsed, name), '{"recipe": ');
    expect(configError(() => loadRecipe({ recipeDir: dir })).issues).toEqual(first.issues);
  });

  it('only values JSON keeps exactly are remembered', () => {
    expect(isExactJson({ a: [1, 'x', null, true, { b: 2.5 }] })).toBe(true);
    for (const value of [Number.POSITIVE_INFINITY, Number.NaN, -0, new Date(0), undefined, new Map()])
      expect(isExactJson({ a: value })).toBe(false);
    // `.nan` is a valid YAML float: such a recipe is parsed every time.
    const dir = recipeDir({ 'recipe.yaml': 'recipe: regression/v1\ntarget_col: y\nsteps: {}\nx_: .nan\n' });
    configError(() => loadRecipe({ recipeDir: dir }));
    expect(existsSync(join(dir, '.recipe', 'parsed'))).toBe(false);
  });
});
