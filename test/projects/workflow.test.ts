import { cpSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, StepError } from '../../src/errors.js';
import { loadWorkflow, runWorkflow } from '../../src/projects/workflow.js';
import { describeEachStore, git, initRepo, paramsOf, repoRoot, tagsOf, tempDirWith, useTempStore } from './fixtures.js';

const quiet = { stdout: null, stderr: null, log: () => {}, handleSignals: false } as const;

/**
 * A copy of examples/multistep outside the repository (so other commits to it cannot change the
 * code identity between runs), with node_modules links to what its scripts import.
 */
function exampleCopy(): string {
  const root = tempDirWith({}, 'mlrecipe-multistep-');
  const dir = join(root, 'multistep');
  cpSync(join(repoRoot, 'examples', 'multistep'), dir, { recursive: true });
  mkdirSync(join(root, 'node_modules'));
  symlinkSync(repoRoot, join(root, 'node_modules', 'mlrecipe'));
  for (const name of ['tsx', 'vega-datasets']) {
    symlinkSync(join(repoRoot, 'node_modules', name), join(root, 'node_modules', name));
  }
  return dir;
}

describeEachStore('runWorkflow on examples/multistep', (ts) => {

  it('runs load → etl → train → register as child runs, then re-runs executing nothing and linking the earlier runs', async () => {
    const dir = exampleCopy();
    const file = join(dir, 'workflow.yaml');
    const first = await runWorkflow({ file, store: ts.store, trackingUri: ts.trackingUri, ...quiet });
    expect(first.status).toBe('FINISHED');
    expect(first.executed).toEqual(['load', 'etl', 'train', 'register']);

    const parent = await ts.store.getRun(first.parentRunId);
    expect(tagsOf(parent)['mlrecipe.workflow']).toBe('multistep');
    const children = await ts.store.searchRuns({
      experimentIds: [first.experimentId],
      filter: `tags.\`mlflow.parentRunId\` = '${first.parentRunId}'`,
    });
    expect(children.runs.map((r) => r.info.run_name).sort()).toEqual(['etl', 'load', 'register', 'train']);
    const byName = new Map(first.steps.map((s) => [s.name, s]));
    const etl = await ts.store.getRun(byName.get('etl')?.runId as string);
    // The reference resolved to the load run's artifact, and etl recorded it as its param.
    expect(paramsOf(etl).raw).toBe(join(byName.get('load')?.outputs.artifact_uri as string, 'raw.json'));
    const train = await ts.store.getRun(byName.get('train')?.runId as string);
    const rmse = train.data.metrics.find((m) => m.key === 'rmse')?.value as number;
    expect(rmse).toBeGreaterThan(2);
    expect(rmse).toBeLessThan(6);
    expect(tagsOf(train)['mlrecipe.output.rmse']).toBe(rmse.toFixed(6));
    expect(tagsOf(parent)['mlrecipe.step.train.run_id']).toBe(train.info.run_id);

    const runsBefore = (await ts.store.searchRuns({ experimentIds: [first.experimentId] })).runs.length;
    const second = await runWorkflow({ file, store: ts.store, trackingUri: ts.trackingUri, ...quiet });
    expect(second.status).toBe('FINISHED');
    expect(second.executed).toEqual([]);
    expect(second.reused).toEqual(['load', 'etl', 'train', 'register']);
    // Only the new parent run was created; it links every earlier child run.
    const runsAfter = (await ts.store.searchRuns({ experimentIds: [first.experimentId] })).runs.length;
    expect(runsAfter).toBe(runsBefore + 1);
    const parent2 = tagsOf(await ts.store.getRun(second.parentRunId));
    for (const step of first.steps) {
      expect(parent2[`mlrecipe.step.${step.name}.run_id`]).toBe(step.runId);
      expect(parent2[`mlrecipe.step.${step.name}.reused`]).toBe('true');
    }
  });

  it('reuses equal code from another directory; a changed parameter re-runs only its step and what follows; changed code re-runs all', async () => {
    const dir = exampleCopy();
    const file = join(dir, 'workflow.yaml');
    // A second copy of the same code: the runs of the first test are reused.
    const again = await runWorkflow({ file, store: ts.store, trackingUri: ts.trackingUri, ...quiet });
    expect(again.executed).toEqual([]);
    // The workflow file is configuration, not code: a new alpha re-runs train and register only.
    writeFileSync(file, readFileSync(file, 'utf8').replace('alpha: 1.0', 'alpha: 0.5'));
    const newAlpha = await runWorkflow({ file, store: ts.store, trackingUri: ts.trackingUri, ...quiet });
    expect(newAlpha.reused).toEqual(['load', 'etl']);
    expect(newAlpha.executed).toEqual(['train', 'register']);
    // Changing any other file of the project changes its code identity (one project serves every step).
    cpSync(join(dir, 'register.mts'), join(dir, 'register-copy.mts'));
    const changed = await runWorkflow({ file, store: ts.store, trackingUri: ts.trackingUri, ...quiet });
    expect(changed.executed).toEqual(['load', 'etl', 'train', 'register']);
  });
});

describe('workflows', () => {
  const ts = useTempStore();

  it('runs independent steps concurrently', async () => {
    // Each of a and b waits for the other's marker: sequential execution could never finish.
    const waitFor = (mine: string, theirs: string) =>
      `touch ${mine}; for i in $(seq 1 400); do [ -e ${theirs} ] && exit 0; sleep 0.05; done; exit 9`;
    const dir = tempDirWith({
      MLproject: [
        'entry_points:',
        `  a: {command: "${waitFor('a.marker', 'b.marker')}"}`,
        `  b: {command: "${waitFor('b.marker', 'a.marker')}"}`,
        '  join: {parameters: {x: string, y: string}, command: "echo {x} {y}"}',
      ].join('\n'),
      'workflow.yaml': [
        'name: diamond',
        'steps:',
        '  a: {entry_point: a}',
        '  b: {entry_point: b}',
        '  join:',
        '    entry_point: join',
        '    parameters: {x: "{{ steps.a.outputs.run_id }}", y: "{{ steps.b.outputs.run_id }}"}',
      ].join('\n'),
    });
    const result = await runWorkflow({
      file: join(dir, 'workflow.yaml'),
      store: ts.store,
      trackingUri: ts.trackingUri,
      ...quiet,
    });
    expect(result.status).toBe('FINISHED');
    expect(result.executed.sort()).toEqual(['a', 'b', 'join']);
  });

  it('runs steps from a git source at a version, and reuses them by commit (files a run leaves in the checkout do not count)', async () => {
    const repo = tempDirWith({
      'proj/MLproject':
        'entry_points:\n  main: {command: "date > left-behind.txt; echo \'{{\\"v\\": \\"one\\"}}\' > \\"$RECIPE_OUTPUTS_FILE\\""}\n',
    });
    initRepo(repo);
    git(repo, 'tag', 'v1');
    const dir = tempDirWith({
      MLproject: 'entry_points:\n  show: {parameters: {v: string}, command: "echo {v}"}\n',
      'workflow.yaml': [
        'name: remote',
        'steps:',
        `  fetch: {project: "file://${repo}#proj", version: v1}`,
        '  show: {entry_point: show, parameters: {v: "{{ steps.fetch.outputs.v }}"}}',
      ].join('\n'),
    });
    const env = { ...process.env, RECIPE_CACHE_DIR: tempDirWith({}) };
    const first = await runWorkflow({
      file: join(dir, 'workflow.yaml'),
      env,
      store: ts.store,
      trackingUri: ts.trackingUri,
      ...quiet,
    });
    expect(first.executed).toEqual(['fetch', 'show']);
    const show = await ts.store.getRun(first.steps[1]?.runId as string);
    expect(paramsOf(show)).toEqual({ v: 'one' });
    const fetchTags = tagsOf(await ts.store.getRun(first.steps[0]?.runId as string));
    expect(fetchTags['mlflow.source.git.commit']).toBe(git(repo, 'rev-parse', 'v1'));
    const second = await runWorkflow({
      file: join(dir, 'workflow.yaml'),
      env,
      store: ts.store,
      trackingUri: ts.trackingUri,
      ...quiet,
    });
    expect(second.reused).toEqual(['fetch', 'show']);
  });

  it('stops at a failing step, marks the parent FAILED and names the step', async () => {
    const dir = tempDirWith({
      MLproject:
        'entry_points:\n  ok: {command: "true"}\n  bad: {command: "exit 4"}\n  after: {command: "true"}\n',
      'workflow.yaml':
        'name: broken\nsteps:\n  ok: {entry_point: ok}\n  bad: {entry_point: bad, depends_on: [ok]}\n  after: {entry_point: after, depends_on: [bad]}\n',
    });
    let error: unknown;
    try {
      await runWorkflow({
        file: join(dir, 'workflow.yaml'),
        store: ts.store,
        trackingUri: ts.trackingUri,
        ...quiet,
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StepError);
    expect((error as StepError).step).toBe('bad');
    expect((error as StepError).message).toMatch(/exited with code 4/);
    const runs = await ts.store.searchRuns({
      experimentIds: ['0'],
      filter: "tags.`mlrecipe.workflow` = 'broken'",
    });
    expect(runs.runs[0]?.info.status).toBe('FAILED');
    const afterRuns = await ts.store.searchRuns({
      experimentIds: ['0'],
      filter: "tags.`mlrecipe.workflow.step` = 'after'",
    });
    expect(afterRuns.runs).toHaveLength(0);
  });

  it('schedules like a recipe (src/dag-executor.ts): a failure keeps its dependants from starting and stops the branch still running', async () => {
    // `slow` runs beside `bad` (max_parallel 2) and would sleep for 60 s; `bad` fails once `slow`
    // has started, so the stop is forced by the failure, not by timing.
    const dir = tempDirWith({
      MLproject: [
        'entry_points:',
        '  slow: {command: "touch slow.started; sleep 60"}',
        '  bad: {command: "for i in $(seq 1 400); do [ -e slow.started ] && exit 4; sleep 0.05; done; exit 9"}',
        '  after: {command: "true"}',
      ].join('\n'),
      'workflow.yaml': [
        'name: fail-fast',
        'max_parallel: 2',
        'steps:',
        '  slow: {entry_point: slow}',
        '  bad: {entry_point: bad}',
        '  after: {entry_point: after, depends_on: [bad]}',
      ].join('\n'),
    });
    const error = await runWorkflow({
      file: join(dir, 'workflow.yaml'),
      cwd: dir,
      store: ts.store,
      trackingUri: ts.trackingUri,
      ...quiet,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StepError);
    expect((error as StepError).step).toBe('bad');
    expect((error as StepError).message).toMatch(/exited with code 4/);
    const parents = await ts.store.searchRuns({
      experimentIds: ['0'],
      filter: "tags.`mlrecipe.workflow` = 'fail-fast'",
    });
    expect(parents.runs.map((r) => r.info.status)).toEqual(['FAILED']);
    const children = await ts.store.searchRuns({
      experimentIds: ['0'],
      filter: `tags.\`mlflow.parentRunId\` = '${parents.runs[0]?.info.run_id}'`,
    });
    const statusOf = (step: string) =>
      children.runs.filter((r) => tagsOf(r)['mlrecipe.workflow.step'] === step).map((r) => r.info.status);
    expect(statusOf('bad')).toEqual(['FAILED']);
    expect(statusOf('slow')).toEqual(['KILLED']);
    expect(statusOf('after')).toEqual([]);
  });

  it('checks required parameters and literal values of local steps before creating any run', async () => {
    const dir = tempDirWith({
      MLproject:
        'entry_points:\n  a: {parameters: {n: int, m: float}, command: "true"}\n  b: {parameters: {x: string}, command: "true"}\n',
      'workflow.yaml':
        'name: unchecked\nsteps:\n  a: {entry_point: a, parameters: {n: "many"}}\n  b: {entry_point: b}\n',
    });
    const before = (await ts.store.searchRuns({ experimentIds: ['0'] })).runs.length;
    let error: unknown;
    try {
      await runWorkflow({
        file: join(dir, 'workflow.yaml'),
        store: ts.store,
        trackingUri: ts.trackingUri,
        ...quiet,
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const issues = (error as ConfigError).issues;
    expect(issues.map((i) => [i.line, i.message])).toEqual([
      [3, 'entry point "a" needs m (float), which has no default'],
      [3, 'n must be an int, got "many"'],
      [4, 'entry point "b" needs x (string), which has no default'],
    ]);
    expect((await ts.store.searchRuns({ experimentIds: ['0'] })).runs.length).toBe(before);
  });

  it('says which output is missing', async () => {
    const dir = tempDirWith({
      MLproject:
        'entry_points:\n  a: {command: "true"}\n  b: {parameters: {x: string}, command: "echo {x}"}\n',
      'workflow.yaml':
        'name: missing\nsteps:\n  a: {entry_point: a}\n  b: {entry_point: b, parameters: {x: "{{ steps.a.outputs.nothing }}"}}\n',
    });
    await expect(
      runWorkflow({
        file: join(dir, 'workflow.yaml'),
        store: ts.store,
        trackingUri: ts.trackingUri,
        ...quiet,
      }),
    ).rejects.toThrow(/step a recorded no output "nothing" \(its outputs: run_id, artifact_uri\)/);
  });
});

describe('loadWorkflow', () => {
  function errorOf(yaml: string): ConfigError {
    const dir = tempDirWith({ 'workflow.yaml': yaml });
    try {
      loadWorkflow(join(dir, 'workflow.yaml'));
    } catch (error) {
      if (error instanceof ConfigError) return error;
      throw error;
    }
    throw new Error('expected a ConfigError');
  }

  it('orders steps by references and depends_on', () => {
    const dir = tempDirWith({
      'workflow.yaml': [
        'name: w',
        'steps:',
        '  train: {entry_point: train, parameters: {data: "{{ steps.etl.outputs.dataset_uri }}/x", alpha: 0.5}}',
        '  etl: {entry_point: etl, depends_on: [load]}',
        '  load: {project: sub#inner, entry_point: load}',
      ].join('\n'),
    });
    const workflow = loadWorkflow(join(dir, 'workflow.yaml'));
    expect(workflow.steps.map((s) => s.name)).toEqual(['load', 'etl', 'train']);
    expect(workflow.steps[2]?.dependsOn).toEqual(['etl']);
    expect(workflow.steps[2]?.parameters.alpha).toBe('0.5');
    expect(workflow.steps[0]?.project).toBe(`${join(dir, 'sub')}#inner`);
    expect(readdirSync(dir)).toEqual(['workflow.yaml']);
  });

  it('reports unknown steps, bad references and cycles at their positions', () => {
    const unknown = errorOf('name: w\nsteps:\n  a:\n    depends_on: [lod]\n  load: {}\n');
    expect(unknown.line).toBe(4);
    expect(unknown.message).toMatch(/depends on "lod", which is not a step/);
    expect(unknown.hint ?? unknown.issues[0]?.hint).toMatch(/did you mean "load"/);
    const badRef = errorOf('name: w\nsteps:\n  a:\n    parameters:\n      x: "{{ step.b.outputs.y }}"\n');
    expect(badRef.line).toBe(5);
    expect(badRef.message).toMatch(/not a reference/);
    const cycle = errorOf(
      'name: w\nsteps:\n  a: {depends_on: [b]}\n  b: {parameters: {x: "{{ steps.a.outputs.y }}"}}\n',
    );
    expect(cycle.message).toMatch(/cycle: a → b → a/);
    const schema = errorOf('name: w\nsteps:\n  a: {entrypoint: x}\n');
    expect(schema.message).toMatch(/unknown field "entrypoint"/);
    expect(schema.line).toBe(3);
  });
});
