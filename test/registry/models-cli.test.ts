/**
 * `recipe models list|show|register|alias|transition|describe|tag|delete`, run in-process
 * (`main(argv, io)`) against a SQLite tracking database in a temp directory; concurrent
 * registration runs as real processes.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelVersion, RegisteredModel } from '../../src/registry/index.js';
import { localPathFromArtifactUri, openTrackingStore } from '../../src/tracking/index.js';
import { type CliResult, envWithoutTrackingUri, runCli, runCliProcess } from '../helpers/cli.js';
import { type FixtureModel, saveFixtureModel } from './model-fixture.js';

let tmp: string;
let uri: string;
let runId: string;
let local: FixtureModel;
let fromRun: FixtureModel;

function recipe(...args: string[]): Promise<CliResult> {
  return runCli(['--tracking-uri', uri, ...args], { cwd: tmp, env: envWithoutTrackingUri() });
}

async function json<T>(...args: string[]): Promise<T> {
  const result = await recipe(...args, '-o', 'json');
  expect(result.stderr, args.join(' ')).toBe('');
  expect(result.code, args.join(' ')).toBe(0);
  return JSON.parse(result.stdout) as T;
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'mlrecipe-cli-models-'));
  uri = `sqlite:///${join(tmp, 'mlruns', 'tracking.db')}`;
  const store = await openTrackingStore(uri);
  const run = await store.createRun({ experimentId: '0' });
  runId = run.info.run_id;
  fromRun = saveFixtureModel(join(localPathFromArtifactUri(run.info.artifact_uri), 'model'), {
    alpha: 30,
    runId,
  });
  await store.close();
  local = saveFixtureModel(join(tmp, 'local-model'), { alpha: 1 });
});

afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

describe('recipe models (registry)', () => {
  it('registers a local directory and a runs:/ URI as versions 1 and 2', async () => {
    const first = await json<ModelVersion>(
      'models',
      'register',
      '-m',
      local.dir,
      '-n',
      'cars',
      '-t',
      'k=a=b',
    );
    expect(first).toMatchObject({
      name: 'cars',
      version: '1',
      status: 'READY',
      tags: [{ key: 'k', value: 'a=b' }],
    });
    expect(first.source).toBe(join(tmp, 'mlruns', 'artifacts', 'models', 'cars', '1'));
    const second = await recipe(
      'models',
      'register',
      '-m',
      `runs:/${runId}/model`,
      '-n',
      'cars',
      '--alias',
      'champion',
    );
    expect(second.code).toBe(0);
    expect(second.stdout).toBe("Registered model 'cars' version 2 (stage None, READY)\n");
    const shown = await json<{ registered_model: RegisteredModel; model_versions: ModelVersion[] }>(
      'models',
      'show',
      'cars',
    );
    expect(shown.registered_model.aliases).toEqual([{ alias: 'champion', version: '2' }]);
    expect(shown.model_versions.map((v) => [v.version, v.run_id])).toEqual([
      ['2', runId],
      ['1', ''],
    ]);
  });

  it('predicts through models:/ URIs from the CLI', async () => {
    const input = join(tmp, 'in.csv');
    writeFileSync(input, 'a,b\n1,2\n3,0.5\n');
    const champion = await recipe('models', 'predict', '-m', 'models:/cars@champion', '-i', input);
    expect(champion.code).toBe(0);
    expect(JSON.parse(champion.stdout).predictions).toEqual(fromRun.expected);
    const first = await recipe('models', 'predict', '-m', 'models:/cars/1', '-i', input);
    expect(JSON.parse(first.stdout).predictions).toEqual(local.expected);
  });

  it('lists models as a table and as JSON', async () => {
    const table = await recipe('models', 'list');
    expect(table.code).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+LATEST\s+ALIASES\s+STAGES\s+UPDATED\s+DESCRIPTION$/);
    expect(lines[2]).toMatch(/^cars\s+2\s+champion→2/);
    const list = await json<RegisteredModel[]>('models', 'list', '--filter', "name LIKE 'ca%'");
    expect(list.map((m) => m.name)).toEqual(['cars']);
    expect(await json<RegisteredModel[]>('models', 'list', '--filter', "name = 'nope'")).toEqual([]);
  });

  it('moves and deletes aliases', async () => {
    await json('models', 'alias', 'cars', 'challenger', '2');
    const moved = await json<ModelVersion>('models', 'alias', 'cars', 'challenger', '1');
    expect(moved.aliases).toEqual(['challenger']);
    const deleted = await recipe('models', 'alias', 'cars', 'challenger', '--delete');
    expect(deleted.stdout).toBe("Deleted alias 'challenger' of model 'cars'\n");
    const shown = await json<{ registered_model: RegisteredModel }>('models', 'show', 'cars');
    expect(shown.registered_model.aliases).toEqual([{ alias: 'champion', version: '2' }]);
  });

  it('transitions stages, archiving existing versions on request', async () => {
    const one = await json<ModelVersion>('models', 'transition', 'cars', '1', 'production');
    expect(one.current_stage).toBe('Production');
    const two = await json<ModelVersion>(
      'models',
      'transition',
      'cars',
      '2',
      'Production',
      '--archive-existing',
    );
    expect(two.current_stage).toBe('Production');
    const shown = await json<{ model_versions: ModelVersion[] }>('models', 'show', 'cars');
    expect(shown.model_versions.map((v) => v.current_stage)).toEqual(['Production', 'Archived']);
  });

  it('describes and tags models and versions', async () => {
    await json('models', 'describe', 'cars', '-d', 'fuel economy');
    const version = await json<ModelVersion>('models', 'describe', 'cars', '1', '-d', 'the ridge one');
    expect(version.description).toBe('the ridge one');
    await json('models', 'tag', 'cars', 'team=pricing');
    const tagged = await json<ModelVersion>('models', 'tag', 'cars', '1', 'validation_status=PASSED');
    expect(tagged.tags).toContainEqual({ key: 'validation_status', value: 'PASSED' });
    const untagged = await json<ModelVersion>('models', 'tag', 'cars', '1', 'validation_status', '--delete');
    expect(untagged.tags.map((t) => t.key)).not.toContain('validation_status');
    const shown = await json<{ registered_model: RegisteredModel }>('models', 'show', 'cars');
    expect(shown.registered_model).toMatchObject({
      description: 'fuel economy',
      tags: [{ key: 'team', value: 'pricing' }],
    });
    const text = await recipe('models', 'show', 'cars');
    expect(text.stdout).toContain('Description: fuel economy');
    expect(text.stdout).toMatch(/VERSION\s+STAGE\s+STATUS\s+ALIASES\s+RUN ID\s+CREATED\s+SOURCE/);
  });

  it('reports errors on one line with MLflow’s wording and the documented exit codes', async () => {
    const unknown = await recipe('models', 'show', 'unknown');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('error: Registered Model with name=unknown not found');
    expect(unknown.stderr).not.toContain('    at ');
    const stage = await recipe('models', 'transition', 'cars', '1', 'Prod');
    expect(stage.code).toBe(2);
    expect(stage.stderr).toContain('Invalid Model Version stage: Prod');
    const noVersion = await recipe('models', 'alias', 'cars', 'champion');
    expect(noVersion.code).toBe(2);
    expect(noVersion.stderr).toContain('missing the version');
    const badTag = await recipe('models', 'tag', 'cars', 'novalue');
    expect(badTag.code).toBe(2);
    expect(badTag.stderr).toContain('has no "="');
    const notModel = join(tmp, 'empty-dir');
    mkdirSync(notModel);
    const register = await recipe('models', 'register', '-m', notModel, '-n', 'cars');
    expect(register.code).toBe(2);
    expect(register.stderr).toContain('holds no MLmodel file');
    const versions = await json<{ model_versions: ModelVersion[] }>('models', 'show', 'cars');
    expect(versions.model_versions).toHaveLength(2);
  });

  it('numbers versions registered by four processes at once 1 to 4, each with its own copy', async () => {
    // Real processes: in-process runs take turns, and this is about processes racing.
    const results = await Promise.all(
      [1, 2, 3, 4].map(async () => {
        const args = [
          '--tracking-uri',
          uri,
          'models',
          'register',
          '-m',
          local.dir,
          '-n',
          'parallel',
          '-o',
          'json',
        ];
        const result = await runCliProcess(args, { cwd: tmp, env: envWithoutTrackingUri() });
        expect(result.stderr).toBe('');
        return JSON.parse(result.stdout) as ModelVersion;
      }),
    );
    expect(results.map((v) => Number(v.version)).sort()).toEqual([1, 2, 3, 4]);
    expect(results.every((v) => v.status === 'READY')).toBe(true);
    expect(new Set(results.map((v) => v.source)).size).toBe(4);
    expect(results.every((v) => existsSync(join(v.source, 'MLmodel')))).toBe(true);
  });

  it('deletes a version, then the whole model, with the registry’s copies', async () => {
    const shown = await json<{ model_versions: ModelVersion[] }>('models', 'show', 'cars');
    const [two, one] = shown.model_versions;
    expect(existsSync(one.source)).toBe(true);
    const deleted = await recipe('models', 'delete', 'cars', '1');
    expect(deleted.stdout).toBe("Deleted model 'cars' version 1\n");
    expect(existsSync(one.source)).toBe(false);
    expect(existsSync(two.source)).toBe(true);
    expect((await recipe('models', 'show', 'cars', '-o', 'json')).code).toBe(0);
    await recipe('models', 'delete', 'cars');
    expect(existsSync(two.source)).toBe(false);
    expect(existsSync(local.dir)).toBe(true);
    expect((await recipe('models', 'show', 'cars')).code).toBe(1);
  });
});
