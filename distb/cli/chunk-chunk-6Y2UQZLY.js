import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  cliStdout
} from "./chunk-chunk-NLRYTIKR.js";
import {
  UsageError
} from "./chunk-chunk-FHTLSLDU.js";

// src/cli/output.ts
function formatTable(headers, rows) {
  if (rows.length === 0) return "(none)";
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells) => cells.map((c, i) => i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)).join("  ").trimEnd();
  return [line(headers), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}
async function refuseProtectedOutput(option, path) {
  const { PROTECTED_OUTPUT_HINT, protectedOutputReason } = await import("./chunk-data-RS6WJJNV.js");
  const reason = protectedOutputReason(path);
  if (reason) throw new UsageError(`${option} ${path}: ${reason}`, { hint: PROTECTED_OUTPUT_HINT });
}
function printJson(value) {
  cliStdout().write(`${JSON.stringify(value, jsonReplacer, 2)}
`);
}
function jsonReplacer(_key, value) {
  if (typeof value === "number" && !Number.isFinite(value)) {
    return Number.isNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity";
  }
  return value;
}
function formatTime(ms) {
  if (ms === void 0 || ms === null) return "";
  return new Date(ms).toISOString().replace("T", " ").slice(0, 19);
}

export {
  formatTable,
  refuseProtectedOutput,
  printJson,
  jsonReplacer,
  formatTime
};
