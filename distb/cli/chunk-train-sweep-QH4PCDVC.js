import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  createSampler,
  describeDistribution,
  noProgressLoss,
  parseTuningConfig,
  runSweep
} from "./chunk-chunk-SYODKDWR.js";
import {
  classificationMetrics,
  columnType,
  encodeLabels,
  labelStrings,
  regressionMetrics,
  regressionTarget,
  targetColumn
} from "./chunk-chunk-65BTZNEZ.js";
import {
  fitClasses,
  inputDir,
  readSplitDataset
} from "./chunk-chunk-5OY5P45V.js";
import {
  escapeHtml,
  formatNumber,
  htmlTable,
  svgLinePlot,
  svgScatterPlot
} from "./chunk-chunk-ZPTZ34P2.js";
import {
  TRIAL_CACHE_DIR
} from "./chunk-chunk-VH62VMQR.js";
import {
  greaterIsBetter
} from "./chunk-chunk-TZ7D3SGX.js";
import {
  selectColumns
} from "./chunk-chunk-THZAPR4X.js";
import {
  WorkerPool,
  sharedCopy
} from "./chunk-chunk-XJDKSL6Y.js";
import {
  fixedParams,
  isCustom,
  stringParams
} from "./chunk-chunk-LJJERU6S.js";
import {
  findUserModule,
  loadUserFunction
} from "./chunk-chunk-2HMFR572.js";
import "./chunk-chunk-AZRY3V2P.js";
import "./chunk-chunk-QRGYUBPG.js";
import "./chunk-chunk-6XT5LMGO.js";
import "./chunk-chunk-NPUIUAV7.js";
import "./chunk-chunk-Q4DOMFBY.js";
import {
  writeFileAtomic
} from "./chunk-chunk-NOK55ACX.js";
import {
  MAX_TAG_VALUE_LENGTH,
  TAGS
} from "./chunk-chunk-5AC5CY3N.js";
import {
  ConfigError,
  StepError
} from "./chunk-chunk-FHTLSLDU.js";
import "./chunk-chunk-ZGLOIRZZ.js";

// src/sweeps/train-sweep.ts
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
var TRIALS_FILE = "trials.json";
var SAMPLE_SEED = 42;
var TRIAL_TAGS = {
  index: "mlrecipe.trial.index",
  fingerprint: "mlrecipe.trial.fingerprint",
  reusedFrom: "mlrecipe.trial.reused_from",
  error: "mlrecipe.trial.error",
  bestRunId: "mlrecipe.tuning.best_run_id",
  bestTrial: "mlrecipe.tuning.best_trial",
  algorithm: "mlrecipe.tuning.algorithm"
};
async function scoringFor(recipe, problem, recipeDir) {
  const primary = typeof recipe.primary_metric === "string" ? recipe.primary_metric : problem.problemType === "regression" ? "root_mean_squared_error" : "f1_score";
  const configs = Array.isArray(recipe.custom_metrics) ? recipe.custom_metrics : [];
  const custom = [];
  for (const config of configs) {
    custom.push({
      config,
      fn: await loadUserFunction({
        recipeDir,
        step: "custom_metrics",
        name: config.function
      })
    });
  }
  const greater = configs.find((c) => c.name === primary)?.greater_is_better ?? greaterIsBetter(primary);
  if (greater === void 0) {
    throw new ConfigError([
      {
        file: "recipe.yaml",
        line: 0,
        column: 0,
        path: "primary_metric",
        message: `unknown metric "${primary}": the sweep cannot score trials by it`,
        hint: "name a built-in metric (root_mean_squared_error, f1_score, ...) or one of custom_metrics"
      }
    ]);
  }
  return { primary, greater, custom };
}
function hashFile(file) {
  return createHash("sha256").update(readFileSync(file)).digest("hex");
}
function canonical(value) {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value).filter(([, v]) => v !== void 0).sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0);
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}
var packageVersion;
function mlrecipeVersion() {
  packageVersion ??= JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")).version;
  return packageVersion;
}
function sampleRows(nRows, fraction) {
  if (fraction >= 1) return void 0;
  const keep = Math.max(1, Math.round(nRows * fraction));
  const order = Int32Array.from({ length: nRows }, (_, i) => i);
  let s = SAMPLE_SEED >>> 0 || 1;
  for (let i = 0; i < keep; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    const j = i + (s >>> 0) % (nRows - i);
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  return order.slice(0, keep).sort();
}
function takeRows(X, rows) {
  return {
    nRows: rows.length,
    columns: X.columns.map((c) => {
      const out = new Float64Array(rows.length);
      for (let i = 0; i < rows.length; i++) out[i] = c[rows[i]];
      return out;
    })
  };
}
function sharedMatrix(X) {
  return { nRows: X.nRows, columns: X.columns.map((c) => sharedCopy(c)) };
}
function trialEntry(runName, index) {
  return index < 0 ? `${runName}-untuned` : `${runName}-trial-${index}`;
}
function formatParams(params) {
  return Object.entries(params).map(([k, v]) => `${k}=${typeof v === "number" ? formatNumber(v) : JSON.stringify(v)}`).join(" ");
}
async function runTrainSweep(request, ctx) {
  const { cfg, problem, fitted, train, X, kind } = request;
  const parsed = parseTuningConfig(cfg?.tuning);
  const tuning = parsed.config;
  if (!tuning) {
    const first = parsed.issues[0];
    throw new ConfigError([
      {
        file: "recipe.yaml",
        line: 0,
        column: 0,
        path: ["steps.train.tuning", ...first?.path ?? []].join("."),
        message: first?.message ?? "tuning is not enabled",
        ...first?.hint ? { hint: first.hint } : {}
      }
    ]);
  }
  const scoring = await scoringFor(ctx.recipe, problem, ctx.recipeDir);
  const splitDir = inputDir(ctx, "split", "train");
  const validation = readSplitDataset(splitDir, "validation.arrow");
  if (validation.frame.nRows === 0) {
    throw new StepError("train", "tuning scores trials on the validation split, which is empty", {
      hint: "give the validation split rows (steps.split.split_ratios), or set tuning.enabled: false"
    });
  }
  const Xval = fitted.transformer.transform(selectColumns(validation.frame, fitted.inputColumns));
  const target = targetColumn(train.frame, problem.targetCol, "train.arrow");
  const valTarget = targetColumn(validation.frame, problem.targetCol, "validation.arrow");
  let y;
  let classes = [];
  let valTruth;
  if (kind === "regressor") {
    y = regressionTarget(target, "train.arrow");
    valTruth = { number: regressionTarget(valTarget, "validation.arrow") };
  } else {
    const labels = labelStrings(target, columnType(train, problem.targetCol), "train.arrow");
    classes = fitClasses(
      labels,
      target.type === "number" && columnType(train, problem.targetCol) !== "boolean",
      problem.positiveClass
    );
    y = encodeLabels(labels, classes, "train.arrow");
    const valLabels = labelStrings(valTarget, columnType(validation, problem.targetCol), "validation.arrow");
    valTruth = { labels: valLabels, index: encodeLabels(valLabels, classes, "validation.arrow") };
  }
  const rows = sampleRows(X.nRows, tuning.sampleFraction);
  const Xfit = rows ? takeRows(X, rows) : X;
  const yFit = rows ? y instanceof Float64Array ? Float64Array.from(rows, (r) => y[r]) : Int32Array.from(rows, (r) => y[r]) : y;
  const fixed = fixedParams(cfg);
  const identity = {
    format: 1,
    data: {
      split: basename(ctx.inputDirs.split ?? ""),
      transform: basename(ctx.inputDirs.transform ?? "")
    },
    estimator: isCustom(cfg) ? { using: "custom", method: cfg?.estimator_method } : { name: cfg?.estimator?.name ?? null, problem: problem.problemType },
    fixed,
    sample: { fraction: tuning.sampleFraction, seed: SAMPLE_SEED },
    scoring: { primary: scoring.primary, custom: scoring.custom.map((c) => c.config) },
    code: {
      mlrecipe: mlrecipeVersion(),
      files: Object.fromEntries(
        ["train", "custom_metrics"].map((m) => findUserModule({ recipeDir: ctx.recipeDir, module: m })).filter((f) => f !== void 0 && (isCustom(cfg) || !f.includes(`${"/"}train.`))).map((f) => [basename(f), hashFile(f)])
      )
    }
  };
  const fingerprintOf = (params) => createHash("sha256").update(canonical({ ...identity, params })).digest("hex");
  const cacheDir = join(ctx.recipeDir, TRIAL_CACHE_DIR);
  const store = ctx.runId && ctx.experimentId ? ctx.store : void 0;
  let parentName = "train";
  let inherited = [];
  if (store && ctx.runId) {
    const parent = await store.getRun(ctx.runId);
    parentName = parent.info.run_name || "train";
    inherited = parent.data.tags.filter(
      (t) => t.key.startsWith("mlflow.source.") || t.key === TAGS.user || t.key.startsWith("mlrecipe.") && !t.key.startsWith("mlrecipe.step.")
    );
  }
  let pool;
  const workerPool = () => {
    if (!pool) {
      const ext = import.meta.url.endsWith(".ts") ? ".ts" : ".js";
      const payload = {
        recipeDir: ctx.recipeDir,
        cfg: JSON.parse(JSON.stringify(cfg ?? {})),
        kind,
        problemType: problem.problemType,
        X: sharedMatrix(Xfit),
        y: sharedCopy(yFit),
        nClasses: classes.length,
        Xval: sharedMatrix(Xval)
      };
      pool = new WorkerPool({
        entry: new URL(`./train-trial-worker${ext}`, import.meta.url),
        size: tuning.parallelism,
        payload
      });
    }
    return pool;
  };
  const score = async (result) => {
    let metrics2;
    let yPredLabels;
    if (kind === "regressor")
      metrics2 = regressionMetrics(valTruth.number, result.yPred);
    else {
      metrics2 = classificationMetrics({
        yTrue: valTruth.index,
        yPred: result.yPred,
        ...result.proba ? { proba: result.proba } : {},
        nClasses: classes.length,
        positiveClass: 1
      });
      yPredLabels = Array.from(result.yPred, (k) => classes[k]);
    }
    for (const { config, fn } of scoring.custom) {
      const value = await fn({
        split: "validation",
        yTrue: kind === "regressor" ? valTruth.number : valTruth.labels,
        yPred: kind === "regressor" ? result.yPred : yPredLabels,
        frame: validation.frame,
        metrics: { ...metrics2 },
        ...kind === "classifier" ? { classes, yTrueIndex: valTruth.index, yPredIndex: result.yPred } : {},
        ...result.proba ? { proba: result.proba } : {}
      });
      if (typeof value !== "number" || Number.isNaN(value)) {
        throw new Error(`custom metric "${config.name}" returned ${String(value)}, not a number`);
      }
      metrics2[config.name] = value;
    }
    return metrics2;
  };
  const running = /* @__PURE__ */ new Map();
  const finished = [];
  let best;
  const metricLabel = `val_${scoring.primary}`;
  const showLive = () => {
    if (!ctx.liveStatus) return;
    const lines = [...running.entries()].sort(([a], [b]) => a - b).map(
      ([i, r]) => `${i < 0 ? "untuned" : `trial ${i}`} running ${((Date.now() - r.started) / 1e3).toFixed(1)}s  ${formatParams(r.params)}`
    );
    if (best) {
      lines.push(
        `best so far: ${best.index < 0 ? "untuned" : `trial ${best.index}`} ${metricLabel}=${formatNumber(best.metrics[scoring.primary])}  (${finished.length} done)`
      );
    }
    ctx.liveStatus(lines);
  };
  const ticker = ctx.liveStatus ? setInterval(showLive, 250) : void 0;
  ticker?.unref();
  const evaluate = async (index, params, signal) => {
    const merged = { ...fixed, ...params };
    const fingerprint = fingerprintOf(merged);
    const cacheFile = join(cacheDir, `${fingerprint}.json`);
    const childTags = (extra) => [
      ...inherited,
      { key: TAGS.parentRunId, value: ctx.runId },
      { key: TRIAL_TAGS.index, value: String(index) },
      { key: TRIAL_TAGS.fingerprint, value: fingerprint },
      { key: TRIAL_TAGS.algorithm, value: tuning.algorithm },
      ...extra
    ];
    const logParams = Object.entries(stringParams(merged)).map(([key, value]) => ({ key, value }));
    if (existsSync(cacheFile)) {
      const cached = JSON.parse(readFileSync(cacheFile, "utf8"));
      const record3 = { ...cached, index, params, cached: true };
      if (cached.runId) record3.reusedFrom = cached.reusedFrom ?? cached.runId;
      delete record3.runId;
      if (store) {
        const run = await store.createRun({
          experimentId: ctx.experimentId,
          runName: trialEntry(parentName, index),
          tags: childTags(
            record3.reusedFrom ? [{ key: TRIAL_TAGS.reusedFrom, value: record3.reusedFrom }] : []
          )
        });
        record3.runId = run.info.run_id;
        await store.logBatch(record3.runId, {
          params: logParams.slice(0, 100),
          metrics: metricsOf(record3),
          ...record3.error ? { tags: [{ key: TRIAL_TAGS.error, value: record3.error.slice(0, MAX_TAG_VALUE_LENGTH) }] } : {}
        });
        await store.updateRun(record3.runId, {
          status: record3.status === "ok" ? "FINISHED" : "FAILED",
          endTime: Date.now()
        });
      }
      return record3;
    }
    let runId;
    if (store) {
      const run = await store.createRun({
        experimentId: ctx.experimentId,
        runName: trialEntry(parentName, index),
        tags: childTags([])
      });
      runId = run.info.run_id;
      await store.logBatch(runId, { params: logParams.slice(0, 100) });
    }
    running.set(index, { started: Date.now(), params });
    let record2;
    try {
      const result = await workerPool().run({ params: merged }, signal);
      const metrics2 = await score(result);
      const value = metrics2[scoring.primary];
      if (value === void 0 || Number.isNaN(value)) {
        throw new Error(`the primary metric ${scoring.primary} is not defined for these predictions`);
      }
      record2 = {
        index,
        params,
        status: "ok",
        loss: scoring.greater ? -value : value,
        metrics: metrics2,
        fitSeconds: result.fitSeconds,
        fingerprint,
        cached: false,
        ...runId ? { runId } : {}
      };
    } catch (error) {
      running.delete(index);
      if (signal?.aborted || ctx.signal?.aborted) {
        if (store && runId) {
          await store.setTag(runId, {
            key: TRIAL_TAGS.error,
            value: "stopped: the sweep ended before this trial finished"
          }).catch(() => void 0);
          await store.updateRun(runId, { status: "KILLED", endTime: Date.now() }).catch(() => void 0);
        }
        if (ctx.signal?.aborted) throw error;
        return {
          index,
          params,
          status: "failed",
          loss: Number.POSITIVE_INFINITY,
          metrics: {},
          fitSeconds: 0,
          error: "stopped early",
          fingerprint,
          cached: false,
          ...runId ? { runId } : {}
        };
      }
      record2 = {
        index,
        params,
        status: "failed",
        loss: Number.POSITIVE_INFINITY,
        metrics: {},
        fitSeconds: 0,
        error: error instanceof Error ? error.message : String(error),
        fingerprint,
        cached: false,
        ...runId ? { runId } : {}
      };
    }
    running.delete(index);
    mkdirSync(cacheDir, { recursive: true });
    writeFileAtomic(
      cacheFile,
      `${JSON.stringify({ ...record2, loss: Number.isFinite(record2.loss) ? record2.loss : null }, null, 2)}
`
    );
    if (store && runId) {
      await store.logBatch(runId, {
        metrics: metricsOf(record2),
        ...record2.error ? { tags: [{ key: TRIAL_TAGS.error, value: record2.error.slice(0, MAX_TAG_VALUE_LENGTH) }] } : {}
      });
      await store.updateRun(runId, {
        status: record2.status === "ok" ? "FINISHED" : "FAILED",
        endTime: Date.now()
      });
    }
    return record2;
  };
  const record = (r) => {
    if (r.loss === null || r.loss === void 0) r.loss = Number.POSITIVE_INFINITY;
    finished.push(r);
    if (r.status === "ok" && (!best || r.loss < best.loss)) best = r;
    const what = r.index < 0 ? "untuned" : `trial ${r.index} (${finished.length}/${tuning.maxTrials})`;
    const outcome = r.status === "ok" ? `${metricLabel}=${formatNumber(r.metrics[scoring.primary])}` : `failed: ${r.error ?? ""}`;
    ctx.log(
      `${what} ${outcome}${r.cached ? " (cached)" : ""}  ${formatParams(r.params)}` + (best ? `  | best ${formatNumber(best.metrics[scoring.primary])} (${best.index < 0 ? "untuned" : `trial ${best.index}`})` : "")
    );
  };
  const earlyStop = await earlyStopFunction(tuning, ctx.recipeDir);
  const sampler = createSampler({ algorithm: tuning.algorithm, space: tuning.space, seed: tuning.seed });
  ctx.log(
    `tuning: ${tuning.algorithm}, up to ${tuning.maxTrials} trials, ${tuning.parallelism} at a time, by ${metricLabel}` + (tuning.sampleFraction < 1 ? `, each fitted on ${Xfit.nRows} of ${X.nRows} rows` : "")
  );
  let sweep;
  let untuned;
  try {
    sweep = await runSweep({
      space: tuning.space,
      sampler,
      maxTrials: tuning.maxTrials,
      parallelism: tuning.parallelism,
      ...earlyStop ? { earlyStop } : {},
      ...ctx.signal ? { signal: ctx.signal } : {},
      runTrial: (spec, signal) => evaluate(spec.index, spec.params, signal),
      failedResult: (spec, error) => {
        throw error instanceof Error ? error : new Error(`trial ${spec.index}: ${String(error)}`);
      },
      onTrialEnd: (_spec, result) => record(result)
    });
    if (Object.keys(fixed).length > 1 && sweep.best) {
      untuned = await evaluate(-1, {}, ctx.signal);
      record(untuned);
    }
  } finally {
    if (ticker) clearInterval(ticker);
    ctx.liveStatus?.([]);
    await pool?.close();
  }
  const trials = sweep.trials.map((t) => t.result);
  const failedCount = trials.filter((t) => t.status === "failed").length;
  const bestTrial = sweep.best?.result;
  if (!bestTrial) {
    const first = trials.find((t) => t.error)?.error ?? "no trial ran";
    throw new StepError("train", `all ${trials.length} tuning trials failed; the first error: ${first}`, {
      hint: "check the search space against the estimator (see the FAILED child runs for each error)"
    });
  }
  const untunedWins = untuned !== void 0 && untuned.status === "ok" && !(bestTrial.loss < untuned.loss);
  const winner = untunedWins ? untuned : bestTrial;
  const finalParams = untunedWins ? { ...fixed } : { ...fixed, ...bestTrial.params };
  const reused = trials.filter((t) => t.cached).length;
  ctx.log(
    `tuning done: ${trials.length} trials (${reused} from the cache, ${failedCount} failed)` + (sweep.stoppedAfter !== void 0 ? `, stopped early after trial ${sweep.stoppedAfter}` : "") + `; best ${metricLabel}=${formatNumber(winner.metrics[scoring.primary])} (${untunedWins ? "the untuned configuration" : `trial ${bestTrial.index}`})`
  );
  const all = untuned ? [...trials, untuned] : trials;
  const trialsFile = TRIALS_FILE;
  writeFileSync(
    join(ctx.outDir, trialsFile),
    `${JSON.stringify(
      {
        primary_metric: scoring.primary,
        greater_is_better: scoring.greater,
        algorithm: tuning.algorithm,
        seed: tuning.seed,
        best_trial: winner.index,
        best_run_id: winner.runId ?? null,
        ...sweep.stoppedAfter !== void 0 ? { stopped_after: sweep.stoppedAfter } : {},
        trials: all.map((t) => ({ ...t, loss: Number.isFinite(t.loss) ? t.loss : null }))
      },
      null,
      2
    )}
`
  );
  const tags = {
    [TRIAL_TAGS.bestTrial]: untunedWins ? "untuned" : String(bestTrial.index),
    [TRIAL_TAGS.algorithm]: tuning.algorithm
  };
  if (winner.runId) tags[TRIAL_TAGS.bestRunId] = winner.runId;
  const metrics = {
    tuning_trials: trials.length,
    tuning_failed_trials: failedCount,
    tuning_cached_trials: reused,
    [`tuning_best_${metricLabel}`]: winner.metrics[scoring.primary]
  };
  return {
    finalParams,
    metrics,
    tags,
    sections: tuningSections({ tuning, trials, untuned, winner, scoring, stoppedAfter: sweep.stoppedAfter }),
    cardData: {
      algorithm: tuning.algorithm,
      max_trials: tuning.maxTrials,
      parallelism: tuning.parallelism,
      seed: tuning.seed,
      sample_fraction: tuning.sampleFraction,
      primary_metric: scoring.primary,
      space: Object.fromEntries(tuning.space.map((p) => [p.name, describeDistribution(p.distribution)])),
      trials: trials.length,
      failed_trials: failedCount,
      cached_trials: reused,
      best_trial: untunedWins ? "untuned" : bestTrial.index,
      best_params: untunedWins ? {} : bestTrial.params,
      best_metric: winner.metrics[scoring.primary],
      ...untuned ? { untuned_metric: untuned.metrics[scoring.primary] ?? null } : {},
      ...sweep.stoppedAfter !== void 0 ? { stopped_after: sweep.stoppedAfter } : {}
    },
    trialsFile
  };
}
function metricsOf(record) {
  const now = Date.now();
  const out = Object.entries(record.metrics).map(([name, value]) => ({
    key: `val_${name}`,
    value,
    timestamp: now,
    step: 0
  }));
  if (record.status === "ok") {
    out.push({ key: "loss", value: record.loss, timestamp: now, step: 0 });
    out.push({ key: "fit_seconds", value: record.fitSeconds, timestamp: now, step: 0 });
  }
  return out;
}
async function earlyStopFunction(tuning, recipeDir) {
  const spec = tuning.earlyStop;
  if (!spec) return void 0;
  if (spec.kind === "no_progress_loss") return noProgressLoss(spec.iterationStopCount, spec.percentIncrease);
  return loadUserFunction({ recipeDir, step: spec.module, name: spec.name });
}
function tuningSections(options) {
  const { tuning, trials, untuned, winner, scoring } = options;
  const metricLabel = `val_${scoring.primary}`;
  const value = (t) => t.metrics[scoring.primary];
  const ok = trials.filter((t) => t.status === "ok");
  const sorted = [...trials, ...untuned ? [untuned] : []].sort(
    (a, b) => (a.status === "ok" ? a.loss : Number.POSITIVE_INFINITY) - (b.status === "ok" ? b.loss : Number.POSITIVE_INFINITY) || a.index - b.index
  );
  const names = tuning.space.map((p) => p.name);
  const summary = `<p>${escapeHtml(tuning.algorithm)} search, ${trials.length} trials (${trials.filter((t) => t.cached).length} from the cache, ${trials.filter((t) => t.status === "failed").length} failed)` + (options.stoppedAfter !== void 0 ? `, stopped early after trial ${options.stoppedAfter}` : "") + `, seed ${tuning.seed}. Best ${escapeHtml(metricLabel)} = ${escapeHtml(formatNumber(value(winner)))} from ${winner.index < 0 ? "the untuned configuration (estimator_params alone)" : `trial ${winner.index}`}.</p>` + htmlTable({
    headers: ["parameter", "search space", "best"],
    rows: tuning.space.map((p) => [
      p.name,
      describeDistribution(p.distribution),
      winner.index < 0 ? "(untuned)" : JSON.stringify(winner.params[p.name])
    ])
  });
  const table = htmlTable({
    headers: ["rank", "trial", ...names, metricLabel, "status", "run"],
    rows: sorted.map((t, rank) => [
      t.status === "ok" ? rank + 1 : "-",
      t.index < 0 ? "untuned" : t.index,
      ...names.map((n) => {
        const v = t.params[n];
        return typeof v === "number" ? v : v === void 0 ? "" : JSON.stringify(v);
      }),
      t.status === "ok" ? value(t) : "",
      t.status === "ok" ? t.cached ? "ok (cached)" : "ok" : `failed: ${t.error ?? ""}`,
      t.runId ?? ""
    ])
  });
  const sections = [
    { title: "Tuning", html: summary },
    { title: `Trials by ${metricLabel}`, html: table }
  ];
  if (ok.length > 0) {
    const charts = tuning.space.map((p) => {
      const d = p.distribution;
      const xs2 = ok.map((t) => {
        const v = t.params[p.name];
        return d.kind === "choice" ? d.options.findIndex((o) => JSON.stringify(o) === JSON.stringify(v)) : Number(v);
      });
      const logScale = d.kind === "loguniform" || d.kind === "qloguniform" || d.kind === "lognormal" || d.kind === "qlognormal";
      return svgScatterPlot({
        title: `${metricLabel} vs ${p.name}`,
        x: logScale ? xs2.map((x) => Math.log10(x)) : xs2,
        y: ok.map((t) => value(t)),
        xLabel: d.kind === "choice" ? `${p.name} (option index: ${d.options.map((o, i) => `${i}=${JSON.stringify(o)}`).join(", ")})` : logScale ? `log10 ${p.name}` : p.name,
        yLabel: metricLabel
      });
    });
    sections.push({ title: `${metricLabel} against each parameter`, html: charts.join("\n") });
    const bestSoFar = [];
    const xs = [];
    let current = Number.NaN;
    for (const t of trials) {
      if (t.status === "ok") {
        const v = value(t);
        if (Number.isNaN(current) || (scoring.greater ? v > current : v < current)) current = v;
      }
      if (!Number.isNaN(current)) {
        xs.push(t.index);
        bestSoFar.push(current);
      }
    }
    sections.push({
      title: "Best so far",
      html: svgLinePlot({
        title: `best ${metricLabel} after each trial`,
        series: [{ name: "best so far", x: xs, y: bestSoFar }],
        xLabel: "trial",
        yLabel: metricLabel
      })
    });
  }
  return sections;
}
export {
  TRIALS_FILE,
  TRIAL_TAGS,
  runTrainSweep,
  sampleRows
};
