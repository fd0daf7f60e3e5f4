/**
 * Mixing a scikit-learn transformer with an mlrecipe estimator, or the reverse, is refused before
 * any step runs (docs/python-worker.md, "Mixing"): a config error at the recipe.yaml line of the
 * field to change, with a hint, exit code 2, and nothing ingested.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { pythonRecipeEnv } from '../helpers/python-recipe.js';

const fixture = fileURLToPath(new URL('../fixtures/mlflow-recipe', import.meta.url));
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const env = pythonRecipeEnv;

/** The fixture with one step section replaced; the line numbers of recipe.yaml for the checks. */
function recipeWith(step: 'transform' | 'train', section: string): { dir: string; lines: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'mlrecipe-mixing-'));
  dirs.push(dir);
  cpSync(fixture, dir, { recursive: true });
  const path = join(dir, 'recipe.yaml');
  const text = readFileSync(path, 'utf8');
  const start = text.indexOf(`  ${step}:\n`);
  const end = text.indexOf(step === 'transform' ? '  train:\n' : '{% if ESTIMATOR_PARAMS');
  const edited = `${text.slice(0, start)}${section}${text.slice(end)}`;
  writeFileSync(path, edited);
  return { dir, lines: edited.split('\n') };
}

describe('mixing scikit-learn and mlrecipe components', () => {
  it("refuses mlrecipe's default transformer with an estimator from steps/train.py, before ingest", async () => {
    const { dir, lines } = recipeWith('transform', '  transform:\n    using: default\n');
    const run = await runCli(['run', '--profile', 'local'], { cwd: dir, env: env() });
    expect(run.code).toBe(2);
    const line = lines.indexOf('    using: default') + 1;
    expect(run.stderr).toContain(
      `recipe.yaml:${line}:12: steps.transform.using: the estimator comes from steps/train.py (scikit-learn), but the transformer is mlrecipe's own (using: default)`,
    );
    expect(run.stderr).toContain('hint: set `using: custom` with a transformer_method in steps/transform.py');
    expect(existsSync(join(dir, '.recipe', 'cache', 'ingest'))).toBe(false);
  }, 120_000);

  it("refuses a scikit-learn transformer with one of mlrecipe's estimators, before ingest", async () => {
    const { dir, lines } = recipeWith(
      'train',
      '  train:\n    using: estimator\n    estimator:\n      name: gradient_boosting_regressor\n',
    );
    const run = await runCli(['run', '--profile', 'local'], { cwd: dir, env: env() });
    expect(run.code).toBe(2);
    const line = lines.indexOf('    using: estimator') + 1;
    expect(run.stderr).toContain(
      `recipe.yaml:${line}:12: steps.train.using: the transformer comes from steps/transform.py (scikit-learn), but the estimator is mlrecipe's own (steps.train.estimator)`,
    );
    expect(run.stderr).toContain('hint: set `using: custom` and `estimator_method`');
    expect(existsSync(join(dir, '.recipe', 'cache', 'ingest'))).toBe(false);
  }, 120_000);
});
