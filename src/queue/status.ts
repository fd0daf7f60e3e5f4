/** `recipe queue status`: the queue's jobs by state and the workers it has seen. */
import { prepareQueueSchema, queuePool } from './schema.js';

export interface QueueWorkerRow {
  workerId: string;
  host: string;
  pid: number;
  concurrency: number;
  tasks: string;
  /** running | stopped | lost (missed its heartbeats; its jobs were released). */
  state: string;
  jobsDone: number;
  startedAt: string;
  lastSeenAt: string;
  /** Seconds since its last heartbeat, by the database's clock. */
  silentSeconds: number;
}

export interface QueueStatus {
  /** Jobs by state: queued (waiting), running (locked by a worker), retrying (failed, will run again), failed (gave up). */
  jobs: { queued: number; running: number; retrying: number; failed: number };
  /** Finished jobs whose results are kept for reuse. */
  results: number;
  workers: QueueWorkerRow[];
}

export async function queueStatus(connectionString: string): Promise<QueueStatus> {
  const pool = queuePool(connectionString, 2);
  try {
    await prepareQueueSchema(pool);
    const jobs = await pool.query<{ state: string; n: string }>(
      `SELECT CASE
                WHEN locked_at IS NOT NULL THEN 'running'
                WHEN attempts >= max_attempts THEN 'failed'
                WHEN attempts > 0 THEN 'retrying'
                ELSE 'queued'
              END AS state, count(*) AS n
       FROM graphile_worker.jobs GROUP BY 1`,
    );
    const counts = { queued: 0, running: 0, retrying: 0, failed: 0 };
    for (const row of jobs.rows) counts[row.state as keyof typeof counts] = Number(row.n);
    const results = await pool.query<{ n: string }>('SELECT count(*) AS n FROM mlrecipe_queue_results');
    const workers = await pool.query<{
      worker_id: string;
      host: string;
      pid: number;
      concurrency: number;
      tasks: string;
      state: string;
      jobs_done: number;
      started_at: Date;
      last_seen_at: Date;
      silent: number;
    }>(
      `SELECT worker_id, host, pid, concurrency, tasks, state, jobs_done, started_at, last_seen_at,
              extract(epoch FROM now() - last_seen_at)::float8 AS silent
       FROM mlrecipe_queue_workers ORDER BY started_at, worker_id`,
    );
    return {
      jobs: counts,
      results: Number(results.rows[0]?.n ?? 0),
      workers: workers.rows.map((w) => ({
        workerId: w.worker_id,
        host: w.host,
        pid: w.pid,
        concurrency: w.concurrency,
        tasks: w.tasks,
        state: w.state,
        jobsDone: w.jobs_done,
        startedAt: w.started_at.toISOString(),
        lastSeenAt: w.last_seen_at.toISOString(),
        silentSeconds: w.silent,
      })),
    };
  } finally {
    await pool.end();
  }
}
