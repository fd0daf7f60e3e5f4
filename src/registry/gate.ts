/**
 * The baseline gate's comparison: candidate metrics against absolute thresholds and against a
 * baseline's metrics, with the semantics of MLflow's `MetricThreshold` and `_validate`
 * (mlflow/models/evaluation/validation.py, MLflow 2.x):
 *
 * - `threshold`: greater is better → value >= threshold; otherwise value <= threshold.
 * - `min_absolute_change`: greater → value >= baseline + change; otherwise value <= baseline − change.
 * - `min_relative_change` (0..1): greater → (value − baseline) / |baseline| >= change; otherwise
 *   (baseline − value) / |baseline| >= change. A zero baseline falls back to "strictly better by
 *   1e-10", as MLflow does.
 * - A metric missing from the candidate fails; a change threshold whose metric is missing from a
 *   given baseline fails. With no baseline at all (the first model), only `threshold` applies.
 *
 * Two deliberate differences from MLflow, both for numbers MLflow mishandles or refuses:
 * the relative change divides by |baseline| (MLflow divides by the signed baseline, which turns
 * an improvement over a negative r2 into a failure), and `min_absolute_change: 0` is accepted
 * meaning "at least as good as the baseline" (MLflow requires a positive number).
 *
 * Pure: plain data in, plain data out; I/O lives in the register step and `recipe gate`.
 */
import { ConfigError, type ConfigIssue } from '../errors.js';

export interface MetricThreshold {
  threshold?: number;
  min_absolute_change?: number;
  min_relative_change?: number;
  /** Defaults from the metric's name for the built-in metrics (see `greaterIsBetter`). */
  greater_is_better?: boolean;
}

export type GateThresholds = Record<string, MetricThreshold>;

export interface GateMetricResult {
  metric: string;
  candidate: number | null;
  /** null when there is no baseline or it lacks the metric. */
  baseline: number | null;
  threshold: number | null;
  min_absolute_change: number | null;
  min_relative_change: number | null;
  greater_is_better: boolean;
  passed: boolean;
  /** One sentence saying why the metric passed or failed. */
  reason: string;
}

export interface GateResult {
  passed: boolean;
  /** Whether a baseline took part in the comparison. */
  has_baseline: boolean;
  results: GateMetricResult[];
}

export interface EvaluateGateOptions {
  candidate: Readonly<Record<string, number>>;
  /** The baseline's metrics on the same data; undefined when there is no baseline yet. */
  baseline?: Readonly<Record<string, number>>;
  thresholds: Readonly<GateThresholds>;
  /** Directions of custom metrics (name → greater is better), used when a threshold omits it. */
  directions?: Readonly<Record<string, boolean>>;
}

/** Which way is better for the built-in metrics (MLflow's evaluator names and common short names). */
const BUILTIN_DIRECTIONS: Readonly<Record<string, boolean>> = {
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
  true_negatives: true,
};

/** Whether greater values of a built-in metric are better; undefined for an unknown name. */
export function greaterIsBetter(metric: string): boolean | undefined {
  return BUILTIN_DIRECTIONS[metric.replace(/^(val|test)_/, '')];
}

/** MLflow's floor for "better than a zero baseline". */
const ZERO_BASELINE_EPSILON = 1e-10;

function fmt(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(6)));
}

/**
 * Checks thresholds given as plain data (from YAML or JSON) and returns them typed. `where`
 * names the file and the path prefix for errors (e.g. `recipe.yaml`, `steps.register.validation_thresholds`).
 */
export function parseGateThresholds(
  value: unknown,
  where: { file: string; path: string; directions?: Readonly<Record<string, boolean>> },
): GateThresholds {
  const issues: ConfigIssue[] = [];
  const issue = (path: string, message: string, hint?: string) =>
    issues.push({ file: where.file, line: 0, column: 0, path, message, ...(hint ? { hint } : {}) });
  const out: GateThresholds = {};
  if (value === undefined || value === null) return out;
  if (typeof value !== 'object' || Array.isArray(value)) {
    issue(
      where.path,
      'must map metric names to {threshold, min_absolute_change, min_relative_change, greater_is_better}',
    );
    throw new ConfigError(issues);
  }
  for (const [metric, raw] of Object.entries(value as Record<string, unknown>)) {
    const path = where.path ? `${where.path}.${metric}` : metric;
    // A bare number is shorthand for {threshold: n} (what earlier recipe.yaml files wrote).
    const spec: Record<string, unknown> =
      typeof raw === 'number' ? { threshold: raw } : (raw as Record<string, unknown>);
    if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) {
      issue(path, 'must be an object such as {threshold: 5, min_relative_change: 0.01}');
      continue;
    }
    const known = [
      'threshold',
      'min_absolute_change',
      'min_relative_change',
      'greater_is_better',
      'higher_is_better',
    ];
    for (const key of Object.keys(spec)) {
      if (!known.includes(key))
        issue(`${path}.${key}`, 'is not a threshold field', `use ${known.slice(0, 4).join(', ')}`);
    }
    const num = (key: string): number | undefined => {
      const v = spec[key];
      if (v === undefined || v === null) return undefined;
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        issue(`${path}.${key}`, `must be a number, not ${JSON.stringify(v)}`);
        return undefined;
      }
      return v;
    };
    const threshold = num('threshold');
    const minAbs = num('min_absolute_change');
    const minRel = num('min_relative_change');
    if (minAbs !== undefined && minAbs < 0)
      issue(`${path}.min_absolute_change`, `must be >= 0, not ${minAbs}`);
    if (minRel !== undefined && (minRel < 0 || minRel > 1)) {
      issue(
        `${path}.min_relative_change`,
        `must be between 0 and 1, not ${minRel}`,
        'e.g. 0.05 for 5% better',
      );
    }
    if (threshold === undefined && minAbs === undefined && minRel === undefined) {
      issue(path, 'names no threshold', 'give threshold, min_absolute_change or min_relative_change');
    }
    const direction = spec.greater_is_better ?? spec.higher_is_better;
    let greater: boolean | undefined;
    if (direction !== undefined) {
      if (typeof direction !== 'boolean') issue(`${path}.greater_is_better`, 'must be true or false');
      else greater = direction;
    } else {
      greater = where.directions?.[metric] ?? greaterIsBetter(metric);
      if (greater === undefined) {
        issue(
          `${path}.greater_is_better`,
          `is required: "${metric}" is not a built-in metric`,
          'set greater_is_better: true or false',
        );
      }
    }
    out[metric] = {
      ...(threshold === undefined ? {} : { threshold }),
      ...(minAbs === undefined ? {} : { min_absolute_change: minAbs }),
      ...(minRel === undefined ? {} : { min_relative_change: minRel }),
      ...(greater === undefined ? {} : { greater_is_better: greater }),
    };
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return out;
}

/** Compares the candidate with the thresholds and the baseline, metric by metric. */
export function evaluateGate(options: EvaluateGateOptions): GateResult {
  const { candidate, baseline, thresholds } = options;
  const results = Object.entries(thresholds).map(([metric, spec]) =>
    checkMetric(metric, spec, candidate, baseline, options.directions),
  );
  return { passed: results.every((r) => r.passed), has_baseline: baseline !== undefined, results };
}

function checkMetric(
  metric: string,
  spec: MetricThreshold,
  candidateMetrics: Readonly<Record<string, number>>,
  baselineMetrics: Readonly<Record<string, number>> | undefined,
  directions: Readonly<Record<string, boolean>> | undefined,
): GateMetricResult {
  const greater = spec.greater_is_better ?? directions?.[metric] ?? greaterIsBetter(metric);
  if (greater === undefined) {
    throw new ConfigError([
      {
        file: 'thresholds',
        line: 0,
        column: 0,
        path: `${metric}.greater_is_better`,
        message: `is required: "${metric}" is not a built-in metric`,
        hint: 'set greater_is_better: true or false',
      },
    ]);
  }
  const candidate = candidateMetrics[metric];
  const baseline = baselineMetrics?.[metric];
  const result: GateMetricResult = {
    metric,
    candidate: candidate ?? null,
    baseline: baseline ?? null,
    threshold: spec.threshold ?? null,
    min_absolute_change: spec.min_absolute_change ?? null,
    min_relative_change: spec.min_relative_change ?? null,
    greater_is_better: greater,
    passed: true,
    reason: '',
  };
  if (candidate === undefined || Number.isNaN(candidate)) {
    const known = Object.keys(candidateMetrics).sort().join(', ');
    return {
      ...result,
      passed: false,
      reason: `the candidate has no ${metric} (its metrics: ${known || 'none'})`,
    };
  }
  const better = (a: number, b: number) => (greater ? a >= b : a <= b);
  const word = greater ? '>=' : '<=';
  const failures: string[] = [];
  const passes: string[] = [];

  if (spec.threshold !== undefined) {
    const ok = better(candidate, spec.threshold);
    (ok ? passes : failures).push(
      `${metric} = ${fmt(candidate)} ${ok ? word : `is not ${word}`} threshold ${fmt(spec.threshold)}`,
    );
  }
  const comparesBaseline = spec.min_absolute_change !== undefined || spec.min_relative_change !== undefined;
  if (comparesBaseline && baselineMetrics === undefined) {
    passes.push('no baseline yet, so only the absolute threshold applies');
  } else if (comparesBaseline && (baseline === undefined || Number.isNaN(baseline))) {
    failures.push(`the baseline has no ${metric} to compare with`);
  } else if (comparesBaseline && baseline !== undefined) {
    if (spec.min_absolute_change !== undefined) {
      const change = spec.min_absolute_change;
      const bound = greater ? baseline + change : baseline - change;
      const ok = better(candidate, bound);
      const what =
        change === 0
          ? `baseline ${fmt(baseline)}`
          : `baseline ${fmt(baseline)} ${greater ? '+' : '−'} ${fmt(change)} = ${fmt(bound)}`;
      (ok ? passes : failures).push(`${metric} = ${fmt(candidate)} ${ok ? word : `is not ${word}`} ${what}`);
    }
    if (spec.min_relative_change !== undefined) {
      const change = spec.min_relative_change;
      if (baseline === 0) {
        const bound = greater ? ZERO_BASELINE_EPSILON : -ZERO_BASELINE_EPSILON;
        const ok = better(candidate, bound);
        (ok ? passes : failures).push(
          `${metric} = ${fmt(candidate)} ${ok ? 'is' : 'is not'} better than the baseline's 0 (a relative change of a zero baseline is undefined)`,
        );
      } else {
        const relative = (greater ? candidate - baseline : baseline - candidate) / Math.abs(baseline);
        const ok = relative >= change;
        (ok ? passes : failures).push(
          relative < 0
            ? `${metric} = ${fmt(candidate)} is ${fmt(-relative * 100)}% worse than baseline ${fmt(baseline)}; required: at least ${fmt(change * 100)}% better`
            : `${metric} improves on baseline ${fmt(baseline)} by ${fmt(relative * 100)}%, ${ok ? 'at least' : 'less than'} the required ${fmt(change * 100)}%`,
        );
      }
    }
  }
  if (failures.length > 0) return { ...result, passed: false, reason: failures.join('; ') };
  return { ...result, reason: passes.join('; ') || 'no check applied' };
}

/** One line per failed metric, for error messages and logs. */
export function describeGateFailures(result: GateResult): string {
  return result.results
    .filter((r) => !r.passed)
    .map((r) => `  ${r.metric}: ${r.reason}`)
    .join('\n');
}
