import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalArtifactRepository, openTrackingStore, type TrackingStore } from '../../src/tracking/index.js';
import { type CliResult, envWithoutTrackingUri, runCli } from '../helpers/cli.js';

let tmp: string;
let uri: string;
let store: TrackingStore;
const runIds: string[] = [];
let experimentId: string;

function recipe(...args: string[]): Promise<CliResult> {
  return runCli(['--tracking-uri', uri, ...args], { cwd: tmp, env: envWithoutTrackingUri() });
}

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'mlrecipe-cli-runs-'));
  uri = `sqlite:///${join(tmp, 'tracking.db')}`;
  store = await openTrackingStore(uri, { defaultArtifactRoot: join(tmp, 'artifacts') });
  experimentId = await store.createExperiment('wine');
  // Five runs with alpha 0.1..0.5 and rmse falling as alpha grows; run 4 has a NaN r2.
  for (let i = 0; i < 5; i++) {
    const run = await store.createRun({
      experimentId,
      runName: `run-${i}`,
      startTime: 1_700_000_000_000 + i * 1000,
    });
    await store.logBatch(run.info.run_id, {
      params: [{ key: 'alpha', value: `0.${i + 1}` }],
      metrics: [
        { key: 'rmse', value: 1 - i * 0.1, step: 0, timestamp: 1 },
        { key: 'r2', value: i === 4 ? Number.NaN : i / 10, step: 0, timestamp: 1 },
      ],
      tags: [{ key: 'team', value: i % 2 === 0 ? 'even' : 'odd' }],
    });
    await store.updateRun(run.info.run_id, { status: 'FINISHED', endTime: 1_700_000_000_500 + i * 1000 });
    runIds.push(run.info.run_id);
  }
});
afterAll(async () => {
  await store?.close();
  await rm(tmp, { recursive: true, force: true });
});

describe('recipe runs', () => {
  it('lists an experiment’s runs as JSON objects with flattened params, metrics and tags', async () => {
    const { code, stdout } = await recipe('runs', 'list', '--experiment-name', 'wine', '--output', 'json');
    expect(code).toBe(0);
    const runs = JSON.parse(stdout);
    expect(runs.map((r: { run_id: string }) => r.run_id)).toEqual([...runIds].reverse());
    const first = runs[runs.length - 1];
    expect(Object.keys(first).sort()).toEqual(
      [
        'artifact_uri',
        'end_time',
        'experiment_id',
        'lifecycle_stage',
        'metrics',
        'params',
        'run_id',
        'run_name',
        'start_time',
        'status',
        'tags',
      ].sort(),
    );
    expect(first).toMatchObject({
      run_id: runIds[0],
      experiment_id: experimentId,
      run_name: 'run-0',
      status: 'FINISHED',
      start_time: 1_700_000_000_000,
      end_time: 1_700_000_000_500,
      lifecycle_stage: 'active',
      params: { alpha: '0.1' },
      metrics: { rmse: 1, r2: 0 },
    });
    expect(first.tags).toMatchObject({ team: 'even', 'mlflow.runName': 'run-0' });
    expect(runs[0].metrics.r2).toBe('NaN');
  });

  it('prints a table with metric and param columns, by experiment id too', async () => {
    const { code, stdout } = await recipe('runs', 'list', '--experiment-id', experimentId);
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(
      /^RUN ID\s+NAME\s+STATUS\s+START\s+END\s+metrics\.r2\s+metrics\.rmse\s+params\.alpha$/,
    );
    expect(lines).toHaveLength(2 + 5);
    expect(lines[2]).toMatch(
      new RegExp(
        `^${runIds[4]}\\s+run-4\\s+FINISHED\\s+2023-11-14 22:13:24\\s+\\S+ \\S+\\s+NaN\\s+0\\.6\\s+0\\.5$`,
      ),
    );
  });

  it('shows the columns asked for with --columns, and exits 2 on a malformed one', async () => {
    const { code, stdout } = await recipe(
      'runs',
      'list',
      '-e',
      'wine',
      '--columns',
      'metrics.rmse,tags.team',
    );
    expect(code).toBe(0);
    const [header, , first] = stdout.trimEnd().split('\n');
    expect(header).toMatch(/metrics\.rmse\s+tags\.team$/);
    expect(header).not.toContain('params.alpha');
    // newest first: run-4 has rmse 0.6 and team even
    expect(first).toMatch(/run-4 .* 0\.6\s+even$/);
    const bad = await recipe('runs', 'list', '-e', 'wine', '--columns', 'rmse');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('"rmse" is not metrics.<key>');
  });

  it('searches with a filter, repeatable --order-by and --max-results', async () => {
    const { code, stdout } = await recipe(
      'runs',
      'search',
      '--experiment-name',
      'wine',
      '--filter',
      "metrics.rmse < 0.85 and tags.team = 'even'",
      '--order-by',
      'params.alpha DESC',
      '--order-by',
      'attributes.start_time ASC',
      '-o',
      'json',
    );
    expect(code).toBe(0);
    expect(JSON.parse(stdout).map((r: { run_name: string }) => r.run_name)).toEqual(['run-4', 'run-2']);

    const limited = await recipe(
      'runs',
      'search',
      '-e',
      'wine',
      '--order-by',
      'metrics.rmse ASC',
      '--max-results',
      '2',
    );
    expect(limited.code).toBe(0);
    expect(
      limited.stdout
        .trimEnd()
        .split('\n')
        .slice(2)
        .map((l) => l.split(/\s+/)[1]),
    ).toEqual(['run-4', 'run-3']);
    expect(limited.stderr).toContain('showing the first 2 runs');
  });

  it('exits 2 with a caret under the problem for a malformed filter', async () => {
    const { code, stderr, stdout } = await recipe(
      'runs',
      'search',
      '-e',
      'wine',
      '--filter',
      'metrics.rmse <<< 1',
    );
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^error: /);
    expect(stderr).toContain('^');
  });

  it('needs an experiment and names a missing one', async () => {
    const none = await recipe('runs', 'list');
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('needs --experiment-name <name> or --experiment-id <id>');
    const missing = await recipe('runs', 'list', '--experiment-name', 'nope');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no experiment has the id or name "nope"');
    const both = await recipe('runs', 'list', '-e', 'wine', '-x', experimentId);
    expect(both.code).toBe(2);
  });

  it('shows one run as tables or as MLflow’s Run object', async () => {
    const run1 = await store.getRun(runIds[1] ?? '');
    await writeFile(join(tmp, 'model.bin'), Buffer.alloc(42));
    const artifacts = new LocalArtifactRepository(run1.info.artifact_uri);
    await artifacts.logArtifact(join(tmp, 'model.bin'));
    await artifacts.logArtifact(join(tmp, 'model.bin'), 'model');

    const json = await recipe('runs', 'show', runIds[1] ?? '', '--output', 'json');
    expect(json.code).toBe(0);
    const run = JSON.parse(json.stdout);
    expect(run.info).toMatchObject({
      run_id: runIds[1],
      run_uuid: runIds[1],
      run_name: 'run-1',
      status: 'FINISHED',
    });
    expect(run.data.params).toEqual([{ key: 'alpha', value: '0.2' }]);
    expect(run.data.metrics.find((m: { key: string }) => m.key === 'rmse')).toMatchObject({
      value: 0.9,
      step: 0,
    });

    const table = await recipe('runs', 'show', runIds[1] ?? '');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(new RegExp(`^run_id\\s+${runIds[1]}$`, 'm'));
    expect(table.stdout).toMatch(/^Params\nKEY\s+VALUE\n-+\s+-+\nalpha\s+0\.2$/m);
    expect(table.stdout).toMatch(/^rmse\s+0\.9\s+0\s+/m);
    expect(table.stdout).toMatch(/^team\s+odd$/m);
    expect(table.stdout).toMatch(
      /^Artifacts \(top level\)\nPATH\s+SIZE\n-+\s+-+\nmodel\/\nmodel\.bin\s+42$/m,
    );

    const missing = await recipe('runs', 'show', '0123456789abcdef0123456789abcdef');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error: .*0123456789abcdef0123456789abcdef/m);
  });

  it('deletes and restores a run, hiding it from the active view', async () => {
    const target = runIds[0] ?? '';
    expect((await recipe('runs', 'delete', target)).stdout).toBe(`Deleted run ${target}\n`);
    const active = JSON.parse((await recipe('runs', 'list', '-e', 'wine', '-o', 'json')).stdout);
    expect(active.map((r: { run_id: string }) => r.run_id)).not.toContain(target);
    const deleted = JSON.parse(
      (await recipe('runs', 'list', '-e', 'wine', '--view', 'deleted', '-o', 'json')).stdout,
    );
    expect(deleted).toHaveLength(1);
    expect(deleted[0]).toMatchObject({ run_id: target, lifecycle_stage: 'deleted' });
    expect((await recipe('runs', 'restore', target)).code).toBe(0);
    expect((await store.getRun(target)).info.lifecycle_stage).toBe('active');
  });

  it('documents its commands and options', async () => {
    const help = await recipe('runs', 'search', '--help');
    expect(help.code).toBe(0);
    for (const option of [
      '--experiment-name',
      '--experiment-id',
      '--filter',
      '--order-by',
      '--max-results',
      '--view',
      '--output',
    ]) {
      expect(help.stdout).toContain(option);
    }
  });
});
