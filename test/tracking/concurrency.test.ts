import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTrackingStore, type TrackingStore } from '../../src/tracking/index.js';

const run = promisify(execFile);
const WRITERS = 4;
const OWN_METRICS = 200;
const OWN_PARAMS = 20;
const SHARED_METRICS = 50;

// The writers run the compiled client (built by vitest's globalSetup), as a user's script would.
const distTracking = pathToFileURL(
  fileURLToPath(new URL('../../dist/tracking/index.js', import.meta.url)),
).href;

const writerScript = `
import { TrackingClient } from ${JSON.stringify(distTracking)};
const [uri, sharedRunId, writer] = process.argv.slice(2);
const client = await TrackingClient.open({ trackingUri: uri });
const own = await client.startRun({ experimentName: 'concurrency', runName: 'writer-' + writer });
const shared = await client.startRun({ runId: sharedRunId, nested: true });
await shared.logParam('writer_' + writer, writer);
for (let i = 0; i < ${OWN_METRICS}; i++) {
  // Interleave single writes, batches and writes to the shared run so the processes contend.
  await own.logMetric('m', i, { step: i, timestamp: 1000 + i });
  if (i < ${OWN_PARAMS}) await own.logParams({ ['p' + i]: writer + '-' + i });
  if (i < ${SHARED_METRICS}) {
    await shared.logMetric('w' + writer, i, { step: i });
    await shared.logMetrics({ ['b' + writer + '_' + i]: i }, { step: 0 });
  }
}
await own.setTag('done', 'yes');
await own.end();
process.stdout.write(own.runId + '\\n');
await client.close();
`;

const POSTGRES_URL = process.env.RECIPE_TEST_POSTGRES_URL;
const pgSchema = `concurrency_${randomBytes(6).toString('hex')}`;
const BACKENDS = [
  { name: 'one SQLite file', uri: (dir: string) => `sqlite:///${join(dir, 'tracking.db')}` },
  ...(POSTGRES_URL
    ? [
        {
          name: 'PostgreSQL',
          uri: () => `${POSTGRES_URL}${POSTGRES_URL.includes('?') ? '&' : '?'}schema=${pgSchema}`,
        },
      ]
    : []),
];

describe.each(BACKENDS)('concurrent writers on $name', (backend) => {
  let tmp: string;
  let uri: string;
  let store: TrackingStore;

  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'mlrecipe-concurrency-'));
    uri = backend.uri(tmp);
    await writeFile(join(tmp, 'writer.mjs'), writerScript);
    store = await openTrackingStore(uri, { defaultArtifactRoot: join(tmp, 'artifacts') });
  });
  afterAll(async () => {
    await store?.close();
    await rm(tmp, { recursive: true, force: true });
    if (POSTGRES_URL && backend.name === 'PostgreSQL') {
      const db = new pg.Client({ connectionString: POSTGRES_URL });
      await db.connect();
      await db.query(`DROP SCHEMA IF EXISTS "${pgSchema}" CASCADE`);
      await db.end();
    }
  });

  it('loses no write when 4 processes log into their own runs and one shared run', async () => {
    const experimentId = await store.createExperiment('concurrency');
    const sharedRun = await store.createRun({ experimentId, runName: 'shared' });
    const sharedId = sharedRun.info.run_id;

    const outputs = await Promise.all(
      Array.from({ length: WRITERS }, (_, w) =>
        run(process.execPath, [join(tmp, 'writer.mjs'), uri, sharedId, String(w)], { cwd: tmp }),
      ),
    );
    const ownIds = outputs.map((o) => o.stdout.trim());
    expect(new Set(ownIds).size).toBe(WRITERS);

    for (const [w, runId] of ownIds.entries()) {
      const own = await store.getRun(runId);
      expect(own.info.status).toBe('FINISHED');
      expect(own.info.run_name).toBe(`writer-${w}`);
      const history = await store.getMetricHistory(runId, 'm');
      expect(history.map((m) => m.value)).toEqual(Array.from({ length: OWN_METRICS }, (_, i) => i));
      expect(history.map((m) => m.step)).toEqual(Array.from({ length: OWN_METRICS }, (_, i) => i));
      const params = Object.fromEntries(own.data.params.map((p) => [p.key, p.value]));
      expect(params).toEqual(
        Object.fromEntries(Array.from({ length: OWN_PARAMS }, (_, i) => [`p${i}`, `${w}-${i}`])),
      );
      expect(own.data.tags.find((t) => t.key === 'done')?.value).toBe('yes');
    }

    const shared = await store.getRun(sharedId);
    for (let w = 0; w < WRITERS; w++) {
      const history = await store.getMetricHistory(sharedId, `w${w}`);
      expect(history.map((m) => m.value).sort((a, b) => a - b)).toEqual(
        Array.from({ length: SHARED_METRICS }, (_, i) => i),
      );
      expect(shared.data.params.find((p) => p.key === `writer_${w}`)?.value).toBe(String(w));
    }
    const batched = shared.data.metrics.filter((m) => m.key.startsWith('b'));
    expect(batched).toHaveLength(WRITERS * SHARED_METRICS);
    const runs = await store.searchRuns({ experimentIds: [experimentId] });
    expect(runs.runs).toHaveLength(WRITERS + 1);
  });
});
