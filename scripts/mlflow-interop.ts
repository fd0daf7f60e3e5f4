/**
 * One database, two programs, checked with MLflow itself (run by scripts/mlflow-interop.sh):
 * MLflow's client reads and writes a database mlrecipe created, mlrecipe reads and writes one
 * MLflow created, both see the same experiments, runs, metric histories, datasets and registry,
 * `mlflow.search_runs` and mlrecipe's search agree, and the two schemas are compared table by
 * table. MLflow's side is scripts/mlflow-interop.py; this file drives both and compares.
 *
 * Needs MLFLOW_SRC (an MLflow 2.12 source tree); MLFLOW_PYTHONPATH adds extra paths (a stand-in
 * module), MLFLOW_PYTHON picks the interpreter (default /usr/bin/python3).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { fileURLToPath } from 'node:url';
import { registryForTrackingStore } from '../src/registry/index.js';
import { openSqliteTrackingStore } from '../src/tracking/sqlite-store.js';
import { describeTrackingSchema, type SchemaDescription } from '../src/tracking/schema-description.js';
import type { Run } from '../src/tracking/index.js';
import type { SqlTrackingStore } from '../src/tracking/sql-tracking-store.js';
import { SEARCH_QUERIES } from './mlflow-search-queries.js';

const here = dirname(fileURLToPath(import.meta.url));
const mlflowSrc = process.env.MLFLOW_SRC;
if (mlflowSrc === undefined || mlflowSrc === '') {
  console.log('skipped: set MLFLOW_SRC to an MLflow 2.12 source tree to run the interop checks');
  process.exit(0);
}
const python = process.env.MLFLOW_PYTHON ?? '/usr/bin/python3';
const pythonPath = [mlflowSrc, ...(process.env.MLFLOW_PYTHONPATH ?? '').split(':').filter(Boolean)].join(':');
const work = mkdtempSync(join(tmpdir(), 'mlflow-interop-'));

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Runs one command of mlflow-interop.py with MLflow's own client. */
function mlflow(command: string, database: string, argument?: Json): Json {
  const args = [join(here, 'mlflow-interop.py'), command, database];
  if (argument !== undefined) args.push(JSON.stringify(argument));
  const out = execFileSync(python, args, {
    cwd: work,
    env: { ...process.env, PYTHONPATH: pythonPath, GIT_PYTHON_REFRESH: 'quiet' },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(out.trim().split('\n').at(-1) ?? 'null') as Json;
}

let failures = 0;
function check(name: string, left: unknown, right: unknown): void {
  const same = isDeepStrictEqual(left, right);
  if (!same) failures++;
  console.log(`${same ? 'PASS' : 'FAIL'}  ${name}`);
  if (!same) {
    for (const line of differences(left, right, '').slice(0, 12)) console.log(`  ${line}`);
  }
}

/** Where two JSON values differ, one line per differing path (MLflow's value, then ours). */
function differences(left: unknown, right: unknown, path: string): string[] {
  if (isDeepStrictEqual(left, right)) return [];
  if (left !== null && right !== null && typeof left === 'object' && typeof right === 'object') {
    const keys = [...new Set([...Object.keys(left), ...Object.keys(right)])];
    return keys.flatMap((key) =>
      differences(
        (left as Record<string, unknown>)[key],
        (right as Record<string, unknown>)[key],
        `${path}/${key}`,
      ),
    );
  }
  return [`${path || '/'}: mlflow ${JSON.stringify(left)} | mlrecipe ${JSON.stringify(right)}`];
}

function number(value: number): number | string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return 'Infinity';
  if (value === Number.NEGATIVE_INFINITY) return '-Infinity';
  return value;
}

function sortedObject(entries: [string, Json][]): { [key: string]: Json } {
  return Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function runJson(run: Run): Json {
  const info = run.info;
  return {
    run_id: info.run_id,
    run_name: info.run_name,
    experiment_id: info.experiment_id,
    status: info.status,
    start_time: info.start_time,
    end_time: info.end_time ?? null,
    lifecycle_stage: info.lifecycle_stage,
    artifact_uri: info.artifact_uri,
    user_id: info.user_id,
    metrics: sortedObject(run.data.metrics.map((m) => [m.key, number(m.value)])),
    params: sortedObject(run.data.params.map((p) => [p.key, p.value])),
    tags: sortedObject(run.data.tags.map((t) => [t.key, t.value])),
    inputs: (run.inputs?.dataset_inputs ?? []).map((input) => ({
      name: input.dataset.name,
      digest: input.dataset.digest,
      source_type: input.dataset.source_type,
      source: input.dataset.source,
      schema: input.dataset.schema ?? null,
      profile: input.dataset.profile ?? null,
      tags: sortedObject(input.tags.map((t) => [t.key, t.value])),
    })),
  };
}

async function openOurs(path: string): Promise<SqlTrackingStore> {
  return openSqliteTrackingStore({ path, defaultArtifactRoot: join(work, 'artifacts') });
}

/** What mlrecipe reads from a database, in the shape mlflow-interop.py's `read` prints. */
async function readOurs(path: string): Promise<Json> {
  const store = await openOurs(path);
  const registry = registryForTrackingStore(store);
  try {
    const { experiments } = await store.searchExperiments({ maxResults: 1000 });
    const runs: { [id: string]: Json } = {};
    const histories: { [id: string]: Json } = {};
    for (const experiment of experiments) {
      const page = await store.searchRuns({
        experimentIds: [experiment.experiment_id],
        orderBy: ['attributes.start_time ASC'],
      });
      for (const run of page.runs) {
        runs[run.info.run_id] = runJson(run);
        for (const metric of run.data.metrics) {
          const history = await store.getMetricHistory(run.info.run_id, metric.key);
          histories[`${run.info.run_id}/${metric.key}`] = history.map((point) => ({
            value: number(point.value),
            step: point.step,
            timestamp: point.timestamp,
          }));
        }
      }
    }
    const models: { [name: string]: Json } = {};
    for (const model of (await registry.searchRegisteredModels()).registered_models) {
      const versions = (await registry.searchModelVersions({ filter: `name='${model.name}'` }))
        .model_versions;
      models[model.name] = {
        aliases: sortedObject(model.aliases.map((a) => [a.alias, a.version])),
        tags: sortedObject(model.tags.map((t) => [t.key, t.value])),
        versions: versions
          .map((v) => ({ version: v.version, run_id: v.run_id, source: v.source, status: v.status }))
          .sort((a, b) => Number(a.version) - Number(b.version)),
      };
    }
    return {
      experiments: experiments.map((e) => e.name).sort(),
      runs,
      histories,
      registered_models: models,
    };
  } finally {
    await store.close();
  }
}

/** Logs what a recipe run logs, through mlrecipe's store and registry. */
async function writeOurs(path: string, experimentName: string): Promise<string[]> {
  const store = await openOurs(path);
  const registry = registryForTrackingStore(store);
  try {
    const experimentId = await store.createExperiment(experimentName);
    const ids: string[] = [];
    for (const [index, alpha, rmse] of [
      [0, '0.1', 3.25],
      [1, '0.5', Number.NaN],
      [2, '1.0', Number.POSITIVE_INFINITY],
    ] as const) {
      const run = await store.createRun({ experimentId, runName: `ours-${index}`, userId: 'interop' });
      const id = run.info.run_id;
      await store.logBatch(id, {
        params: [
          { key: 'alpha', value: alpha },
          { key: 'index', value: String(index) },
        ],
        tags: [{ key: 'origin', value: 'mlrecipe' }],
        metrics: [0, 1, 2].map((step) => ({
          key: 'rmse',
          value: rmse + step,
          step,
          timestamp: 1_700_000_000_000 + step,
        })),
      });
      await store.logInputs(id, [
        {
          dataset: {
            name: 'cars',
            digest: 'a1b2c3d4',
            source_type: 'local',
            source: JSON.stringify({ uri: '/data/cars.csv' }),
            schema: JSON.stringify({ mlflow_colspec: [{ type: 'double', name: 'mpg', required: true }] }),
            profile: JSON.stringify({ num_rows: 3, num_elements: 3 }),
          },
          tags: [{ key: 'mlflow.data.context', value: 'training' }],
        },
      ]);
      await store.updateRun(id, { status: 'FINISHED', endTime: 1_700_000_100_000 + index });
      ids.push(id);
    }
    await registry.createRegisteredModel('from-mlrecipe');
    await registry.createModelVersion({ name: 'from-mlrecipe', source: '/models/a', runId: ids[0] });
    await registry.setRegisteredModelAlias('from-mlrecipe', 'champion', '1');
    return ids;
  } finally {
    await store.close();
  }
}

async function describe(path: string): Promise<SchemaDescription> {
  const store = await openOurs(path);
  try {
    return await describeTrackingSchema(store.sqlDriver);
  } finally {
    await store.close();
  }
}

/** Our answers to the same queries mlflow-interop.py's `search` runs. */
async function searchOurs(path: string): Promise<Json> {
  const store = await openOurs(path);
  try {
    const all = await store.searchExperiments({ viewType: 'ALL', maxResults: 1000 });
    const experimentIds = all.experiments.map((e) => e.experiment_id);
    const views = { 1: 'ACTIVE_ONLY', 2: 'DELETED_ONLY', 3: 'ALL' } as const;
    const out: Json[] = [];
    for (const query of SEARCH_QUERIES) {
      try {
        const page = await store.searchRuns({
          experimentIds,
          filter: query.filter ?? '',
          runViewType: views[query.view ?? 1],
          maxResults: query.max_results ?? 1000,
          orderBy: query.order_by,
        });
        out.push({ ids: page.runs.map((run) => run.info.run_id), token: page.next_page_token !== undefined });
      } catch (error) {
        out.push({ error: (error as { mlflowErrorCode?: string }).mlflowErrorCode ?? String(error) });
      }
    }
    return out;
  } finally {
    await store.close();
  }
}

function compareSchemas(mlflowSchema: SchemaDescription, ours: SchemaDescription): void {
  const tables = [...new Set([...Object.keys(mlflowSchema), ...Object.keys(ours)])].sort();
  for (const table of tables)
    check(`schema: table ${table} (columns, types, keys, indexes)`, mlflowSchema[table], ours[table]);
}

const facts = JSON.parse(
  readFileSync(join(here, '..', 'test', 'tracking', 'mlflow-2.12-schema.json'), 'utf8'),
) as {
  sqlite: SchemaDescription;
};

// 1. The two schemas, table by table, and against the checked-in facts.
const mlflowDb = join(work, 'mlflow.db');
const oursDb = join(work, 'ours.db');
mlflow('read', mlflowDb);
const mlflowSchema = await describe(mlflowDb);
await (await openOurs(oursDb)).close();
const oursSchema = await describe(oursDb);
compareSchemas(mlflowSchema, oursSchema);
check(
  'schema: MLflow-created database equals test/tracking/mlflow-2.12-schema.json',
  mlflowSchema,
  facts.sqlite,
);

// 2. MLflow's client on mlrecipe's database, no stamping: reads what we logged, logs runs with inputs.
await writeOurs(oursDb, 'by-mlrecipe');
check(
  'MLflow reads our database (experiments, runs, histories, registry)',
  mlflow('read', oursDb),
  await readOurs(oursDb),
);
mlflow('write', oursDb, {
  experiment: 'by-mlflow',
  dataset_source: join(work, 'cars.csv'),
  runs: [
    ['0.1', 3.5],
    ['0.2', 2.5],
  ],
  register: true,
});
check(
  'we read the runs, inputs and model MLflow logged into our database',
  mlflow('read', oursDb),
  await readOurs(oursDb),
);
check("MLflow's writes left our database's schema as it was", await describe(oursDb), oursSchema);

// 3. mlrecipe on MLflow's database: reads what MLflow logged, logs runs MLflow then reads.
mlflow('write', mlflowDb, {
  experiment: 'by-mlflow',
  dataset_source: join(work, 'cars.csv'),
  runs: [
    ['0.1', 3.5],
    ['0.3', 1.5],
    ['0.2', 2.5],
  ],
  register: true,
});
check("we read MLflow's database", mlflow('read', mlflowDb), await readOurs(mlflowDb));
await writeOurs(mlflowDb, 'by-mlrecipe');
check('MLflow reads what we logged into its database', mlflow('read', mlflowDb), await readOurs(mlflowDb));
check("our writes left MLflow's schema as it was", await describe(mlflowDb), mlflowSchema);

// 4. mlflow.search_runs over both programs' runs, and each search query through both.
const frame = mlflow('frame', mlflowDb, { experiment: 'by-mlrecipe' }) as { [key: string]: Json }[];
const oursRead = (await readOurs(mlflowDb)) as { runs: { [id: string]: { [key: string]: Json } } };
const ourFrame = Object.values(oursRead.runs)
  .filter((run) => (run.tags as { [key: string]: Json }).origin === 'mlrecipe')
  .sort(
    (a, b) => Number((a.params as { index: string }).index) - Number((b.params as { index: string }).index),
  )
  .map((run) => {
    const row: { [key: string]: Json } = { run_id: run.run_id, status: run.status };
    for (const [key, value] of Object.entries(run.metrics as object)) row[`metrics.${key}`] = value as Json;
    for (const [key, value] of Object.entries(run.params as object)) row[`params.${key}`] = value as Json;
    row['tags.origin'] = 'mlrecipe';
    return sortedObject(Object.entries(row));
  });
check(
  'mlflow.search_runs equals our search (runs we logged, MLflow database)',
  frame.map((row) => sortedObject(Object.entries(row))),
  ourFrame,
);
const mlflowAnswers = mlflow('search', mlflowDb, { queries: SEARCH_QUERIES as unknown as Json }) as Json[];
const ourAnswers = (await searchOurs(mlflowDb)) as Json[];
let agreed = 0;
SEARCH_QUERIES.forEach((query, index) => {
  if (isDeepStrictEqual(mlflowAnswers[index], ourAnswers[index])) agreed++;
  else check(`search: ${JSON.stringify(query)}`, mlflowAnswers[index], ourAnswers[index]);
});
console.log(`search: ${agreed} of ${SEARCH_QUERIES.length} queries gave MLflow's answer`);
writeFileSync(join(work, 'search-answers.json'), JSON.stringify({ mlflowAnswers, ourAnswers }, null, 1));

console.log(
  `\n${failures === 0 ? 'all checks passed' : `${failures} check(s) failed`} (work directory ${work})`,
);
process.exit(failures === 0 ? 0 : 1);
