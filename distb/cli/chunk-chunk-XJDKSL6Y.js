import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);

// src/sweeps/worker-pool.ts
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
function serveWorkerTasks(handler) {
  if (isMainThread || !parentPort) throw new Error("serveWorkerTasks must run inside a worker thread");
  const port = parentPort;
  const payload = workerData.payload;
  port.on("message", (message) => {
    void (async () => {
      let reply;
      try {
        reply = { id: message.id, ok: true, result: await handler(message.task, payload) };
      } catch (error) {
        reply = {
          id: message.id,
          ok: false,
          error: error instanceof Error ? error.message : String(error),
          ...error instanceof Error && error.stack ? { stack: error.stack } : {}
        };
      }
      port.postMessage(reply, transferablesOf(reply));
    })();
  });
}
function transferablesOf(reply) {
  if (!reply.ok) return [];
  const out = /* @__PURE__ */ new Set();
  const visit = (value, depth) => {
    if (depth > 3 || value === null || typeof value !== "object") return;
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
var WorkerTaskError = class extends Error {
  constructor(message, workerStack) {
    super(message);
    this.workerStack = workerStack;
    this.name = "WorkerTaskError";
  }
  workerStack;
};
var WorkerPool = class {
  constructor(options) {
    this.options = options;
  }
  options;
  slots = [];
  waiting = [];
  nextId = 0;
  closed = false;
  spawn() {
    const entry = this.options.entry.href;
    const fromSource = entry.endsWith(".ts");
    const bootstrap = {
      entry,
      // Resolved here, where tsx is known to resolve, not from inside the eval'd script.
      tsx: fromSource ? import.meta.resolve("tsx/esm/api") : void 0
    };
    const code = `
const { workerData } = require('node:worker_threads');
const { entry, tsx } = workerData.bootstrap;
(tsx ? import(tsx).then((api) => api.tsImport(entry, entry)) : import(entry)).catch((error) => {
  setImmediate(() => { throw error; });
});`;
    const worker = new Worker(code, { eval: true, workerData: { bootstrap, payload: this.options.payload } });
    worker.on("error", () => {
    });
    worker.unref();
    return worker;
  }
  acquire() {
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
  release(slot) {
    const next = this.waiting.shift();
    if (next) next(slot);
    else slot.busy = false;
  }
  /** Replaces a slot's worker (after an abort or a crash). */
  replace(slot) {
    void slot.worker.terminate();
    if (this.closed) return;
    slot.worker = this.spawn();
  }
  /** Runs one task on a free worker; aborting `signal` terminates that worker. */
  async run(task, signal) {
    if (this.closed) throw new Error("the worker pool is closed");
    signal?.throwIfAborted();
    const slot = await this.acquire();
    const id = this.nextId++;
    const worker = slot.worker;
    try {
      return await new Promise((resolve, reject) => {
        const cleanup = () => {
          worker.off("message", onMessage);
          worker.off("error", onError);
          worker.off("exit", onExit);
          signal?.removeEventListener("abort", onAbort);
        };
        const onMessage = (reply) => {
          if (reply.id !== id) return;
          cleanup();
          if (reply.ok) resolve(reply.result);
          else reject(new WorkerTaskError(reply.error, reply.stack));
        };
        const onError = (error) => {
          cleanup();
          this.replace(slot);
          reject(error);
        };
        const onExit = (code) => {
          cleanup();
          this.replace(slot);
          reject(new Error(`the worker thread exited (code ${code}) while running the task`));
        };
        const onAbort = () => {
          cleanup();
          this.replace(slot);
          reject(signal?.reason ?? new Error("aborted"));
        };
        worker.on("message", onMessage);
        worker.on("error", onError);
        worker.on("exit", onExit);
        signal?.addEventListener("abort", onAbort, { once: true });
        worker.postMessage({ id, task });
      });
    } finally {
      this.release(slot);
    }
  }
  async close() {
    this.closed = true;
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
    this.slots.length = 0;
  }
};
function sharedCopy(array) {
  const Ctor = array.constructor;
  const shared = new Ctor(new SharedArrayBuffer(array.length * Ctor.BYTES_PER_ELEMENT));
  shared.set(array);
  return shared;
}

export {
  serveWorkerTasks,
  WorkerPool,
  sharedCopy
};
