import { existsSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StepCache } from '../../src/recipes/cache.js';
import { runRecipe } from '../../src/recipes/execute.js';
import { explainChange, type FingerprintInputs } from '../../src/recipes/fingerprint.js';
import { loadRecipe } from '../../src/recipes/load.js';
import { planRecipe } from '../../src/recipes/plan.js';
import { StatCache } from '../../src/recipes/stat-cache.js';
import {
  ALWAYS_RUNS,
  cleanRecipe,
  gcRecipe,
  inspectRecipe,
  recipeStatus,
  stepArtifactPath,
} from '../../src/recipes/status.js';
import { testRegistry } from './fixtures/test-steps.js';
import { editFile, makeRecipeRepo, removeDir, setProfile } from './helpers.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) removeDir(d);
});

function repo(trainParams?: Record<string, unknown>): string {
  const dir = makeRecipeRepo({ trainParams });
  dirs.push(dir);
  return dir;
}

async function run(dir: string, extra: Partial<Parameters<typeof runRecipe>[0]> = {}) {
  const result = await runRecipe({ recipeDir: dir, registry: testRegistry, ...extra });
  return { result, states: Object.fromEntries(result.outcomes.map((o) => [o.step, o.state])) };
}

const ALL_RAN = {
  ingest: 'ran',
  split: 'ran',
  transform: 'ran',
  train: 'ran',
  evaluate: 'ran',
  register: 'ran',
};
const ALL_CACHED = {
  ingest: 'cached',
  split: 'cached',
  transform: 'cached',
  train: 'cached',
  evaluate: 'cached',
  register: 'cached',
};

describe('recipe run: cache and fingerprints', () => {
  it('runs every step once, then reuses all of them; entries are complete and outputs readable', async () => {
    const dir = repo();
    const first = await run(dir);
    expect(first.states).toEqual(ALL_RAN);
    expect(first.result.error).toBeUndefined();
    const train = first.result.outcomes.find((o) => o.step === 'train');
    expect(readFileSync(join(train?.dir ?? '', 'model.txt'), 'utf8')).toMatch(/^model over \d+ chars$/);
    // The user module ran (transform upper-cases).
    const transform = first.result.outcomes.find((o) => o.step === 'transform');
    expect(readFileSync(join(transform?.dir ?? '', 'features.txt'), 'utf8')).toBe('A,B\n1,2\n3,4');
    const manifest = JSON.parse(readFileSync(join(train?.dir ?? '', 'manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({
      step: 'train',
      fingerprint: train?.fingerprint,
      metrics: { training_score: 11 },
    });
    expect(existsSync(join(train?.dir ?? '', 'card.html'))).toBe(true);
    expect(readdirSync(join(dir, '.recipe', 'tmp'))).toEqual([]);
    const second = await run(dir);
    expect(second.states).toEqual(ALL_CACHED);
    expect(second.result.outcomes.map((o) => o.fingerprint)).toEqual(
      first.result.outcomes.map((o) => o.fingerprint),
    );
    expect((await recipeStatus({ recipeDir: dir, registry: testRegistry })).map((s) => s.state)).toEqual(
      Array(6).fill('cached'),
    );
  });

  it('a cached step writes its state file once (ran → cached), not again on every later no-op run', async () => {
    const dir = repo();
    await run(dir);
    const stateFile = join(dir, '.recipe', 'state', 'train.json');
    const afterRan = readFileSync(stateFile, 'utf8');
    await run(dir);
    const afterFirstCached = readFileSync(stateFile, 'utf8');
    expect(afterFirstCached).not.toBe(afterRan);
    expect(JSON.parse(afterFirstCached)).toMatchObject({ outcome: 'cached', why: ['never run'] });
    // Backdate the file: a rewrite would give it a new mtime (and a new finishedAt).
    const old = new Date('2020-01-01T00:00:00Z');
    utimesSync(stateFile, old, old);
    const third = await run(dir);
    expect(third.states.train).toBe('cached');
    expect(readFileSync(stateFile, 'utf8')).toBe(afterFirstCached);
    expect(statSync(stateFile).mtimeMs).toBe(old.getTime());
  });

  it('a split_ratios change re-runs split and everything downstream, nothing upstream, and status says why', async () => {
    const dir = repo();
    await run(dir);
    editFile(dir, 'recipe.yaml', (t) => t.replace('[0.5, 0.25, 0.25]', '[0.75, 0.125, 0.125]'));
    const status = Object.fromEntries(
      (await recipeStatus({ recipeDir: dir, registry: testRegistry })).map((s) => [s.step, s]),
    );
    expect(status.ingest?.state).toBe('cached');
    expect(status.split?.state).toBe('stale');
    expect(status.split?.reasons).toEqual(['config steps.split.split_ratios changed']);
    expect(status.transform?.reasons).toEqual(['upstream split changed']);
    expect(status.register?.state).toBe('stale');
    const { states } = await run(dir);
    expect(states).toEqual({ ...ALL_RAN, ingest: 'cached' });
    const cache = new StepCache(dir);
    expect(cache.readState('split')?.why).toEqual(['config steps.split.split_ratios changed']);
    expect(cache.readState('transform')?.why).toEqual(['upstream split changed']);
    expect(cache.readState('ingest')?.why).toEqual(['never run']);
  });

  it('touching a data file without changing it re-runs nothing; changing it re-runs from ingest', async () => {
    const dir = repo();
    await run(dir);
    const later = new Date(Date.now() + 5000);
    utimesSync(join(dir, 'data.csv'), later, later);
    expect((await run(dir)).states).toEqual(ALL_CACHED);
    writeFileSync(join(dir, 'data.csv'), 'a,b\n9,9\n');
    const status = await recipeStatus({ recipeDir: dir, registry: testRegistry });
    expect(status[0]).toMatchObject({ step: 'ingest', state: 'stale', reasons: ['input data.csv modified'] });
    expect((await run(dir)).states).toEqual(ALL_RAN);
  });

  it('changing the user module re-runs its step and what follows', async () => {
    const dir = repo();
    await run(dir);
    writeFileSync(
      join(dir, 'steps', 'transform.ts'),
      'export function upper(s: string): string {\n  return s + "!";\n}\n',
    );
    const status = await recipeStatus({ recipeDir: dir, registry: testRegistry, steps: ['transform'] });
    expect(status.find((s) => s.step === 'transform')?.reasons).toEqual(['code steps/transform.ts modified']);
    const { states, result } = await run(dir);
    expect(states).toEqual({ ...ALL_RAN, ingest: 'cached', split: 'cached' });
    const transform = result.outcomes.find((o) => o.step === 'transform');
    expect(readFileSync(join(transform?.dir ?? '', 'features.txt'), 'utf8')).toBe('a,b\n1,2\n3,4!');
  });

  it('--step runs only the step and its ancestors; a profile value is part of the fingerprint', async () => {
    const dir = repo();
    const { states } = await run(dir, { steps: ['split'] });
    expect(states).toEqual({ ingest: 'ran', split: 'ran' });
    await run(dir);
    setProfile(dir, { alpha: 2 });
    const status = await recipeStatus({ recipeDir: dir, registry: testRegistry });
    expect(status.find((s) => s.step === 'train')?.reasons).toEqual([
      'config steps.train.estimator_params.alpha changed',
    ]);
    expect((await run(dir)).states).toEqual({
      ...ALL_CACHED,
      train: 'ran',
      evaluate: 'ran',
      register: 'ran',
    });
  });

  it('a failing step stops its downstream steps, leaves no entry or temp dir, and is retried next time', async () => {
    const dir = repo({ fail: true });
    const { states, result } = await run(dir);
    expect(states).toEqual({ ...ALL_RAN, train: 'failed', evaluate: 'skipped', register: 'skipped' });
    expect(result.error?.message).toBe('step train failed: estimator exploded');
    expect(result.error?.exitCode).toBe(1);
    const cache = new StepCache(dir);
    expect(cache.listEntries().filter((e) => e.step === 'train')).toEqual([]);
    expect(readdirSync(join(dir, '.recipe', 'tmp'))).toEqual([]);
    setProfile(dir, {});
    expect((await run(dir)).states).toEqual({
      ...ALL_CACHED,
      train: 'ran',
      evaluate: 'ran',
      register: 'ran',
    });
  });

  it('an entry whose outputs were deleted by hand is not reused', async () => {
    const dir = repo();
    const first = await run(dir);
    const train = first.result.outcomes.find((o) => o.step === 'train');
    rmSync(join(train?.dir ?? '', 'model.txt'));
    expect((await run(dir)).states).toEqual({ ...ALL_CACHED, train: 'ran' });
    expect(readFileSync(join(train?.dir ?? '', 'model.txt'), 'utf8')).toMatch(/^model over/);
    expect(new StepCache(dir).readState('train')?.why).toEqual(['its cached outputs are missing']);
  });

  it("puts back a cached step's file outside the cache when it is missing or changed", async () => {
    const dir = repo();
    await run(dir);
    const report = join(dir, 'reports', 'validation.json');
    const original = readFileSync(report, 'utf8');
    rmSync(report);
    expect((await run(dir)).states).toEqual(ALL_CACHED);
    expect(readFileSync(report, 'utf8')).toBe(original);
    writeFileSync(report, 'edited by hand');
    expect((await run(dir)).states).toEqual(ALL_CACHED);
    expect(readFileSync(report, 'utf8')).toBe(original);
  });

  it('a step marked alwaysRun (register) runs every time and is never reported cached', async () => {
    const dir = repo();
    const base = await (testRegistry.register as NonNullable<typeof testRegistry.register>)();
    const registry = { ...testRegistry, register: async () => ({ ...base, alwaysRun: true }) };
    await run(dir, { registry });
    const { states } = await run(dir, { registry });
    expect(states).toEqual({ ...ALL_CACHED, register: 'ran' });
    const status = await recipeStatus({ recipeDir: dir, registry });
    expect(status.find((s) => s.step === 'register')).toMatchObject({
      state: 'stale',
      reasons: [ALWAYS_RUNS],
    });
    expect(new StepCache(dir).readState('register')?.why).toEqual([ALWAYS_RUNS]);
  });

  it('--no-cache runs everything again and replaces the entries', async () => {
    const dir = repo();
    await run(dir);
    const { states } = await run(dir, { noCache: true });
    expect(states).toEqual(ALL_RAN);
    expect(new StepCache(dir).listEntries()).toHaveLength(6);
  });

  it("a step's fingerprint covers other sections it reads (predict: train's score prefix), not the rest", async () => {
    const dir = repo();
    const trivial = (kind: 'ingest_scoring' | 'predict') => async () => ({
      kind,
      codeFiles: () => [],
      inputFiles: async () => [],
      run: async () => ({ outputs: {}, card: { step: kind, data: {}, sections: [] } }),
    });
    const registry = {
      ...testRegistry,
      ingest_scoring: trivial('ingest_scoring'),
      predict: trivial('predict'),
    };
    const fingerprint = async () => {
      const recipe = loadRecipe({ recipeDir: dir });
      const plan = await planRecipe({
        recipe,
        targets: ['predict'],
        registry,
        statCache: StatCache.open(join(dir, '.recipe')),
      });
      return plan.nodes.find((n) => n.kind === 'predict');
    };
    const before = await fingerprint();
    editFile(dir, 'recipe.yaml', (t) => t.replace('estimator_method: test', 'estimator_method: other'));
    expect((await fingerprint())?.fingerprint).toBe(before?.fingerprint);
    editFile(dir, 'recipe.yaml', (t) => t.replace('  train:\n', '  train:\n    predict_prefix: score_\n'));
    const after = await fingerprint();
    expect(after?.fingerprint).not.toBe(before?.fingerprint);
    expect(explainChange(before?.inputs as FingerprintInputs, after?.inputs as FingerprintInputs)).toEqual([
      'config steps.train.predict_prefix changed',
    ]);
  });

  it('hashes an unchanged input file only once (stat cache)', async () => {
    const dir = repo();
    const old = new Date(Date.now() - 3600_000);
    utimesSync(join(dir, 'data.csv'), old, old);
    utimesSync(join(dir, 'steps', 'transform.ts'), old, old);
    const recipe = loadRecipe({ recipeDir: dir });
    const stateRoot = join(dir, '.recipe');
    const first = StatCache.open(stateRoot);
    await planRecipe({ recipe, registry: testRegistry, statCache: first });
    expect(first.hashedFiles).toBe(2);
    const second = StatCache.open(stateRoot);
    const plan = await planRecipe({ recipe, registry: testRegistry, statCache: second });
    expect(second.hashedFiles).toBe(0);
    expect(plan.nodes[0]?.inputs.inputs['data.csv']).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('recipe status, inspect, get-artifact, clean, gc', () => {
  it('reports never run, then cached; inspect shows outputs and cards; get-artifact finds outputs', async () => {
    const dir = repo();
    const before = await recipeStatus({ recipeDir: dir, registry: testRegistry });
    expect(before.map((s) => s.state)).toEqual(Array(6).fill('never run'));
    await run(dir);
    const inspected = await inspectRecipe({ recipeDir: dir, registry: testRegistry, step: 'train' });
    expect(inspected).toHaveLength(1);
    expect(inspected[0]?.outputs.model).toMatch(/model\.txt$/);
    expect(inspected[0]?.card?.summary).toMatchObject({ step: 'train', sections: ['Test'] });
    const { path, stale } = await stepArtifactPath({
      recipeDir: dir,
      registry: testRegistry,
      step: 'split',
      name: 'train',
    });
    expect(stale).toBe(false);
    expect(readFileSync(path, 'utf8')).toBe('a,b\n1,2\n3,4');
    await expect(
      stepArtifactPath({ recipeDir: dir, registry: testRegistry, step: 'split', name: 'nope' }),
    ).rejects.toThrow(/no output named "nope"/);
  });

  it('gc keeps only the entries the current recipe reaches; clean removes a step or everything', async () => {
    const dir = repo();
    await run(dir);
    editFile(dir, 'recipe.yaml', (t) => t.replace('[0.5, 0.25, 0.25]', '[0.6, 0.2, 0.2]'));
    await run(dir);
    const cache = new StepCache(dir);
    expect(cache.listEntries()).toHaveLength(11);
    const gc = await gcRecipe({ recipeDir: dir, registry: testRegistry });
    expect(gc.kept).toBe(6);
    expect(gc.removed.map((r) => r.step).sort()).toEqual([
      'evaluate',
      'register',
      'split',
      'train',
      'transform',
    ]);
    expect((await run(dir)).states).toEqual(ALL_CACHED);
    await cleanRecipe({ recipeDir: dir, step: 'train' });
    const status = await recipeStatus({ recipeDir: dir, registry: testRegistry });
    expect(status.find((s) => s.step === 'train')?.state).toBe('never run');
    expect(status.find((s) => s.step === 'ingest')?.state).toBe('cached');
    await cleanRecipe({ recipeDir: dir });
    expect(cache.listEntries()).toEqual([]);
  });
});
