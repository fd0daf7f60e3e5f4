/**
 * Runs recipe steps directly through their `run()` (no engine) in a temporary recipe directory,
 * on real data from vega-datasets. Each step writes into `<recipeDir>/.out/<step>`.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';
import { evaluateStep } from '../../src/steps/evaluate.js';
import { ingestStep } from '../../src/steps/ingest.js';
import { splitStep } from '../../src/steps/split.js';
import { trainStep } from '../../src/steps/train.js';
import { transformStep } from '../../src/steps/transform.js';
import { STEP_INPUTS, type Step, type StepKind, type StepResult } from '../../src/steps/types.js';

const STEPS: Partial<Record<StepKind, Step<never>>> = {
  ingest: ingestStep as Step<never>,
  split: splitStep as Step<never>,
  transform: transformStep as Step<never>,
  train: trainStep as Step<never>,
  evaluate: evaluateStep as Step<never>,
};

/** vega-datasets' data folder (its `exports` map hides `data/` and package.json: go by path). */
export function vegaDataDir(): string {
  return join(
    dirname(dirname(fileURLToPath(import.meta.url))),
    '..',
    'node_modules',
    'vega-datasets',
    'data',
  );
}

export function readVegaJson(name: string): Record<string, unknown>[] {
  return JSON.parse(readFileSync(join(vegaDataDir(), name), 'utf8')) as Record<string, unknown>[];
}

export interface RecipeFixture {
  recipeDir: string;
  recipe: Record<string, unknown>;
  dirs: Partial<Record<StepKind, string>>;
  results: Partial<Record<StepKind, StepResult>>;
  logs: string[];
}

/** The recipe directories createRecipe made in this test file (vitest loads it per file) and not yet removed. */
const created: RecipeFixture[] = [];

/** A temp recipe directory with `data/<file>` holding `rows` as JSON, and `steps/<name>.ts` files. */
export function createRecipe(options: {
  recipe: Record<string, unknown>;
  dataFile: string;
  rows: Record<string, unknown>[];
  modules?: Record<string, string>;
}): RecipeFixture {
  const recipeDir = mkdtempSync(join(tmpdir(), 'mlrecipe-steps-'));
  mkdirSync(join(recipeDir, 'data'));
  writeFileSync(join(recipeDir, 'data', options.dataFile), JSON.stringify(options.rows));
  if (options.modules) {
    mkdirSync(join(recipeDir, 'steps'));
    for (const [name, text] of Object.entries(options.modules))
      writeFileSync(join(recipeDir, 'steps', `${name}.ts`), text);
  }
  const fixture: RecipeFixture = { recipeDir, recipe: options.recipe, dirs: {}, results: {}, logs: [] };
  created.push(fixture);
  return fixture;
}

/** Removes, after each test of the calling file, every recipe directory that test created. */
export function removeRecipesAfterEach(): void {
  afterEach(() => {
    for (const f of created.splice(0)) rmSync(f.recipeDir, { recursive: true, force: true });
  });
}

export interface DatasetRecipeOptions {
  /** The steps after `ingest`, which reads the data set's JSON file. */
  steps?: Record<string, unknown>;
  /** More top-level recipe keys (`custom_metrics`, `primary_metric`, …). */
  recipe?: Record<string, unknown>;
  /** `steps/<name>.ts` files. */
  modules?: Record<string, string>;
}

function datasetRecipe(
  base: { recipe: string; target_col: string; dataFile: string; rows: Record<string, unknown>[] },
  options: DatasetRecipeOptions,
): RecipeFixture {
  return createRecipe({
    recipe: {
      recipe: base.recipe,
      target_col: base.target_col,
      ...options.recipe,
      steps: { ingest: { using: 'json', location: `data/${base.dataFile}` }, ...options.steps },
    },
    dataFile: base.dataFile,
    rows: base.rows,
    ...(options.modules ? { modules: options.modules } : {}),
  });
}

/** A regression recipe on cars.json (carsRows), predicting Miles_per_Gallon. */
export function createCarsRecipe(options: DatasetRecipeOptions = {}): RecipeFixture {
  return datasetRecipe(
    { recipe: 'regression/v1', target_col: 'Miles_per_Gallon', dataFile: 'cars.json', rows: carsRows() },
    options,
  );
}

/** A classification recipe on penguins.json, predicting Species. */
export function createPenguinsRecipe(options: DatasetRecipeOptions = {}): RecipeFixture {
  return datasetRecipe(
    { recipe: 'classification/v1', target_col: 'Species', dataFile: 'penguins.json', rows: penguinRows() },
    options,
  );
}

/** A `steps/custom_metrics.ts` function: the share of rows predicted within 2 mpg. */
export const WITHIN_TWO_MPG_METRIC = `
  export function within_two_mpg(data: { yTrue: Float64Array; yPred: Float64Array }): number {
    let hits = 0;
    for (let i = 0; i < data.yTrue.length; i++) if (Math.abs(data.yTrue[i] - data.yPred[i]) <= 2) hits++;
    return hits / data.yTrue.length;
  }
`;

/** Runs the given steps in order; each reads its upstream steps' outputs from earlier runs. */
export async function runSteps(fixture: RecipeFixture, kinds: StepKind[]): Promise<RecipeFixture> {
  const stepsConfig = (fixture.recipe.steps ?? {}) as Record<string, unknown>;
  for (const kind of kinds) {
    const step = STEPS[kind];
    if (!step) throw new Error(`no step ${kind} in the fixture`);
    const outDir = join(fixture.recipeDir, '.out', `${kind}-${Object.keys(fixture.results).length}`);
    mkdirSync(outDir, { recursive: true });
    const inputDirs: Partial<Record<StepKind, string>> = {};
    for (const upstream of STEP_INPUTS[kind]) inputDirs[upstream] = fixture.dirs[upstream];
    const result = await step.run(stepsConfig[kind] as never, {
      recipeDir: fixture.recipeDir,
      recipe: fixture.recipe,
      outDir,
      inputDirs,
      log: (message) => fixture.logs.push(`${kind}: ${message}`),
      runId: 'fixture-run',
    });
    fixture.dirs[kind] = outDir;
    fixture.results[kind] = result;
  }
  return fixture;
}

/** cars.json without the free-text Name column: Miles_per_Gallon regression with gaps and a category. */
export function carsRows(): Record<string, unknown>[] {
  return readVegaJson('cars.json').map(({ Name: _name, ...rest }) => rest);
}

export function penguinRows(): Record<string, unknown>[] {
  return readVegaJson('penguins.json');
}
