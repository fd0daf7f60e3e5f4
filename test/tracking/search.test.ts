/**
 * searchRuns / searchExperiments behaviour on every backend: MLflow's filter grammar with every
 * operator, order_by with missing values, view types, pagination, errors pointing at tokens.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreError } from '../../src/errors.js';
import type { Run, TrackingStore } from '../../src/tracking/types.js';
import { BACKENDS, noticeSkipped, type StoreHandle } from './store-backends.js';

interface Fixture {
  name: string;
  start: number;
  rmse?: number;
  alpha?: string;
  model?: string;
  status?: 'FINISHED' | 'FAILED';
  user?: string;
}

/** Six runs with distinct start times, some lacking rmse / alpha, one with a NaN rmse. */
const FIXTURES: Fixture[] = [
  {
    name: 'alpha-one',
    start: 1000,
    rmse: 0.3,
    alpha: '0.1',
    model: 'Ridge',
    status: 'FINISHED',
    user: 'ada',
  },
  {
    name: 'alpha-two',
    start: 2000,
    rmse: 0.5,
    alpha: '0.2',
    model: 'ridge',
    status: 'FINISHED',
    user: 'bob',
  },
  {
    name: 'beta-three',
    start: 3000,
    rmse: 0.9,
    alpha: '1e-3',
    model: 'Lasso',
    status: 'FAILED',
    user: 'ada',
  },
  { name: 'beta-four', start: 4000, rmse: -2, model: 'Tree', user: 'cy' },
  { name: 'gamma-five', start: 5000, alpha: '0.5', model: 'Tree', status: 'FINISHED', user: 'cy' },
  { name: 'gamma-six', start: 6000, rmse: Number.NaN, alpha: '0.3', user: 'ada' },
];

describe.each(BACKENDS)('search on $name', (backend) => {
  if (!backend.available) {
    noticeSkipped(backend);
    it.skip('needs RECIPE_TEST_POSTGRES_URL', () => {});
    return;
  }

  let handle: StoreHandle;
  let store: TrackingStore;
  let experimentId: string;
  let otherExperimentId: string;
  const byName = new Map<string, Run>();

  beforeAll(async () => {
    handle = await backend.open();
    store = handle.store;
    experimentId = await store.createExperiment('search-main', undefined, [{ key: 'team', value: 'ml' }]);
    otherExperimentId = await store.createExperiment('search-other', undefined, [
      { key: 'team', value: 'ops' },
    ]);
    for (const fixture of FIXTURES) {
      const run = await store.createRun({
        experimentId,
        runName: fixture.name,
        startTime: fixture.start,
        userId: fixture.user,
      });
      const id = run.info.run_id;
      await store.logBatch(id, {
        metrics: [
          ...(fixture.rmse === undefined
            ? []
            : [{ key: 'rmse', value: fixture.rmse, step: 0, timestamp: fixture.start }]),
          { key: 'my metric', value: fixture.start / 1000, step: 0, timestamp: fixture.start },
        ],
        params: [
          ...(fixture.alpha === undefined ? [] : [{ key: 'alpha', value: fixture.alpha }]),
          { key: 'my param', value: fixture.name.toUpperCase() },
        ],
        tags: fixture.model === undefined ? [] : [{ key: 'model', value: fixture.model }],
      });
      if (fixture.status !== undefined) {
        await store.updateRun(id, { status: fixture.status, endTime: fixture.start + 500 });
      }
      byName.set(fixture.name, await store.getRun(id));
    }
    await store.createRun({ experimentId: otherExperimentId, runName: 'elsewhere', startTime: 7000 });
  });
  afterAll(async () => {
    await handle?.dispose();
  });

  async function names(
    filter: string,
    extra: { orderBy?: string[]; ids?: string[] } = {},
  ): Promise<string[]> {
    const result = await store.searchRuns({
      experimentIds: extra.ids ?? [experimentId],
      filter,
      orderBy: extra.orderBy,
    });
    return result.runs.map((run) => run.info.run_name);
  }

  const sorted = (list: string[]) => [...list].sort();

  it('returns all active runs by default, newest first, with full data', async () => {
    const result = await store.searchRuns({ experimentIds: [experimentId] });
    expect(result.runs.map((r) => r.info.run_name)).toEqual(FIXTURES.map((f) => f.name).reverse());
    expect(result.next_page_token).toBeUndefined();
    const first = result.runs.find((r) => r.info.run_name === 'alpha-one') as Run;
    expect(first).toEqual(byName.get('alpha-one'));
    expect(first.data.params).toContainEqual({ key: 'alpha', value: '0.1' });
  });

  it.each<[string, string[]]>([
    ['metrics.rmse = 0.5', ['alpha-two']],
    ['metrics.rmse != 0.5', ['alpha-one', 'beta-three', 'beta-four', 'gamma-six']],
    // gamma-six's NaN is stored as 0 and compares as 0, as in MLflow.
    ['metrics.rmse < 0.5', ['alpha-one', 'beta-four', 'gamma-six']],
    ['metrics.rmse <= 0.5', ['alpha-one', 'alpha-two', 'beta-four', 'gamma-six']],
    ['metrics.rmse > 0.5', ['beta-three']],
    ['metrics.rmse >= 0.5', ['alpha-two', 'beta-three']],
    ['metrics.rmse > -2.5e0', ['alpha-one', 'alpha-two', 'beta-three', 'beta-four', 'gamma-six']],
    ['metrics.rmse < -1', ['beta-four']],
    ['metrics."my metric" >= 5', ['gamma-five', 'gamma-six']],
    ['metrics.`my metric` = 3', ['beta-three']],
    ["params.alpha = '0.1'", ['alpha-one']],
    ['params.alpha = "1e-3"', ['beta-three']],
    ["params.alpha != '0.1'", ['alpha-two', 'beta-three', 'gamma-five', 'gamma-six']],
    ["params.alpha LIKE '0.%'", ['alpha-one', 'alpha-two', 'gamma-five', 'gamma-six']],
    ["params.`my param` = 'BETA-FOUR'", ['beta-four']],
    ["tags.model = 'Tree'", ['beta-four', 'gamma-five']],
    ["tags.model LIKE 'R%'", ['alpha-one']],
    ["tags.model ILIKE 'r%'", ['alpha-one', 'alpha-two']],
    ["tags.model LIKE '%e'", ['alpha-one', 'alpha-two', 'beta-four', 'gamma-five']],
    ["tags.model != 'Tree'", ['alpha-one', 'alpha-two', 'beta-three']],
    ["tags.mlflow.runName = 'gamma-five'", ['gamma-five']],
    ["tags.mlflow.user = 'ada'", ['alpha-one', 'beta-three', 'gamma-six']],
    ["attributes.status = 'FINISHED'", ['alpha-one', 'alpha-two', 'gamma-five']],
    ["status != 'RUNNING'", ['alpha-one', 'alpha-two', 'beta-three', 'gamma-five']],
    ["run_name LIKE 'beta%'", ['beta-three', 'beta-four']],
    ["attributes.run_name ILIKE '%SIX'", ['gamma-six']],
    ['attributes.start_time > 4000', ['gamma-five', 'gamma-six']],
    ['attributes.start_time >= 4000 and attributes.start_time < 6000', ['beta-four', 'gamma-five']],
    ['attributes.end_time <= 2500', ['alpha-one', 'alpha-two']],
    ["attributes.user_id = 'cy'", ['beta-four', 'gamma-five']],
    ["attributes.artifact_uri LIKE '%/artifacts'", FIXTURES.map((f) => f.name)],
    ["metrics.rmse < 1 AND params.alpha LIKE '0%' and tags.model ILIKE 'RIDGE'", ['alpha-one', 'alpha-two']],
    ["params.alpha = 'no-such-value'", []],
    ["params.absent != 'x'", []],
  ])('filters %j', async (filter, expected) => {
    expect(sorted(await names(filter))).toEqual(sorted(expected));
  });

  it("hands LIKE patterns to the database as written, backslashes included (MLflow's behaviour on each)", async () => {
    const id = await store.createExperiment('search-like-escape');
    for (const value of ['100%', '1000', 'a_b', 'axb', 'a\\b', "it's"]) {
      const created = await store.createRun({ experimentId: id, runName: `v-${value}` });
      await store.setTag(created.info.run_id, { key: 'v', value });
    }
    const found = async (filter: string) => sorted(await names(filter, { ids: [id] }));
    expect(await found("tags.v LIKE '100%'")).toEqual(['v-100%', 'v-1000']);
    expect(await found("tags.v LIKE 'a_b'")).toEqual(['v-a\\b', 'v-a_b', 'v-axb']);
    if (backend.name === 'postgres') {
      // PostgreSQL's LIKE escapes with a backslash by default.
      expect(await found("tags.v LIKE '100\\%'")).toEqual(['v-100%']);
      expect(await found("tags.v ILIKE 'A\\_B'")).toEqual(['v-a_b']);
      expect(await found("tags.v LIKE 'a\\\\b'")).toEqual(['v-a\\b']);
    } else {
      // SQLite's LIKE has no escape character: the backslash is a character like any other.
      expect(await found("tags.v LIKE '100\\%'")).toEqual([]);
      expect(await found("tags.v ILIKE 'A\\_B'")).toEqual([]);
      expect(await found("tags.v LIKE 'a\\b'")).toEqual(['v-a\\b']);
    }
    // A backslash-escaped quote stays in the value as typed (MLflow strips only the outer quotes).
    expect(await found("tags.v = 'it\\'s'")).toEqual([]);
    expect(await found("tags.v LIKE 'it%'")).toEqual(["v-it's"]);
  });

  it('compares a NaN metric as the 0 it is stored as, as MLflow does', async () => {
    expect(await names('metrics.rmse = 0')).toEqual(['gamma-six']);
    expect(await names('metrics.rmse != 0')).not.toContain('gamma-six');
    expect(await names('metrics.rmse > -1000')).toContain('gamma-six');
    expect(await names('metrics.rmse < 1000')).toContain('gamma-six');
  });

  it('refuses what MLflow 2.12 refuses, with its error codes', async () => {
    const code = async (options: { filter?: string; orderBy?: string[] }) =>
      (
        (await store.searchRuns({ experimentIds: [experimentId], ...options }).then(
          () => undefined,
          (caught: unknown) => caught,
        )) as StoreError | undefined
      )?.mlflowErrorCode;
    for (const filter of [
      "params.alpha IN ('0.2', '0.5')",
      "tags.model NOT IN ('Tree')",
      "attributes.status IN ('FINISHED')",
      "attributes.run_name NOT IN ('x')",
      'METRICS.rmse < 1',
      "Params.alpha = '0.1'",
      "Attributes.status = 'FINISHED'",
      'attributes.experiment_id = 1',
    ]) {
      expect(await code({ filter }), filter).toBe('INVALID_PARAMETER_VALUE');
    }
    for (const orderBy of [
      ['attributes.experiment_id ASC'],
      ['METRICS.rmse'],
      ['attributes.lifecycle_stage'],
    ]) {
      expect(await code({ orderBy }), orderBy[0]).toBe('INVALID_PARAMETER_VALUE');
    }
    // MLflow raises its duplicate-field error without a code: INTERNAL_ERROR.
    expect(await code({ orderBy: ['metrics.rmse ASC', 'metrics.rmse DESC'] })).toBe('INTERNAL_ERROR');
    expect(await code({ orderBy: ['attributes.created', 'attributes.start_time DESC'] })).toBe(
      'INTERNAL_ERROR',
    );
  });

  it('accepts what MLflow 2.12 accepts: stray ANDs, entity aliases, a quoted attribute alias', async () => {
    expect(sorted(await names('metrics.rmse < 0.4 and'))).toEqual(['alpha-one', 'beta-four', 'gamma-six']);
    expect(sorted(await names('and metrics.rmse < 0.4 and and metrics.rmse > -1'))).toEqual([
      'alpha-one',
      'gamma-six',
    ]);
    for (const prefix of ['attribute', 'attributes', 'attr', 'run']) {
      expect(await names(`${prefix}.run_name = 'beta-four'`), prefix).toEqual(['beta-four']);
    }
    for (const prefix of ['param', 'params', 'parameter', 'parameters']) {
      expect(await names(`${prefix}.alpha = '1e-3'`), prefix).toEqual(['beta-three']);
    }
    expect(await names("`Run name` = 'beta-four'")).toEqual(['beta-four']);
    expect(await names("attributes.`run name` LIKE 'beta-f%'")).toEqual(['beta-four']);
    expect(await names('attributes.created >= 6000')).toEqual(['gamma-six']);
    const ids = [byName.get('alpha-one')?.info.run_id ?? '', 'NOT-LOWER-CASE'];
    expect(await names(`attributes.run_id NOT IN ('${ids[0]}', '${ids[1]}')`)).not.toContain('alpha-one');
  });

  it('finds runs by id with IN, and across several experiments', async () => {
    const ids = ['alpha-one', 'gamma-six'].map((n) => byName.get(n)?.info.run_id);
    expect(sorted(await names(`attributes.run_id IN ('${ids[0]}', '${ids[1]}')`))).toEqual([
      'alpha-one',
      'gamma-six',
    ]);
    expect(await names('', { ids: [experimentId, otherExperimentId] })).toHaveLength(FIXTURES.length + 1);
    expect(await names('', { ids: [otherExperimentId] })).toEqual(['elsewhere']);
    expect(await names('', { ids: [] })).toEqual([]);
  });

  it('finds nested runs by tags.mlflow.parentRunId', async () => {
    const parent = await store.createRun({ experimentId: otherExperimentId, runName: 'parent' });
    for (const child of ['child-a', 'child-b']) {
      await store.createRun({
        experimentId: otherExperimentId,
        runName: child,
        tags: [{ key: 'mlflow.parentRunId', value: parent.info.run_id }],
      });
    }
    const children = await names(`tags.mlflow.parentRunId = '${parent.info.run_id}'`, {
      ids: [otherExperimentId],
    });
    expect(sorted(children)).toEqual(['child-a', 'child-b']);
  });

  it.each<[string[], string[]]>([
    [['metrics.rmse ASC'], ['beta-four', 'alpha-one', 'alpha-two', 'beta-three', 'gamma-six', 'gamma-five']],
    [['metrics.rmse DESC'], ['beta-three', 'alpha-two', 'alpha-one', 'beta-four', 'gamma-six', 'gamma-five']],
    [['params.alpha'], ['alpha-one', 'alpha-two', 'gamma-six', 'gamma-five', 'beta-three', 'beta-four']],
    [['params.alpha DESC'], ['beta-three', 'gamma-five', 'gamma-six', 'alpha-two', 'alpha-one', 'beta-four']],
    [['attributes.start_time ASC'], FIXTURES.map((f) => f.name)],
    [['attributes.start_time DESC'], FIXTURES.map((f) => f.name).reverse()],
    // Binary (code point) order on both databases: 'ridge' > 'Tree' > 'Ridge' > 'Lasso'.
    [['tags.model DESC'], ['alpha-two', 'gamma-five', 'beta-four', 'alpha-one', 'beta-three', 'gamma-six']],
    [
      ['attributes.run_name'],
      ['alpha-one', 'alpha-two', 'beta-four', 'beta-three', 'gamma-five', 'gamma-six'],
    ],
    [['metrics.`my metric` DESC'], FIXTURES.map((f) => f.name).reverse()],
  ])('orders by %j with missing values last', async (orderBy, expected) => {
    expect(await names('', { orderBy })).toEqual(expected);
  });

  it('pages through results without duplicates or gaps', async () => {
    const id = await store.createExperiment('search-pages');
    const created: string[] = [];
    for (let i = 0; i < 23; i++) {
      const run = await store.createRun({ experimentId: id, startTime: 10_000 + (i % 5) });
      await store.logMetric(run.info.run_id, { key: 'i', value: i, step: 0, timestamp: 1 });
      created.push(run.info.run_id);
    }
    for (const orderBy of [undefined, ['metrics.i DESC']]) {
      const seen: string[] = [];
      let pageToken: string | undefined;
      let pages = 0;
      do {
        const page = await store.searchRuns({ experimentIds: [id], maxResults: 5, pageToken, orderBy });
        expect(page.runs.length).toBeLessThanOrEqual(5);
        seen.push(...page.runs.map((run) => run.info.run_id));
        pageToken = page.next_page_token;
        pages++;
      } while (pageToken !== undefined);
      expect(pages).toBe(5);
      expect(new Set(seen).size).toBe(23);
      expect(sorted(seen)).toEqual(sorted(created));
      const all = await store.searchRuns({ experimentIds: [id], orderBy });
      expect(seen).toEqual(all.runs.map((run) => run.info.run_id));
    }
    // A full page carries a token even when nothing follows (MLflow's compute_next_token); the
    // page it leads to is empty and has none. max_results 0 is an empty page with a token.
    const exact = await store.searchRuns({ experimentIds: [id], maxResults: 23 });
    expect(exact.runs).toHaveLength(23);
    expect(exact.next_page_token).toBeDefined();
    const after = await store.searchRuns({
      experimentIds: [id],
      maxResults: 23,
      pageToken: exact.next_page_token,
    });
    expect(after).toEqual({ runs: [] });
    const none = await store.searchRuns({ experimentIds: [id], maxResults: 0 });
    expect(none.runs).toEqual([]);
    expect(none.next_page_token).toBeDefined();
  });

  it('respects runViewType', async () => {
    const id = await store.createExperiment('search-views');
    const kept = await store.createRun({ experimentId: id, runName: 'kept' });
    const gone = await store.createRun({ experimentId: id, runName: 'gone' });
    await store.deleteRun(gone.info.run_id);
    const view = async (runViewType: 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL') =>
      sorted((await store.searchRuns({ experimentIds: [id], runViewType })).runs.map((r) => r.info.run_name));
    expect(await view('ACTIVE_ONLY')).toEqual(['kept']);
    expect(await view('DELETED_ONLY')).toEqual(['gone']);
    expect(await view('ALL')).toEqual(['gone', 'kept']);
    expect(kept.info.lifecycle_stage).toBe('active');
  });

  it('rejects bad limits, page tokens and filters with INVALID_PARAMETER_VALUE', async () => {
    const attempts = [
      store.searchRuns({ experimentIds: [experimentId], maxResults: 50001 }),
      store.searchRuns({ experimentIds: [experimentId], maxResults: -1 }),
      store.searchRuns({ experimentIds: [experimentId], pageToken: '%%%' }),
      store.searchRuns({ experimentIds: [experimentId], filter: 'metrics.rmse << 1' }),
      store.searchRuns({ experimentIds: [experimentId], orderBy: ['metrics.rmse SIDEWAYS'] }),
      store.searchRuns({ experimentIds: [experimentId], orderBy: ['attributes.colour'] }),
    ];
    for (const attempt of attempts) {
      const error = await attempt.then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(StoreError);
      expect((error as StoreError).mlflowErrorCode).toBe('INVALID_PARAMETER_VALUE');
    }
    const error = await store
      .searchRuns({ experimentIds: [experimentId], filter: "params.alpha = '0.1' and metrics.rmse ~ 1" })
      .catch((caught: unknown) => caught as StoreError);
    expect((error as StoreError).message).toContain(
      "Invalid filter 'params.alpha = '0.1' and metrics.rmse ~ 1'",
    );
    expect((error as StoreError).message.split('\n')[2]).toBe(`  ${' '.repeat(38)}^`);
  });

  it('treats injection attempts in keys and values as data', async () => {
    const before = (await store.searchRuns({ experimentIds: [experimentId] })).runs.length;
    expect(await names("params.`alpha' OR '1'='1` = 'x'")).toEqual([]);
    expect(await names("params.alpha = '0.1'' OR ''1''=''1'")).toEqual([]);
    expect(await names('tags.model = "x\\"; DROP TABLE runs; --"')).toEqual([]);
    expect(await names("tags.model LIKE '%'' OR 1=1 --'")).toEqual([]);
    expect((await store.searchRuns({ experimentIds: [experimentId] })).runs.length).toBe(before);
  });

  describe('searchExperiments', () => {
    const experimentNames = async (options: Parameters<TrackingStore['searchExperiments']>[0]) =>
      (await store.searchExperiments(options)).experiments.map((e) => e.name);

    it('filters by name, LIKE, ILIKE and tags', async () => {
      expect(await experimentNames({ filter: "name = 'search-main'" })).toEqual(['search-main']);
      expect(sorted(await experimentNames({ filter: "name LIKE 'search-%'" }))).toEqual(
        sorted(['search-main', 'search-other', 'search-pages', 'search-views', 'search-like-escape']),
      );
      expect(await experimentNames({ filter: "name ILIKE 'SEARCH-MAIN'" })).toEqual(['search-main']);
      expect(await experimentNames({ filter: "name LIKE 'SEARCH-MAIN'" })).toEqual([]);
      expect(await experimentNames({ filter: "tags.team = 'ops'" })).toEqual(['search-other']);
      expect(
        await experimentNames({ filter: "attributes.name != 'Default' and tags.team LIKE '%'" }),
      ).toEqual(expect.arrayContaining(['search-main', 'search-other']));
    });

    it('orders, pages and honours view types', async () => {
      const ordered = await experimentNames({ orderBy: ['name ASC'] });
      expect(ordered).toEqual([...ordered].sort());
      expect(ordered).toContain('Default');
      const first = await store.searchExperiments({ orderBy: ['experiment_id'], maxResults: 2 });
      expect(first.experiments.map((e) => e.experiment_id)).toEqual(['0', experimentId]);
      const second = await store.searchExperiments({
        orderBy: ['experiment_id'],
        maxResults: 2,
        pageToken: first.next_page_token,
      });
      expect(second.experiments[0].experiment_id).toBe(otherExperimentId);
      const doomed = await store.createExperiment('search-doomed');
      await store.deleteExperiment(doomed);
      expect(await experimentNames({})).not.toContain('search-doomed');
      expect(await experimentNames({ viewType: 'DELETED_ONLY' })).toEqual(['search-doomed']);
      expect(await experimentNames({ viewType: 'ALL' })).toContain('search-doomed');
      await expect(store.searchExperiments({ filter: 'metrics.rmse < 1' })).rejects.toThrow(
        /experiments can be searched by name/,
      );
    });
  });
});
