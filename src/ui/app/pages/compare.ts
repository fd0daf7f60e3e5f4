/**
 * Several runs side by side: a params/metrics diff table, one chart of a metric across the runs,
 * and a parallel-coordinates view (the varying params, then the chosen metric) — the view of a
 * sweep's trials (`#/compare?parent=<run id>`) or of runs picked in the runs table.
 */
import { get, post } from '../api.js';
import { lineChart, parallelCoordinates } from '../charts.js';
import { errorBox, h, link, mount } from '../dom.js';
import { formatMetric } from '../format.js';
import type { Run } from '../types.js';
import { metricHistory } from './run.js';

async function loadRuns(params: URLSearchParams): Promise<Run[]> {
  const parent = params.get('parent');
  if (parent) {
    const { run } = await get<{ run: Run }>('runs/get', { run_id: parent });
    const runs: Run[] = [];
    let token: string | undefined;
    do {
      const page = await post<{ runs?: Run[]; next_page_token?: string }>('runs/search', {
        experiment_ids: [run.info.experiment_id],
        filter: `tags.mlflow.parentRunId = '${parent}'`,
        max_results: 1000,
        order_by: ['attributes.start_time ASC'],
        ...(token ? { page_token: token } : {}),
      });
      runs.push(...(page.runs ?? []));
      token = page.next_page_token || undefined;
    } while (token);
    return runs;
  }
  const ids = (params.get('runs') ?? '').split(',').filter(Boolean);
  return Promise.all(ids.map(async (id) => (await get<{ run: Run }>('runs/get', { run_id: id })).run));
}

/** A param as a number when every run's value parses as one, else as a category. */
function axisValues(values: (string | undefined)[]): (number | string | undefined)[] {
  const numeric = values.every((v) => v === undefined || (v.trim() !== '' && Number.isFinite(Number(v))));
  return numeric ? values.map((v) => (v === undefined ? undefined : Number(v))) : values;
}

export async function renderCompare(target: HTMLElement, params: URLSearchParams): Promise<void> {
  mount(target, h('p', {}, 'Loading…'));
  let runs: Run[];
  try {
    runs = await loadRuns(params);
  } catch (error) {
    mount(target, errorBox(error));
    return;
  }
  if (runs.length === 0) {
    mount(target, h('h1', {}, 'Compare runs'), h('p', {}, 'No runs to compare.'));
    return;
  }
  const label = (r: Run) => r.info.run_name || r.info.run_id.slice(0, 8);
  const paramKeys = [...new Set(runs.flatMap((r) => (r.data.params ?? []).map((p) => p.key)))].sort();
  const metricKeys = [...new Set(runs.flatMap((r) => (r.data.metrics ?? []).map((m) => m.key)))].sort();
  const param = (r: Run, k: string) => r.data.params?.find((p) => p.key === k)?.value;
  const metric = (r: Run, k: string) => r.data.metrics?.find((m) => m.key === k)?.value;

  const onlyDiff = h('input', { type: 'checkbox', id: 'only-differences' });
  const diffBox = h('div', {});
  const renderDiff = () => {
    const row = (kind: string, key: string, values: string[]) => {
      const differs = new Set(values).size > 1;
      if (onlyDiff.checked && !differs) return null;
      return h(
        'tr',
        { class: differs ? 'differs' : '', 'data-key': `${kind}.${key}` },
        h('th', {}, `${kind} ${key}`),
        values.map((v) => h('td', {}, v)),
      );
    };
    mount(
      diffBox,
      h(
        'table',
        { class: 'grid diff', id: 'diff-table' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', {}, ''),
            runs.map((r) => h('th', {}, link(`#/runs/${encodeURIComponent(r.info.run_id)}`, label(r)))),
          ),
        ),
        h(
          'tbody',
          {},
          paramKeys.map((k) =>
            row(
              'param',
              k,
              runs.map((r) => param(r, k) ?? ''),
            ),
          ),
          metricKeys.map((k) =>
            row(
              'metric',
              k,
              runs.map((r) => formatMetric(metric(r, k))),
            ),
          ),
        ),
      ),
    );
  };
  onlyDiff.addEventListener('change', renderDiff);
  renderDiff();

  const metricSelect = h(
    'select',
    { id: 'compare-metric' },
    metricKeys.map((k) => h('option', { value: k }, k)),
  );
  const chartBox = h('div', { id: 'compare-chart' });
  const parallelBox = h('div', { id: 'parallel-coordinates' });
  const drawMetric = async () => {
    const key = metricSelect.value;
    if (!key) return;
    const varying = paramKeys.filter((k) => new Set(runs.map((r) => param(r, k))).size > 1);
    const axes = [
      ...varying.map((k) => ({ name: k, values: axisValues(runs.map((r) => param(r, k))) })),
      {
        name: key,
        values: runs
          .map((r) => Number(metric(r, key) ?? NaN))
          .map((v) => (Number.isFinite(v) ? v : undefined)),
      },
    ];
    mount(parallelBox, parallelCoordinates(axes, runs.map(label)));
    mount(chartBox, 'Loading…');
    const series = await Promise.all(
      runs.slice(0, 50).map(async (r) => ({
        label: label(r),
        points: await metricHistory(r.info.run_id, key).catch(() => []),
      })),
    );
    mount(chartBox, lineChart(key, series, 760, 300));
  };
  metricSelect.addEventListener('change', () => void drawMetric());

  mount(
    target,
    h('h1', {}, `Compare ${runs.length} runs`),
    params.get('parent')
      ? h(
          'p',
          {},
          'Child runs of ',
          link(`#/runs/${encodeURIComponent(params.get('parent') ?? '')}`, params.get('parent') ?? ''),
        )
      : null,
    h('div', { class: 'toolbar' }, h('label', {}, 'Metric ', metricSelect)),
    h('h2', {}, 'Parallel coordinates'),
    parallelBox,
    h('h2', {}, 'Metric across runs'),
    chartBox,
    h('h2', {}, 'Parameters and metrics'),
    h('label', { class: 'inline' }, onlyDiff, ' only differences'),
    diffBox,
  );
  await drawMetric();
}
