/**
 * One run: its params, metrics (with history charts), tags, git commit, note, recipe DAG, child
 * runs (a sweep's trials), the model versions it produced, and its artifacts. Edits a user
 * expects: rename, tags, note, delete and restore.
 */
import { get, post } from '../api.js';
import { lineChart } from '../charts.js';
import { errorBox, h, link, mount, table } from '../dom.js';
import { formatDuration, formatMetric, formatTime } from '../format.js';
import type { Metric, ModelVersion, Run } from '../types.js';
import { artifactBrowser } from './artifacts.js';
import { recipeDag, recipeSteps } from './recipe-dag.js';

const NOTE_TAG = 'mlflow.note.content';
const MAX_CHARTS = 24;

interface GetRunResponse {
  run: Run;
}

export async function renderRun(target: HTMLElement, runId: string, params: URLSearchParams): Promise<void> {
  mount(target, h('p', {}, 'Loading…'));
  let run: Run;
  try {
    run = (await get<GetRunResponse>('runs/get', { run_id: runId })).run;
  } catch (error) {
    mount(target, errorBox(error));
    return;
  }
  const reload = () => void renderRun(target, runId, params);
  const tags = new Map((run.data.tags ?? []).map((t) => [t.key, t.value]));
  const name = run.info.run_name || runId;
  document.title = `${name} · mlrecipe`;
  const parent = tags.get('mlflow.parentRunId');
  const commit = tags.get('mlflow.source.git.commit');

  const renameButton = h('button', { id: 'rename-run' }, 'Rename');
  renameButton.addEventListener('click', async () => {
    const next = prompt('New run name', name);
    if (next === null || next.trim() === '' || next === name) return;
    await act(() => post('runs/update', { run_id: runId, run_name: next.trim() }), reload);
  });
  const deleted = run.info.lifecycle_stage === 'deleted';
  const lifecycleButton = h(
    'button',
    { id: deleted ? 'restore-run' : 'delete-run' },
    deleted ? 'Restore' : 'Delete',
  );
  lifecycleButton.addEventListener('click', async () => {
    if (!deleted && !confirm(`Delete run ${name}? It can be restored later.`)) return;
    await act(() => post(deleted ? 'runs/restore' : 'runs/delete', { run_id: runId }), reload);
  });

  const overview = table(
    ['', ''],
    [
      ['Run ID', h('code', {}, runId)],
      [
        'Experiment',
        link(`#/experiments/${encodeURIComponent(run.info.experiment_id)}`, run.info.experiment_id),
      ],
      [
        'Status',
        h('span', { class: `status-${run.info.status.toLowerCase()}`, id: 'run-status' }, run.info.status),
      ],
      ['Lifecycle', run.info.lifecycle_stage],
      ['Started', formatTime(run.info.start_time)],
      ['Duration', formatDuration(run.info.start_time, run.info.end_time)],
      ['User', run.info.user_id ?? ''],
      ['Parent run', parent ? link(`#/runs/${encodeURIComponent(parent)}`, parent) : ''],
      ['Git commit', commit ? h('code', { id: 'git-commit' }, commit) : ''],
      ['Source', tags.get('mlflow.source.name') ?? ''],
      ['Artifact URI', run.info.artifact_uri ?? ''],
    ].filter((row) => row[1] !== ''),
    { class: 'kv' },
  );

  const noteArea = h('textarea', { id: 'run-note', rows: 3, placeholder: 'A note about this run' });
  noteArea.value = tags.get(NOTE_TAG) ?? '';
  const noteButton = h('button', { id: 'save-note' }, 'Save note');
  noteButton.addEventListener('click', () =>
    act(() => post('runs/set-tag', { run_id: runId, key: NOTE_TAG, value: noteArea.value }), reload),
  );

  const metrics = [...(run.data.metrics ?? [])].sort((a, b) => a.key.localeCompare(b.key));
  const charts = h('div', { class: 'charts', id: 'metric-charts' });
  const metricTable = table(
    ['Metric', 'Value', 'Step'],
    metrics.map((m) => [m.key, formatMetric(m.value), String(m.step)]),
    { class: 'grid', id: 'metrics-table' },
  );
  const paramTable = table(
    ['Param', 'Value'],
    [...(run.data.params ?? [])].sort((a, b) => a.key.localeCompare(b.key)).map((p) => [p.key, p.value]),
    { class: 'grid', id: 'params-table' },
  );

  const tagKey = h('input', { id: 'tag-key', placeholder: 'key' });
  const tagValue = h('input', { id: 'tag-value', placeholder: 'value' });
  const tagForm = h(
    'form',
    { class: 'toolbar' },
    tagKey,
    tagValue,
    h('button', { type: 'submit', id: 'add-tag' }, 'Add tag'),
  );
  tagForm.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!tagKey.value.trim()) return;
    void act(
      () => post('runs/set-tag', { run_id: runId, key: tagKey.value.trim(), value: tagValue.value }),
      reload,
    );
  });
  const userTags = [...tags.entries()].filter(
    ([key]) => !key.startsWith('mlflow.') && !key.startsWith('mlrecipe.step.'),
  );
  const tagTable = table(
    ['Tag', 'Value', ''],
    userTags
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, value]) => [
        key,
        value,
        h(
          'button',
          {
            class: 'delete-tag',
            'data-key': key,
            onclick: () => void act(() => post('runs/delete-tag', { run_id: runId, key }), reload),
          },
          '✕',
        ),
      ]),
    { class: 'grid', id: 'tags-table' },
  );

  const steps = recipeSteps(run);
  const childrenBox = h('div', { id: 'child-runs' });
  const versionsBox = h('div', { id: 'run-model-versions' });

  mount(
    target,
    h('h1', {}, 'Run: ', h('span', { id: 'run-name' }, name), ' ', renameButton, ' ', lifecycleButton),
    overview,
    steps.length ? [h('h2', {}, 'Recipe'), h('div', { id: 'recipe-dag' }, recipeDag(steps))] : null,
    h('h2', {}, 'Note'),
    noteArea,
    h('div', {}, noteButton),
    h(
      'div',
      { class: 'columns-2' },
      h('div', {}, h('h2', {}, 'Parameters'), paramTable),
      h('div', {}, h('h2', {}, 'Metrics'), metricTable),
    ),
    h('h2', {}, 'Metric history'),
    charts,
    childrenBox,
    versionsBox,
    h('h2', {}, 'Tags'),
    tagTable,
    tagForm,
    h('h2', {}, 'Artifacts'),
    artifactBrowser(runId, params.get('artifact') ?? undefined),
  );

  void renderCharts(runId, metrics, charts);
  void renderChildren(run, childrenBox);
  void renderVersions(runId, versionsBox);
}

async function act(action: () => Promise<unknown>, then: () => void): Promise<void> {
  try {
    await action();
    then();
  } catch (error) {
    alert(error instanceof Error ? error.message : String(error));
  }
}

interface HistoryResponse {
  metrics?: Metric[];
  next_page_token?: string;
}

export async function metricHistory(runId: string, key: string): Promise<Metric[]> {
  const points: Metric[] = [];
  let token: string | undefined;
  do {
    const page = await get<HistoryResponse>('metrics/get-history', {
      run_id: runId,
      metric_key: key,
      max_results: 25000,
      ...(token ? { page_token: token } : {}),
    });
    points.push(...(page.metrics ?? []));
    token = page.next_page_token || undefined;
  } while (token);
  return points.sort((a, b) => a.step - b.step || a.timestamp - b.timestamp);
}

async function renderCharts(runId: string, metrics: Metric[], into: HTMLElement): Promise<void> {
  const histories = await Promise.all(
    metrics
      .slice(0, 200)
      .map(async (m) => ({ key: m.key, points: await metricHistory(runId, m.key).catch(() => []) })),
  );
  const series = histories.filter((s) => s.points.length > 1).slice(0, MAX_CHARTS);
  if (series.length === 0) {
    mount(into, h('p', { class: 'muted' }, 'No metric has more than one value.'));
    return;
  }
  mount(
    into,
    series.map((s) => lineChart(s.key, [{ label: s.key, points: s.points }])),
  );
}

async function renderChildren(run: Run, into: HTMLElement): Promise<void> {
  const runId = run.info.run_id;
  try {
    const response = await post<{ runs?: Run[] }>('runs/search', {
      experiment_ids: [run.info.experiment_id],
      filter: `tags.mlflow.parentRunId = '${runId}'`,
      max_results: 1000,
      order_by: ['attributes.start_time ASC'],
    });
    const children = response.runs ?? [];
    if (children.length === 0) return;
    const metricKeys = [...new Set(children.flatMap((c) => (c.data.metrics ?? []).map((m) => m.key)))]
      .sort()
      .slice(0, 4);
    mount(
      into,
      h('h2', {}, `Child runs (${children.length})`),
      h(
        'p',
        {},
        link(`#/compare?parent=${encodeURIComponent(runId)}`, 'Compare the child runs', {
          id: 'compare-children',
        }),
      ),
      table(
        ['Run', 'Status', ...metricKeys],
        children.map((c) => [
          link(`#/runs/${encodeURIComponent(c.info.run_id)}`, c.info.run_name || c.info.run_id, {
            class: 'child-link',
          }),
          c.info.status,
          ...metricKeys.map((k) => formatMetric(c.data.metrics?.find((m) => m.key === k)?.value)),
        ]),
        { class: 'grid', id: 'children-table' },
      ),
    );
  } catch (error) {
    mount(into, errorBox(error));
  }
}

async function renderVersions(runId: string, into: HTMLElement): Promise<void> {
  try {
    const response = await get<{ model_versions?: ModelVersion[] }>('model-versions/search', {
      filter: `run_id = '${runId}'`,
    });
    const versions = response.model_versions ?? [];
    if (versions.length === 0) return;
    // Versions from a search carry no aliases (as from MLflow's server): each model lists its own.
    const aliasesByModel = new Map<string, { alias: string; version: string }[]>();
    for (const modelName of new Set(versions.map((v) => v.name))) {
      const model = await get<{ registered_model: { aliases?: { alias: string; version: string }[] } }>(
        'registered-models/get',
        { name: modelName },
      );
      aliasesByModel.set(modelName, model.registered_model.aliases ?? []);
    }
    mount(
      into,
      h('h2', {}, 'Registered model versions'),
      table(
        ['Model', 'Version', 'Stage', 'Aliases'],
        versions.map((v) => [
          link(`#/models/${encodeURIComponent(v.name)}`, v.name),
          link(
            `#/models/${encodeURIComponent(v.name)}/versions/${encodeURIComponent(v.version)}`,
            `version ${v.version}`,
            {
              class: 'version-link',
            },
          ),
          v.current_stage ?? '',
          (aliasesByModel.get(v.name) ?? [])
            .filter((a) => a.version === v.version)
            .map((a) => `@${a.alias}`)
            .join(' '),
        ]),
        { class: 'grid' },
      ),
    );
  } catch (error) {
    mount(into, errorBox(error));
  }
}
