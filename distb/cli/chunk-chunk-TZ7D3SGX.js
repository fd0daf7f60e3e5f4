import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  ConfigError
} from "./chunk-chunk-FHTLSLDU.js";

// src/registry/gate.ts
var BUILTIN_DIRECTIONS = {
  mean_squared_error: false,
  mse: false,
  root_mean_squared_error: false,
  rmse: false,
  mean_absolute_error: false,
  mae: false,
  mean_absolute_percentage_error: false,
  mape: false,
  max_error: false,
  log_loss: false,
  false_positives: false,
  false_negatives: false,
  r2_score: true,
  r2: true,
  accuracy_score: true,
  accuracy: true,
  precision_score: true,
  precision: true,
  recall_score: true,
  recall: true,
  f1_score: true,
  f1: true,
  roc_auc: true,
  precision_recall_auc: true,
  true_positives: true,
  true_negatives: true
};
function greaterIsBetter(metric) {
  return BUILTIN_DIRECTIONS[metric.replace(/^(val|test)_/, "")];
}
var ZERO_BASELINE_EPSILON = 1e-10;
function fmt(value) {
  if (!Number.isFinite(value)) return String(value);
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(6)));
}
function parseGateThresholds(value, where) {
  const issues = [];
  const issue = (path, message, hint) => issues.push({ file: where.file, line: 0, column: 0, path, message, ...hint ? { hint } : {} });
  const out = {};
  if (value === void 0 || value === null) return out;
  if (typeof value !== "object" || Array.isArray(value)) {
    issue(
      where.path,
      "must map metric names to {threshold, min_absolute_change, min_relative_change, greater_is_better}"
    );
    throw new ConfigError(issues);
  }
  for (const [metric, raw] of Object.entries(value)) {
    const path = where.path ? `${where.path}.${metric}` : metric;
    const spec = typeof raw === "number" ? { threshold: raw } : raw;
    if (spec === null || typeof spec !== "object" || Array.isArray(spec)) {
      issue(path, "must be an object such as {threshold: 5, min_relative_change: 0.01}");
      continue;
    }
    const known = [
      "threshold",
      "min_absolute_change",
      "min_relative_change",
      "greater_is_better",
      "higher_is_better"
    ];
    for (const key of Object.keys(spec)) {
      if (!known.includes(key))
        issue(`${path}.${key}`, "is not a threshold field", `use ${known.slice(0, 4).join(", ")}`);
    }
    const num = (key) => {
      const v = spec[key];
      if (v === void 0 || v === null) return void 0;
      if (typeof v !== "number" || !Number.isFinite(v)) {
        issue(`${path}.${key}`, `must be a number, not ${JSON.stringify(v)}`);
        return void 0;
      }
      return v;
    };
    const threshold = num("threshold");
    const minAbs = num("min_absolute_change");
    const minRel = num("min_relative_change");
    if (minAbs !== void 0 && minAbs < 0)
      issue(`${path}.min_absolute_change`, `must be >= 0, not ${minAbs}`);
    if (minRel !== void 0 && (minRel < 0 || minRel > 1)) {
      issue(
        `${path}.min_relative_change`,
        `must be between 0 and 1, not ${minRel}`,
        "e.g. 0.05 for 5% better"
      );
    }
    if (threshold === void 0 && minAbs === void 0 && minRel === void 0) {
      issue(path, "names no threshold", "give threshold, min_absolute_change or min_relative_change");
    }
    const direction = spec.greater_is_better ?? spec.higher_is_better;
    let greater;
    if (direction !== void 0) {
      if (typeof direction !== "boolean") issue(`${path}.greater_is_better`, "must be true or false");
      else greater = direction;
    } else {
      greater = where.directions?.[metric] ?? greaterIsBetter(metric);
      if (greater === void 0) {
        issue(
          `${path}.greater_is_better`,
          `is required: "${metric}" is not a built-in metric`,
          "set greater_is_better: true or false"
        );
      }
    }
    out[metric] = {
      ...threshold === void 0 ? {} : { threshold },
      ...minAbs === void 0 ? {} : { min_absolute_change: minAbs },
      ...minRel === void 0 ? {} : { min_relative_change: minRel },
      ...greater === void 0 ? {} : { greater_is_better: greater }
    };
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return out;
}
function evaluateGate(options) {
  const { candidate, baseline, thresholds } = options;
  const results = Object.entries(thresholds).map(
    ([metric, spec]) => checkMetric(metric, spec, candidate, baseline, options.directions)
  );
  return { passed: results.every((r) => r.passed), has_baseline: baseline !== void 0, results };
}
function checkMetric(metric, spec, candidateMetrics, baselineMetrics, directions) {
  const greater = spec.greater_is_better ?? directions?.[metric] ?? greaterIsBetter(metric);
  if (greater === void 0) {
    throw new ConfigError([
      {
        file: "thresholds",
        line: 0,
        column: 0,
        path: `${metric}.greater_is_better`,
        message: `is required: "${metric}" is not a built-in metric`,
        hint: "set greater_is_better: true or false"
      }
    ]);
  }
  const candidate = candidateMetrics[metric];
  const baseline = baselineMetrics?.[metric];
  const result = {
    metric,
    candidate: candidate ?? null,
    baseline: baseline ?? null,
    threshold: spec.threshold ?? null,
    min_absolute_change: spec.min_absolute_change ?? null,
    min_relative_change: spec.min_relative_change ?? null,
    greater_is_better: greater,
    passed: true,
    reason: ""
  };
  if (candidate === void 0 || Number.isNaN(candidate)) {
    const known = Object.keys(candidateMetrics).sort().join(", ");
    return {
      ...result,
      passed: false,
      reason: `the candidate has no ${metric} (its metrics: ${known || "none"})`
    };
  }
  const better = (a, b) => greater ? a >= b : a <= b;
  const word = greater ? ">=" : "<=";
  const failures = [];
  const passes = [];
  if (spec.threshold !== void 0) {
    const ok = better(candidate, spec.threshold);
    (ok ? passes : failures).push(
      `${metric} = ${fmt(candidate)} ${ok ? word : `is not ${word}`} threshold ${fmt(spec.threshold)}`
    );
  }
  const comparesBaseline = spec.min_absolute_change !== void 0 || spec.min_relative_change !== void 0;
  if (comparesBaseline && baselineMetrics === void 0) {
    passes.push("no baseline yet, so only the absolute threshold applies");
  } else if (comparesBaseline && (baseline === void 0 || Number.isNaN(baseline))) {
    failures.push(`the baseline has no ${metric} to compare with`);
  } else if (comparesBaseline && baseline !== void 0) {
    if (spec.min_absolute_change !== void 0) {
      const change = spec.min_absolute_change;
      const bound = greater ? baseline + change : baseline - change;
      const ok = better(candidate, bound);
      const what = change === 0 ? `baseline ${fmt(baseline)}` : `baseline ${fmt(baseline)} ${greater ? "+" : "\u2212"} ${fmt(change)} = ${fmt(bound)}`;
      (ok ? passes : failures).push(`${metric} = ${fmt(candidate)} ${ok ? word : `is not ${word}`} ${what}`);
    }
    if (spec.min_relative_change !== void 0) {
      const change = spec.min_relative_change;
      if (baseline === 0) {
        const bound = greater ? ZERO_BASELINE_EPSILON : -ZERO_BASELINE_EPSILON;
        const ok = better(candidate, bound);
        (ok ? passes : failures).push(
          `${metric} = ${fmt(candidate)} ${ok ? "is" : "is not"} better than the baseline's 0 (a relative change of a zero baseline is undefined)`
        );
      } else {
        const relative = (greater ? candidate - baseline : baseline - candidate) / Math.abs(baseline);
        const ok = relative >= change;
        (ok ? passes : failures).push(
          relative < 0 ? `${metric} = ${fmt(candidate)} is ${fmt(-relative * 100)}% worse than baseline ${fmt(baseline)}; required: at least ${fmt(change * 100)}% better` : `${metric} improves on baseline ${fmt(baseline)} by ${fmt(relative * 100)}%, ${ok ? "at least" : "less than"} the required ${fmt(change * 100)}%`
        );
      }
    }
  }
  if (failures.length > 0) return { ...result, passed: false, reason: failures.join("; ") };
  return { ...result, reason: passes.join("; ") || "no check applied" };
}
function describeGateFailures(result) {
  return result.results.filter((r) => !r.passed).map((r) => `  ${r.metric}: ${r.reason}`).join("\n");
}

export {
  greaterIsBetter,
  parseGateThresholds,
  evaluateGate,
  describeGateFailures
};
