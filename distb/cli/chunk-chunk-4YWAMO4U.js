import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  writeFileAtomic
} from "./chunk-chunk-NOK55ACX.js";

// src/registry/gate-report.ts
import { mkdirSync } from "node:fs";
import { join } from "node:path";
var REPORT_FILES = { markdown: "report.md", json: "report.json", junit: "junit.xml" };
function num(value) {
  if (value === null) return "\u2014";
  if (!Number.isFinite(value)) return String(value);
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(6)));
}
function cell(text) {
  return text.replaceAll("\\", "\\\\").replaceAll("|", "\\|").replace(/\r?\n/g, " ");
}
function bound(r) {
  const parts = [];
  const word = r.greater_is_better ? "\u2265" : "\u2264";
  if (r.threshold !== null) parts.push(`${word} ${num(r.threshold)}`);
  if (r.min_absolute_change !== null) parts.push(`\u0394 \u2265 ${num(r.min_absolute_change)}`);
  if (r.min_relative_change !== null) parts.push(`\u0394% \u2265 ${num(r.min_relative_change * 100)}%`);
  return parts.join(", ");
}
function change(r) {
  if (r.candidate === null || r.baseline === null) return "\u2014";
  const delta = r.candidate - r.baseline;
  const rel = r.baseline === 0 ? "" : ` (${delta >= 0 ? "+" : ""}${num(delta / Math.abs(r.baseline) * 100)}%)`;
  return `${delta >= 0 ? "+" : ""}${num(delta)}${rel}`;
}
function formatGateMarkdown(report) {
  const icon = report.decision === "PROMOTE" ? "\u2705" : "\u274C";
  const lines = [
    `## ${icon} Model gate: ${report.decision === "PROMOTE" ? "promote" : "reject"}`,
    "",
    `- Candidate: \`${cell(report.candidate.uri)}\`${report.candidate.label ? ` \u2014 ${cell(report.candidate.label)}` : ""}`,
    report.baseline ? `- Baseline: \`${cell(report.baseline.uri)}\`${report.baseline.label ? ` \u2014 ${cell(report.baseline.label)}` : ""}` : "- Baseline: none yet (only absolute thresholds apply)",
    `- Data: \`${cell(report.data)}\` (${report.rows} rows)`,
    "",
    "| metric | candidate | baseline | change | required | better | result |",
    "| --- | ---: | ---: | ---: | --- | --- | --- |",
    ...report.gate.results.map(
      (r) => `| ${cell(r.metric)} | ${num(r.candidate)} | ${num(r.baseline)} | ${change(r)} | ${cell(bound(r))} | ${r.greater_is_better ? "higher" : "lower"} | ${r.passed ? "\u2705 pass" : `\u274C ${cell(r.reason)}`} |`
    )
  ];
  if (report.gate.results.length === 0) lines.push("", "_No validation thresholds are configured._");
  for (const note of report.notes ?? []) lines.push("", `\u274C ${note}`);
  for (const warning of report.warnings ?? []) {
    const [first, ...rest] = warning.split("\n");
    lines.push("", `\u26A0\uFE0F ${first}`);
    if (rest.length > 0) lines.push("", "```", ...rest, "```");
  }
  lines.push("");
  return `${lines.join("\n")}
`;
}
function xml(text) {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;").replaceAll("'", "&apos;").split("").filter((ch) => {
    const code = ch.charCodeAt(0);
    return code >= 32 || code === 9 || code === 10 || code === 13;
  }).join("");
}
function formatGateJunit(report) {
  const cases = report.gate.results.map((r) => {
    const name = `${r.metric} ${bound(r)}`.trim();
    const body = r.passed ? "" : `
      <failure message="${xml(r.reason)}" type="GateThresholdFailed">${xml(
      `candidate ${num(r.candidate)}, baseline ${num(r.baseline)}: ${r.reason}`
    )}</failure>
    `;
    return `    <testcase classname="mlrecipe.gate" name="${xml(name)}">${body}</testcase>`;
  });
  for (const [i, note] of (report.notes ?? []).entries()) {
    cases.push(
      `    <testcase classname="mlrecipe.gate" name="${xml(`note ${i + 1}`)}">
      <failure message="${xml(note)}" type="GateRejected"/>
    </testcase>`
    );
  }
  const failures = report.gate.results.filter((r) => !r.passed).length + (report.notes?.length ?? 0);
  const tests = cases.length;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="mlrecipe gate" tests="${tests}" failures="${failures}">`,
    `  <testsuite name="${xml(`gate ${report.candidate.uri}`)}" tests="${tests}" failures="${failures}" errors="0" timestamp="${xml(report.created)}">`,
    ...cases,
    "  </testsuite>",
    "</testsuites>",
    ""
  ].join("\n");
}
function writeGateReport(dir, report) {
  mkdirSync(dir, { recursive: true });
  const paths = {
    markdown: join(dir, REPORT_FILES.markdown),
    json: join(dir, REPORT_FILES.json),
    junit: join(dir, REPORT_FILES.junit)
  };
  writeFileAtomic(paths.markdown, formatGateMarkdown(report));
  writeFileAtomic(
    paths.json,
    `${JSON.stringify(report, (_k, v) => typeof v === "number" && !Number.isFinite(v) ? String(v) : v, 2)}
`
  );
  writeFileAtomic(paths.junit, formatGateJunit(report));
  return paths;
}

export {
  REPORT_FILES,
  formatGateMarkdown,
  formatGateJunit,
  writeGateReport
};
