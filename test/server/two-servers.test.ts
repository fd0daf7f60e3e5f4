/**
 * Issue 21: several `recipe server` processes over one PostgreSQL store serve the same data and
 * take writes at once without losing or doubling any. Two real server processes start together
 * on a fresh database (both set up its schema), then eight clients — four on each server — log
 * metrics, params and tags at once, each into a run of its own and all into one shared run. Every
 * metric point must then be in the database exactly once, each server must return the same
 * histories, and each key's latest value must be its highest step's.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Metric, RestTrackingStore } from '../../src/tracking/index.js';
import { type CliProcess, startCli } from '../helpers/cli-process.js';
import { createQueueDatabase, POSTGRES_URL, type QueueDatabase } from '../queue/queue-database.js';

const CLIENTS = 8;
const BATCHES = 6;
const POINTS_PER_BATCH = 25;

describe.skipIf(!POSTGRES_URL)(
  'two recipe servers over one PostgreSQL store, eight clients logging at once',
  () => {
    let db: QueueDatabase;
    let root: string;
    const servers: CliProcess[] = [];
    const urls: string[] = [];

    beforeAll(async () => {
      db = await createQueueDatabase('mlrecipe_two_servers');
      root = mkdtempSync(join(tmpdir(), 'mlrecipe-two-servers-'));
      const env: NodeJS.ProcessEnv = { ...process.env, HOME: root };
      for (const key of ['RECIPE_TRACKING_URI', 'MLFLOW_TRACKING_URI']) delete env[key];
      // Both start at once: the schema is set up by whichever gets there first, once.
      for (const name of ['a', 'b']) {
        const dir = join(root, name);
        mkdirSync(dir, { recursive: true });
        servers.push(
          startCli(
            ['server', '--backend-store-uri', db.url, '--port', '0', '--no-serve-artifacts'],
            dir,
            env,
          ),
        );
      }
      for (const server of servers)
        urls.push((await server.waitFor(/(http:\/\/127\.0\.0\.1:\d+)/))[1] as string);
    });
    afterAll(async () => {
      for (const s of servers)
        if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGTERM');
      await Promise.all(servers.map((s) => s.exited));
      await db?.drop();
      rmSync(root, { recursive: true, force: true });
    });

    it('every metric point is stored exactly once, and both servers answer the same', async () => {
      const clients = Array.from(
        { length: CLIENTS },
        (_, i) => new RestTrackingStore({ uri: urls[i % 2] as string, env: {}, maxRetries: 0 }),
      );
      const [first] = clients as [RestTrackingStore];
      const experimentId = await first.createExperiment('two-servers');
      const shared = await first.createRun({ experimentId, runName: 'shared' });
      const own = await Promise.all(
        clients.map((c, i) => c.createRun({ experimentId, runName: `client-${i}` })),
      );

      // Client i logs key `loss` at steps i, i+8, i+16, … into the shared run (the steps interleave
      // across clients), and key `client_<i>` into its own run; all batches of all clients at once.
      const expected = new Map<string, Metric[]>();
      const points = (i: number, batch: number, key: string): Metric[] =>
        Array.from({ length: POINTS_PER_BATCH }, (_, p) => {
          const step = (batch * POINTS_PER_BATCH + p) * CLIENTS + i;
          return { key, value: step / 7, timestamp: 1_700_000_000_000 + step, step };
        });
      const writes: Array<Promise<void>> = [];
      clients.forEach((client, i) => {
        const ownRun = own[i]?.info.run_id as string;
        for (let batch = 0; batch < BATCHES; batch++) {
          const sharedPoints = points(i, batch, 'loss');
          const ownPoints = points(i, batch, `client_${i}`);
          expected.set(`${shared.info.run_id}/loss`, [
            ...(expected.get(`${shared.info.run_id}/loss`) ?? []),
            ...sharedPoints,
          ]);
          expected.set(`${ownRun}/client_${i}`, [
            ...(expected.get(`${ownRun}/client_${i}`) ?? []),
            ...ownPoints,
          ]);
          writes.push(
            client.logBatch(shared.info.run_id, {
              metrics: sharedPoints,
              params: batch === 0 ? [{ key: `param_${i}`, value: String(i) }] : [],
              tags: [{ key: `tag_${i}`, value: String(batch) }],
            }),
            client.logBatch(ownRun, { metrics: ownPoints }),
          );
        }
      });
      await Promise.all(writes);

      // In the database: every point once, nothing else.
      const sql = new pg.Client({ connectionString: db.url });
      await sql.connect();
      try {
        const total = await sql.query<{ n: number; distinct_points: number }>(
          `SELECT count(*)::int AS n,
                count(DISTINCT (run_uuid, key, step, timestamp, value))::int AS distinct_points
         FROM metrics`,
        );
        const expectedTotal = [...expected.values()].reduce((sum, list) => sum + list.length, 0);
        expect(expectedTotal).toBe(2 * CLIENTS * BATCHES * POINTS_PER_BATCH);
        expect(total.rows[0]).toEqual({ n: expectedTotal, distinct_points: expectedTotal });
        const latest = await sql.query<{ run_uuid: string; key: string; step: string }>(
          'SELECT run_uuid, key, step FROM latest_metrics ORDER BY run_uuid, key',
        );
        expect(latest.rows).toHaveLength(expected.size);
        for (const row of latest.rows) {
          const list = expected.get(`${row.run_uuid}/${row.key}`) ?? [];
          expect(Number(row.step)).toBe(Math.max(...list.map((m) => m.step)));
        }
      } finally {
        await sql.end();
      }

      // Through each server: the same complete histories, params and tags.
      const byStep = (a: Metric, b: Metric) => a.step - b.step;
      for (const url of urls) {
        const reader = new RestTrackingStore({ uri: url, env: {}, maxRetries: 0 });
        try {
          for (const [id, list] of expected) {
            const [runId, key] = id.split('/') as [string, string];
            const history = await reader.getMetricHistory(runId, key);
            expect(
              history
                .map((m) => ({ key: m.key, value: m.value, timestamp: m.timestamp, step: m.step }))
                .sort(byStep),
            ).toEqual([...list].sort(byStep));
          }
          const run = await reader.getRun(shared.info.run_id);
          expect(run.data.params.map((p) => p.key).sort()).toEqual(
            Array.from({ length: CLIENTS }, (_, i) => `param_${i}`).sort(),
          );
          expect(run.data.tags.filter((t) => t.key.startsWith('tag_'))).toHaveLength(CLIENTS);
        } finally {
          await reader.close();
        }
      }
      await Promise.all(clients.map((c) => c.close()));
    });
  },
);
