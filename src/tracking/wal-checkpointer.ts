/**
 * Checkpoints a SQLite database's write-ahead log on a worker thread, for a long-running process
 * that writes a lot (the tracking server). By default SQLite checkpoints inside the commit that
 * takes the WAL past 1,000 pages: that commit copies the pages into the database file and waits
 * for two fsyncs while the server's one thread serves nobody (measured under log-batch load: the
 * median commit 0.8 ms, the mean 6 ms). Here a second connection on its own thread runs PASSIVE
 * checkpoints whenever the WAL has grown past the same mark; PASSIVE never blocks a writer or a
 * reader. The store's own connection keeps a far higher autocheckpoint mark as a safety net, so
 * the WAL stays bounded even if this thread falls behind or fails.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** The WAL size (bytes) past which the worker checkpoints: SQLite's own 1,000 pages of 4 KiB. */
const CHECKPOINT_WAL_BYTES = 1000 * 4096;
const POLL_MS = 100;
/** The store's connection checkpoints by itself past this many pages (64 MiB). */
export const FALLBACK_AUTOCHECKPOINT_PAGES = 16_000;

/*
 * Plain CommonJS evaluated as the worker's source, so it runs the same from src/ under tsx, from
 * dist/ and from the CLI bundle (a worker file would need its own entry in each). The driver is
 * required by the absolute path resolved here. It only reads workerData; nothing from the
 * database or a request reaches this code.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { statSync } = require('node:fs');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { timeout: 1000 });
db.pragma('wal_autocheckpoint = 0');
let busy = false;
const timer = setInterval(() => {
  if (busy) return;
  busy = true;
  try {
    if (statSync(workerData.path + '-wal').size >= workerData.walBytes) db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // A missing WAL (closed elsewhere) or a busy lock: the next tick tries again.
  } finally {
    busy = false;
  }
}, workerData.pollMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

export interface WalCheckpointer {
  /** Stops the thread (after a checkpoint in progress) and closes its connection. */
  stop(): Promise<void>;
}

/** Starts checkpointing `path`'s WAL on a worker thread. The thread never keeps the process alive. */
export function startWalCheckpointer(path: string): WalCheckpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { driver, path, walBytes: CHECKPOINT_WAL_BYTES, pollMs: POLL_MS },
  });
  worker.unref();
  // A failing checkpointer costs speed, not data: the store's own autocheckpoint still bounds the WAL.
  worker.on('error', () => undefined);
  const exited = new Promise<void>((done) => worker.once('exit', () => done()));
  let stopping: Promise<void> | undefined;
  return {
    stop() {
      stopping ??= (async () => {
        worker.postMessage('stop');
        await exited;
      })();
      return stopping;
    },
  };
}
