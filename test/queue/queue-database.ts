/**
 * A fresh PostgreSQL database per queue test file (graphile-worker's schema and the queue tables
 * in their default places, as a team's database would have them), dropped afterwards.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import type { CliProcess } from '../helpers/cli-process.js';

export const POSTGRES_URL = process.env.RECIPE_TEST_POSTGRES_URL;

export interface QueueDatabase {
  url: string;
  drop(): Promise<void>;
}

export async function createQueueDatabase(prefix: string): Promise<QueueDatabase> {
  if (!POSTGRES_URL) throw new Error('RECIPE_TEST_POSTGRES_URL is not set');
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  try {
    // The name is ours (prefix + hex), never user input; identifiers cannot be bound parameters.
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

/** What a queue test file's describe shares: filled in by `beforeAll`, torn down by `afterAll`. */
export interface QueueTestBed {
  db: QueueDatabase;
  /** A temporary directory, also the processes' HOME and XDG_CONFIG_HOME. */
  root: string;
  /** The test process's environment without its tracking, queue and run variables. */
  env: NodeJS.ProcessEnv;
  /** Long-running processes the test started: SIGKILLed and awaited at the end. */
  procs: CliProcess[];
}

const INHERITED_KEYS = [
  'RECIPE_TRACKING_URI',
  'MLFLOW_TRACKING_URI',
  'RECIPE_QUEUE_URL',
  'MLFLOW_RUN_ID',
  'MLFLOW_EXPERIMENT_ID',
  'MLFLOW_EXPERIMENT_NAME',
];

/**
 * Registers the `beforeAll` / `afterAll` of a describe that runs real workers on a fresh queue
 * database. Read the fields inside the tests (they are set once `beforeAll` has run).
 */
export function queueTestBed(prefix: string): QueueTestBed {
  const bed: QueueTestBed = { db: { url: '', drop: async () => {} }, root: '', env: {}, procs: [] };
  beforeAll(async () => {
    bed.db = await createQueueDatabase(prefix);
    bed.root = mkdtempSync(join(tmpdir(), `${prefix.replaceAll('_', '-')}-`));
    bed.env = {
      ...process.env,
      HOME: bed.root,
      XDG_CONFIG_HOME: bed.root,
      GIT_CONFIG_NOSYSTEM: '1',
      CI: 'true',
    };
    for (const key of INHERITED_KEYS) delete bed.env[key];
  });
  afterAll(async () => {
    for (const p of bed.procs)
      if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    await Promise.all(bed.procs.map((p) => p.exited));
    await bed.db.drop();
    if (bed.root !== '') rmSync(bed.root, { recursive: true, force: true });
  });
  return bed;
}
