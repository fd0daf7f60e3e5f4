import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import {
  describeGateFailures,
  evaluateGate,
  type GateThresholds,
  greaterIsBetter,
  parseGateThresholds,
} from '../../src/registry/gate.js';
import {
  formatGateJunit,
  formatGateMarkdown,
  type GateReport,
  writeGateReport,
} from '../../src/registry/gate-report.js';

const root = mkdtempSync(join(tmpdir(), 'mlrecipe-gate-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

type Case = {
  name: string;
  thresholds: GateThresholds;
  candidate: Record<string, number>;
  baseline?: Record<string, number>;
  passed: boolean;
  reason?: RegExp;
};

// Each row mirrors a branch of MLflow's _validate (mlflow/models/evaluation/validation.py).
const cases: Case[] = [
  {
    name: 'lower-is-better threshold holds',
    thresholds: { rmse: { threshold: 5 } },
    candidate: { rmse: 5 },
    passed: true,
  },
  {
    name: 'lower-is-better threshold fails',
    thresholds: { rmse: { threshold: 5 } },
    candidate: { rmse: 5.01 },
    passed: false,
    reason: /rmse = 5.01 is not <= threshold 5/,
  },
  {
    name: 'higher-is-better threshold holds',
    thresholds: { r2_score: { threshold: 0.8 } },
    candidate: { r2_score: 0.8 },
    passed: true,
  },
  {
    name: 'higher-is-better threshold fails',
    thresholds: { r2_score: { threshold: 0.8 } },
    candidate: { r2_score: 0.79 },
    passed: false,
  },
  {
    name: 'explicit greater_is_better overrides the default',
    thresholds: { rmse: { threshold: 5, greater_is_better: true } },
    candidate: { rmse: 6 },
    passed: true,
  },
  {
    name: 'min_absolute_change, lower is better: must drop by the change',
    thresholds: { root_mean_squared_error: { min_absolute_change: 0.5 } },
    candidate: { root_mean_squared_error: 3.5 },
    baseline: { root_mean_squared_error: 4 },
    passed: true,
  },
  {
    name: 'min_absolute_change, lower is better: too small a drop fails',
    thresholds: { root_mean_squared_error: { min_absolute_change: 0.5 } },
    candidate: { root_mean_squared_error: 3.6 },
    baseline: { root_mean_squared_error: 4 },
    passed: false,
    reason: /is not <= baseline 4 − 0.5 = 3.5/,
  },
  {
    name: 'min_absolute_change, higher is better',
    thresholds: { accuracy_score: { min_absolute_change: 0.05 } },
    candidate: { accuracy_score: 0.84 },
    baseline: { accuracy_score: 0.8 },
    passed: false,
  },
  {
    name: 'min_absolute_change 0 means at least as good',
    thresholds: { accuracy_score: { min_absolute_change: 0 } },
    candidate: { accuracy_score: 0.8 },
    baseline: { accuracy_score: 0.8 },
    passed: true,
  },
  {
    name: 'min_relative_change, higher is better: 10% over 0.5 needs 0.55',
    thresholds: { f1_score: { min_relative_change: 0.1 } },
    candidate: { f1_score: 0.56 },
    baseline: { f1_score: 0.5 },
    passed: true,
  },
  {
    name: 'min_relative_change, higher is better: 8% is not 10%',
    thresholds: { f1_score: { min_relative_change: 0.1 } },
    candidate: { f1_score: 0.54 },
    baseline: { f1_score: 0.5 },
    passed: false,
    reason: /by 8%, less than the required 10%/,
  },
  {
    name: 'min_relative_change: a worse candidate says by how much',
    thresholds: { rmse: { min_relative_change: 0.01 } },
    candidate: { rmse: 4.4 },
    baseline: { rmse: 4 },
    passed: false,
    reason: /^rmse = 4.4 is 10% worse than baseline 4; required: at least 1% better$/,
  },
  {
    name: 'min_relative_change, lower is better',
    thresholds: { mean_absolute_error: { min_relative_change: 0.2 } },
    candidate: { mean_absolute_error: 7.9 },
    baseline: { mean_absolute_error: 10 },
    passed: true,
  },
  {
    name: 'min_relative_change against a negative baseline counts an improvement as one',
    thresholds: { r2_score: { min_relative_change: 0.1 } },
    candidate: { r2_score: -0.5 },
    baseline: { r2_score: -1 },
    passed: true,
  },
  {
    name: 'zero baseline: relative change falls back to strictly better',
    thresholds: { max_error: { min_relative_change: 0.5 } },
    candidate: { max_error: 0 },
    baseline: { max_error: 0 },
    passed: false,
  },
  {
    name: 'no baseline: only the absolute threshold applies',
    thresholds: { rmse: { threshold: 5, min_absolute_change: 1, min_relative_change: 0.5 } },
    candidate: { rmse: 4 },
    passed: true,
    reason: /no baseline yet/,
  },
  {
    name: 'baseline without the metric fails a change threshold',
    thresholds: { rmse: { min_absolute_change: 1 } },
    candidate: { rmse: 4 },
    baseline: { mae: 1 },
    passed: false,
    reason: /baseline has no rmse/,
  },
  {
    name: 'candidate without the metric fails',
    thresholds: { rmse: { threshold: 5 } },
    candidate: { mae: 1 },
    passed: false,
    reason: /candidate has no rmse \(its metrics: mae\)/,
  },
  {
    name: 'threshold and change both checked: threshold fails alone',
    thresholds: { rmse: { threshold: 3, min_absolute_change: 0.1 } },
    candidate: { rmse: 3.5 },
    baseline: { rmse: 4 },
    passed: false,
    reason: /^rmse = 3.5 is not <= threshold 3$/,
  },
];

describe('evaluateGate', () => {
  it.each(cases)('$name', ({ thresholds, candidate, baseline, passed, reason }) => {
    const result = evaluateGate({ candidate, ...(baseline ? { baseline } : {}), thresholds });
    expect(result.passed).toBe(passed);
    expect(result.results).toHaveLength(Object.keys(thresholds).length);
    expect(result.results[0]?.passed).toBe(passed);
    if (reason) expect(result.results[0]?.reason).toMatch(reason);
  });

  it('passes only when every metric passes, and names each failure', () => {
    const result = evaluateGate({
      candidate: { rmse: 4, r2_score: 0.7 },
      baseline: { rmse: 4.5, r2_score: 0.75 },
      thresholds: { rmse: { min_absolute_change: 0.1 }, r2_score: { min_absolute_change: 0 } },
    });
    expect(result.passed).toBe(false);
    expect(result.has_baseline).toBe(true);
    expect(result.results.map((r) => r.passed)).toEqual([true, false]);
    expect(describeGateFailures(result)).toBe('  r2_score: r2_score = 0.7 is not >= baseline 0.75');
  });

  it('takes directions of custom metrics from `directions`', () => {
    const result = evaluateGate({
      candidate: { wmse: 3 },
      baseline: { wmse: 4 },
      thresholds: { wmse: { min_absolute_change: 0.5 } },
      directions: { wmse: false },
    });
    expect(result.passed).toBe(true);
    expect(() => evaluateGate({ candidate: { wmse: 3 }, thresholds: { wmse: { threshold: 1 } } })).toThrow(
      /greater_is_better/,
    );
  });

  it('knows which way the built-in metrics go, prefixed or not', () => {
    expect(greaterIsBetter('rmse')).toBe(false);
    expect(greaterIsBetter('test_mean_absolute_percentage_error')).toBe(false);
    expect(greaterIsBetter('log_loss')).toBe(false);
    expect(greaterIsBetter('roc_auc')).toBe(true);
    expect(greaterIsBetter('val_f1_score')).toBe(true);
    expect(greaterIsBetter('something_else')).toBeUndefined();
  });
});

describe('parseGateThresholds', () => {
  const where = { file: 'recipe.yaml', path: 'steps.register.validation_thresholds' };

  it('fills greater_is_better from the metric name and accepts a bare number as a threshold', () => {
    expect(
      parseGateThresholds(
        {
          rmse: { min_relative_change: 0.1 },
          r2_score: 0.7,
          custom: { threshold: 1, greater_is_better: true },
        },
        where,
      ),
    ).toEqual({
      rmse: { min_relative_change: 0.1, greater_is_better: false },
      r2_score: { threshold: 0.7, greater_is_better: true },
      custom: { threshold: 1, greater_is_better: true },
    });
  });

  it('reports every bad field with its path', () => {
    let error: unknown;
    try {
      parseGateThresholds(
        {
          rmse: { min_relative_change: 1.5 },
          mae: { min_absolute_change: -1 },
          mystery: { threshold: 1 },
          r2_score: {},
          f1_score: { treshold: 0.5, threshold: 'high' },
        },
        where,
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const paths = (error as ConfigError).issues.map((i) => i.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'steps.register.validation_thresholds.rmse.min_relative_change',
        'steps.register.validation_thresholds.mae.min_absolute_change',
        'steps.register.validation_thresholds.mystery.greater_is_better',
        'steps.register.validation_thresholds.r2_score',
        'steps.register.validation_thresholds.f1_score.treshold',
        'steps.register.validation_thresholds.f1_score.threshold',
      ]),
    );
  });
});

describe('gate reports', () => {
  const gate = evaluateGate({
    candidate: { rmse: 4.2, r2_score: 0.8 },
    baseline: { rmse: 4, r2_score: 0.81 },
    thresholds: { rmse: { threshold: 5, min_relative_change: 0.01 }, r2_score: { threshold: 0.5 } },
  });
  const report: GateReport = {
    decision: gate.passed ? 'PROMOTE' : 'REJECT',
    candidate: { uri: 'runs:/abc/model' },
    baseline: { uri: 'models:/cars@champion', label: 'cars version 1' },
    data: 'eval|data.csv',
    rows: 50,
    gate,
    candidate_metrics: { rmse: 4.2, r2_score: 0.8 },
    baseline_metrics: { rmse: 4, r2_score: 0.81 },
    created: '2026-01-01T00:00:00.000Z',
  };

  it('renders a Markdown table with one row per threshold and escaped pipes', () => {
    const md = formatGateMarkdown(report);
    expect(md).toContain('❌ Model gate: reject');
    expect(md).toContain('`eval\\|data.csv` (50 rows)');
    const rows = md
      .split('\n')
      .filter((l) => l.startsWith('| ') && !l.startsWith('| metric') && !l.startsWith('| ---'));
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(/^\| rmse \| 4.2 \| 4 \| \+0.2 \(\+5%\) \| ≤ 5, Δ% ≥ 1% \| lower \| ❌ /);
    expect(rows[1]).toMatch(/^\| r2_score \| 0.8 \| 0.81 \| .* \| ✅ pass \|$/);
  });

  it('writes junit.xml with one test case per threshold and a failure for each failed one', () => {
    const xml = formatGateJunit(report);
    expect(xml.match(/<testcase /g)).toHaveLength(2);
    expect(xml.match(/<failure /g)).toHaveLength(1);
    expect(xml).toContain('tests="2" failures="1"');
    expect(xml).toContain('name="rmse ≤ 5, Δ% ≥ 1%"');
  });

  it('writes the three files into the report directory', () => {
    const dir = join(root, 'nested', 'report');
    const paths = writeGateReport(dir, { ...report, notes: ['evaluate said <REJECTED> & more'] });
    const json = JSON.parse(readFileSync(paths.json, 'utf8')) as GateReport;
    expect(json.decision).toBe('REJECT');
    expect(json.gate.results[0]?.metric).toBe('rmse');
    const xml = readFileSync(paths.junit, 'utf8');
    expect(xml).toContain('evaluate said &lt;REJECTED&gt; &amp; more');
    expect(xml).toContain('tests="3" failures="2"');
    expect(readFileSync(paths.markdown, 'utf8')).toContain('❌ evaluate said <REJECTED> & more');
  });
});
