/**
 * The model registry: registered models, a model's versions with stages, aliases and tags (and a
 * form to set an alias), and one version with the run that made it and the gate's report for it
 * (the register step's card, `cards/register/card.json` in that run's artifacts).
 */
import { artifactText, del, get, post } from '../api.js';
import { errorBox, h, link, mount, table } from '../dom.js';
import { formatMetric, formatTime } from '../format.js';
import type { ModelVersion, RegisteredModel } from '../types.js';

const GATE_CARD = 'cards/register/card.json';

export async function renderModels(target: HTMLElement, params: URLSearchParams): Promise<void> {
  const query = params.get('q') ?? '';
  const input = h('input', {
    type: 'search',
    id: 'model-search',
    placeholder: 'Search models by name',
    value: query,
  });
  const form = h('form', { class: 'toolbar' }, input, h('button', { type: 'submit' }, 'Search'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    location.hash = `#/models?q=${encodeURIComponent(input.value)}`;
  });
  const list = h('div', {}, 'Loading…');
  mount(target, h('h1', {}, 'Registered models'), form, list);
  try {
    const models: RegisteredModel[] = [];
    let token: string | undefined;
    do {
      const page = await get<{ registered_models?: RegisteredModel[]; next_page_token?: string }>(
        'registered-models/search',
        {
          max_results: 1000,
          ...(query ? { filter: `name LIKE '%${query.replace(/'/g, "''")}%'` } : {}),
          ...(token ? { page_token: token } : {}),
        },
      );
      models.push(...(page.registered_models ?? []));
      token = page.next_page_token || undefined;
    } while (token);
    if (models.length === 0) {
      mount(list, h('p', {}, 'No registered models.'));
      return;
    }
    mount(
      list,
      table(
        ['Name', 'Latest version', 'Aliases', 'Last updated'],
        models.map((m) => {
          const latest = (m.latest_versions ?? []).map((v) => Number(v.version)).sort((a, b) => b - a)[0];
          return [
            link(`#/models/${encodeURIComponent(m.name)}`, m.name, { class: 'model-link' }),
            latest === undefined ? '' : `version ${latest}`,
            (m.aliases ?? []).map((a) => `@${a.alias} → ${a.version}`).join(', '),
            formatTime(m.last_updated_timestamp),
          ];
        }),
        { class: 'grid', id: 'models-table' },
      ),
    );
  } catch (error) {
    mount(list, errorBox(error));
  }
}

async function allVersions(name: string): Promise<ModelVersion[]> {
  const versions: ModelVersion[] = [];
  let token: string | undefined;
  do {
    const page = await get<{ model_versions?: ModelVersion[]; next_page_token?: string }>(
      'model-versions/search',
      {
        filter: `name = '${name.replace(/'/g, "''")}'`,
        max_results: 1000,
        ...(token ? { page_token: token } : {}),
      },
    );
    versions.push(...(page.model_versions ?? []));
    token = page.next_page_token || undefined;
  } while (token);
  return versions.sort((a, b) => Number(b.version) - Number(a.version));
}

export async function renderModel(target: HTMLElement, name: string): Promise<void> {
  mount(target, h('p', {}, 'Loading…'));
  let model: RegisteredModel;
  let versions: ModelVersion[];
  try {
    model = (await get<{ registered_model: RegisteredModel }>('registered-models/get', { name }))
      .registered_model;
    versions = await allVersions(name);
  } catch (error) {
    mount(target, errorBox(error));
    return;
  }
  document.title = `${name} · mlrecipe`;
  const reload = () => void renderModel(target, name);
  const aliasInput = h('input', { id: 'alias-name', placeholder: 'alias, e.g. champion' });
  const versionSelect = h(
    'select',
    { id: 'alias-version' },
    versions.map((v) => h('option', { value: v.version }, `version ${v.version}`)),
  );
  const aliasForm = h(
    'form',
    { class: 'toolbar' },
    aliasInput,
    versionSelect,
    h('button', { type: 'submit', id: 'set-alias' }, 'Set alias'),
  );
  aliasForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const alias = aliasInput.value.trim();
    if (!alias) return;
    post('registered-models/alias', { name, alias, version: versionSelect.value }).then(
      reload,
      (error: unknown) => mount(aliasMessage, errorBox(error)),
    );
  });
  const aliasMessage = h('div', {});
  const aliases = model.aliases ?? [];
  mount(
    target,
    h('h1', {}, 'Model: ', name),
    model.description ? h('p', {}, model.description) : null,
    h('h2', {}, 'Aliases'),
    aliases.length
      ? table(
          ['Alias', 'Version', ''],
          aliases.map((a) => [
            `@${a.alias}`,
            link(
              `#/models/${encodeURIComponent(name)}/versions/${encodeURIComponent(a.version)}`,
              `version ${a.version}`,
            ),
            h(
              'button',
              {
                class: 'delete-alias',
                'data-alias': a.alias,
                onclick: () => void del('registered-models/alias', { name, alias: a.alias }).then(reload),
              },
              '✕',
            ),
          ]),
          { class: 'grid', id: 'aliases-table' },
        )
      : h('p', { class: 'muted' }, 'No aliases.'),
    aliasForm,
    aliasMessage,
    h('h2', {}, 'Versions'),
    table(
      ['Version', 'Stage', 'Aliases', 'Status', 'Run', 'Created', 'Tags'],
      versions.map((v) => [
        link(
          `#/models/${encodeURIComponent(name)}/versions/${encodeURIComponent(v.version)}`,
          `version ${v.version}`,
          { class: 'version-link' },
        ),
        v.current_stage ?? '',
        // Versions from a search carry no aliases (as from MLflow's server): the model lists them.
        aliases
          .filter((a) => a.version === v.version)
          .map((a) => `@${a.alias}`)
          .join(' '),
        v.status ?? '',
        v.run_id ? link(`#/runs/${encodeURIComponent(v.run_id)}`, v.run_id.slice(0, 8)) : '',
        formatTime(v.creation_timestamp),
        (v.tags ?? []).map((t) => `${t.key}=${t.value}`).join(', '),
      ]),
      { class: 'grid', id: 'versions-table' },
    ),
  );
}

interface GateCard {
  data?: {
    status?: string;
    gate?: {
      results?: {
        metric: string;
        candidate?: number | null;
        baseline?: number | null;
        passed: boolean;
        reason?: string;
      }[];
    };
  };
}

export async function renderVersion(target: HTMLElement, name: string, version: string): Promise<void> {
  mount(target, h('p', {}, 'Loading…'));
  let mv: ModelVersion;
  try {
    mv = (await get<{ model_version: ModelVersion }>('model-versions/get', { name, version })).model_version;
  } catch (error) {
    mount(target, errorBox(error));
    return;
  }
  const gateBox = h('div', { id: 'gate-report' }, mv.run_id ? 'Loading the gate report…' : '');
  mount(
    target,
    h('h1', {}, link(`#/models/${encodeURIComponent(name)}`, name), ` · version ${mv.version}`),
    table(
      ['', ''],
      [
        ['Stage', mv.current_stage ?? ''],
        ['Aliases', (mv.aliases ?? []).map((a) => `@${a}`).join(' ')],
        ['Status', mv.status ?? ''],
        [
          'Run',
          mv.run_id ? link(`#/runs/${encodeURIComponent(mv.run_id)}`, mv.run_id, { id: 'version-run' }) : '',
        ],
        ['Source', mv.source ?? ''],
        ['Created', formatTime(mv.creation_timestamp)],
        ['Description', mv.description ?? ''],
      ],
      { class: 'kv', id: 'version-details' },
    ),
    h('h2', {}, 'Tags'),
    table(
      ['Tag', 'Value'],
      (mv.tags ?? []).map((t) => [t.key, t.value]),
      { class: 'grid', id: 'version-tags' },
    ),
    h('h2', {}, 'Baseline gate'),
    gateBox,
  );
  if (!mv.run_id) return;
  try {
    const card = JSON.parse(await artifactText(mv.run_id, GATE_CARD)) as GateCard;
    const results = card.data?.gate?.results ?? [];
    mount(
      gateBox,
      h('p', {}, `Register step: ${card.data?.status ?? 'unknown'}`),
      results.length
        ? table(
            ['Metric', 'Candidate', 'Baseline', 'Result', 'Why'],
            results.map((r) => [
              r.metric,
              formatMetric(r.candidate ?? undefined),
              formatMetric(r.baseline ?? undefined),
              r.passed ? 'pass' : 'FAIL',
              r.reason ?? '',
            ]),
            { class: 'grid', id: 'gate-table' },
          )
        : h('p', { class: 'muted' }, 'The gate had no thresholds (no baseline, or no validation criteria).'),
    );
  } catch {
    mount(
      gateBox,
      h('p', { class: 'muted' }, 'No gate report: this version was not registered by a recipe run.'),
    );
  }
}
