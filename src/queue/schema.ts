/**
 * The queue's tables in the team's PostgreSQL database: graphile-worker's own schema (its
 * migrations, run here so the first worker or enqueuer sets it up) and two mlrecipe tables beside
 * it, prefixed `mlrecipe_queue_` (DESIGN.md: our bookkeeping never lives in MLflow's tables):
 *
 * - `mlrecipe_queue_workers`: one row per `recipe worker` process, with the heartbeat that lets
 *   the other workers notice it died (graphile-worker 0.17 only releases a dead worker's jobs
 *   after a fixed 4 hours; see worker.ts);
 * - `mlrecipe_queue_results`: one row per finished job, keyed like the job by the trial's
 *   fingerprint, so a finished job's result is reused like a cache entry;
 * - `mlrecipe_queue_cancels`: one row per job whose enqueuer was stopped (Ctrl-C): a worker running
 *   it stops it, a worker taking it later skips it.
 */
import { Logger, runMigrations } from 'graphile-worker';
import pg from 'pg';

/** graphile-worker's task identifier for a train-sweep trial. */
export const TRIAL_TASK = 'mlrecipe.trial';
/** graphile-worker's task identifier for a project run (a project sweep's trial, or a single run). */
export const PROJECT_TASK = 'mlrecipe.project';
/** The tag a project run executed by a queue worker carries: the worker's id (the last one, after a retry). */
export const QUEUE_WORKER_TAG = 'mlrecipe.queue.worker';
/** The channel a worker notifies with a job's key when its result row is written. */
export const RESULTS_CHANNEL = 'mlrecipe_queue_results';

const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS mlrecipe_queue_workers (
  worker_id text PRIMARY KEY,
  host text NOT NULL,
  pid integer NOT NULL,
  concurrency integer NOT NULL,
  tasks text NOT NULL,
  lock_timeout_ms integer NOT NULL,
  state text NOT NULL DEFAULT 'running',
  graphile_worker_ids text[] NOT NULL DEFAULT '{}',
  jobs_done integer NOT NULL DEFAULT 0,
  started_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS mlrecipe_queue_results (
  job_key text PRIMARY KEY,
  task text NOT NULL,
  format integer NOT NULL,
  outcome jsonb NOT NULL,
  run_id text,
  worker_id text,
  finished_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS mlrecipe_queue_cancels (
  job_key text PRIMARY KEY,
  reason text NOT NULL,
  cancelled_at timestamptz NOT NULL DEFAULT now()
);
`;

/** Sets up graphile-worker's schema and mlrecipe's queue tables (idempotent, safe to race). */
export async function prepareQueueSchema(pool: pg.Pool): Promise<void> {
  // One process at a time (workers often start together): graphile-worker's own migration only
  // partly guards against a concurrent install, and CREATE TABLE IF NOT EXISTS not at all. The
  // lock is held on its own connection while the migrations use another from the pool.
  const lock = await pool.connect();
  try {
    await lock.query("SELECT pg_advisory_lock(hashtext('mlrecipe_queue_schema'))");
    try {
      await runMigrations({ pgPool: pool, logger: quietLogger() });
      await pool.query(SCHEMA_SQL);
    } finally {
      await lock.query("SELECT pg_advisory_unlock(hashtext('mlrecipe_queue_schema'))");
    }
  } finally {
    lock.release();
  }
}

/** graphile-worker's logger, quiet except for errors (its info lines would drown the CLI's). */
export function quietLogger(onError?: (message: string) => void): Logger {
  return new Logger(() => (level, message) => {
    if (level === 'error' && onError) onError(message);
  });
}

/**
 * A connection pool for the queue. An idle client whose connection drops emits 'error'; without
 * listeners that would crash the process (and graphile-worker warns about it), so the pool and
 * every client get one: the next query on a dead connection fails and is reported there.
 */
export function queuePool(connectionString: string, max: number): pg.Pool {
  const pool = new pg.Pool({ connectionString, max });
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}
