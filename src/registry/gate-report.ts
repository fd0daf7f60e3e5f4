/**
 * The gate's reports for CI: `report.md` (a GitHub-flavoured table to paste into a pull request
 * comment), `report.json` (everything, machine-readable) and `junit.xml` (one test case per
 * threshold, so CI systems show each metric as a passed or failed test).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../atomic-write.js';
import type { GateMetricResult, GateResult } from './gate.js';

export interface GateReportSubject {
  /** The model URI or directory as the user named it. */
  uri: string;
  /** e.g. `cars-mpg version 3 (@champion)`. */
  label?: string;
}

export interface GateReport {
  decision: 'PROMOTE' | 'REJECT';
  candidate: GateReportSubject;
  baseline?: GateReportSubject;
  /** What the models were scored on (a file, or `test split`). */
  data: string;
  rows: number;
  gate: GateResult;
  /** Candidate and baseline metrics on the data, all of them (not only the gated ones). */
  candidate_metrics: Record<string, number>;
  baseline_metrics?: Record<string, number>;
  /** Extra failures that are not thresholds, e.g. evaluate's validation_status. */
  notes?: string[];
  /** What the reader should know that failed nothing, e.g. a baseline skipped by --force. */
  warnings?: string[];
  created: string;
}

export const REPORT_FILES = { markdown: 'report.md', json: 'report.json', junit: 'junit.xml' } as const;

function num(value: number | null): string {
  if (value === null) return '—';
  if (!Number.isFinite(value)) return String(value);
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(6)));
}

/** Escapes a table cell: pipes and line breaks would break the Markdown table. */
function cell(text: string): string {
  return text.replaceAll('\\', '\\\\').replaceAll('|', '\\|').replace(/\r?\n/g, ' ');
}

function bound(r: GateMetricResult): string {
  const parts: string[] = [];
  const word = r.greater_is_better ? '≥' : '≤';
  if (r.threshold !== null) parts.push(`${word} ${num(r.threshold)}`);
  if (r.min_absolute_change !== null) parts.push(`Δ ≥ ${num(r.min_absolute_change)}`);
  if (r.min_relative_change !== null) parts.push(`Δ% ≥ ${num(r.min_relative_change * 100)}%`);
  return parts.join(', ');
}

function change(r: GateMetricResult): string {
  if (r.candidate === null || r.baseline === null) return '—';
  const delta = r.candidate - r.baseline;
  const rel =
    r.baseline === 0 ? '' : ` (${delta >= 0 ? '+' : ''}${num((delta / Math.abs(r.baseline)) * 100)}%)`;
  return `${delta >= 0 ? '+' : ''}${num(delta)}${rel}`;
}

export function formatGateMarkdown(report: GateReport): string {
  const icon = report.decision === 'PROMOTE' ? '✅' : '❌';
  const lines = [
    `## ${icon} Model gate: ${report.decision === 'PROMOTE' ? 'promote' : 'reject'}`,
    '',
    `- Candidate: \`${cell(report.candidate.uri)}\`${report.candidate.label ? ` — ${cell(report.candidate.label)}` : ''}`,
    report.baseline
      ? `- Baseline: \`${cell(report.baseline.uri)}\`${report.baseline.label ? ` — ${cell(report.baseline.label)}` : ''}`
      : '- Baseline: none yet (only absolute thresholds apply)',
    `- Data: \`${cell(report.data)}\` (${report.rows} rows)`,
    '',
    '| metric | candidate | baseline | change | required | better | result |',
    '| --- | ---: | ---: | ---: | --- | --- | --- |',
    ...report.gate.results.map(
      (r) =>
        `| ${cell(r.metric)} | ${num(r.candidate)} | ${num(r.baseline)} | ${change(r)} | ${cell(bound(r))} | ${r.greater_is_better ? 'higher' : 'lower'} | ${r.passed ? '✅ pass' : `❌ ${cell(r.reason)}`} |`,
    ),
  ];
  if (report.gate.results.length === 0) lines.push('', '_No validation thresholds are configured._');
  for (const note of report.notes ?? []) lines.push('', `❌ ${note}`);
  for (const warning of report.warnings ?? []) {
    // The first line is the sentence; the rest (e.g. two schemas side by side) keeps its layout.
    const [first, ...rest] = warning.split('\n');
    lines.push('', `⚠️ ${first}`);
    if (rest.length > 0) lines.push('', '```', ...rest, '```');
  }
  lines.push('');
  return `${lines.join('\n')}\n`;
}

function xml(text: string): string {
  return (
    text
      .replaceAll('&', '&amp;')
      .replaceAll('<', '&lt;')
      .replaceAll('>', '&gt;')
      .replaceAll('"', '&quot;')
      .replaceAll("'", '&apos;')
      // XML 1.0 has no representation for most control characters.
      .split('')
      .filter((ch) => {
        const code = ch.charCodeAt(0);
        return code >= 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;
      })
      .join('')
  );
}

export function formatGateJunit(report: GateReport): string {
  const cases = report.gate.results.map((r) => {
    const name = `${r.metric} ${bound(r)}`.trim();
    const body = r.passed
      ? ''
      : `\n      <failure message="${xml(r.reason)}" type="GateThresholdFailed">${xml(
          `candidate ${num(r.candidate)}, baseline ${num(r.baseline)}: ${r.reason}`,
        )}</failure>\n    `;
    return `    <testcase classname="mlrecipe.gate" name="${xml(name)}">${body}</testcase>`;
  });
  for (const [i, note] of (report.notes ?? []).entries()) {
    cases.push(
      `    <testcase classname="mlrecipe.gate" name="${xml(`note ${i + 1}`)}">\n      <failure message="${xml(note)}" type="GateRejected"/>\n    </testcase>`,
    );
  }
  const failures = report.gate.results.filter((r) => !r.passed).length + (report.notes?.length ?? 0);
  const tests = cases.length;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="mlrecipe gate" tests="${tests}" failures="${failures}">`,
    `  <testsuite name="${xml(`gate ${report.candidate.uri}`)}" tests="${tests}" failures="${failures}" errors="0" timestamp="${xml(report.created)}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

/** Writes report.md, report.json and junit.xml into `dir` (created if missing); returns their paths. */
export function writeGateReport(dir: string, report: GateReport): Record<keyof typeof REPORT_FILES, string> {
  mkdirSync(dir, { recursive: true });
  const paths = {
    markdown: join(dir, REPORT_FILES.markdown),
    json: join(dir, REPORT_FILES.json),
    junit: join(dir, REPORT_FILES.junit),
  };
  writeFileAtomic(paths.markdown, formatGateMarkdown(report));
  writeFileAtomic(
    paths.json,
    `${JSON.stringify(report, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), 2)}\n`,
  );
  writeFileAtomic(paths.junit, formatGateJunit(report));
  return paths;
}
