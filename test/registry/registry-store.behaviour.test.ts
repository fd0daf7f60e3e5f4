/**
 * One behavioural suite for the model registry on every backend (SQLite always, PostgreSQL when
 * RECIPE_TEST_POSTGRES_URL is set, and the REST registry against a real `recipe server` on
 * 127.0.0.1 over SQLite): MLflow's semantics for registered models, versions, stages, aliases,
 * tags, search and their errors. What only the SQL registry offers (version status updates, the
 * conditional alias move) runs on the SQL backends.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreError } from '../../src/errors.js';
import {
  type OpenedModelRegistry,
  registryForTrackingStore,
  SqlModelRegistryStore,
} from '../../src/registry/index.js';
import { BACKENDS, noticeSkipped, type StoreHandle } from '../tracking/store-backends.js';

async function storeError(promise: Promise<unknown>): Promise<StoreError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(StoreError);
    return error as StoreError;
  }
  throw new Error('expected the call to fail with a StoreError');
}

describe.each(BACKENDS)('model registry on $name', (backend) => {
  if (!backend.available) {
    noticeSkipped(backend);
    it.skip('needs RECIPE_TEST_POSTGRES_URL', () => {});
    return;
  }

  let handle: StoreHandle;
  let registry: OpenedModelRegistry;
  /** The SQL registry, for what MLflow's REST API has no call for. */
  const sqlRegistry = (): SqlModelRegistryStore => {
    if (!(registry instanceof SqlModelRegistryStore)) throw new Error('a SQL-only test ran on REST');
    return registry;
  };
  const itSql = backend.sql ? it : it.skip;
  let counter = 0;
  const unique = (prefix: string) => `${prefix}-${++counter}`;

  beforeAll(async () => {
    handle = await backend.open();
    registry = registryForTrackingStore(handle.store);
  });
  afterAll(async () => {
    await handle?.dispose();
  });

  async function modelWithVersions(count: number, prefix = 'model'): Promise<string> {
    const name = unique(prefix);
    await registry.createRegisteredModel(name);
    for (let i = 0; i < count; i++) {
      await registry.createModelVersion({
        name,
        source: `s3://bucket/models/${name}/${i + 1}`,
        runId: `run${i}`,
      });
    }
    return name;
  }

  describe('registered models', () => {
    it('creates, reads, describes and tags a model', async () => {
      const name = unique('create');
      const created = await registry.createRegisteredModel(name, {
        description: 'first',
        tags: [{ key: 'team', value: 'forecast' }],
      });
      expect(created).toMatchObject({
        name,
        description: 'first',
        tags: [{ key: 'team', value: 'forecast' }],
        latest_versions: [],
        aliases: [],
      });
      expect(created.creation_timestamp).toBeGreaterThan(0);
      await registry.updateRegisteredModel(name, 'second');
      await registry.setRegisteredModelTag(name, { key: 'team', value: 'pricing' });
      await registry.setRegisteredModelTag(name, { key: 'domain', value: 'cars' });
      const read = await registry.getRegisteredModel(name);
      expect(read.description).toBe('second');
      expect(read.tags).toEqual([
        { key: 'domain', value: 'cars' },
        { key: 'team', value: 'pricing' },
      ]);
      await registry.deleteRegisteredModelTag(name, 'team');
      await registry.deleteRegisteredModelTag(name, 'never-set');
      expect((await registry.getRegisteredModel(name)).tags).toEqual([{ key: 'domain', value: 'cars' }]);
    });

    it('refuses a duplicate name and answers unknown names with RESOURCE_DOES_NOT_EXIST', async () => {
      const name = unique('dup');
      await registry.createRegisteredModel(name);
      const duplicate = await storeError(registry.createRegisteredModel(name));
      expect(duplicate.mlflowErrorCode).toBe('RESOURCE_ALREADY_EXISTS');
      expect(duplicate.message).toContain(name);
      const missing = await storeError(registry.getRegisteredModel('no-such-model'));
      expect(missing.mlflowErrorCode).toBe('RESOURCE_DOES_NOT_EXIST');
      expect(missing.httpStatus).toBe(404);
      expect((await storeError(registry.deleteRegisteredModel('no-such-model'))).mlflowErrorCode).toBe(
        'RESOURCE_DOES_NOT_EXIST',
      );
    });

    it('rejects empty names and names with a slash with INVALID_PARAMETER_VALUE', async () => {
      for (const bad of ['', '  ', 'a/b']) {
        expect((await storeError(registry.createRegisteredModel(bad))).mlflowErrorCode).toBe(
          'INVALID_PARAMETER_VALUE',
        );
      }
    });

    it('renames a model with its versions, tags and aliases', async () => {
      const name = await modelWithVersions(2, 'rename');
      await registry.setModelVersionTag(name, '2', { key: 'k', value: 'v' });
      await registry.setRegisteredModelAlias(name, 'champion', '2');
      await registry.setRegisteredModelTag(name, { key: 'owner', value: 'me' });
      const newName = unique('renamed');
      const renamed = await registry.renameRegisteredModel(name, newName);
      expect(renamed.name).toBe(newName);
      expect(renamed.aliases).toEqual([{ alias: 'champion', version: '2' }]);
      expect(renamed.tags).toEqual([{ key: 'owner', value: 'me' }]);
      const version = await registry.getModelVersion(newName, '2');
      expect(version.tags).toEqual([{ key: 'k', value: 'v' }]);
      expect(version.aliases).toEqual(['champion']);
      expect((await storeError(registry.getRegisteredModel(name))).mlflowErrorCode).toBe(
        'RESOURCE_DOES_NOT_EXIST',
      );
      const other = await modelWithVersions(0, 'taken');
      expect((await storeError(registry.renameRegisteredModel(newName, other))).mlflowErrorCode).toBe(
        'RESOURCE_ALREADY_EXISTS',
      );
    });

    it('deletes a model with all its versions, tags and aliases; the name can start over at 1', async () => {
      const name = await modelWithVersions(3, 'cascade');
      await registry.setModelVersionTag(name, '1', { key: 'k', value: 'v' });
      await registry.setRegisteredModelTag(name, { key: 'k', value: 'v' });
      await registry.setRegisteredModelAlias(name, 'champion', '3');
      await registry.deleteRegisteredModel(name);
      expect((await storeError(registry.getRegisteredModel(name))).mlflowErrorCode).toBe(
        'RESOURCE_DOES_NOT_EXIST',
      );
      const { model_versions } = await registry.searchModelVersions({ filter: `name = '${name}'` });
      expect(model_versions).toEqual([]);
      await registry.createRegisteredModel(name);
      const again = await registry.createModelVersion({ name, source: 's3://bucket/x' });
      expect(again.version).toBe('1');
      expect(again.tags).toEqual([]);
      expect(again.aliases).toEqual([]);
      expect((await registry.getRegisteredModel(name)).tags).toEqual([]);
    });
  });

  describe('model versions', () => {
    it('numbers versions from 1 per model and never reuses a deleted number', async () => {
      const a = await modelWithVersions(3, 'numbers-a');
      const b = await modelWithVersions(1, 'numbers-b');
      expect((await registry.getModelVersion(a, '3')).version).toBe('3');
      expect((await registry.getModelVersion(b, '1')).source).toBe(`s3://bucket/models/${b}/1`);
      await registry.deleteModelVersion(a, '3');
      const next = await registry.createModelVersion({ name: a, source: 's3://bucket/next' });
      expect(next.version).toBe('4');
      const deleted = await storeError(registry.getModelVersion(a, '3'));
      expect(deleted.mlflowErrorCode).toBe('RESOURCE_DOES_NOT_EXIST');
      expect(deleted.message).toBe(`Model Version (name=${a}, version=3) not found`);
    });

    it('gives concurrent creators distinct consecutive numbers', async () => {
      const name = await modelWithVersions(0, 'concurrent');
      const other = registryForTrackingStore(await handle.reopen());
      const created = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          (i % 2 === 0 ? registry : other).createModelVersion({ name, source: `s3://bucket/s/${i}` }),
        ),
      );
      expect(created.map((v) => Number(v.version)).sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    });

    it('records lineage, description, tags and status', async () => {
      const name = await modelWithVersions(0, 'fields');
      const version = await registry.createModelVersion({
        name,
        source: 's3://bucket/abs/model',
        runId: 'abc123',
        description: 'trained on 2024 data',
        tags: [{ key: 'validation_status', value: 'PASSED' }],
      });
      expect(version).toMatchObject({
        name,
        version: '1',
        current_stage: 'None',
        source: 's3://bucket/abs/model',
        run_id: 'abc123',
        status: 'READY',
        description: 'trained on 2024 data',
        tags: [{ key: 'validation_status', value: 'PASSED' }],
        aliases: [],
      });
      const updated = await registry.updateModelVersion(name, '1', 'new words');
      expect(updated.description).toBe('new words');
      await registry.deleteModelVersionTag(name, '1', 'validation_status');
      expect((await registry.getModelVersion(name, '1')).tags).toEqual([]);
      expect(await registry.getModelVersionDownloadUri(name, '1')).toBe('s3://bucket/abs/model');
    });

    itSql('creates a version pending and updates its status (registerModel on a SQL registry)', async () => {
      const name = await modelWithVersions(0, 'status');
      const pending = await sqlRegistry().createModelVersion({
        name,
        source: 's3://bucket/p',
        status: 'PENDING_REGISTRATION',
      });
      expect(pending.status).toBe('PENDING_REGISTRATION');
      const failed = await sqlRegistry().updateModelVersionStatus(name, pending.version, {
        status: 'FAILED_REGISTRATION',
        statusMessage: 'disk full',
      });
      expect(failed).toMatchObject({ status: 'FAILED_REGISTRATION', status_message: 'disk full' });
    });

    it("creates versions READY only over REST (MLflow's API has no status)", async () => {
      if (backend.sql) return;
      const name = await modelWithVersions(0, 'rest-status');
      const refused = await storeError(
        registry.createModelVersion({ name, source: 's3://bucket/p', status: 'PENDING_REGISTRATION' }),
      );
      expect(refused.mlflowErrorCode).toBe('INVALID_PARAMETER_VALUE');
      expect((await registry.searchModelVersions({ filter: `name = '${name}'` })).model_versions).toEqual([]);
    });

    it('rejects malformed versions and unknown models', async () => {
      const name = await modelWithVersions(1, 'errors');
      for (const bad of ['0', 'x', '-1', '1.5']) {
        expect((await storeError(registry.getModelVersion(name, bad))).mlflowErrorCode).toBe(
          'INVALID_PARAMETER_VALUE',
        );
      }
      expect((await storeError(registry.getModelVersion(name, '9'))).mlflowErrorCode).toBe(
        'RESOURCE_DOES_NOT_EXIST',
      );
      const noModel = await storeError(
        registry.createModelVersion({ name: 'nobody-registered-me', source: 's3://bucket/x' }),
      );
      expect(noModel.mlflowErrorCode).toBe('RESOURCE_DOES_NOT_EXIST');
      expect(noModel.message).toContain('nobody-registered-me');
    });
  });

  describe('stages', () => {
    it('moves a version between stages, accepting any case', async () => {
      const name = await modelWithVersions(2, 'stage');
      const moved = await registry.transitionModelVersionStage(name, '1', 'staging' as 'Staging', false);
      expect(moved.current_stage).toBe('Staging');
      const bad = await storeError(
        registry.transitionModelVersionStage(name, '1', 'Prod' as 'Production', false),
      );
      expect(bad.mlflowErrorCode).toBe('INVALID_PARAMETER_VALUE');
      expect(bad.message).toContain('None, Staging, Production, Archived');
    });

    it('archives the other versions in the target stage with archive_existing_versions', async () => {
      const name = await modelWithVersions(4, 'archive');
      await registry.transitionModelVersionStage(name, '1', 'Production', false);
      await registry.transitionModelVersionStage(name, '2', 'Production', false);
      await registry.transitionModelVersionStage(name, '3', 'Staging', false);
      await registry.transitionModelVersionStage(name, '4', 'Production', true);
      const stages = await Promise.all(
        ['1', '2', '3', '4'].map(async (v) => (await registry.getModelVersion(name, v)).current_stage),
      );
      // Staging is untouched: only versions in the target stage are archived.
      expect(stages).toEqual(['Archived', 'Archived', 'Staging', 'Production']);
    });

    it('keeps other Production versions without archive_existing_versions', async () => {
      const name = await modelWithVersions(2, 'keep');
      await registry.transitionModelVersionStage(name, '1', 'Production', false);
      await registry.transitionModelVersionStage(name, '2', 'Production', false);
      expect((await registry.getModelVersion(name, '1')).current_stage).toBe('Production');
    });

    it('refuses archive_existing_versions towards None or Archived', async () => {
      const name = await modelWithVersions(1, 'archive-bad');
      const error = await storeError(registry.transitionModelVersionStage(name, '1', 'Archived', true));
      expect(error.mlflowErrorCode).toBe('INVALID_PARAMETER_VALUE');
      expect(error.message).toContain('not an Active stage');
      expect((await registry.getModelVersion(name, '1')).current_stage).toBe('None');
    });

    it('answers latest_versions per stage, newest first within a stage', async () => {
      const name = await modelWithVersions(5, 'latest');
      await registry.transitionModelVersionStage(name, '1', 'Production', false);
      await registry.transitionModelVersionStage(name, '2', 'Production', false);
      await registry.transitionModelVersionStage(name, '3', 'Staging', false);
      await registry.transitionModelVersionStage(name, '4', 'Archived', false);
      const all = await registry.getLatestVersions(name);
      expect(all.map((v) => [v.current_stage, v.version])).toEqual([
        ['None', '5'],
        ['Staging', '3'],
        ['Production', '2'],
        ['Archived', '4'],
      ]);
      const production = await registry.getLatestVersions(name, ['Production', 'Staging']);
      expect(production.map((v) => v.version)).toEqual(['2', '3']);
      const model = await registry.getRegisteredModel(name);
      expect(model.latest_versions.map((v) => v.version)).toEqual(['5', '3', '2', '4']);
      await registry.deleteModelVersion(name, '5');
      expect((await registry.getLatestVersions(name, ['None'])).map((v) => v.version)).toEqual([]);
      expect((await storeError(registry.getLatestVersions('no-such-model'))).mlflowErrorCode).toBe(
        'RESOURCE_DOES_NOT_EXIST',
      );
    });
  });

  describe('aliases', () => {
    it('points an alias at one version and moves it', async () => {
      const name = await modelWithVersions(3, 'alias');
      await registry.setRegisteredModelAlias(name, 'champion', '1');
      await registry.setRegisteredModelAlias(name, 'challenger', '2');
      expect((await registry.getModelVersionByAlias(name, 'champion')).version).toBe('1');
      await registry.setRegisteredModelAlias(name, 'champion', '3');
      expect((await registry.getModelVersionByAlias(name, 'champion')).version).toBe('3');
      expect((await registry.getModelVersion(name, '1')).aliases).toEqual([]);
      expect((await registry.getModelVersion(name, '3')).aliases).toEqual(['champion']);
      expect((await registry.getRegisteredModel(name)).aliases).toEqual([
        { alias: 'challenger', version: '2' },
        { alias: 'champion', version: '3' },
      ]);
    });

    itSql('moves an alias conditionally, only from the holder the caller saw', async () => {
      const registry = sqlRegistry();
      const name = await modelWithVersions(3, 'alias-cas');
      expect(await registry.setRegisteredModelAliasIf(name, 'champion', '1', null)).toBe(true);
      expect(await registry.setRegisteredModelAliasIf(name, 'champion', '2', null)).toBe(false);
      expect(await registry.setRegisteredModelAliasIf(name, 'champion', '3', '2')).toBe(false);
      expect((await registry.getModelVersionByAlias(name, 'champion')).version).toBe('1');
      expect(await registry.setRegisteredModelAliasIf(name, 'champion', '3', '1')).toBe(true);
      expect((await registry.getModelVersionByAlias(name, 'champion')).version).toBe('3');
      expect(
        (await storeError(registry.setRegisteredModelAliasIf(name, 'champion', '9', '3'))).mlflowErrorCode,
      ).toBe('RESOURCE_DOES_NOT_EXIST');
    });

    it('drops the aliases of a deleted version', async () => {
      const name = await modelWithVersions(2, 'alias-drop');
      await registry.setRegisteredModelAlias(name, 'champion', '2');
      await registry.setRegisteredModelAlias(name, 'other', '1');
      await registry.deleteModelVersion(name, '2');
      const missing = await storeError(registry.getModelVersionByAlias(name, 'champion'));
      expect(missing.mlflowErrorCode).toBe('RESOURCE_DOES_NOT_EXIST');
      expect(missing.message).toBe('Registered model alias champion not found.');
      expect((await registry.getRegisteredModel(name)).aliases).toEqual([{ alias: 'other', version: '1' }]);
    });

    it('deletes an alias, and deleting a missing one is not an error', async () => {
      const name = await modelWithVersions(1, 'alias-del');
      await registry.setRegisteredModelAlias(name, 'champion', '1');
      await registry.deleteRegisteredModelAlias(name, 'champion');
      await registry.deleteRegisteredModelAlias(name, 'champion');
      expect((await registry.getRegisteredModel(name)).aliases).toEqual([]);
    });

    it('refuses reserved or malformed aliases and unknown versions', async () => {
      const name = await modelWithVersions(1, 'alias-bad');
      for (const bad of ['latest', 'LATEST', 'v1', 'V12', 'has space', 'a/b', '']) {
        expect((await storeError(registry.setRegisteredModelAlias(name, bad, '1'))).mlflowErrorCode).toBe(
          'INVALID_PARAMETER_VALUE',
        );
      }
      expect(
        (await storeError(registry.setRegisteredModelAlias(name, 'champion', '7'))).mlflowErrorCode,
      ).toBe('RESOURCE_DOES_NOT_EXIST');
    });
  });

  describe('search', () => {
    it('filters registered models by name and tags, ordered and paged', async () => {
      const prefix = `srch${Date.now().toString(36)}`;
      for (const suffix of ['a', 'b', 'c', 'D']) {
        await registry.createRegisteredModel(`${prefix}-${suffix}`, {
          tags: [{ key: 'tier', value: suffix === 'b' ? 'gold' : 'silver' }],
        });
      }
      const like = await registry.searchRegisteredModels({ filter: `name LIKE '${prefix}-%'` });
      expect(like.registered_models.map((m) => m.name)).toEqual([
        `${prefix}-D`,
        `${prefix}-a`,
        `${prefix}-b`,
        `${prefix}-c`,
      ]);
      const caseless = await registry.searchRegisteredModels({
        filter: `name ILIKE '${prefix.toUpperCase()}-d'`,
      });
      expect(caseless.registered_models.map((m) => m.name)).toEqual([`${prefix}-D`]);
      const caseSensitive = await registry.searchRegisteredModels({ filter: `name LIKE '${prefix}-d'` });
      expect(caseSensitive.registered_models).toEqual([]);
      const tagged = await registry.searchRegisteredModels({
        filter: `name LIKE '${prefix}%' AND tags.tier = 'gold'`,
      });
      expect(tagged.registered_models.map((m) => m.name)).toEqual([`${prefix}-b`]);
      const desc = await registry.searchRegisteredModels({
        filter: `name LIKE '${prefix}%'`,
        orderBy: ['name DESC'],
      });
      expect(desc.registered_models[0].name).toBe(`${prefix}-c`);
      const first = await registry.searchRegisteredModels({
        filter: `name LIKE '${prefix}%'`,
        maxResults: 3,
      });
      expect(first.registered_models).toHaveLength(3);
      expect(first.next_page_token).toBeDefined();
      const second = await registry.searchRegisteredModels({
        filter: `name LIKE '${prefix}%'`,
        maxResults: 3,
        pageToken: first.next_page_token,
      });
      expect(second.registered_models.map((m) => m.name)).toEqual([`${prefix}-c`]);
      expect(second.next_page_token).toBeUndefined();
    });

    it('filters model versions by name, run_id, version_number and tags', async () => {
      const name = await modelWithVersions(4, 'vsearch');
      await registry.setModelVersionTag(name, '2', { key: 'validation_status', value: 'REJECTED' });
      const byRun = await registry.searchModelVersions({
        filter: `name = '${name}' AND run_id IN ('run1', 'run3')`,
      });
      expect(byRun.model_versions.map((v) => v.version).sort()).toEqual(['2', '4']);
      const byNumber = await registry.searchModelVersions({
        filter: `name = '${name}' AND version_number >= 3`,
        orderBy: ['version_number ASC'],
      });
      expect(byNumber.model_versions.map((v) => v.version)).toEqual(['3', '4']);
      const byTag = await registry.searchModelVersions({
        filter: `name = '${name}' AND tags.validation_status = 'REJECTED'`,
      });
      expect(byTag.model_versions.map((v) => v.version)).toEqual(['2']);
      await registry.deleteModelVersion(name, '4');
      const remaining = await registry.searchModelVersions({ filter: `name = '${name}'` });
      expect(remaining.model_versions.map((v) => v.version).sort()).toEqual(['1', '2', '3']);
    });

    it('binds values as data: quotes and SQL in a filter cannot change the query', async () => {
      const name = await modelWithVersions(1, "o'brien");
      const hit = await registry.searchRegisteredModels({ filter: `name = '${name.replace("'", "\\'")}'` });
      expect(hit.registered_models.map((m) => m.name)).toEqual([name]);
      const injected = await registry.searchRegisteredModels({ filter: "name = 'x'' OR 1=1 --'" });
      expect(injected.registered_models).toEqual([]);
    });

    it('rejects unsupported filters and order_by keys with INVALID_PARAMETER_VALUE', async () => {
      for (const filter of ['metrics.rmse < 1', 'run_id = 1', 'stage = "x"', 'name >= 3', 'name = ']) {
        expect((await storeError(registry.searchRegisteredModels({ filter }))).mlflowErrorCode).toBe(
          'INVALID_PARAMETER_VALUE',
        );
      }
      expect(
        (await storeError(registry.searchModelVersions({ filter: "version_number = 'abc'" })))
          .mlflowErrorCode,
      ).toBe('INVALID_PARAMETER_VALUE');
      expect(
        (await storeError(registry.searchRegisteredModels({ orderBy: ['metrics.rmse DESC'] })))
          .mlflowErrorCode,
      ).toBe('INVALID_PARAMETER_VALUE');
      expect((await storeError(registry.searchRegisteredModels({ maxResults: 0 }))).mlflowErrorCode).toBe(
        'INVALID_PARAMETER_VALUE',
      );
    });
  });
});
