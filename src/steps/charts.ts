/**
 * Small inline-SVG charts for step cards: self-contained HTML fragments (no scripts, no network),
 * so a card opens from disk and survives being attached to a run. Large inputs are thinned
 * deterministically (every k-th point) to keep a card a few hundred kilobytes at most.
 */

const WIDTH = 420;
const HEIGHT = 300;
const MARGIN = { left: 56, right: 16, top: 28, bottom: 44 };
const MAX_POINTS = 2000;
const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** A number for display: 4 significant digits, integers as they are. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return String(value);
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 1e-3 || abs >= 1e6)) return value.toExponential(3);
  return String(Number(value.toPrecision(4)));
}

interface Range {
  min: number;
  max: number;
}

function rangeOf(values: ArrayLike<number>, extra: number[] = []): Range {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  for (const v of extra) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (min === Number.POSITIVE_INFINITY) return { min: 0, max: 1 };
  if (min === max) return { min: min - 1, max: max + 1 };
  const pad = (max - min) * 0.04;
  return { min: min - pad, max: max + pad };
}

function scale(range: Range, from: number, to: number): (v: number) => number {
  return (v) => from + ((v - range.min) / (range.max - range.min)) * (to - from);
}

function ticks(range: Range, count = 5): number[] {
  const step = (range.max - range.min) / (count - 1);
  return Array.from({ length: count }, (_, i) => range.min + i * step);
}

function frame(title: string, xLabel: string, yLabel: string, xr: Range, yr: Range, body: string): string {
  const sx = scale(xr, MARGIN.left, WIDTH - MARGIN.right);
  const sy = scale(yr, HEIGHT - MARGIN.bottom, MARGIN.top);
  const xTicks = ticks(xr)
    .map(
      (t) =>
        `<text x="${sx(t).toFixed(1)}" y="${HEIGHT - MARGIN.bottom + 14}" text-anchor="middle">${escapeHtml(formatNumber(t))}</text>`,
    )
    .join('');
  const yTicks = ticks(yr)
    .map(
      (t) =>
        `<text x="${MARGIN.left - 4}" y="${(sy(t) + 3).toFixed(1)}" text-anchor="end">${escapeHtml(formatNumber(t))}</text>`,
    )
    .join('');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" ` +
    `font-family="sans-serif" font-size="10" role="img" aria-label="${escapeHtml(title)}">` +
    `<text x="${WIDTH / 2}" y="16" text-anchor="middle" font-size="12" font-weight="bold">${escapeHtml(title)}</text>` +
    `<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${WIDTH - MARGIN.left - MARGIN.right}" ` +
    `height="${HEIGHT - MARGIN.top - MARGIN.bottom}" fill="none" stroke="#999"/>` +
    xTicks +
    yTicks +
    `<text x="${(MARGIN.left + WIDTH - MARGIN.right) / 2}" y="${HEIGHT - 8}" text-anchor="middle">${escapeHtml(xLabel)}</text>` +
    `<text transform="translate(12 ${(MARGIN.top + HEIGHT - MARGIN.bottom) / 2}) rotate(-90)" text-anchor="middle">${escapeHtml(yLabel)}</text>` +
    body +
    '</svg>'
  );
}

export interface ScatterOptions {
  title: string;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  xLabel: string;
  yLabel: string;
  /** Draw y = x (predicted vs actual). */
  diagonal?: boolean;
  /** Draw y = 0 (residuals). */
  zeroLine?: boolean;
}

export function scatterChart(options: ScatterOptions): string {
  const { x, y } = options;
  const n = Math.min(x.length, y.length);
  const step = Math.max(1, Math.ceil(n / MAX_POINTS));
  let xr = rangeOf(x);
  let yr = rangeOf(y, options.zeroLine ? [0] : []);
  if (options.diagonal) {
    const both = { min: Math.min(xr.min, yr.min), max: Math.max(xr.max, yr.max) };
    xr = both;
    yr = both;
  }
  const sx = scale(xr, MARGIN.left, WIDTH - MARGIN.right);
  const sy = scale(yr, HEIGHT - MARGIN.bottom, MARGIN.top);
  const points: string[] = [];
  for (let i = 0; i < n; i += step) {
    if (!Number.isFinite(x[i]) || !Number.isFinite(y[i])) continue;
    points.push(`<circle cx="${sx(x[i]).toFixed(1)}" cy="${sy(y[i]).toFixed(1)}" r="2"/>`);
  }
  let guide = '';
  if (options.diagonal) {
    guide = `<line x1="${sx(xr.min)}" y1="${sy(xr.min)}" x2="${sx(xr.max)}" y2="${sy(xr.max)}" stroke="#d62728" stroke-dasharray="4 3"/>`;
  } else if (options.zeroLine) {
    guide = `<line x1="${MARGIN.left}" y1="${sy(0)}" x2="${WIDTH - MARGIN.right}" y2="${sy(0)}" stroke="#d62728" stroke-dasharray="4 3"/>`;
  }
  const body = `${guide}<g fill="${COLORS[0]}" fill-opacity="0.5">${points.join('')}</g>`;
  return frame(options.title, options.xLabel, options.yLabel, xr, yr, body);
}

export interface LineSeries {
  name: string;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
}

export interface LineChartOptions {
  title: string;
  series: LineSeries[];
  xLabel: string;
  yLabel: string;
  /** Fixed [0, 1] axes (ROC, precision-recall). */
  unitSquare?: boolean;
  /** Draw the chance diagonal. */
  diagonal?: boolean;
}

export function lineChart(options: LineChartOptions): string {
  const unit = { min: 0, max: 1 };
  const xr = options.unitSquare ? unit : rangeOf(options.series.flatMap((s) => Array.from(s.x)));
  const yr = options.unitSquare ? unit : rangeOf(options.series.flatMap((s) => Array.from(s.y)));
  const sx = scale(xr, MARGIN.left, WIDTH - MARGIN.right);
  const sy = scale(yr, HEIGHT - MARGIN.bottom, MARGIN.top);
  const lines = options.series.map((s, k) => {
    const n = Math.min(s.x.length, s.y.length);
    const step = Math.max(1, Math.ceil(n / MAX_POINTS));
    const pts: string[] = [];
    for (let i = 0; i < n; i += step) {
      if (Number.isFinite(s.x[i]) && Number.isFinite(s.y[i]))
        pts.push(`${sx(s.x[i]).toFixed(1)},${sy(s.y[i]).toFixed(1)}`);
    }
    if (n > 0 && (n - 1) % step !== 0 && Number.isFinite(s.x[n - 1]) && Number.isFinite(s.y[n - 1])) {
      pts.push(`${sx(s.x[n - 1]).toFixed(1)},${sy(s.y[n - 1]).toFixed(1)}`);
    }
    const color = COLORS[k % COLORS.length];
    const legend = `<text x="${WIDTH - MARGIN.right - 4}" y="${MARGIN.top + 12 + k * 12}" text-anchor="end" fill="${color}">${escapeHtml(s.name)}</text>`;
    return `<polyline points="${pts.join(' ')}" fill="none" stroke="${color}" stroke-width="1.5"/>${legend}`;
  });
  const diagonal = options.diagonal
    ? `<line x1="${sx(0)}" y1="${sy(0)}" x2="${sx(1)}" y2="${sy(1)}" stroke="#999" stroke-dasharray="4 3"/>`
    : '';
  return frame(options.title, options.xLabel, options.yLabel, xr, yr, diagonal + lines.join(''));
}

export interface BarChartOptions {
  title: string;
  labels: string[];
  values: ArrayLike<number>;
  /** Show only the largest bars by absolute value (default 25). */
  limit?: number;
}

/** Horizontal bars, largest |value| first; negative values extend left of the zero line. */
export function barChart(options: BarChartOptions): string {
  const order = Array.from(options.labels.keys())
    .filter((i) => Number.isFinite(options.values[i]))
    .sort((a, b) => Math.abs(options.values[b]) - Math.abs(options.values[a]))
    .slice(0, options.limit ?? 25);
  const rowHeight = 16;
  const labelWidth = 150;
  const height = MARGIN.top + order.length * rowHeight + 12;
  const values = order.map((i) => options.values[i]);
  const min = Math.min(0, ...values);
  const max = Math.max(0, ...values);
  const span = max - min || 1;
  const plotWidth = WIDTH - labelWidth - 60;
  const sx = (v: number) => labelWidth + ((v - min) / span) * plotWidth;
  const bars = order.map((i, row) => {
    const v = options.values[i];
    const y = MARGIN.top + row * rowHeight;
    const x0 = sx(Math.min(0, v));
    const w = Math.abs(sx(v) - sx(0));
    const label = options.labels[i].length > 24 ? `${options.labels[i].slice(0, 23)}…` : options.labels[i];
    return (
      `<text x="${labelWidth - 4}" y="${y + 11}" text-anchor="end">${escapeHtml(label)}</text>` +
      `<rect x="${x0.toFixed(1)}" y="${y + 2}" width="${w.toFixed(1)}" height="${rowHeight - 4}" fill="${v < 0 ? COLORS[3] : COLORS[0]}"/>` +
      `<text x="${(sx(Math.max(0, v)) + 3).toFixed(1)}" y="${y + 11}">${escapeHtml(formatNumber(v))}</text>`
    );
  });
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" ` +
    `font-family="sans-serif" font-size="10" role="img" aria-label="${escapeHtml(options.title)}">` +
    `<text x="${WIDTH / 2}" y="16" text-anchor="middle" font-size="12" font-weight="bold">${escapeHtml(options.title)}</text>` +
    `<line x1="${sx(0)}" y1="${MARGIN.top}" x2="${sx(0)}" y2="${height - 8}" stroke="#999"/>` +
    bars.join('') +
    '</svg>'
  );
}

/** A confusion matrix as an HTML table, cells shaded by their share of the row (the true class). */
export function confusionMatrixTable(labels: string[], matrix: number[][]): string {
  const header = `<tr><th>true \\ predicted</th>${labels.map((l) => `<th>${escapeHtml(l)}</th>`).join('')}</tr>`;
  const rows = matrix.map((row, i) => {
    const total = row.reduce((a, b) => a + b, 0) || 1;
    const cells = row.map((count) => {
      const shade = Math.round(255 - (count / total) * 160);
      return `<td style="background:rgb(${shade},${shade},255);text-align:right">${count}</td>`;
    });
    return `<tr><th>${escapeHtml(labels[i] ?? String(i))}</th>${cells.join('')}</tr>`;
  });
  return `<table class="confusion-matrix">${header}${rows.join('')}</table>`;
}

/** A two-or-more column HTML table of already formatted cells. */
export function htmlTable(headers: string[], rows: Array<Array<string | number>>): string {
  const head = `<tr>${headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr>`;
  const body = rows
    .map(
      (row) =>
        `<tr>${row.map((cell) => `<td>${escapeHtml(typeof cell === 'number' ? formatNumber(cell) : cell)}</td>`).join('')}</tr>`,
    )
    .join('');
  return `<table>${head}${body}</table>`;
}
