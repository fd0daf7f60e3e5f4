/**
 * A fresh PostgreSQL database per queue test file (graphile-worker's schema and the queue tables
 * in their default places, as a team's database would have them), dropped afterwards.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

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
