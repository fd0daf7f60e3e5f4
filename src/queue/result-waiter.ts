/**
 * The enqueuer's wait for its jobs' result rows (mlrecipe_queue_results), shared by trial and
 * project jobs.
 *
 * A worker writes a job's result row and then NOTIFYs RESULTS_CHANNEL with the job's key; the
 * enqueuer LISTENs on a connection of its own and reads the row as soon as it is told, so the
 * wait adds one round trip rather than half a poll interval. Polling stays as the fallback, at a
 * slower pace: a notification sent while the listening connection was down is lost, and a job that
 * used up its attempts (graphile-worker keeps it, failed) sends none.
 */
import pg from 'pg';
import { RESULTS_CHANNEL } from './schema.js';

export interface ResultRow {
  jobKey: string;
  outcome: unknown;
  runId: string | null;
}

export interface ResultWaiter {
  /** Settles with the key's result row; rejects when the queue gave up on the job. */
  wait(key: string): Promise<ResultRow>;
  /** Stops waiting for `key`: its promise rejects with `reason`. */
  forget(key: string, reason: Error): void;
  close(): Promise<void>;
}

interface Waiter {
  resolve(row: ResultRow): void;
  reject(error: Error): void;
}

export interface ResultWaiterOptions {
  pool: pg.Pool;
  connectionString: string;
  /** Attempts after which a job counts as failed (for the message). */
  maxAttempts: number;
  /** What the failed thing is called in messages ("trial", "run"). */
  noun: string;
  /** Polling interval while notifications arrive (default 1 s) and while they cannot (default 200 ms). */
  pollIntervalMs?: number;
  /** Listen for notifications (default true); false polls only. */
  listen?: boolean;
}

export async function createResultWaiter(options: ResultWaiterOptions): Promise<ResultWaiter> {
  const { pool } = options;
  const waiting = new Map<string, Waiter[]>();
  let listener: pg.Client | undefined;
  let listening = false;
  let closed = false;

  const settle = (key: string, how: (w: Waiter) => void) => {
    const list = waiting.get(key);
    if (!list) return;
    waiting.delete(key);
    for (const w of list) how(w);
  };
  const resolveRows = (rows: Array<{ job_key: string; outcome: unknown; run_id: string | null }>) => {
    for (const row of rows)
      settle(row.job_key, (w) => w.resolve({ jobKey: row.job_key, outcome: row.outcome, runId: row.run_id }));
  };
  const fetchRows = async (keys: string[]) => {
    const done = await pool.query<{ job_key: string; outcome: unknown; run_id: string | null }>(
      'SELECT job_key, outcome, run_id FROM mlrecipe_queue_results WHERE job_key = ANY($1)',
      [keys],
    );
    resolveRows(done.rows);
  };

  const startListening = async () => {
    const client = new pg.Client({ connectionString: options.connectionString });
    client.on('error', () => {
      // The connection dropped: fall back to fast polling; the next poll tries to listen again.
      listening = false;
      listener = undefined;
      void client.end().catch(() => undefined);
    });
    client.on('notification', (message) => {
      const key = message.payload;
      if (key && waiting.has(key)) void fetchRows([key]).catch(() => undefined);
    });
    await client.connect();
    // The channel name is our constant, not input; LISTEN takes no bound parameters.
    await client.query(`LISTEN ${RESULTS_CHANNEL}`);
    listener = client;
    listening = true;
  };
  if (options.listen !== false) await startListening().catch(() => undefined);

  let polling = false;
  const poll = async () => {
    if (polling || waiting.size === 0) return;
    polling = true;
    try {
      if (!listening && options.listen !== false && !closed) await startListening().catch(() => undefined);
      const keys = [...waiting.keys()];
      await fetchRows(keys);
      const failed = await pool.query<{ key: string; last_error: string | null }>(
        `SELECT key, last_error FROM graphile_worker.jobs
         WHERE key = ANY($1) AND attempts >= max_attempts AND locked_at IS NULL`,
        [keys],
      );
      for (const row of failed.rows) {
        settle(row.key, (w) =>
          w.reject(
            new Error(
              `the queue gave up on this ${options.noun} after ${options.maxAttempts} attempts: ${row.last_error ?? 'no error recorded'}`,
            ),
          ),
        );
      }
    } catch (error) {
      for (const key of [...waiting.keys()])
        settle(key, (w) => w.reject(error instanceof Error ? error : new Error(String(error))));
    } finally {
      polling = false;
    }
  };
  const slow = options.pollIntervalMs ?? 1000;
  const fast = Math.min(slow, 200);
  let timer: NodeJS.Timeout | undefined;
  const schedule = () => {
    if (closed || timer) return;
    timer = setTimeout(
      () => {
        timer = undefined;
        void poll().finally(() => {
          if (waiting.size > 0) schedule();
        });
      },
      listening ? slow : fast,
    );
  };

  return {
    wait(key) {
      const promise = new Promise<ResultRow>((resolve, reject) => {
        const list = waiting.get(key) ?? [];
        list.push({ resolve, reject });
        waiting.set(key, list);
      });
      // A result written before we started to wait (or before LISTEN took effect) is found at once.
      void fetchRows([key]).catch(() => undefined);
      schedule();
      return promise;
    },
    forget(key, reason) {
      settle(key, (w) => w.reject(reason));
    },
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      for (const key of [...waiting.keys()])
        settle(key, (w) => w.reject(new Error('the queue session was closed')));
      await listener?.end().catch(() => undefined);
    },
  };
}

/**
 * Cancels a job its enqueuer no longer waits for (Ctrl-C, an early stop): a queued job is removed;
 * a running one is named in mlrecipe_queue_cancels, which its worker checks while it runs (it
 * stops the job and completes it without a result, so it is not retried) and any worker checks
 * before it starts a job.
 */
export async function cancelJob(pool: pg.Pool, key: string, reason: string): Promise<void> {
  await pool.query(
    `INSERT INTO mlrecipe_queue_cancels (job_key, reason) VALUES ($1, $2)
     ON CONFLICT (job_key) DO UPDATE SET reason = EXCLUDED.reason, cancelled_at = now()`,
    [key, reason],
  );
  await pool.query('SELECT graphile_worker.remove_job($1)', [key]);
}

/** A job queued again (a new sweep asks for the same trial) must not inherit an old cancel. */
export async function clearCancel(pool: pg.Pool, key: string): Promise<void> {
  await pool.query('DELETE FROM mlrecipe_queue_cancels WHERE job_key = $1', [key]);
}
