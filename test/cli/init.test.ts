import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { createRecipeFromTemplate, listTemplates } from '../../src/cli/init.js';
import { readArrowDataset } from '../../src/data/index.js';
import { runRecipe } from '../../src/recipes/execute.js';
import { loadRecipe } from '../../src/recipes/load.js';
import { ingestStep } from '../../src/steps/ingest.js';
import { splitStep } from '../../src/steps/split.js';
import type { Step } from '../../src/steps/types.js';
import { type CliResult, runCli } from '../helpers/cli.js';

const run = promisify(execFile);
const root = mkdtempSync(join(tmpdir(), 'mlrecipe-init-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function recipe(cwd: string, ...args: string[]): Promise<CliResult> {
  // A fresh HOME without a git identity: init must still be able to commit.
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: root,
    XDG_CONFIG_HOME: root,
    GIT_CONFIG_NOSYSTEM: '1',
  };
  for (const key of ['GIT_AUTHOR_NAME', 'GIT_AUTHOR_EMAIL', 'GIT_COMMITTER_NAME', 'GIT_COMMITTER_EMAIL'])
    delete env[key];
  return runCli(args, { cwd, env });
}

async function git(cwd: string, ...args: string[]): Promise<string> {
  return (await run('git', args, { cwd })).stdout.trim();
}

describe('recipe init', () => {
  it('lists both templates', () => {
    expect(listTemplates()).toEqual(['classification', 'regression']);
  });

  it('creates a git repository with one commit holding the recipe and its data', async () => {
    const { code, stdout } = await recipe(root, 'init', '--template', 'regression', 'cars');
    expect(code).toBe(0);
    expect(stdout).toContain('Created a regression recipe in cars');
    expect(stdout).toContain('recipe run');
    const dir = join(root, 'cars');
    expect(await git(dir, 'rev-list', '--count', 'HEAD')).toBe('1');
    const tracked = (await git(dir, 'ls-files')).split('\n').sort();
    expect(tracked).toEqual([
      '.gitignore',
      'README.md',
      'data/cars.json',
      'profiles/ci.yaml',
      'profiles/local.yaml',
      'recipe.yaml',
      'steps/custom_metrics.ts',
      'steps/ingest.ts',
      'steps/split.ts',
    ]);
    expect(await git(dir, 'status', '--porcelain')).toBe('');
    expect(existsSync(join(dir, 'template.json'))).toBe(false);
    expect(readFileSync(join(dir, '.gitignore'), 'utf8')).toContain('.recipe/');
  });

  it('refuses a non-empty directory and an unknown template (exit 2), leaving files alone', async () => {
    const busy = join(root, 'busy');
    mkdirSync(busy);
    writeFileSync(join(busy, 'keep.txt'), 'mine');
    const a = await recipe(root, 'init', '--template', 'classification', 'busy');
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/busy is not empty/);
    expect(readFileSync(join(busy, 'keep.txt'), 'utf8')).toBe('mine');
    const b = await recipe(root, 'init', '--template', 'timeseries', 'ts');
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/unknown template "timeseries"/);
    expect(b.stderr).toMatch(/classification, regression/);
    expect(existsSync(join(root, 'ts'))).toBe(false);
  });

  it.each([
    ['regression', 'Miles_per_Gallon', 398, 8],
    ['classification', 'Species', 342, 0],
  ])(
    'the %s template is a valid recipe whose ingest and split run on its real data',
    async (template, target, kept, dropped) => {
      const dir = join(root, `e2e-${template}`);
      const created = await createRecipeFromTemplate({ template, dir, git: false });
      expect(created.commit).toBeUndefined();
      for (const profile of ['local', 'ci']) {
        const loaded = loadRecipe({ recipeDir: dir, profile });
        expect(loaded.config.target_col).toBe(target);
      }
      const result = await runRecipe({
        recipeDir: dir,
        steps: ['split'],
        registry: {
          ingest: async () => ingestStep as unknown as Step,
          split: async () => splitStep as unknown as Step,
        },
      });
      expect(result.error).toBeUndefined();
      const split = result.outcomes.find((o) => o.step === 'split');
      expect(split?.state).toBe('ran');
      const outDir = split?.dir as string;
      const sizes = ['train', 'validation', 'test'].map(
        (n) => readArrowDataset(join(outDir, `${n}.arrow`)).frame.nRows,
      );
      // Penguins: 2 birds without measurements are removed by steps/split.ts's filter.
      expect(sizes.reduce((a, b) => a + b, 0)).toBe(kept);
      const card = JSON.parse(readFileSync(join(outDir, 'card.json'), 'utf8')) as {
        data: { dropped_missing_target: number };
      };
      expect(card.data.dropped_missing_target).toBe(dropped);
    },
  );
});
