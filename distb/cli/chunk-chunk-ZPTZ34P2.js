import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  writeFileAtomic
} from "./chunk-chunk-NOK55ACX.js";

// src/steps/cards.ts
import { mkdirSync } from "node:fs";
import { join } from "node:path";
var CARD_JSON = "card.json";
var CARD_HTML = "card.html";
function escapeHtml(text) {
  return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}
function formatNumber(value) {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return "0";
  const abs = Math.abs(value);
  if (abs >= 1e6 || abs < 1e-3) return value.toExponential(2);
  if (Number.isInteger(value)) return String(value);
  return String(Number(value.toPrecision(4)));
}
var CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1f2328;background:#f6f8fa}
main{max-width:1040px;margin:0 auto;padding:24px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:16px;margin:0 0 12px}
.facts{color:#59636e;font-size:12px;margin-bottom:20px}.facts span{margin-right:16px}
section{background:#fff;border:1px solid #d1d9e0;border-radius:6px;padding:16px;margin-bottom:16px;overflow-x:auto}
table{border-collapse:collapse;font-size:13px}th,td{padding:4px 10px;border-bottom:1px solid #eaeef2;text-align:left;vertical-align:top}
th{background:#f6f8fa;font-weight:600}td.num{text-align:right;font-variant-numeric:tabular-nums}
svg{display:block}svg text{font:11px system-ui,sans-serif;fill:#59636e}
.heat td{text-align:center;min-width:48px}
`;
function renderCardHtml(card, meta = {}) {
  const title = meta.title ?? `${card.step} step`;
  const facts = Object.entries({
    step: card.step,
    generated: (meta.generatedAt ?? /* @__PURE__ */ new Date()).toISOString(),
    ...meta.facts ?? {}
  }).map(([k, v]) => `<span><b>${escapeHtml(k)}</b> ${escapeHtml(v)}</span>`).join("");
  const sections = card.sections.map((s) => `<section><h2>${escapeHtml(s.title)}</h2>${s.html}</section>`).join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title><style>${CSS}</style></head>
<body><main><h1>${escapeHtml(title)}</h1><div class="facts">${facts}</div>
${sections || "<section><p>This step reported nothing to show.</p></section>"}
</main></body></html>
`;
}
function cardJson(card, meta = {}) {
  return {
    step: card.step,
    title: meta.title ?? `${card.step} step`,
    generated_at: (meta.generatedAt ?? /* @__PURE__ */ new Date()).toISOString(),
    facts: meta.facts ?? {},
    sections: card.sections.map((s) => s.title),
    data: card.data
  };
}
function writeCard(dir, card, meta = {}) {
  mkdirSync(dir, { recursive: true });
  const generatedAt = meta.generatedAt ?? /* @__PURE__ */ new Date();
  const json = join(dir, CARD_JSON);
  const html = join(dir, CARD_HTML);
  writeFileAtomic(json, `${JSON.stringify(cardJson(card, { ...meta, generatedAt }), finiteReplacer, 2)}
`);
  writeFileAtomic(html, renderCardHtml(card, { ...meta, generatedAt }));
  return { json, html };
}
function finiteReplacer(_key, value) {
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  if (ArrayBuffer.isView(value) && !(value instanceof DataView))
    return Array.from(value);
  return value;
}
function htmlTable(options) {
  const head = options.headers.map((h) => `<th>${escapeHtml(h)}</th>`).join("");
  const body = options.rows.map(
    (r) => `<tr>${r.map((c) => typeof c === "number" ? `<td class="num">${escapeHtml(formatNumber(c))}</td>` : `<td>${escapeHtml(c)}</td>`).join("")}</tr>`
  ).join("");
  return `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}
function htmlMetricsTable(metrics) {
  const rows = Object.keys(metrics).sort().map((k) => [k, metrics[k]]);
  return htmlTable({ headers: ["metric", "value"], rows });
}
function htmlHeatmapTable(options) {
  const max = Math.max(1e-12, ...options.values.flat().filter(Number.isFinite));
  const corner = `${escapeHtml(options.rowTitle ?? "actual")} \\ ${escapeHtml(options.colTitle ?? "predicted")}`;
  const head = `<tr><th>${corner}</th>${options.colLabels.map((c) => `<th>${escapeHtml(c)}</th>`).join("")}</tr>`;
  const body = options.rowLabels.map((label, i) => {
    const cells = options.colLabels.map((_, j) => {
      const v = options.values[i]?.[j] ?? 0;
      const t = Math.max(0, Math.min(1, v / max));
      const bg = `rgba(9,105,218,${(0.08 + 0.82 * t).toFixed(3)})`;
      const fg = t > 0.55 ? "#fff" : "#1f2328";
      return `<td style="background:${bg};color:${fg}">${escapeHtml(formatNumber(v))}</td>`;
    }).join("");
    return `<tr><th>${escapeHtml(label)}</th>${cells}</tr>`;
  }).join("");
  return `<table class="heat">${head}${body}</table>`;
}
var PALETTE = ["#0969da", "#cf222e", "#1a7f37", "#9a6700", "#8250df", "#bc4c00", "#116329", "#57606a"];
function frame(size, defaults) {
  const width = size.width ?? defaults.width;
  const height = size.height ?? defaults.height;
  return { width, height, left: 52, right: width - 12, top: 12, bottom: height - 34 };
}
function extent(values) {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo === Number.POSITIVE_INFINITY) return [0, 1];
  if (lo === hi) return [lo - 0.5, hi + 0.5];
  return [lo, hi];
}
function scale(domain, range) {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  return (v) => r0 + (v - d0) / (d1 - d0) * (r1 - r0);
}
function axes(f, x, y, xLabel, yLabel) {
  const sx = scale(x, [f.left, f.right]);
  const sy = scale(y, [f.bottom, f.top]);
  const ticks = (d) => [0, 0.25, 0.5, 0.75, 1].map((t) => d[0] + t * (d[1] - d[0]));
  const xt = ticks(x).map(
    (v) => `<line x1="${sx(v).toFixed(1)}" y1="${f.bottom}" x2="${sx(v).toFixed(1)}" y2="${f.bottom + 4}" stroke="#8c959f"/><text x="${sx(v).toFixed(1)}" y="${f.bottom + 15}" text-anchor="middle">${escapeHtml(formatNumber(v))}</text>`
  ).join("");
  const yt = ticks(y).map(
    (v) => `<line x1="${f.left - 4}" y1="${sy(v).toFixed(1)}" x2="${f.right}" y2="${sy(v).toFixed(1)}" stroke="#eaeef2"/><text x="${f.left - 6}" y="${(sy(v) + 3).toFixed(1)}" text-anchor="end">${escapeHtml(formatNumber(v))}</text>`
  ).join("");
  const labels = (xLabel ? `<text x="${(f.left + f.right) / 2}" y="${f.height - 4}" text-anchor="middle">${escapeHtml(xLabel)}</text>` : "") + (yLabel ? `<text x="12" y="${(f.top + f.bottom) / 2}" text-anchor="middle" transform="rotate(-90 12 ${(f.top + f.bottom) / 2})">${escapeHtml(yLabel)}</text>` : "");
  return `${yt}<line x1="${f.left}" y1="${f.bottom}" x2="${f.right}" y2="${f.bottom}" stroke="#8c959f"/>${xt}${labels}`;
}
function svg(f, body, title) {
  const t = title ? `<title>${escapeHtml(title)}</title>` : "";
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${f.width}" height="${f.height}" viewBox="0 0 ${f.width} ${f.height}" role="img">${t}${body}</svg>`;
}
function histogramBins(values, bins = 20) {
  const finite = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isFinite(v)) finite.push(v);
  }
  const [lo, hi] = extent(finite);
  const n = Math.max(1, Math.floor(bins));
  const width = (hi - lo) / n;
  const counts = new Array(n).fill(0);
  for (const v of finite) {
    const b = Math.min(n - 1, Math.floor((v - lo) / width));
    counts[b] = (counts[b] ?? 0) + 1;
  }
  return { edges: Array.from({ length: n + 1 }, (_, i) => lo + i * width), counts };
}
function svgHistogram(options) {
  const { edges, counts } = "values" in options ? histogramBins(options.values, options.bins) : options;
  const f = frame(options, { width: 320, height: 160 });
  const x = [edges[0] ?? 0, edges[edges.length - 1] ?? 1];
  const y = [0, Math.max(1, ...counts)];
  const sx = scale(x, [f.left, f.right]);
  const sy = scale(y, [f.bottom, f.top]);
  const bars = counts.map((c, i) => {
    const x0 = sx(edges[i] ?? 0);
    const x1 = sx(edges[i + 1] ?? 0);
    return `<rect x="${(x0 + 0.5).toFixed(1)}" y="${sy(c).toFixed(1)}" width="${Math.max(0.5, x1 - x0 - 1).toFixed(1)}" height="${(f.bottom - sy(c)).toFixed(1)}" fill="${PALETTE[0]}"><title>${escapeHtml(`${formatNumber(edges[i] ?? 0)} \u2013 ${formatNumber(edges[i + 1] ?? 0)}: ${c}`)}</title></rect>`;
  }).join("");
  return svg(f, axes(f, x, y, options.xLabel, "count") + bars, options.title);
}
function svgLinePlot(options) {
  const f = frame(options, { width: 420, height: 280 });
  const xs = options.series.flatMap((s) => Array.from(s.x));
  const ys = options.series.flatMap((s) => Array.from(s.y));
  const x = extent(xs);
  const y = extent(ys);
  const sx = scale(x, [f.left, f.right]);
  const sy = scale(y, [f.bottom, f.top]);
  const lines = options.series.map((s, k) => {
    const pts = [];
    for (let i = 0; i < s.x.length; i++) {
      const a = s.x[i];
      const b = s.y[i];
      if (Number.isFinite(a) && Number.isFinite(b)) pts.push(`${sx(a).toFixed(1)},${sy(b).toFixed(1)}`);
    }
    return `<polyline fill="none" stroke="${PALETTE[k % PALETTE.length]}" stroke-width="1.6" points="${pts.join(" ")}"><title>${escapeHtml(s.name)}</title></polyline>`;
  }).join("");
  const diagonal = options.diagonal ? diagonalLine(x, y, sx, sy) : "";
  const legend = options.series.map(
    (s, k) => `<rect x="${f.left + 8}" y="${f.top + 4 + k * 14}" width="10" height="3" fill="${PALETTE[k % PALETTE.length]}"/><text x="${f.left + 22}" y="${f.top + 8 + k * 14}">${escapeHtml(s.name)}</text>`
  ).join("");
  return svg(f, axes(f, x, y, options.xLabel, options.yLabel) + diagonal + lines + legend, options.title);
}
function diagonalLine(x, y, sx, sy) {
  const lo = Math.max(x[0], y[0]);
  const hi = Math.min(x[1], y[1]);
  if (!(hi > lo)) return "";
  return `<line x1="${sx(lo).toFixed(1)}" y1="${sy(lo).toFixed(1)}" x2="${sx(hi).toFixed(1)}" y2="${sy(hi).toFixed(1)}" stroke="#8c959f" stroke-dasharray="4 3"/>`;
}
function svgScatterPlot(options) {
  const f = frame(options, { width: 420, height: 280 });
  const n = Math.min(options.x.length, options.y.length);
  const stride = Math.max(1, Math.ceil(n / (options.maxPoints ?? 2e3)));
  const xs = [];
  const ys = [];
  for (let i = 0; i < n; i += stride) {
    xs.push(options.x[i]);
    ys.push(options.y[i]);
  }
  let x = extent(xs);
  let y = extent(ys);
  if (options.diagonal) {
    const both = extent([...x, ...y]);
    x = both;
    y = both;
  }
  const sx = scale(x, [f.left, f.right]);
  const sy = scale(y, [f.bottom, f.top]);
  let dots = "";
  for (let i = 0; i < xs.length; i++) {
    const a = xs[i];
    const b = ys[i];
    if (Number.isFinite(a) && Number.isFinite(b)) {
      dots += `<circle cx="${sx(a).toFixed(1)}" cy="${sy(b).toFixed(1)}" r="2.2"/>`;
    }
  }
  const zero = options.zeroLine && y[0] < 0 && y[1] > 0 ? `<line x1="${f.left}" y1="${sy(0).toFixed(1)}" x2="${f.right}" y2="${sy(0).toFixed(1)}" stroke="#8c959f" stroke-dasharray="4 3"/>` : "";
  const diagonal = options.diagonal ? diagonalLine(x, y, sx, sy) : "";
  return svg(
    f,
    `${axes(f, x, y, options.xLabel, options.yLabel)}${diagonal}${zero}<g fill="${PALETTE[0]}" fill-opacity="0.55">${dots}</g>`,
    options.title
  );
}
function svgBarChart(options) {
  const rowHeight = 18;
  const width = options.width ?? 480;
  const height = options.height ?? options.labels.length * rowHeight + 30;
  const labelWidth = Math.min(200, Math.max(60, ...options.labels.map((l) => l.length * 6.5)));
  const left = labelWidth + 8;
  const right = width - 60;
  const lo = Math.min(0, ...options.values.filter(Number.isFinite));
  const hi = Math.max(0, ...options.values.filter(Number.isFinite));
  const sx = scale(lo === hi ? [0, 1] : [lo, hi], [left, right]);
  const bars = options.labels.map((label, i) => {
    const v = options.values[i] ?? 0;
    const y = 10 + i * rowHeight;
    const x0 = sx(Math.min(0, v));
    const w = Math.abs(sx(v) - sx(0));
    return `<text x="${left - 6}" y="${y + 12}" text-anchor="end">${escapeHtml(label)}</text><rect x="${x0.toFixed(1)}" y="${y + 2}" width="${w.toFixed(1)}" height="${rowHeight - 5}" fill="${v < 0 ? PALETTE[1] : PALETTE[0]}"/><text x="${(Math.max(sx(v), sx(0)) + 4).toFixed(1)}" y="${y + 12}">${escapeHtml(formatNumber(v))}</text>`;
  }).join("");
  const axis = `<line x1="${sx(0).toFixed(1)}" y1="6" x2="${sx(0).toFixed(1)}" y2="${height - 14}" stroke="#8c959f"/>`;
  return svg({ width, height, left, right, top: 0, bottom: height }, axis + bars, options.title);
}

export {
  CARD_JSON,
  CARD_HTML,
  escapeHtml,
  formatNumber,
  renderCardHtml,
  cardJson,
  writeCard,
  htmlTable,
  htmlMetricsTable,
  htmlHeatmapTable,
  histogramBins,
  svgHistogram,
  svgLinePlot,
  svgScatterPlot,
  svgBarChart
};
