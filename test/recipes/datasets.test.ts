/**
 * A recipe run records the data ingest read as the run's input, as MLflow's `log_inputs` does:
 * name, an 8-digit digest of the ingested data, a `local` source with the file's URI, MLflow's
 * colspec schema and a row-count profile, tagged `mlflow.data.context=training`. A run whose
 * ingest comes from the cache records the same dataset (same digest, one `datasets` row), changed
 * data a new digest, and MLflow's `datasets.*` search filters find the runs.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { openTrackingStore } from '../../src/tracking/index.js';
import { sqliteUriForPath } from '../../src/tracking/tracking-uri.js';
import type { Run } from '../../src/tracking/types.js';
import { cleanEnv, runCli } from '../helpers/cli.js';

const root = mkdtempSync(join(tmpdir(), 'mlrecipe-datasets-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const env = cleanEnv(root);
const dir = join(root, 'cars');

async function recipe(...args: string[]): Promise<string> {
  const result = await runCli(args, { cwd: dir, env });
  expect(result.code, result.stderr).toBe(0);
  return result.stdout;
}

function runIdOf(stdout: string): string {
  return /tracking run ([0-9a-f]{32})/.exec(stdout)?.[1] as string;
}

async function withStore<T>(
  fn: (store: Awaited<ReturnType<typeof openTrackingStore>>) => Promise<T>,
): Promise<T> {
  const store = await openTrackingStore(sqliteUriForPath(join(dir, 'mlruns', 'tracking.db')));
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

describe('the ingested dataset as the run input', () => {
  let first: Run;

  it('is logged with MLflow’s dataset fields and context', async () => {
    const init = await runCli(['init', '--template', 'regression', dir], { cwd: root, env });
    expect(init.code, init.stderr).toBe(0);
    const runId = runIdOf(await recipe('run', '--step', 'split'));
    first = await withStore((store) => store.getRun(runId));
    const inputs = first.inputs?.dataset_inputs ?? [];
    expect(inputs).toHaveLength(1);
    const { dataset, tags } = inputs[0]!;
    expect(tags).toEqual([{ key: 'mlflow.data.context', value: 'training' }]);
    expect(dataset.digest).toMatch(/^[0-9a-f]{8}$/);
    expect(dataset.source_type).toBe('local');
    const location = dataset.name;
    expect(location).toBe('data/cars.json');
    expect(JSON.parse(dataset.source)).toEqual({ uri: pathToFileURL(join(dir, location)).href });
    const schema = JSON.parse(dataset.schema as string) as {
      mlflow_colspec: Array<{ name: string; type: string }>;
    };
    expect(schema.mlflow_colspec.map((c) => c.name)).toContain('Miles_per_Gallon');
    const profile = JSON.parse(dataset.profile as string) as { num_rows: number; num_elements: number };
    expect(profile.num_rows).toBeGreaterThan(300);
    expect(profile.num_elements).toBe(profile.num_rows * schema.mlflow_colspec.length);
    const shown = await recipe('runs', 'show', runId);
    expect(shown).toMatch(
      new RegExp(
        `Datasets\\n[^\\n]+\\n[^\\n]+\\n${location.replace(/[.*]/g, '\\$&')}\\s+${dataset.digest}\\s+training\\s+local\\s+${profile.num_rows}`,
      ),
    );
  });

  it('a cached ingest logs the same dataset; changed data logs a new digest; datasets.* filters find them', async () => {
    const cached = runIdOf(await recipe('run', '--step', 'split'));
    const location = first.inputs!.dataset_inputs[0]!.dataset.name;
    // One more row: the data changes, so ingest runs again and its digest changes.
    const rows = JSON.parse(readFileSync(join(dir, location), 'utf8')) as unknown[];
    writeFileSync(join(dir, location), JSON.stringify([...rows, rows[0]]));
    const changed = runIdOf(await recipe('run', '--step', 'split'));
    await withStore(async (store) => {
      const again = await store.getRun(cached);
      const digest = first.inputs!.dataset_inputs[0]!.dataset.digest;
      expect(again.inputs?.dataset_inputs[0]?.dataset.digest).toBe(digest);
      const newer = (await store.getRun(changed)).inputs?.dataset_inputs[0]?.dataset.digest;
      expect(newer).toMatch(/^[0-9a-f]{8}$/);
      expect(newer).not.toBe(digest);
      const experimentIds = [first.info.experiment_id];
      const found = async (filter: string) =>
        (await store.searchRuns({ experimentIds, filter })).runs.map((r) => r.info.run_id).sort();
      expect(await found(`datasets.digest = '${digest}'`)).toEqual([first.info.run_id, cached].sort());
      expect(await found(`datasets.digest = '${newer}'`)).toEqual([changed]);
      expect(await found(`datasets.context = 'training'`)).toHaveLength(3);
    });
  });
});
