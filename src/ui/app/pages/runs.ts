/**
 * The runs table of one experiment: the search grammar in a filter box, columns chosen from the
 * params, metrics and tags of the loaded runs, server-side sorting and paging, nested runs folded
 * under their parent, and virtualised rows so that a 10k-run experiment stays fast.
 */
import { get, post } from '../api.js';
import { errorBox, h, link, mount } from '../dom.js';
import { formatDuration, formatMetric, formatTime, quoteKey } from '../format.js';
import type { Experiment, Run } from '../types.js';

const PAGE_SIZE = 500;
const ROW_HEIGHT = 30;
const OVERSCAN = 8;
const PARENT_TAG = 'mlflow.parentRunId';

type ColumnKind = 'metric' | 'param' | 'tag';

interface Column {
  kind: ColumnKind;
  key: string;
}

interface SearchRunsResponse {
  runs?: Run[];
  next_page_token?: string;
}

interface Row {
  run: Run;
  depth: number;
  children: number;
}

function tagOf(run: Run, key: string): string | undefined {
  return run.data.tags?.find((t) => t.key === key)?.value;
}

function cellValue(run: Run, column: Column): string {
  if (column.kind === 'metric')
    return formatMetric(run.data.metrics?.find((m) => m.key === column.key)?.value);
  if (column.kind === 'param') return run.data.params?.find((p) => p.key === column.key)?.value ?? '';
  return tagOf(run, column.key) ?? '';
}

function columnId(column: Column): string {
  return `${column.kind}s.${column.key}`;
}

/** The `order_by` clause for a column id (`metrics.rmse`, `attributes.start_time`, ...). */
function orderClause(id: string, ascending: boolean): string {
  const dot = id.indexOf('.');
  return `${id.slice(0, dot)}.${quoteKey(id.slice(dot + 1))} ${ascending ? 'ASC' : 'DESC'}`;
}

function storedColumns(experimentId: string): Column[] | undefined {
  try {
    const raw = localStorage.getItem(`mlrecipe.columns.${experimentId}`);
    return raw ? (JSON.parse(raw) as Column[]) : undefined;
  } catch {
    return undefined;
  }
}

export async function renderRuns(
  target: HTMLElement,
  experimentId: string,
  params: URLSearchParams,
): Promise<void> {
  const filter = params.get('filter') ?? '';
  const sort = params.get('sort') ?? 'attributes.start_time';
  const ascending = params.get('asc') === '1';
  const lifecycle = params.get('deleted') === '1' ? 'DELETED_ONLY' : 'ACTIVE_ONLY';

  const title = h('h1', {}, 'Experiment');
  const filterInput = h('input', {
    type: 'search',
    id: 'run-filter',
    placeholder: "metrics.rmse < 1 and params.alpha = '0.1'",
    value: filter,
  });
  const navigate = (changes: Record<string, string | undefined>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(changes)) {
      if (v === undefined || v === '') next.delete(k);
      else next.set(k, v);
    }
    location.hash = `#/experiments/${encodeURIComponent(experimentId)}?${next.toString()}`;
  };
  const filterForm = h(
    'form',
    { class: 'toolbar' },
    filterInput,
    h('button', { type: 'submit' }, 'Search'),
    h(
      'label',
      { class: 'inline' },
      h('input', {
        type: 'checkbox',
        id: 'show-deleted',
        checked: lifecycle === 'DELETED_ONLY',
        onchange: (event: Event) =>
          navigate({ deleted: (event.target as HTMLInputElement).checked ? '1' : undefined }),
      }),
      ' deleted runs',
    ),
  );
  filterForm.addEventListener('submit', (event) => {
    event.preventDefault();
    navigate({ filter: filterInput.value.trim() });
  });
  const status = h('div', { class: 'status', id: 'runs-status' }, 'Loading…');
  const compareButton = h('button', { id: 'compare-selected', disabled: true }, 'Compare selected');
  const chooser = h('details', { class: 'columns' }, h('summary', {}, 'Columns'));
  const header = h('div', { class: 'run-row run-header', role: 'row' });
  const body = h('div', { class: 'run-body' });
  const scroller = h('div', { class: 'run-scroller', id: 'runs-table', role: 'table' }, header, body);
  mount(target, title, filterForm, h('div', { class: 'toolbar' }, chooser, compareButton, status), scroller);

  try {
    const { experiment } = await get<{ experiment: Experiment }>('experiments/get', {
      experiment_id: experimentId,
    });
    mount(
      title,
      'Experiment: ',
      experiment.name,
      ' ',
      link(`#/experiments/${encodeURIComponent(experimentId)}/recipe`, 'recipe', {
        id: 'recipe-link',
        class: 'small',
      }),
    );
    document.title = `${experiment.name} · mlrecipe`;
  } catch (error) {
    mount(target, errorBox(error));
    return;
  }

  const runs: Run[] = [];
  const selected = new Set<string>();
  const expanded = new Set<string>();
  let nextToken: string | undefined;
  let loading = false;
  let columns: Column[] = storedColumns(experimentId) ?? [];
  let rows: Row[] = [];

  compareButton.addEventListener('click', () => {
    location.hash = `#/compare?runs=${[...selected].map(encodeURIComponent).join(',')}`;
  });

  async function loadPage(): Promise<void> {
    if (loading) return;
    loading = true;
    try {
      const page = await post<SearchRunsResponse>('runs/search', {
        experiment_ids: [experimentId],
        filter,
        run_view_type: lifecycle,
        max_results: PAGE_SIZE,
        order_by: [orderClause(sort, ascending)],
        ...(nextToken ? { page_token: nextToken } : {}),
      });
      runs.push(...(page.runs ?? []));
      nextToken = page.next_page_token || undefined;
      if (columns.length === 0) columns = defaultColumns(runs);
      rebuild();
    } catch (error) {
      mount(status, errorBox(error));
      nextToken = undefined;
    } finally {
      loading = false;
    }
  }

  function rebuild(): void {
    const ids = new Set(runs.map((r) => r.info.run_id));
    const children = new Map<string, Run[]>();
    const top: Run[] = [];
    for (const run of runs) {
      const parent = tagOf(run, PARENT_TAG);
      if (parent && ids.has(parent)) {
        const list = children.get(parent) ?? [];
        list.push(run);
        children.set(parent, list);
      } else top.push(run);
    }
    rows = [];
    const visit = (run: Run, depth: number) => {
      const kids = children.get(run.info.run_id) ?? [];
      rows.push({ run, depth, children: kids.length });
      if (expanded.has(run.info.run_id)) for (const kid of kids) visit(kid, depth + 1);
    };
    for (const run of top) visit(run, 0);
    mount(
      status,
      `${runs.length} run${runs.length === 1 ? '' : 's'} loaded${nextToken ? ' (scroll for more)' : ''}`,
      filter ? ` · filter: ${filter}` : '',
    );
    renderChooser();
    renderHeader();
    body.style.height = `${rows.length * ROW_HEIGHT}px`;
    renderVisible();
  }

  function gridTemplate(): string {
    // Fixed widths: every row is its own grid (rows are virtual), so only fixed tracks line up.
    return `32px 260px 90px 190px 80px ${columns.map(() => '140px').join(' ')}`;
  }

  function renderHeader(): void {
    const sortable = (label: string, id: string) => {
      const active = sort === id;
      return h(
        'div',
        {
          class: `cell sortable${active ? ' sorted' : ''}`,
          role: 'columnheader',
          'data-sort': id,
          title: `sort by ${id}`,
          onclick: () => navigate({ sort: id, asc: active && !ascending ? '1' : undefined }),
        },
        label,
        active ? (ascending ? ' ▲' : ' ▼') : '',
      );
    };
    header.style.gridTemplateColumns = gridTemplate();
    mount(
      header,
      h('div', { class: 'cell' }),
      sortable('Run name', 'attributes.run_name'),
      sortable('Status', 'attributes.status'),
      sortable('Started', 'attributes.start_time'),
      h('div', { class: 'cell' }, 'Duration'),
      columns.map((c) => sortable(c.key, columnId(c))),
    );
  }

  function renderChooser(): void {
    const keys: Column[] = [];
    const seen = new Set<string>();
    const add = (kind: ColumnKind, key: string) => {
      const id = `${kind}s.${key}`;
      if (!seen.has(id)) {
        seen.add(id);
        keys.push({ kind, key });
      }
    };
    for (const run of runs.slice(0, 2000)) {
      for (const m of run.data.metrics ?? []) add('metric', m.key);
      for (const p of run.data.params ?? []) add('param', p.key);
      for (const t of run.data.tags ?? []) if (!t.key.startsWith('mlflow.')) add('tag', t.key);
    }
    const chosen = new Set(columns.map(columnId));
    const groups = (['metric', 'param', 'tag'] as ColumnKind[]).map((kind) =>
      h(
        'fieldset',
        {},
        h('legend', {}, `${kind}s`),
        keys
          .filter((k) => k.kind === kind)
          .sort((a, b) => a.key.localeCompare(b.key))
          .map((k) =>
            h(
              'label',
              {},
              h('input', {
                type: 'checkbox',
                'data-column': columnId(k),
                checked: chosen.has(columnId(k)),
                onchange: (event: Event) => {
                  const on = (event.target as HTMLInputElement).checked;
                  columns = on ? [...columns, k] : columns.filter((c) => columnId(c) !== columnId(k));
                  localStorage.setItem(`mlrecipe.columns.${experimentId}`, JSON.stringify(columns));
                  renderHeader();
                  renderVisible(true);
                },
              }),
              ` ${k.key}`,
            ),
          ),
      ),
    );
    const open = chooser.open;
    mount(chooser, h('summary', {}, `Columns (${columns.length})`), groups);
    chooser.open = open;
  }

  let renderedRange = '';
  function renderVisible(force = false): void {
    const first = Math.max(0, Math.floor(scroller.scrollTop / ROW_HEIGHT) - OVERSCAN);
    const count = Math.ceil(scroller.clientHeight / ROW_HEIGHT) + 2 * OVERSCAN;
    const last = Math.min(rows.length, first + count);
    const range = `${first}:${last}:${rows.length}`;
    if (!force && range === renderedRange) return;
    renderedRange = range;
    const template = gridTemplate();
    mount(
      body,
      rows.slice(first, last).map((row, i) => renderRow(row, first + i, template)),
    );
    if (nextToken && last >= rows.length - OVERSCAN) void loadPage();
  }

  function renderRow(row: Row, index: number, template: string): HTMLElement {
    const { run } = row;
    const id = run.info.run_id;
    const toggle =
      row.children > 0
        ? h(
            'button',
            {
              class: 'fold',
              title: expanded.has(id) ? 'fold the child runs' : 'show the child runs',
              'aria-expanded': expanded.has(id) ? 'true' : 'false',
              onclick: () => {
                if (expanded.has(id)) expanded.delete(id);
                else expanded.add(id);
                rebuild();
              },
            },
            expanded.has(id) ? '▾' : '▸',
            ` ${row.children}`,
          )
        : null;
    const element = h(
      'div',
      { class: `run-row depth-${Math.min(row.depth, 3)}`, role: 'row', 'data-run-id': id },
      h(
        'div',
        { class: 'cell' },
        h('input', {
          type: 'checkbox',
          class: 'select-run',
          checked: selected.has(id),
          onchange: (event: Event) => {
            if ((event.target as HTMLInputElement).checked) selected.add(id);
            else selected.delete(id);
            compareButton.disabled = selected.size === 0;
          },
        }),
      ),
      h(
        'div',
        { class: 'cell name', style: `padding-left: ${8 + row.depth * 18}px` },
        toggle,
        link(`#/runs/${encodeURIComponent(id)}`, run.info.run_name || id, { class: 'run-link' }),
      ),
      h('div', { class: `cell status-${run.info.status.toLowerCase()}` }, run.info.status),
      h('div', { class: 'cell' }, formatTime(run.info.start_time)),
      h('div', { class: 'cell' }, formatDuration(run.info.start_time, run.info.end_time)),
      columns.map((c) => h('div', { class: 'cell value', 'data-column': columnId(c) }, cellValue(run, c))),
    );
    element.style.gridTemplateColumns = template;
    element.style.top = `${index * ROW_HEIGHT}px`;
    return element;
  }

  scroller.addEventListener('scroll', () => renderVisible());
  await loadPage();
}

/** The first few metrics and params of the loaded runs, until the user picks columns. */
function defaultColumns(runs: Run[]): Column[] {
  const metrics = new Set<string>();
  const params = new Set<string>();
  for (const run of runs.slice(0, 200)) {
    for (const m of run.data.metrics ?? []) metrics.add(m.key);
    for (const p of run.data.params ?? []) params.add(p.key);
  }
  return [
    ...[...metrics]
      .sort()
      .slice(0, 5)
      .map((key) => ({ kind: 'metric' as const, key })),
    ...[...params]
      .sort()
      .slice(0, 4)
      .map((key) => ({ kind: 'param' as const, key })),
  ];
}
