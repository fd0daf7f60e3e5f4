/**
 * A fixed-size pool of worker threads running one task at a time each, so a sweep's trials use
 * every core (a fit is synchronous CPU work: on the main thread, trials could only take turns).
 *
 * The entry module calls `serveWorkerTasks(handler)`. From compiled JavaScript the worker imports
 * it directly; from TypeScript sources (tests, `tsx`) the worker loads it through tsx, which is
 * already a dependency for user modules. A task that is aborted, or whose worker dies, gets its
 * worker terminated and replaced, so a runaway trial cannot hold a core.
 */
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

interface TaskMessage {
  id: number;
  task: unknown;
}

type ReplyMessage =
  { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string; stack?: string };

/** What an entry module's handler receives besides the task: the pool's shared payload. */
export type WorkerTaskHandler<T, R> = (task: T, payload: unknown) => Promise<R> | R;

/** Call from a worker entry module: answers the pool's tasks with `handler`. */
export function serveWorkerTasks<T, R>(handler: WorkerTaskHandler<T, R>): void {
  if (isMainThread || !parentPort) throw new Error('serveWorkerTasks must run inside a worker thread');
  const port = parentPort;
  const payload = (workerData as { payload: unknown }).payload;
  port.on('message', (message: TaskMessage) => {
    void (async () => {
      let reply: ReplyMessage;
      try {
        reply = { id: message.id, ok: true, result: await handler(message.task as T, payload) };
      } catch (error) {
        reply = {
          id: message.id,
          ok: false,
          error: error instanceof Error ? error.message : String(error),
          ...(error instanceof Error && error.stack ? { stack: error.stack } : {}),
        };
      }
      port.postMessage(reply, transferablesOf(reply));
    })();
  });
}

/** Typed arrays in a result are moved, not copied, back to the main thread. */
function transferablesOf(reply: ReplyMessage): ArrayBuffer[] {
  if (!reply.ok) return [];
  const out = new Set<ArrayBuffer>();
  const visit = (value: unknown, depth: number) => {
    if (depth > 3 || value === null || typeof value !== 'object') return;
    if (ArrayBuffer.isView(value)) {
      if (value.buffer instanceof ArrayBuffer && value.byteLength === value.buffer.byteLength)
        out.add(value.buffer);
      return;
    }
    for (const v of Object.values(value)) visit(v, depth + 1);
  };
  visit(reply.result, 0);
  return [...out];
}

/** A worker's error, with the worker-side stack kept for --verbose. */
export class WorkerTaskError extends Error {
  constructor(
    message: string,
    readonly workerStack?: string,
  ) {
    super(message);
    this.name = 'WorkerTaskError';
  }
}

interface Slot {
  worker: Worker;
  busy: boolean;
}

export interface WorkerPoolOptions {
  /** The entry module (a file: URL to .js, or .ts when running from sources). */
  entry: URL;
  size: number;
  /** Sent once to each worker (structured clone: share big arrays through SharedArrayBuffer). */
  payload: unknown;
}

export class WorkerPool<T, R> {
  private readonly slots: Slot[] = [];
  private readonly waiting: Array<(slot: Slot) => void> = [];
  private nextId = 0;
  private closed = false;

  constructor(private readonly options: WorkerPoolOptions) {}

  private spawn(): Worker {
    const entry = this.options.entry.href;
    const fromSource = entry.endsWith('.ts');
    const bootstrap = {
      entry,
      // Resolved here, where tsx is known to resolve, not from inside the eval'd script.
      tsx: fromSource ? import.meta.resolve('tsx/esm/api') : undefined,
    };
    const code = `
const { workerData } = require('node:worker_threads');
const { entry, tsx } = workerData.bootstrap;
(tsx ? import(tsx).then((api) => api.tsImport(entry, entry)) : import(entry)).catch((error) => {
  setImmediate(() => { throw error; });
});`;
    const worker = new Worker(code, { eval: true, workerData: { bootstrap, payload: this.options.payload } });
    // An idle worker's failure surfaces on its next task (as an exit); it must not crash the run.
    worker.on('error', () => {});
    worker.unref();
    return worker;
  }

  private acquire(): Promise<Slot> {
    const free = this.slots.find((s) => !s.busy);
    if (free) {
      free.busy = true;
      return Promise.resolve(free);
    }
    if (this.slots.length < Math.max(1, this.options.size)) {
      const slot = { worker: this.spawn(), busy: true };
      this.slots.push(slot);
      return Promise.resolve(slot);
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(slot: Slot): void {
    const next = this.waiting.shift();
    if (next) next(slot);
    else slot.busy = false;
  }

  /** Replaces a slot's worker (after an abort or a crash). */
  private replace(slot: Slot): void {
    void slot.worker.terminate();
    if (this.closed) return;
    slot.worker = this.spawn();
  }

  /** Runs one task on a free worker; aborting `signal` terminates that worker. */
  async run(task: T, signal?: AbortSignal): Promise<R> {
    if (this.closed) throw new Error('the worker pool is closed');
    signal?.throwIfAborted();
    const slot = await this.acquire();
    const id = this.nextId++;
    const worker = slot.worker;
    try {
      return await new Promise<R>((resolve, reject) => {
        const cleanup = () => {
          worker.off('message', onMessage);
          worker.off('error', onError);
          worker.off('exit', onExit);
          signal?.removeEventListener('abort', onAbort);
        };
        const onMessage = (reply: ReplyMessage) => {
          if (reply.id !== id) return;
          cleanup();
          if (reply.ok) resolve(reply.result as R);
          else reject(new WorkerTaskError(reply.error, reply.stack));
        };
        const onError = (error: Error) => {
          cleanup();
          this.replace(slot);
          reject(error);
        };
        const onExit = (code: number) => {
          cleanup();
          this.replace(slot);
          reject(new Error(`the worker thread exited (code ${code}) while running the task`));
        };
        const onAbort = () => {
          cleanup();
          this.replace(slot);
          reject(signal?.reason ?? new Error('aborted'));
        };
        worker.on('message', onMessage);
        worker.on('error', onError);
        worker.on('exit', onExit);
        signal?.addEventListener('abort', onAbort, { once: true });
        worker.postMessage({ id, task } satisfies TaskMessage);
      });
    } finally {
      this.release(slot);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
    this.slots.length = 0;
  }
}

/** A copy of `array` in shared memory, viewable from every worker without copying. */
export function sharedCopy<A extends Float64Array | Int32Array>(array: A): A {
  const Ctor = array.constructor as { new (buffer: SharedArrayBuffer): A; BYTES_PER_ELEMENT: number };
  const shared = new Ctor(new SharedArrayBuffer(array.length * Ctor.BYTES_PER_ELEMENT));
  shared.set(array);
  return shared;
}
