/** Metric charts (uPlot) and the parallel-coordinates view of a sweep (SVG). */
import type UPlot from 'uplot';
import { h, svg } from './dom.js';

type UPlotData = UPlot.AlignedData;
import { formatMetric } from './format.js';
import type { Metric } from './types.js';

const PALETTE = [
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#bcbd22',
  '#17becf',
];

export function colour(i: number): string {
  return PALETTE[i % PALETTE.length];
}

export interface Series {
  label: string;
  points: Metric[];
}

/**
 * One chart of several series against the metric step: the steps of every series are merged
 * into one x axis (uPlot's aligned data), a series having no value at a step shows a gap.
 */
export function lineChart(title: string, series: Series[], width = 560, height = 260): HTMLElement {
  const steps = [...new Set(series.flatMap((s) => s.points.map((p) => Number(p.step))))].sort(
    (a, b) => a - b,
  );
  const index = new Map(steps.map((step, i) => [step, i]));
  const data: (number | null)[][] = [steps];
  for (const s of series) {
    const ys: (number | null)[] = new Array(steps.length).fill(null);
    for (const p of s.points) {
      const v = Number(p.value);
      ys[index.get(Number(p.step)) ?? 0] = Number.isFinite(v) ? v : null;
    }
    data.push(ys);
  }
  const holder = h('div', { class: 'chart', 'data-metric': title });
  // A single point is drawn as a dot: uPlot draws no line through one value.
  const single = steps.length === 1;
  const chart = new uPlot(
    {
      title,
      width,
      height,
      scales: { x: { time: false } },
      axes: [{ label: 'step' }, {}],
      series: [
        { label: 'step' },
        ...series.map((s, i) => ({
          label: s.label,
          stroke: colour(i),
          width: 1.5,
          points: { show: single || s.points.length < 30 },
        })),
      ],
    },
    data as unknown as UPlotData,
  );
  holder.appendChild(chart.root);
  return holder;
}

export interface ParallelAxis {
  name: string;
  /** One value per line; numbers are placed on a linear scale, strings as evenly spaced categories. */
  values: (number | string | undefined)[];
}

/**
 * Parallel coordinates: one vertical axis per parameter or metric, one polyline per run, coloured
 * by the last axis (the metric the sweep optimised). Lines are `<path class="pc-line">`, one per run.
 */
export function parallelCoordinates(
  axes: ParallelAxis[],
  labels: string[],
  width = 900,
  height = 320,
): SVGElement {
  const margin = { top: 30, bottom: 20, left: 40, right: 40 };
  const innerH = height - margin.top - margin.bottom;
  const step = axes.length > 1 ? (width - margin.left - margin.right) / (axes.length - 1) : 0;
  const scales = axes.map((axis) => {
    const numeric = axis.values.every(
      (v) => v === undefined || (typeof v === 'number' && Number.isFinite(v)),
    );
    if (numeric) {
      const nums = axis.values.filter((v): v is number => typeof v === 'number');
      const lo = Math.min(...nums);
      const hi = Math.max(...nums);
      // Positive values spread over more than two decades (a log-uniform alpha) get a log axis.
      const log = lo > 0 && hi / lo > 100;
      const t = (v: number) => (log ? Math.log10(v) : v);
      const span = t(hi) - t(lo) || 1;
      return {
        y: (v: number | string | undefined) =>
          typeof v === 'number' ? margin.top + innerH * (1 - (t(v) - t(lo)) / span) : undefined,
        ticks: [
          [lo, margin.top + innerH],
          [hi, margin.top],
        ] as [number | string, number][],
      };
    }
    const cats = [...new Set(axis.values.filter((v) => v !== undefined).map(String))].sort();
    const pos = (i: number) => margin.top + (cats.length > 1 ? (innerH * i) / (cats.length - 1) : innerH / 2);
    return {
      y: (v: number | string | undefined) => (v === undefined ? undefined : pos(cats.indexOf(String(v)))),
      ticks: cats.map((c, i) => [c, pos(i)] as [number | string, number]),
    };
  });
  const root = svg('svg', { width, height, class: 'parallel', viewBox: `0 0 ${width} ${height}` });
  const last = axes[axes.length - 1];
  const lastNums = last ? last.values.map((v) => (typeof v === 'number' ? v : NaN)) : [];
  const finite = lastNums.filter(Number.isFinite);
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  labels.forEach((label, line) => {
    const points: string[] = [];
    axes.forEach((_, a) => {
      const y = scales[a].y(axes[a].values[line]);
      if (y !== undefined)
        points.push(`${points.length ? 'L' : 'M'}${margin.left + a * step},${y.toFixed(1)}`);
    });
    const t = Number.isFinite(lastNums[line]) && hi > lo ? (lastNums[line] - lo) / (hi - lo) : 0.5;
    const path = svg('path', {
      d: points.join(' '),
      class: 'pc-line',
      fill: 'none',
      stroke: `hsl(${Math.round(220 - 200 * t)}, 70%, 45%)`,
      'stroke-width': 1.5,
      'stroke-opacity': 0.7,
    });
    path.appendChild(svg('title', {}, label));
    root.appendChild(path);
  });
  axes.forEach((axis, a) => {
    const x = margin.left + a * step;
    root.appendChild(svg('line', { x1: x, x2: x, y1: margin.top, y2: margin.top + innerH, stroke: '#444' }));
    root.appendChild(
      svg('text', { x, y: margin.top - 12, 'text-anchor': 'middle', class: 'pc-axis' }, axis.name),
    );
    for (const [value, y] of scales[a].ticks)
      root.appendChild(
        svg(
          'text',
          { x: x + 4, y: y + 4, class: 'pc-tick' },
          typeof value === 'number' ? formatMetric(value) : value,
        ),
      );
  });
  return root;
}
