/**
 * The tracking-store backends every behavioural suite runs against: SQLite in a temp directory
 * always, PostgreSQL in a fresh random schema when RECIPE_TEST_POSTGRES_URL is set.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openPostgresTrackingStore } from '../../src/tracking/postgres-store.js';
import { registryForTrackingStore } from '../../src/registry/index.js';
import { buildTrackingApp } from '../../src/server/tracking/index.js';
import { RestTrackingStore } from '../../src/tracking/rest-store.js';
import { openSqliteTrackingStore } from '../../src/tracking/sqlite-store.js';
import type { TrackingStore } from '../../src/tracking/types.js';

export const POSTGRES_URL = process.env.RECIPE_TEST_POSTGRES_URL;

export interface StoreHandle {
  store: TrackingStore;
  artifactRoot: string;
  /** Opens a second store on the same database (another "process"). */
  reopen(): Promise<TrackingStore>;
  dispose(): Promise<void>;
}

export interface Backend {
  name: 'sqlite' | 'postgres' | 'rest';
  available: boolean;
  /** The store is a SqlTrackingStore (tests of the SQL driver itself run only then). */
  sql: boolean;
  open(): Promise<StoreHandle>;
}

export const BACKENDS: Backend[] = [
  {
    name: 'sqlite',
    available: true,
    sql: true,
    async open() {
      const dir = mkdtempSync(join(tmpdir(), 'mlrecipe-store-'));
      const path = join(dir, 'db', 'tracking.db');
      const artifactRoot = join(dir, 'artifacts');
      const opened: TrackingStore[] = [];
      const reopen = async () => {
        const store = await openSqliteTrackingStore({ path, defaultArtifactRoot: artifactRoot });
        opened.push(store);
        return store;
      };
      const store = await reopen();
      return {
        store,
        artifactRoot,
        reopen,
        async dispose() {
          for (const each of opened) await each.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
  {
    name: 'postgres',
    available: POSTGRES_URL !== undefined && POSTGRES_URL !== '',
    sql: true,
    async open() {
      const url = POSTGRES_URL as string;
      const schema = `t_${randomBytes(6).toString('hex')}`;
      const artifactRoot = join(tmpdir(), `mlrecipe-pg-${schema}`);
      const opened: TrackingStore[] = [];
      const reopen = async () => {
        const store = await openPostgresTrackingStore({
          connectionString: url,
          schema,
          defaultArtifactRoot: artifactRoot,
        });
        opened.push(store);
        return store;
      };
      const store = await reopen();
      return {
        store,
        artifactRoot,
        reopen,
        async dispose() {
          for (const each of opened) await each.close();
          // The schema is this suite's own (random name); drop exactly it.
          const client = new pg.Client({ connectionString: url });
          await client.connect();
          await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
          await client.end();
        },
      };
    },
  },
  {
    // The REST store against a real tracking server (127.0.0.1, free port) over SQLite: the same
    // behaviour through MLflow's REST API.
    name: 'rest',
    available: true,
    sql: false,
    async open() {
      const dir = mkdtempSync(join(tmpdir(), 'mlrecipe-rest-store-'));
      const artifactRoot = join(dir, 'artifacts');
      const backing = await openSqliteTrackingStore({
        path: join(dir, 'db', 'tracking.db'),
        defaultArtifactRoot: artifactRoot,
      });
      const app = buildTrackingApp({
        store: backing,
        registry: registryForTrackingStore(backing),
        artifacts: { serveArtifacts: true, destination: join(dir, 'mlartifacts') },
        ui: false,
      });
      await app.listen({ host: '127.0.0.1', port: 0 });
      const address = app.server.address();
      if (address === null || typeof address === 'string')
        throw new Error('the test tracking server is not listening');
      const url = `http://127.0.0.1:${address.port}`;
      const opened: TrackingStore[] = [];
      const reopen = async () => {
        const store = new RestTrackingStore({ uri: url, env: {}, maxRetries: 0 });
        opened.push(store);
        return store;
      };
      const store = await reopen();
      return {
        store,
        artifactRoot,
        reopen,
        async dispose() {
          for (const each of opened) await each.close();
          await app.close();
          await backing.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
];

export function noticeSkipped(backend: Backend): void {
  if (!backend.available) {
    console.warn(
      `notice: ${backend.name} tracking-store tests skipped (set RECIPE_TEST_POSTGRES_URL to run them)`,
    );
  }
}
