/**
 * registerModel: the registry's copy, lineage, and atomicity — a failure midway (injected into
 * the copy) leaves no READY version and no files, and the next registration works.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { cp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MlrecipeError, StoreError, UsageError } from '../../src/errors.js';
import {
  loadModelFromUri,
  modelDirectoryName,
  openModelRegistry,
  registerModel,
  removeRegisteredFiles,
  SqlModelRegistryStore,
} from '../../src/registry/index.js';
import { type FixtureModel, saveFixtureModel } from './model-fixture.js';

let work: string;
let trackingUri: string;
let registry: SqlModelRegistryStore;
let model: FixtureModel;
let modelsRoot: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'mlrecipe-register-'));
  trackingUri = `sqlite:///${join(work, 'db', 'tracking.db')}`;
  const opened = await openModelRegistry(trackingUri, { defaultArtifactRoot: join(work, 'store') });
  if (!(opened instanceof SqlModelRegistryStore)) throw new Error('a sqlite URI opens the SQL registry');
  registry = opened;
  model = saveFixtureModel(join(work, 'model'));
  modelsRoot = join(work, 'store', 'models');
});

afterAll(async () => {
  await registry?.close();
  rmSync(work, { recursive: true, force: true });
});

function listTree(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();
}

describe('registerModel', () => {
  it('copies the model into <root>/models/<name>/<version> and marks it READY', async () => {
    const version = await registerModel({
      store: registry,
      localDir: model.dir,
      name: 'copy',
      runId: 'run-42',
      tags: [{ key: 'k', value: 'v' }],
      description: 'first',
    });
    const copy = join(modelsRoot, 'copy', '1');
    expect(version).toMatchObject({
      name: 'copy',
      version: '1',
      status: 'READY',
      source: copy,
      run_id: 'run-42',
      description: 'first',
      tags: [{ key: 'k', value: 'v' }],
    });
    expect(listTree(copy)).toEqual(listTree(model.dir));
    expect(readFileSync(join(copy, 'MLmodel'), 'utf8')).toBe(
      readFileSync(join(model.dir, 'MLmodel'), 'utf8'),
    );
    expect(readdirSync(join(modelsRoot, 'copy'))).toEqual(['1']);
    const second = await registerModel({ store: registry, localDir: model.dir, name: 'copy' });
    expect(second.version).toBe('2');
    expect(second.source).toBe(join(modelsRoot, 'copy', '2'));
  });

  it('keeps serving the copy after the original directory is gone', async () => {
    const original = saveFixtureModel(join(work, 'ephemeral'));
    await registerModel({ store: registry, localDir: original.dir, name: 'ephemeral' });
    rmSync(original.dir, { recursive: true });
    const loaded = await loadModelFromUri('models:/ephemeral/1', { trackingUri });
    expect(Array.from(loaded.predict(original.scoring) as Float64Array)).toEqual(original.expected);
  });

  it('leaves no READY version and no files when the copy fails midway', async () => {
    let copied = 0;
    const failingCopy = async (from: string, to: string) => {
      mkdirSync(to, { recursive: true });
      // Copy one file for real, then fail: the partial directory must not survive.
      await cp(join(from, 'MLmodel'), join(to, 'MLmodel'));
      copied++;
      throw new Error('No space left on device (injected)');
    };
    const error = await registerModel({
      store: registry,
      localDir: model.dir,
      name: 'atomic',
      copyDirectory: failingCopy,
    }).catch((e: unknown) => e);
    expect(copied).toBe(1);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).toContain('No space left on device (injected)');
    expect((error as Error).message).toContain('registering atomic version 1 failed');

    const failed = await registry.getModelVersion('atomic', '1');
    expect(failed.status).toBe('FAILED_REGISTRATION');
    expect(failed.status_message).toContain('injected');
    const { model_versions } = await registry.searchModelVersions({
      filter: "name = 'atomic' AND status = 'READY'",
    });
    expect(model_versions).toEqual([]);
    expect(readdirSync(join(modelsRoot, 'atomic'))).toEqual([]);
    const latest = await loadModelFromUri('models:/atomic/latest', { trackingUri }).catch((e: unknown) => e);
    expect((latest as StoreError).mlflowErrorCode).toBe('RESOURCE_DOES_NOT_EXIST');
    const byNumber = await loadModelFromUri('models:/atomic/1', { trackingUri }).catch((e: unknown) => e);
    expect((byNumber as StoreError).mlflowErrorCode).toBe('INVALID_STATE');

    // The next registration takes the next number and succeeds.
    const next = await registerModel({ store: registry, localDir: model.dir, name: 'atomic' });
    expect(next).toMatchObject({ version: '2', status: 'READY' });
    expect(readdirSync(join(modelsRoot, 'atomic'))).toEqual(['2']);
  });

  it('refuses a directory without an MLmodel file before creating anything', async () => {
    const notModel = join(work, 'not-a-model');
    mkdirSync(notModel);
    writeFileSync(join(notModel, 'README'), 'hello');
    const error = await registerModel({ store: registry, localDir: notModel, name: 'nothing' }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toContain('holds no MLmodel file');
    const missing = await registry.getRegisteredModel('nothing').catch((e: unknown) => e);
    expect((missing as StoreError).mlflowErrorCode).toBe('RESOURCE_DOES_NOT_EXIST');
    const absent = await registerModel({
      store: registry,
      localDir: join(work, 'absent'),
      name: 'nothing',
    }).catch((e: unknown) => e);
    expect((absent as Error).message).toContain('is not a directory');
  });

  it('needs exactly one of modelUri and localDir', async () => {
    await expect(registerModel({ store: registry, name: 'x' })).rejects.toThrow(/exactly one of modelUri/);
    await expect(
      registerModel({ store: registry, name: 'x', localDir: model.dir, modelUri: model.dir }),
    ).rejects.toThrow(MlrecipeError);
  });

  it('keeps model names that look like paths inside the registry root', async () => {
    expect(modelDirectoryName('..')).toBe('%2E%2E');
    expect(modelDirectoryName('.')).toBe('%2E');
    expect(modelDirectoryName('my model')).toBe('my%20model');
    const version = await registerModel({ store: registry, localDir: model.dir, name: '..' });
    expect(version.source).toBe(join(modelsRoot, '%2E%2E', '1'));
    expect(existsSync(join(work, 'store', '1'))).toBe(false);
  });

  it('resolves names holding quotes and backslashes', async () => {
    const name = "it's a\\b";
    await registerModel({ store: registry, localDir: model.dir, name });
    await registerModel({ store: registry, localDir: model.dir, name });
    const loaded = await loadModelFromUri(`models:/${name}/latest`, { trackingUri });
    expect(loaded.dir).toBe(join(modelsRoot, modelDirectoryName(name), '2'));
  });

  it('does not overwrite files a renamed model left under the same name and number', async () => {
    const first = await registerModel({ store: registry, localDir: model.dir, name: 'reused' });
    await registry.renameRegisteredModel('reused', 'reused-old');
    const again = await registerModel({ store: registry, localDir: model.dir, name: 'reused' });
    expect(again.version).toBe('1');
    expect(again.source).not.toBe(first.source);
    expect(existsSync(first.source)).toBe(true);
    expect(existsSync(again.source)).toBe(true);
  });

  it('removes registry copies, and only those', async () => {
    const version = await registerModel({ store: registry, localDir: model.dir, name: 'removable' });
    const outside = { ...version, source: model.dir };
    const wholeModel = { ...version, source: join(modelsRoot, 'removable') };
    await removeRegisteredFiles(registry.artifactRoot, [outside, wholeModel]);
    expect(existsSync(model.dir)).toBe(true);
    expect(existsSync(version.source)).toBe(true);
    await removeRegisteredFiles(registry.artifactRoot, [version]);
    expect(existsSync(version.source)).toBe(false);
  });
});
