/**
 * End to end against a tracking server with no shared file system: the regression template in a
 * real git repository, `recipe server` started in this process on 127.0.0.1 port 0 over its own
 * SQLite file with `--artifacts-destination` in a directory of its own, and `recipe run`,
 * `recipe models serve` and `recipe project run` pointed at it with MLFLOW_TRACKING_URI. What
 * they recorded is checked on the server's store and in its artifacts destination.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registryForTrackingStore } from '../../src/registry/index.js';
import { startTrackingServer, type TrackingServerHandle } from '../../src/server/tracking/index.js';
import { openTrackingStore, type Run, type TrackingStore } from '../../src/tracking/index.js';
import { type CliResult, runCli } from '../helpers/cli.js';

const CLI = resolve(import.meta.dirname, '../../dist/cli/main.js');
const root = mkdtempSync(join(tmpdir(), 'mlrecipe-e2e-server-'));
const repo = join(root, 'cars');
const serverDir = join(root, 'server');
const destination = join(root, 'server-artifacts');
const cache = join(root, 'client-cache');
let server: TrackingServerHandle;
let store: TrackingStore;
let env: NodeJS.ProcessEnv;

function recipe(cwd: string, ...args: string[]): Promise<CliResult> {
  return runCli(args, { cwd, env });
}

function tagsOf(run: Run): Record<string, string> {
  return Object.fromEntries(run.data.tags.map((t) => [t.key, t.value]));
}

/** Every file under `dir`, relative, sorted. */
function filesUnder(dir: string, prefix = ''): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) =>
      entry.isDirectory()
        ? filesUnder(join(dir, entry.name), `${prefix}${entry.name}/`)
        : [`${prefix}${entry.name}`],
    )
    .sort();
}

beforeAll(async () => {
  mkdirSync(serverDir);
  server = await startTrackingServer({
    host: '127.0.0.1',
    port: 0,
    backendStoreUri: `sqlite:///${join(serverDir, 'tracking.db')}`,
    artifactsDestination: destination,
    ui: false,
  });
  env = {
    ...process.env,
    HOME: root,
    XDG_CONFIG_HOME: root,
    GIT_CONFIG_NOSYSTEM: '1',
    MLFLOW_TRACKING_URI: server.url,
    RECIPE_ARTIFACT_CACHE: cache,
    MLFLOW_HTTP_REQUEST_MAX_RETRIES: '0',
  };
  delete env.RECIPE_TRACKING_URI;
  const init = await recipe(root, 'init', '--template', 'regression', 'cars');
  expect(init.code, init.stderr).toBe(0);
  // The server's own store, opened beside it (SQLite WAL), to check what the API wrote.
  store = await openTrackingStore(`sqlite:///${join(serverDir, 'tracking.db')}`);
});

afterAll(async () => {
  await store?.close();
  await server?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('recipe run against a tracking server', () => {
  let runId: string;

  it('records the run, its params, metrics, lineage, cards and model on the server, and registers the champion', async () => {
    const result = await recipe(repo, 'run');
    expect(result.code, result.stderr).toBe(0);
    // Nothing was written into the repository's own mlruns/: everything went to the server.
    expect(existsSync(join(repo, 'mlruns', 'tracking.db'))).toBe(false);

    const experiment = await store.getExperimentByName('cars-regression');
    expect(experiment).not.toBeNull();
    const { runs } = await store.searchRuns({ experimentIds: [experiment?.experiment_id as string] });
    expect(runs).toHaveLength(1);
    const run = runs[0] as Run;
    runId = run.info.run_id;
    expect(run.info.status).toBe('FINISHED');
    expect(run.info.artifact_uri).toBe(`mlflow-artifacts:/${experiment?.experiment_id}/${runId}/artifacts`);

    const params = Object.fromEntries(run.data.params.map((p) => [p.key, p.value]));
    expect(params['steps.train.estimator.name']).toBe('ridge');
    expect(params.target_col).toBe('Miles_per_Gallon');
    const metrics = Object.fromEntries(run.data.metrics.map((m) => [m.key, m.value]));
    expect(metrics['step.train.duration_s']).toBeGreaterThanOrEqual(0);
    expect(Object.keys(metrics).some((key) => /root_mean_squared_error/.test(key))).toBe(true);

    const tags = tagsOf(run);
    expect(tags['mlflow.source.git.commit']).toMatch(/^[0-9a-f]{40}$/);
    for (const step of ['ingest', 'split', 'transform', 'train', 'evaluate', 'register'])
      expect(tags[`mlrecipe.step.${step}.state`]).toBe('ran');

    // The artifacts live in the server's destination, uploaded through its proxy.
    const files = filesUnder(join(destination, experiment?.experiment_id as string, runId, 'artifacts'));
    expect(files).toContain('model/MLmodel');
    for (const step of ['ingest', 'split', 'train', 'evaluate'])
      expect(files.some((file) => file.startsWith(`cards/${step}/`))).toBe(true);
    expect(files).toContain('gate/report.json');

    const registry = registryForTrackingStore(store);
    const model = await registry.getRegisteredModel('cars-mpg');
    expect(model.aliases).toEqual([{ alias: 'champion', version: '1' }]);
    const version = await registry.getModelVersion('cars-mpg', '1');
    expect(version).toMatchObject({ status: 'READY', run_id: runId });
    expect(version.source).toMatch(/^mlflow-artifacts:\/models\/cars-mpg\/[0-9a-f]{16}$/);
    const copy = version.source.slice('mlflow-artifacts:/'.length);
    expect(filesUnder(join(destination, copy))).toContain('MLmodel');

    // `recipe runs show` lists the run's artifacts through the proxy.
    const shown = await recipe(repo, 'runs', 'show', runId);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(/^\s*model\b/m);
    expect(shown.stdout).toMatch(/^\s*cards\b/m);
  });

  it('decides "unchanged" on a second run of the same recipe', async () => {
    const result = await recipe(repo, 'run');
    expect(result.code, result.stderr).toBe(0);
    expect(`${result.stdout}${result.stderr}`).toMatch(/unchanged/);
    const registry = registryForTrackingStore(store);
    const { model_versions } = await registry.searchModelVersions({ filter: "name = 'cars-mpg'" });
    expect(model_versions.map((v) => v.version)).toEqual(['1']);
  });

  it('serves models:/cars-mpg@champion from the server', async () => {
    const child: ChildProcess = spawn(
      process.execPath,
      [CLI, 'models', 'serve', '-m', 'models:/cars-mpg@champion', '--port', '0'],
      { cwd: repo, env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    try {
      const url = await new Promise<string>((done, fail) => {
        let stdout = '';
        child.stdout?.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
          const match = /at (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
          if (match) done(match[1] as string);
        });
        void exited.then((code) => fail(new Error(`serve exited with ${code}: ${stderr}`)));
      });
      const response = await fetch(`${url}/invocations`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({
          dataframe_records: [
            {
              Cylinders: 8,
              Displacement: 307,
              Horsepower: 130,
              Weight_in_lbs: 3504,
              Acceleration: 12,
              Year: 1970,
              Origin: 'USA',
            },
          ],
        }),
      });
      expect(response.status).toBe(200);
      const body = (await response.json()) as { predictions: number[] };
      expect(body.predictions).toHaveLength(1);
      expect(body.predictions[0]).toBeGreaterThan(5);
      expect(body.predictions[0]).toBeLessThan(40);
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  });
});

describe('recipe project run against a tracking server', () => {
  it('records the run and uploads its artifacts and output through the proxy', async () => {
    const project = join(root, 'project');
    mkdirSync(project);
    writeFileSync(
      join(project, 'MLproject'),
      [
        'name: hello',
        'entry_points:',
        '  main:',
        '    parameters: {greeting: {type: string, default: hi}}',
        '    command: "echo {greeting} && echo {greeting} > $RECIPE_ARTIFACTS_DIR/greeting.txt"',
        '',
      ].join('\n'),
    );
    const result = await recipe(
      root,
      'project',
      'run',
      project,
      '-P',
      'greeting=hello',
      '--experiment-name',
      'projects',
    );
    expect(result.code, result.stderr).toBe(0);
    const experiment = await store.getExperimentByName('projects');
    const { runs } = await store.searchRuns({ experimentIds: [experiment?.experiment_id as string] });
    expect(runs).toHaveLength(1);
    const run = runs[0] as Run;
    expect(run.info.status).toBe('FINISHED');
    expect(run.data.params).toContainEqual({ key: 'greeting', value: 'hello' });
    const artifacts = join(destination, experiment?.experiment_id as string, run.info.run_id, 'artifacts');
    expect(readFileSync(join(artifacts, 'greeting.txt'), 'utf8')).toBe('hello\n');
    expect(readFileSync(join(artifacts, 'stdout.txt'), 'utf8')).toContain('hello');
  });
});
