/**
 * Both cores for tree ensembles, from a synchronous `fit`: worker threads started for one fit,
 * fed through shared memory, and waited for with `Atomics.wait` (the estimator interface is
 * synchronous, so the main thread blocks rather than awaiting; results come back through
 * `receiveMessageOnPort`, which needs no event loop turn).
 *
 * - Forests: the trees are claimed one at a time from a shared counter by the main thread and
 *   every worker; each tree is grown from its own seeds, so which thread grows it changes
 *   nothing, and the trees are put back in tree order.
 * - Boosting: each histogram build is split by feature between the main thread and the helpers.
 *   A feature's bins are summed over the same rows in the same order on any thread, so the
 *   histogram is bit for bit the one-thread histogram.
 *
 * The binned codes, targets, gradients and row lists live in SharedArrayBuffers that every
 * thread reads in place (nothing large is copied per worker). `node:worker_threads` is loaded
 * on the first parallel fit only: a cached `recipe run` never reaches it
 * (test/cli/lazy-loading.test.ts).
 */
import { createRequire } from 'node:module';
import type * as WorkerThreads from 'node:worker_threads';
import { DataError } from '../errors.js';
import type { BinMapperState } from './binning.js';

const require = createRequire(import.meta.url);

function workerThreads(): typeof WorkerThreads {
  return require('node:worker_threads') as typeof WorkerThreads;
}

/** Cores this process may use (`os.availableParallelism`, Node >= 18.14). */
function availableCores(): number {
  const os = require('node:os') as typeof import('node:os');
  return Math.max(1, os.availableParallelism());
}

/**
 * Threads for a fit from scikit-learn's `n_jobs`: null means `fallback` (forests: 1, as
 * scikit-learn 1.2; boosting: every core, as its OpenMP loops), -1 every core, -k all but k - 1,
 * k exactly k (as joblib, even beyond the cores). Inside a worker thread (a sweep trial) null
 * means 1: the trials already fill the cores.
 */
export function threadsFor(nJobs: number | null, fallback: 'one' | 'all'): number {
  const cores = availableCores();
  if (nJobs === null) {
    if (fallback === 'one' || !workerThreads().isMainThread) return 1;
    return cores;
  }
  if (nJobs < 0) return Math.max(1, cores + 1 + nJobs);
  return nJobs;
}

/** A SharedArrayBuffer-backed copy of a typed array (one copy, then every thread reads it). */
export function sharedCopy<T extends Float64Array | Int32Array | Uint32Array | Uint8Array>(a: T): T {
  if (a.buffer instanceof SharedArrayBuffer) return a;
  const Ctor = a.constructor as new (buffer: SharedArrayBuffer, offset: number, length: number) => T;
  const out = new Ctor(new SharedArrayBuffer(a.byteLength), 0, a.length);
  out.set(a as unknown as ArrayLike<number>);
  return out;
}

/** What every worker of one fit receives (structured clone: typed arrays over shared memory). */
export type EnsembleWorkerData =
  | {
      kind: 'forest';
      /** [next tree to claim, trees finished, a worker failed]. */
      control: Int32Array;
      nTrees: number;
      codes: Uint8Array;
      nRows: number;
      nFeatures: number;
      mapper: BinMapperState;
      y: Float64Array | Int32Array;
      nClasses: number;
      /** ResolvedForestParams, kept opaque here so this module needs no forest import. */
      params: unknown;
      splitter: 'best' | 'random';
      /** The raw columns, for the 'random' splitter's thresholds; null otherwise. */
      values: Float64Array[] | null;
      seeds: Uint32Array;
    }
  | {
      kind: 'histograms';
      /** See HistogramHelpers: [request, done count, failed, start, end, hessian given, offset]. */
      control: Int32Array;
      /** This helper's features [fromFeature, toFeature). */
      fromFeature: number;
      toFeature: number;
      codes: Uint8Array;
      nFeatures: number;
      /** Slot offsets per feature (3 numbers per slot: gradient, hessian, count). */
      off: Int32Array;
      rows: Uint32Array;
      grad: Float64Array;
      hess: Float64Array;
      /** Where the helper writes its features' slots (the same layout as a full histogram). */
      out: Float64Array;
    };

/** A message a worker posts: a grown tree, or why it failed. */
export type EnsembleWorkerMessage =
  | {
      t: number;
      tree: {
        nFeatures: number;
        nOutputs: number;
        feature: Int32Array;
        threshold: Float64Array;
        left: Int32Array;
        right: Int32Array;
        missingLeft: Uint8Array;
        nNodeSamples: Int32Array;
        impurity: Float64Array;
        value: Float64Array;
      };
      featureImportances: Float64Array;
    }
  | { error: string; stack?: string };

interface Started {
  worker: WorkerThreads.Worker;
  port: WorkerThreads.MessagePort;
}

/**
 * Starts a worker on ensemble-worker.ts (.js once compiled, beside this module in dist/ml and,
 * bundled, in dist/cli), with its own port for results. From TypeScript sources (tests) the
 * worker loads through tsx, as the sweeps' workers do.
 */
function startWorker(data: EnsembleWorkerData): Started {
  const { Worker, MessageChannel } = workerThreads();
  const fromSource = import.meta.url.endsWith('.ts');
  const entry = new URL(`./ensemble-worker${fromSource ? '.ts' : '.js'}`, import.meta.url).href;
  const channel = new MessageChannel();
  const bootstrap = { entry, tsx: fromSource ? import.meta.resolve('tsx/esm/api') : undefined };
  // A worker that cannot even load reports it through the same port and the shared failure
  // flag, so a main thread blocked in Atomics.wait wakes up instead of waiting forever.
  const code = `
const { workerData } = require('node:worker_threads');
const { entry, tsx } = workerData.bootstrap;
(tsx ? import(tsx).then((api) => api.tsImport(entry, entry)) : import(entry)).catch((error) => {
  workerData.port.postMessage({ error: String(error && error.message || error), stack: error && error.stack });
  Atomics.store(workerData.data.control, 2, 1);
  Atomics.notify(workerData.data.control, 1);
  Atomics.notify(workerData.data.control, 0);
});`;
  const worker = new Worker(code, {
    eval: true,
    // Compiled workers need none of the parent's loader flags (a parent started through tsx
    // would otherwise boot tsx in every worker); from sources the bootstrap loads tsx itself.
    ...(fromSource ? {} : { execArgv: [] }),
    workerData: { bootstrap, data, port: channel.port2 },
    transferList: [channel.port2],
  });
  worker.unref();
  // Failures reach the main thread through the port; an 'error' event must not crash the run.
  worker.on('error', () => {});
  return { worker, port: channel.port1 };
}

function drain(started: Started[]): EnsembleWorkerMessage[] {
  const { receiveMessageOnPort } = workerThreads();
  const out: EnsembleWorkerMessage[] = [];
  for (const s of started) {
    for (;;) {
      const m = receiveMessageOnPort(s.port);
      if (m === undefined) break;
      out.push(m.message as EnsembleWorkerMessage);
    }
  }
  return out;
}

function stop(started: Started[]): void {
  for (const s of started) {
    s.port.close();
    void s.worker.terminate();
  }
}

function failure(message: { error: string; stack?: string }): Error {
  const error = new DataError(`a tree-ensemble worker thread failed: ${message.error}`, {
    hint: 'run with n_jobs: 1 to fit on the calling thread and see the error there',
  });
  if (message.stack) error.stack = message.stack;
  return error;
}

/**
 * Grows `nTrees` trees on `threads` threads (this one included): `growHere(t)` grows tree t on
 * this thread, the workers grow theirs from `data`. Returns every tree's result in tree order,
 * and how many trees the workers grew.
 */
export function growTreesInParallel<R>(
  data: Omit<Extract<EnsembleWorkerData, { kind: 'forest' }>, 'control' | 'kind'>,
  threads: number,
  growHere: (t: number) => R,
  fromWorker: (message: Extract<EnsembleWorkerMessage, { t: number }>) => R,
): { results: R[]; grownByWorkers: number } {
  const T = data.nTrees;
  let grownByWorkers = 0;
  const control = new Int32Array(new SharedArrayBuffer(3 * 4));
  const started: Started[] = [];
  const results: (R | undefined)[] = new Array<R | undefined>(T);
  try {
    for (let w = 1; w < threads; w++) started.push(startWorker({ kind: 'forest', control, ...data }));
    // This thread claims trees too, so a slow worker start costs nothing.
    for (let t = Atomics.add(control, 0, 1); t < T; t = Atomics.add(control, 0, 1)) {
      results[t] = growHere(t);
      Atomics.add(control, 1, 1);
    }
    for (let done = Atomics.load(control, 1); done < T; done = Atomics.load(control, 1)) {
      if (Atomics.load(control, 2) !== 0) break;
      Atomics.wait(control, 1, done, 1000);
    }
    for (const m of drain(started)) {
      if ('error' in m) throw failure(m);
      results[m.t] = fromWorker(m);
      grownByWorkers++;
    }
  } finally {
    stop(started);
  }
  for (let t = 0; t < T; t++) {
    if (results[t] === undefined) throw new Error(`internal: tree ${t} was not grown by any thread`);
  }
  return { results: results as R[], grownByWorkers };
}

/**
 * Helper threads for boosting's histogram builds: each owns a contiguous range of features and
 * builds their slots into its own shared output when asked. Control block (Int32Array):
 * [0] request number (bumped per build; 0 idle, -1 stop), [1] helpers done with the current
 * request, [2] a helper failed, [3] start, [4] end of the rows range, [5] 1 when hessians are
 * given (else every hessian is 1), [6] where this tree's gradients start in `grad` and `hess`
 * (multiclass fits keep one block per class).
 */
export class HistogramHelpers {
  private readonly control = new Int32Array(new SharedArrayBuffer(7 * 4));
  private readonly started: Started[] = [];
  /** Per helper: its feature range and its output histogram. */
  readonly parts: { fromFeature: number; toFeature: number; out: Float64Array }[] = [];
  /** The features this thread builds: [0, mainFeatures). */
  readonly mainFeatures: number;
  private request = 0;

  constructor(options: {
    threads: number;
    codes: Uint8Array;
    nFeatures: number;
    off: Int32Array;
    histLength: number;
    rows: Uint32Array;
    grad: Float64Array;
    hess: Float64Array;
  }) {
    const F = options.nFeatures;
    const threads = Math.min(options.threads, F);
    // Features dealt out by slot count, so threads get similar shares when bins differ.
    const total = options.off[F];
    const cut = (k: number): number => {
      let j = 0;
      while (j < F && options.off[j] < (total * k) / threads) j++;
      return j;
    };
    this.mainFeatures = cut(1);
    for (let k = 1; k < threads; k++) {
      const fromFeature = cut(k);
      const toFeature = k + 1 === threads ? F : cut(k + 1);
      if (toFeature <= fromFeature) continue;
      const out = new Float64Array(new SharedArrayBuffer(options.histLength * 8));
      this.parts.push({ fromFeature, toFeature, out });
      this.started.push(
        startWorker({
          kind: 'histograms',
          control: this.control,
          fromFeature,
          toFeature,
          codes: options.codes,
          nFeatures: F,
          off: options.off,
          rows: options.rows,
          grad: options.grad,
          hess: options.hess,
          out,
        }),
      );
    }
  }

  /** Asks every helper to build rows[start..end) for its features; `waitForHelpers` collects. */
  startBuild(start: number, end: number, withHessian: boolean, gradOffset: number): void {
    const c = this.control;
    Atomics.store(c, 1, 0);
    Atomics.store(c, 6, gradOffset);
    Atomics.store(c, 3, start);
    Atomics.store(c, 4, end);
    Atomics.store(c, 5, withHessian ? 1 : 0);
    this.request++;
    Atomics.store(c, 0, this.request);
    Atomics.notify(c, 0);
  }

  /** Blocks until every helper finished the current build; throws when one failed. */
  waitForHelpers(): void {
    const c = this.control;
    const n = this.parts.length;
    for (let done = Atomics.load(c, 1); done < n; done = Atomics.load(c, 1)) {
      if (Atomics.load(c, 2) !== 0) break;
      Atomics.wait(c, 1, done, 1000);
    }
    if (Atomics.load(c, 2) !== 0) {
      const m = drain(this.started).find((x) => 'error' in x);
      throw failure(m && 'error' in m ? m : { error: 'a histogram helper stopped' });
    }
  }

  close(): void {
    Atomics.store(this.control, 0, -1);
    Atomics.notify(this.control, 0);
    stop(this.started);
  }
}
