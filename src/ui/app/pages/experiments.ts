/** The experiments list: every active experiment, searchable by name. */
import { get } from '../api.js';
import { errorBox, h, link, mount, table } from '../dom.js';
import { formatTime } from '../format.js';
import type { Experiment } from '../types.js';

interface SearchExperimentsResponse {
  experiments?: Experiment[];
  next_page_token?: string;
}

export async function renderExperiments(target: HTMLElement, params: URLSearchParams): Promise<void> {
  const query = params.get('q') ?? '';
  const input = h('input', {
    type: 'search',
    placeholder: 'Search experiments by name',
    value: query,
    id: 'experiment-search',
  });
  const form = h('form', { class: 'toolbar' }, input, h('button', { type: 'submit' }, 'Search'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    location.hash = `#/experiments?q=${encodeURIComponent(input.value)}`;
  });
  const list = h('div', {}, 'Loading…');
  mount(target, h('h1', {}, 'Experiments'), form, list);

  const escaped = query.replace(/'/g, "''");
  const experiments: Experiment[] = [];
  let token: string | undefined;
  try {
    do {
      const page = await get<SearchExperimentsResponse>('experiments/search', {
        max_results: 1000,
        ...(query ? { filter: `name LIKE '%${escaped}%'` } : {}),
        ...(token ? { page_token: token } : {}),
      });
      experiments.push(...(page.experiments ?? []));
      token = page.next_page_token;
    } while (token);
  } catch (error) {
    mount(list, errorBox(error));
    return;
  }
  if (experiments.length === 0) {
    mount(list, h('p', {}, query ? `No experiment matches “${query}”.` : 'No experiments yet.'));
    return;
  }
  mount(
    list,
    table(
      ['Name', 'ID', 'Artifact location', 'Last updated'],
      experiments.map((e) => [
        link(`#/experiments/${encodeURIComponent(e.experiment_id)}`, e.name, { class: 'experiment-link' }),
        e.experiment_id,
        e.artifact_location ?? '',
        formatTime(e.last_update_time),
      ]),
      { class: 'grid', id: 'experiments-table' },
    ),
  );
}
