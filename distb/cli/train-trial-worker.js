import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  serveWorkerTasks
} from "./chunk-chunk-XJDKSL6Y.js";
import {
  buildEstimator
} from "./chunk-chunk-LJJERU6S.js";
import "./chunk-chunk-2HMFR572.js";
import "./chunk-chunk-AZRY3V2P.js";
import "./chunk-chunk-QRGYUBPG.js";
import "./chunk-chunk-6XT5LMGO.js";
import "./chunk-chunk-FHTLSLDU.js";
import "./chunk-chunk-ZGLOIRZZ.js";

// src/sweeps/train-trial-worker.ts
serveWorkerTasks(async (task, payload) => {
  const p = payload;
  const built = await buildEstimator({
    cfg: p.cfg,
    recipeDir: p.recipeDir,
    kind: p.kind,
    problemType: p.problemType,
    params: task.params
  });
  const estimator = built.estimator;
  const started = performance.now();
  if (estimator.kind === "regressor") {
    estimator.fit(p.X, p.y);
    const fitSeconds2 = (performance.now() - started) / 1e3;
    return { yPred: Float64Array.from(estimator.predict(p.Xval)), fitSeconds: fitSeconds2 };
  }
  estimator.fit(p.X, p.y, p.nClasses);
  const fitSeconds = (performance.now() - started) / 1e3;
  const yPred = Int32Array.from(estimator.predict(p.Xval));
  const proba = estimator.predictProba(p.Xval).map((column) => Float64Array.from(column));
  return { yPred, proba, fitSeconds };
});
