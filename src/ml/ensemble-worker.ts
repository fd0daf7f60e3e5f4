/**
 * Worker-thread entry for tree ensembles (started by ensemble-threads.ts for one fit): grows
 * forest trees claimed from the shared counter, or builds boosting histograms for its features
 * whenever the main thread posts a request. Everything it reads is shared memory; a failure is
 * posted on its port and flagged in the control block, so the waiting main thread wakes up.
 */
import { type MessagePort, workerData } from 'node:worker_threads';
import { BinMapper } from './binning.js';
import type { EnsembleWorkerData, EnsembleWorkerMessage } from './ensemble-threads.js';
import { growForestTree, type ResolvedForestParams } from './forest.js';
import { sumBoostHistogram } from './trees/boost-histogram.js';

const { data, port } = workerData as { data: EnsembleWorkerData; port: MessagePort };

function post(message: EnsembleWorkerMessage, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

function growTrees(d: Extract<EnsembleWorkerData, { kind: 'forest' }>): void {
  const input = {
    binned: { nRows: d.nRows, nFeatures: d.nFeatures, codes: d.codes },
    mapper: BinMapper.fromJSON(d.mapper),
    y: d.y,
    nClasses: d.nClasses,
    params: d.params as ResolvedForestParams,
    splitter: d.splitter,
    values: d.values,
    seeds: d.seeds,
  };
  const c = d.control;
  for (let t = Atomics.add(c, 0, 1); t < d.nTrees; t = Atomics.add(c, 0, 1)) {
    const { tree, featureImportances } = growForestTree(input, t);
    // Posted before the count goes up: the main thread drains the ports once the count is full.
    const arrays = [
      tree.feature,
      tree.threshold,
      tree.left,
      tree.right,
      tree.missingLeft,
      tree.nNodeSamples,
      tree.impurity,
      tree.value,
      featureImportances,
    ];
    post(
      { t, tree, featureImportances },
      arrays.map((a) => a.buffer as ArrayBuffer),
    );
    Atomics.add(c, 1, 1);
    Atomics.notify(c, 1);
  }
}

function buildHistograms(d: Extract<EnsembleWorkerData, { kind: 'histograms' }>): void {
  const { control: c, codes, nFeatures: F, off, rows, grad, hess, out, fromFeature: a, toFeature: b } = d;
  let seen = 0;
  for (;;) {
    Atomics.wait(c, 0, seen);
    const request = Atomics.load(c, 0);
    if (request === -1) return;
    if (request === seen) continue;
    seen = request;
    const start = Atomics.load(c, 3);
    const end = Atomics.load(c, 4);
    const withHessian = Atomics.load(c, 5) === 1;
    const o = Atomics.load(c, 6);
    // The grower's own loop, over this helper's features only: each slot sums the same rows
    // in the same order, so it equals the one-thread histogram exactly.
    sumBoostHistogram(
      {
        codes,
        nFeatures: F,
        off,
        rows,
        start,
        end,
        grad,
        gradOffset: o,
        hess: withHessian ? hess : null,
        fromFeature: a,
        toFeature: b,
      },
      out,
    );
    Atomics.add(c, 1, 1);
    Atomics.notify(c, 1);
  }
}

try {
  if (data.kind === 'forest') growTrees(data);
  else buildHistograms(data);
} catch (error) {
  post({
    error: error instanceof Error ? error.message : String(error),
    ...(error instanceof Error && error.stack ? { stack: error.stack } : {}),
  });
  Atomics.store(data.control, 2, 1);
  Atomics.notify(data.control, 1);
}
