/**
 * How SQLite runs a search, not just what it answers (search.test.ts holds the answers on every
 * backend): an equality on a param, tag or metric must collect its runs through mlrecipe's own
 * (key, value) index instead of probing every run of the experiment, which is what made a
 * filtered search over 10k runs slow (bench/server search_10k, BENCHMARKS.md).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFilter } from '../../src/tracking/filter-parser.js';
import { parseOrderBy } from '../../src/tracking/order-by.js';
import { compileRunSearch } from '../../src/tracking/search-compiler.js';
import { sql } from '../../src/tracking/sql-fragment.js';
import { openSqliteTrackingStore, type SqliteTrackingStore } from '../../src/tracking/sqlite-store.js';

describe('run search query plans on SQLite', () => {
  let dir: string;
  let store: SqliteTrackingStore;
  let experimentId: number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mlrecipe-search-plan-'));
    store = await openSqliteTrackingStore({ path: join(dir, 'tracking.db') });
    experimentId = Number(await store.createExperiment('plans'));
    for (let i = 0; i < 3; i++) {
      const run = await store.createRun({ experimentId: String(experimentId) });
      await store.logBatch(run.info.run_id, {
        params: [{ key: 'p1', value: `v${i}` }],
        metrics: [
          { key: 'm0', value: i / 3, step: 0, timestamp: 1 },
          { key: 'm1', value: i, step: 0, timestamp: 1 },
        ],
        tags: [{ key: 'mlflow.parentRunId', value: 'a'.repeat(32) }],
      });
    }
  });
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function plan(filter: string, orderBy: string[] = []): Promise<string[]> {
    const query = compileRunSearch({
      experimentIds: [experimentId],
      filter: parseFilter(filter),
      orderBy: orderBy.map(parseOrderBy),
      limit: 100,
      offset: 0,
      dialect: 'sqlite',
    });
    const rows = await store.sqlDriver.all<{ detail: string }>(sql`EXPLAIN QUERY PLAN ${query}`);
    return rows.map((row) => row.detail);
  }

  it.each<[string, string]>([
    ["metrics.m0 < 0.5 and params.p1 = 'v1'", 'mlrecipe_params_key_value'],
    ["tags.`mlflow.parentRunId` = 'aaaa'", 'mlrecipe_tags_key_value'],
    ['metrics.m1 = 2', 'mlrecipe_latest_metrics_key_value'],
  ])('%s collects its runs from %s, not from a scan of the runs', async (filter, index) => {
    const steps = await plan(filter, ['metrics.m1 DESC']);
    expect(steps.some((step) => step.includes(`COVERING INDEX ${index}`))).toBe(true);
    expect(steps.some((step) => /^SCAN r\b/.test(step))).toBe(false);
  });

  it('probes each run for a range (it would match too many runs to collect)', async () => {
    const steps = await plan('metrics.m0 < 0.5');
    expect(steps.some((step) => step.includes('CORRELATED'))).toBe(true);
    expect(steps.some((step) => step.includes('mlrecipe_'))).toBe(false);
  });

  it('answers the same runs through the index as the filter means', async () => {
    const result = await store.searchRuns({
      experimentIds: [String(experimentId)],
      filter: "params.p1 = 'v1' and metrics.m0 < 0.5",
    });
    expect(result.runs.map((run) => run.data.params)).toEqual([[{ key: 'p1', value: 'v1' }]]);
  });
});
