/**
 * The recipe page of an experiment: the DAG of its last recipe run (the newest run carrying the
 * `mlrecipe.recipe_dir` tag `recipe run` sets), each step with the state and duration that run
 * recorded, and a link to the run itself.
 */
import { get, post } from '../api.js';
import { errorBox, h, link, mount } from '../dom.js';
import { formatTime } from '../format.js';
import type { Experiment, Run } from '../types.js';
import { recipeDag, recipeSteps } from './recipe-dag.js';

/** Set by every `recipe run` (src/recipes/record.ts). */
const RECIPE_DIR_TAG = 'mlrecipe.recipe_dir';

export async function renderRecipe(target: HTMLElement, experimentId: string): Promise<void> {
  const title = h('h1', {}, 'Recipe');
  mount(target, title, h('p', { class: 'status' }, 'Loading…'));
  try {
    const { experiment } = await get<{ experiment: Experiment }>('experiments/get', {
      experiment_id: experimentId,
    });
    mount(title, 'Recipe: ', link(`#/experiments/${encodeURIComponent(experimentId)}`, experiment.name));
    document.title = `${experiment.name} recipe · mlrecipe`;
    const { runs } = await post<{ runs?: Run[] }>('runs/search', {
      experiment_ids: [experimentId],
      filter: `tags.\`${RECIPE_DIR_TAG}\` LIKE '%'`,
      order_by: ['attributes.start_time DESC'],
      max_results: 1,
    });
    const run = runs?.[0];
    if (run === undefined) {
      mount(
        target,
        title,
        h('p', { class: 'muted', id: 'recipe-none' }, 'No recipe run in this experiment yet.'),
      );
      return;
    }
    const steps = recipeSteps(run);
    const name = run.info.run_name || run.info.run_id;
    mount(
      target,
      title,
      h(
        'p',
        {},
        'Last run: ',
        link(`#/runs/${encodeURIComponent(run.info.run_id)}`, name, { id: 'recipe-last-run' }),
        ` (${run.info.status}, started ${formatTime(run.info.start_time)}) in `,
        h('code', {}, run.data.tags?.find((t) => t.key === RECIPE_DIR_TAG)?.value ?? ''),
      ),
      h('div', { id: 'recipe-dag' }, recipeDag(steps)),
      h(
        'table',
        { id: 'recipe-steps' },
        h('thead', {}, h('tr', {}, h('th', {}, 'step'), h('th', {}, 'state'), h('th', {}, 'duration'))),
        h(
          'tbody',
          {},
          steps.map((s) =>
            h(
              'tr',
              { 'data-step': s.step },
              h('td', {}, s.step),
              h('td', {}, s.state),
              h('td', {}, s.durationS !== undefined ? `${s.durationS.toFixed(2)} s` : ''),
            ),
          ),
        ),
      ),
    );
  } catch (error) {
    mount(target, title, errorBox(error));
  }
}
