/**
 * Step cards: every step returns a StepCard; the engine writes it as `card.json` (plain data) and
 * `card.html`, one self-contained page (inline CSS and SVG; no scripts, fonts or network), so a
 * card opens from a file, an artifact store or an e-mail attachment alike.
 *
 * The chart helpers return SVG/HTML fragments for steps to put into their card sections. They
 * draw plain geometry from numbers — no chart library — to keep cards small and dependency-free.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../atomic-write.js';
import type { StepCard } from './types.js';

export const CARD_JSON = 'card.json';
export const CARD_HTML = 'card.html';

export function escapeHtml(text: unknown): string {
  return String(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Compact number formatting for labels: 4 significant digits, exponent for extremes. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (abs >= 1e6 || abs < 1e-3) return value.toExponential(2);
  if (Number.isInteger(value)) return String(value);
  return String(Number(value.toPrecision(4)));
}

export interface CardMeta {
  /** Shown as the page heading; defaults to the step kind. */
  title?: string;
  /** Extra lines under the heading (recipe, profile, fingerprint...). */
  facts?: Record<string, string>;
  generatedAt?: Date;
}

const CSS = `
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

/** The whole card page. Sections' HTML is trusted (it comes from steps); titles are escaped. */
export function renderCardHtml(card: StepCard, meta: CardMeta = {}): string {
  const title = meta.title ?? `${card.step} step`;
  const facts = Object.entries({
    step: card.step,
    generated: (meta.generatedAt ?? new Date()).toISOString(),
    ...(meta.facts ?? {}),
  })
    .map(([k, v]) => `<span><b>${escapeHtml(k)}</b> ${escapeHtml(v)}</span>`)
    .join('');
  const sections = card.sections
    .map((s) => `<section><h2>${escapeHtml(s.title)}</h2>${s.html}</section>`)
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title><style>${CSS}</style></head>
<body><main><h1>${escapeHtml(title)}</h1><div class="facts">${facts}</div>
${sections || '<section><p>This step reported nothing to show.</p></section>'}
</main></body></html>
`;
}

/** The card's JSON form: data plus section titles (the HTML lives in card.html). */
export function cardJson(card: StepCard, meta: CardMeta = {}): Record<string, unknown> {
  return {
    step: card.step,
    title: meta.title ?? `${card.step} step`,
    generated_at: (meta.generatedAt ?? new Date()).toISOString(),
    facts: meta.facts ?? {},
    sections: card.sections.map((s) => s.title),
    data: card.data,
  };
}

/** Writes `card.json` and `card.html` into `dir` atomically; returns their paths. */
export function writeCard(dir: string, card: StepCard, meta: CardMeta = {}): { json: string; html: string } {
  mkdirSync(dir, { recursive: true });
  const generatedAt = meta.generatedAt ?? new Date();
  const json = join(dir, CARD_JSON);
  const html = join(dir, CARD_HTML);
  writeFileAtomic(json, `${JSON.stringify(cardJson(card, { ...meta, generatedAt }), finiteReplacer, 2)}\n`);
  writeFileAtomic(html, renderCardHtml(card, { ...meta, generatedAt }));
  return { json, html };
}

function finiteReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (ArrayBuffer.isView(value) && !(value instanceof DataView))
    return Array.from(value as unknown as ArrayLike<number>);
  return value;
}

// ---------------------------------------------------------------------------------------------
// Tables

export function htmlTable(options: { headers: string[]; rows: Array<Array<string | number>> }): string {
  const head = options.headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const body = options.rows
    .map(
      (r) =>
        `<tr>${r.map((c) => (typeof c === 'number' ? `<td class="num">${escapeHtml(formatNumber(c))}</td>` : `<td>${escapeHtml(c)}</td>`)).join('')}</tr>`,
    )
    .join('');
  return `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

/** A two-column metric/value table, sorted by name. */
export function htmlMetricsTable(metrics: Record<string, number>): string {
  const rows = Object.keys(metrics)
    .sort()
    .map((k) => [k, metrics[k] as number]);
  return htmlTable({ headers: ['metric', 'value'], rows });
}

/**
 * A heat-map table, e.g. a confusion matrix (rows: true class, columns: predicted class). Cell
 * shade is proportional to the value within the table.
 */
export function htmlHeatmapTable(options: {
  rowLabels: string[];
  colLabels: string[];
  values: number[][];
  rowTitle?: string;
  colTitle?: string;
}): string {
  const max = Math.max(1e-12, ...options.values.flat().filter(Number.isFinite));
  const corner = `${escapeHtml(options.rowTitle ?? 'actual')} \\ ${escapeHtml(options.colTitle ?? 'predicted')}`;
  const head = `<tr><th>${corner}</th>${options.colLabels.map((c) => `<th>${escapeHtml(c)}</th>`).join('')}</tr>`;
  const body = options.rowLabels
    .map((label, i) => {
      const cells = options.colLabels
        .map((_, j) => {
          const v = options.values[i]?.[j] ?? 0;
          const t = Math.max(0, Math.min(1, v / max));
          const bg = `rgba(9,105,218,${(0.08 + 0.82 * t).toFixed(3)})`;
          const fg = t > 0.55 ? '#fff' : '#1f2328';
          return `<td style="background:${bg};color:${fg}">${escapeHtml(formatNumber(v))}</td>`;
        })
        .join('');
      return `<tr><th>${escapeHtml(label)}</th>${cells}</tr>`;
    })
    .join('');
  return `<table class="heat">${head}${body}</table>`;
}

// ---------------------------------------------------------------------------------------------
// SVG charts

export interface ChartSize {
  width?: number;
  height?: number;
}

const PALETTE = ['#0969da', '#cf222e', '#1a7f37', '#9a6700', '#8250df', '#bc4c00', '#116329', '#57606a'];

interface Frame {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

function frame(size: ChartSize, defaults: { width: number; height: number }): Frame {
  const width = size.width ?? defaults.width;
  const height = size.height ?? defaults.height;
  return { width, height, left: 52, right: width - 12, top: 12, bottom: height - 34 };
}

function extent(values: Iterable<number>): [number, number] {
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

function scale(domain: [number, number], range: [number, number]): (v: number) => number {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  return (v) => r0 + ((v - d0) / (d1 - d0)) * (r1 - r0);
}

function axes(f: Frame, x: [number, number], y: [number, number], xLabel?: string, yLabel?: string): string {
  const sx = scale(x, [f.left, f.right]);
  const sy = scale(y, [f.bottom, f.top]);
  const ticks = (d: [number, number]) => [0, 0.25, 0.5, 0.75, 1].map((t) => d[0] + t * (d[1] - d[0]));
  const xt = ticks(x)
    .map(
      (v) =>
        `<line x1="${sx(v).toFixed(1)}" y1="${f.bottom}" x2="${sx(v).toFixed(1)}" y2="${f.bottom + 4}" stroke="#8c959f"/><text x="${sx(v).toFixed(1)}" y="${f.bottom + 15}" text-anchor="middle">${escapeHtml(formatNumber(v))}</text>`,
    )
    .join('');
  const yt = ticks(y)
    .map(
      (v) =>
        `<line x1="${f.left - 4}" y1="${sy(v).toFixed(1)}" x2="${f.right}" y2="${sy(v).toFixed(1)}" stroke="#eaeef2"/><text x="${f.left - 6}" y="${(sy(v) + 3).toFixed(1)}" text-anchor="end">${escapeHtml(formatNumber(v))}</text>`,
    )
    .join('');
  const labels =
    (xLabel
      ? `<text x="${(f.left + f.right) / 2}" y="${f.height - 4}" text-anchor="middle">${escapeHtml(xLabel)}</text>`
      : '') +
    (yLabel
      ? `<text x="12" y="${(f.top + f.bottom) / 2}" text-anchor="middle" transform="rotate(-90 12 ${(f.top + f.bottom) / 2})">${escapeHtml(yLabel)}</text>`
      : '');
  return `${yt}<line x1="${f.left}" y1="${f.bottom}" x2="${f.right}" y2="${f.bottom}" stroke="#8c959f"/>${xt}${labels}`;
}

function svg(f: Frame, body: string, title?: string): string {
  const t = title ? `<title>${escapeHtml(title)}</title>` : '';
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${f.width}" height="${f.height}" viewBox="0 0 ${f.width} ${f.height}" role="img">${t}${body}</svg>`;
}

/** Equal-width bins over the finite values. */
export function histogramBins(values: ArrayLike<number>, bins = 20): { edges: number[]; counts: number[] } {
  const finite: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (Number.isFinite(v)) finite.push(v);
  }
  const [lo, hi] = extent(finite);
  const n = Math.max(1, Math.floor(bins));
  const width = (hi - lo) / n;
  const counts = new Array<number>(n).fill(0);
  for (const v of finite) {
    const b = Math.min(n - 1, Math.floor((v - lo) / width));
    counts[b] = (counts[b] ?? 0) + 1;
  }
  return { edges: Array.from({ length: n + 1 }, (_, i) => lo + i * width), counts };
}

/** A histogram from raw values (binned here) or from precomputed `edges`/`counts`. */
export function svgHistogram(
  options: ({ values: ArrayLike<number>; bins?: number } | { edges: number[]; counts: number[] }) &
    ChartSize & { xLabel?: string; title?: string },
): string {
  const { edges, counts } = 'values' in options ? histogramBins(options.values, options.bins) : options;
  const f = frame(options, { width: 320, height: 160 });
  const x: [number, number] = [edges[0] ?? 0, edges[edges.length - 1] ?? 1];
  const y: [number, number] = [0, Math.max(1, ...counts)];
  const sx = scale(x, [f.left, f.right]);
  const sy = scale(y, [f.bottom, f.top]);
  const bars = counts
    .map((c, i) => {
      const x0 = sx(edges[i] ?? 0);
      const x1 = sx(edges[i + 1] ?? 0);
      return `<rect x="${(x0 + 0.5).toFixed(1)}" y="${sy(c).toFixed(1)}" width="${Math.max(0.5, x1 - x0 - 1).toFixed(1)}" height="${(f.bottom - sy(c)).toFixed(1)}" fill="${PALETTE[0]}"><title>${escapeHtml(`${formatNumber(edges[i] ?? 0)} – ${formatNumber(edges[i + 1] ?? 0)}: ${c}`)}</title></rect>`;
    })
    .join('');
  return svg(f, axes(f, x, y, options.xLabel, 'count') + bars, options.title);
}

export interface Series {
  name: string;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
}

/** Lines (e.g. ROC/PR curves, metric histories), one colour per series, with a legend. */
export function svgLinePlot(
  options: {
    series: Series[];
    xLabel?: string;
    yLabel?: string;
    title?: string;
    diagonal?: boolean;
  } & ChartSize,
): string {
  const f = frame(options, { width: 420, height: 280 });
  const xs = options.series.flatMap((s) => Array.from(s.x));
  const ys = options.series.flatMap((s) => Array.from(s.y));
  const x = extent(xs);
  const y = extent(ys);
  const sx = scale(x, [f.left, f.right]);
  const sy = scale(y, [f.bottom, f.top]);
  const lines = options.series
    .map((s, k) => {
      const pts: string[] = [];
      for (let i = 0; i < s.x.length; i++) {
        const a = s.x[i] as number;
        const b = s.y[i] as number;
        if (Number.isFinite(a) && Number.isFinite(b)) pts.push(`${sx(a).toFixed(1)},${sy(b).toFixed(1)}`);
      }
      return `<polyline fill="none" stroke="${PALETTE[k % PALETTE.length]}" stroke-width="1.6" points="${pts.join(' ')}"><title>${escapeHtml(s.name)}</title></polyline>`;
    })
    .join('');
  const diagonal = options.diagonal ? diagonalLine(x, y, sx, sy) : '';
  const legend = options.series
    .map(
      (s, k) =>
        `<rect x="${f.left + 8}" y="${f.top + 4 + k * 14}" width="10" height="3" fill="${PALETTE[k % PALETTE.length]}"/><text x="${f.left + 22}" y="${f.top + 8 + k * 14}">${escapeHtml(s.name)}</text>`,
    )
    .join('');
  return svg(f, axes(f, x, y, options.xLabel, options.yLabel) + diagonal + lines + legend, options.title);
}

function diagonalLine(
  x: [number, number],
  y: [number, number],
  sx: (v: number) => number,
  sy: (v: number) => number,
): string {
  const lo = Math.max(x[0], y[0]);
  const hi = Math.min(x[1], y[1]);
  if (!(hi > lo)) return '';
  return `<line x1="${sx(lo).toFixed(1)}" y1="${sy(lo).toFixed(1)}" x2="${sx(hi).toFixed(1)}" y2="${sy(hi).toFixed(1)}" stroke="#8c959f" stroke-dasharray="4 3"/>`;
}

/**
 * Points, e.g. predicted vs actual (`diagonal: true` draws y = x) or residuals. At most
 * `maxPoints` are drawn (an even stride over the data) to keep the page small.
 */
export function svgScatterPlot(
  options: {
    x: ArrayLike<number>;
    y: ArrayLike<number>;
    xLabel?: string;
    yLabel?: string;
    title?: string;
    diagonal?: boolean;
    /** Draws a horizontal line at y = 0 (residual plots). */
    zeroLine?: boolean;
    maxPoints?: number;
  } & ChartSize,
): string {
  const f = frame(options, { width: 420, height: 280 });
  const n = Math.min(options.x.length, options.y.length);
  const stride = Math.max(1, Math.ceil(n / (options.maxPoints ?? 2000)));
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < n; i += stride) {
    xs.push(options.x[i] as number);
    ys.push(options.y[i] as number);
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
  let dots = '';
  for (let i = 0; i < xs.length; i++) {
    const a = xs[i] as number;
    const b = ys[i] as number;
    if (Number.isFinite(a) && Number.isFinite(b)) {
      dots += `<circle cx="${sx(a).toFixed(1)}" cy="${sy(b).toFixed(1)}" r="2.2"/>`;
    }
  }
  const zero =
    options.zeroLine && y[0] < 0 && y[1] > 0
      ? `<line x1="${f.left}" y1="${sy(0).toFixed(1)}" x2="${f.right}" y2="${sy(0).toFixed(1)}" stroke="#8c959f" stroke-dasharray="4 3"/>`
      : '';
  const diagonal = options.diagonal ? diagonalLine(x, y, sx, sy) : '';
  return svg(
    f,
    `${axes(f, x, y, options.xLabel, options.yLabel)}${diagonal}${zero}<g fill="${PALETTE[0]}" fill-opacity="0.55">${dots}</g>`,
    options.title,
  );
}

/** Horizontal bars (feature importances, coefficients; negative values extend left of zero). */
export function svgBarChart(
  options: { labels: string[]; values: number[]; title?: string } & ChartSize,
): string {
  const rowHeight = 18;
  const width = options.width ?? 480;
  const height = options.height ?? options.labels.length * rowHeight + 30;
  const labelWidth = Math.min(200, Math.max(60, ...options.labels.map((l) => l.length * 6.5)));
  const left = labelWidth + 8;
  const right = width - 60;
  const lo = Math.min(0, ...options.values.filter(Number.isFinite));
  const hi = Math.max(0, ...options.values.filter(Number.isFinite));
  const sx = scale(lo === hi ? [0, 1] : [lo, hi], [left, right]);
  const bars = options.labels
    .map((label, i) => {
      const v = options.values[i] ?? 0;
      const y = 10 + i * rowHeight;
      const x0 = sx(Math.min(0, v));
      const w = Math.abs(sx(v) - sx(0));
      return `<text x="${left - 6}" y="${y + 12}" text-anchor="end">${escapeHtml(label)}</text><rect x="${x0.toFixed(1)}" y="${y + 2}" width="${w.toFixed(1)}" height="${rowHeight - 5}" fill="${v < 0 ? PALETTE[1] : PALETTE[0]}"/><text x="${(Math.max(sx(v), sx(0)) + 4).toFixed(1)}" y="${y + 12}">${escapeHtml(formatNumber(v))}</text>`;
    })
    .join('');
  const axis = `<line x1="${sx(0).toFixed(1)}" y1="6" x2="${sx(0).toFixed(1)}" y2="${height - 14}" stroke="#8c959f"/>`;
  return svg({ width, height, left, right, top: 0, bottom: height }, axis + bars, options.title);
}
