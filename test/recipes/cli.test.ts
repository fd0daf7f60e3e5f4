/**
 * `recipe run|status|inspect|get-artifact|clean|gc` as real processes (dist/cli/main.js) on a
 * recipe that uses the real ingest/split/transform/train/evaluate steps.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type CliResult, cli, runCli } from '../helpers/cli.js';
import { removeDir, waitFor } from './helpers.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) removeDir(d);
});

function recipe(cwd: string, ...args: string[]): Promise<CliResult> {
  return runCli(args, { cwd, env: { ...process.env, CI: 'true' } });
}

const RECIPE = `recipe: regression/v1
target_col: y
primary_metric: root_mean_squared_error
steps:
  ingest:
    using: csv
    location: data/train.csv
  split:
    split_ratios: [0.6, 0.2, 0.2]
  transform:
    using: default
  train:
    estimator:
      name: ridge
      params:
        alpha: 0.1
  evaluate:
    validation_criteria:
      - metric: root_mean_squared_error
        threshold: 100
experiment:
  name: cli-test
model_registry:
  model_name: cli-test-model
`;

function makeRecipe(): { dir: string; uri: string } {
  const dir = mkdtempSync(join(tmpdir(), 'mlrecipe-cli-'));
  dirs.push(dir);
  const rows = ['x1,x2,color,y'];
  for (let i = 0; i < 120; i++) {
    const x1 = (i * 37) % 101;
    const x2 = (i * 13) % 17;
    rows.push(`${x1},${x2},${['red', 'green', 'blue'][i % 3]},${(2 * x1 - 3 * x2 + (i % 5)).toFixed(1)}`);
  }
  mkdirSync(join(dir, 'data'), { recursive: true });
  writeFileSync(join(dir, 'data', 'train.csv'), `${rows.join('\n')}\n`);
  writeFileSync(join(dir, 'recipe.yaml'), RECIPE);
  return { dir, uri: `sqlite:///${join(dir, 'mlruns', 'tracking.db')}` };
}

describe('recipe CLI (engine commands)', () => {
  it('rejects an invalid recipe with exit 2, positions and did-you-mean, and runs nothing', async () => {
    const { dir } = makeRecipe();
    writeFileSync(
      join(dir, 'recipe.yaml'),
      RECIPE.replace('split_ratios', 'split_ratio').replace('name: ridge', 'nam: ridge'),
    );
    const result = await recipe(dir, 'run');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('invalid configuration (2 problems)');
    expect(result.stderr).toMatch(
      /recipe\.yaml:9:5: steps\.split\.split_ratio: unknown field "split_ratio"\n {4}hint: did you mean `split_ratios`\?/,
    );
    expect(result.stderr).toMatch(
      /recipe\.yaml:14:7: steps\.train\.estimator\.nam: unknown field "nam"\n {4}hint: did you mean `name`\?/,
    );
    expect(existsSync(join(dir, '.recipe', 'cache'))).toBe(false);
  });

  it('runs the real steps, then reuses them; status, inspect and get-artifact describe the cache', async () => {
    const { dir, uri } = makeRecipe();
    const first = await recipe(dir, '--tracking-uri', uri, 'run', '--output', 'json');
    expect(first.stderr).toContain('[ingest] started');
    expect(first.code).toBe(0);
    const ran = JSON.parse(first.stdout) as {
      run_id: string;
      status: string;
      steps: Array<{ step: string; state: string; metrics: Record<string, number> }>;
    };
    expect(ran.status).toBe('FINISHED');
    expect(ran.run_id).toMatch(/^[0-9a-f]{32}$/);
    expect(ran.steps.map((s) => s.state)).toEqual(Array(ran.steps.length).fill('ran'));
    expect(ran.steps.map((s) => s.step).slice(0, 5)).toEqual([
      'ingest',
      'split',
      'transform',
      'train',
      'evaluate',
    ]);

    const second = await recipe(dir, '--tracking-uri', uri, 'run');
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/train\s+cached/);
    expect(second.stderr).toContain('[train] done in');
    expect(second.stderr).toContain('(cached)');

    const model = await recipe(dir, 'get-artifact', '--step', 'train', '--name', 'model');
    expect(model.code).toBe(0);
    expect(existsSync(join(model.stdout.trim(), 'MLmodel'))).toBe(true);

    const inspect = await recipe(dir, 'inspect', '--step', 'evaluate');
    expect(inspect.code).toBe(0);
    expect(inspect.stdout).toMatch(/card:\s+\S+card\.html/);

    writeFileSync(join(dir, 'recipe.yaml'), RECIPE.replace('[0.6, 0.2, 0.2]', '[0.5, 0.25, 0.25]'));
    const status = await recipe(dir, 'status', '--output', 'json');
    const states = Object.fromEntries(
      (JSON.parse(status.stdout) as Array<{ step: string; state: string; reasons: string[] }>).map((s) => [
        s.step,
        s,
      ]),
    );
    expect(states.ingest?.state).toBe('cached');
    expect(states.split).toMatchObject({
      state: 'stale',
      reasons: ['config steps.split.split_ratios changed'],
    });
    expect(states.train).toMatchObject({
      state: 'stale',
      reasons: ['upstream split changed', 'upstream transform changed'],
    });

    const gc = await recipe(dir, 'gc');
    expect(gc.stdout).toMatch(/removed \d+ cache entries, kept 1/);
    const clean = await recipe(dir, 'clean');
    expect(clean.stdout).toBe('removed 1 cache entry\n');
  });

  it('`recipe run` SIGKILLed inside a user module: no complete entry, run left RUNNING, then finished and marked KILLED', async () => {
    const { dir, uri } = makeRecipe();
    writeFileSync(
      join(dir, 'recipe.yaml'),
      RECIPE.replace(
        / {4}estimator:\n {6}name: ridge\n {6}params:\n {8}alpha: 0\.1\n/,
        '    using: custom\n    estimator_method: slow_estimator\n',
      ),
    );
    mkdirSync(join(dir, 'steps'));
    writeFileSync(
      join(dir, 'steps', 'train.ts'),
      [
        "import { existsSync, writeFileSync } from 'node:fs';",
        "import { setTimeout as sleep } from 'node:timers/promises';",
        'export async function slow_estimator(): Promise<unknown> {',
        "  writeFileSync('train-started', String(process.pid));",
        "  while (!existsSync('release')) await sleep(50);",
        '  return {',
        '    fit() {},',
        '    predict: (X: { nRows: number }) => new Float64Array(X.nRows).fill(1),',
        "    toJSON: () => ({ name: 'constant', params: {}, state: {} }),",
        '    loadState() {},',
        '  };',
        '}',
        '',
      ].join('\n'),
    );
    // Through evaluate: the constant model would (rightly) not pass register's gate.
    const child = spawn(process.execPath, [cli, '--tracking-uri', uri, 'run', '--step', 'evaluate'], {
      cwd: dir,
      env: { ...process.env, CI: 'true' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    let closed = false;
    const exited = new Promise((resolve) =>
      child.on('close', () => {
        closed = true;
        resolve(undefined);
      }),
    );
    await waitFor(() => existsSync(join(dir, 'train-started')) || closed, 'train to start');
    // If the process ended on its own, say why instead of timing out.
    expect(closed ? stderr : 'running').toBe('running');
    child.kill('SIGKILL');
    await exited;
    const entries = (step: string) =>
      existsSync(join(dir, '.recipe', 'cache', step)) ? readdirSync(join(dir, '.recipe', 'cache', step)) : [];
    expect(entries('train')).toEqual([]);
    expect(entries('split')).toHaveLength(1);

    const statuses = async () => {
      const runs = await recipe(
        dir,
        '--tracking-uri',
        uri,
        'runs',
        'list',
        '--experiment-name',
        'cli-test',
        '-o',
        'json',
      );
      return (JSON.parse(runs.stdout) as Array<{ status: string }>).map((r) => r.status).sort();
    };
    expect(await statuses()).toEqual(['RUNNING']);

    writeFileSync(join(dir, 'release'), '');
    const second = await recipe(dir, '--tracking-uri', uri, 'run', '--step', 'evaluate', '--output', 'json');
    expect(second.code).toBe(0);
    const states = Object.fromEntries(
      (JSON.parse(second.stdout) as { steps: Array<{ step: string; state: string }> }).steps.map((s) => [
        s.step,
        s.state,
      ]),
    );
    expect(states).toMatchObject({
      ingest: 'cached',
      split: 'cached',
      transform: 'cached',
      train: 'ran',
      evaluate: 'ran',
    });
    expect(await statuses()).toEqual(['FINISHED', 'KILLED']);
  });

  it('get-artifact without a run says what to do', async () => {
    const { dir } = makeRecipe();
    const result = await recipe(dir, 'get-artifact', '--step', 'train', '--name', 'model');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('step train has no outputs yet');
    expect(result.stderr).toContain('hint: run `recipe run --step train` first');
  });
});
