/**
 * The UI's entry: a hash router (`#/experiments`, `#/experiments/<id>`,
 * `#/experiments/<id>/recipe`, `#/runs/<id>`,
 * `#/compare?...`, `#/models`, `#/models/<name>`, `#/models/<name>/versions/<v>`) that renders
 * each page into `<main>`. Routes in the hash keep the server's routing to one page.
 */
import { errorBox, mount } from './dom.js';
import { renderCompare } from './pages/compare.js';
import { renderExperiments } from './pages/experiments.js';
import { renderModel, renderModels, renderVersion } from './pages/models.js';
import { renderRecipe } from './pages/recipe.js';
import { renderRun } from './pages/run.js';
import { renderRuns } from './pages/runs.js';

function parseHash(): { parts: string[]; params: URLSearchParams } {
  const hash = location.hash.replace(/^#\/?/, '');
  const [path, query = ''] = hash.split('?', 2);
  return {
    parts: path.split('/').filter(Boolean).map(decodeURIComponent),
    params: new URLSearchParams(query),
  };
}

async function route(): Promise<void> {
  const main = document.querySelector('main');
  if (!main) return;
  const { parts, params } = parseHash();
  document.title = 'mlrecipe';
  for (const a of document.querySelectorAll('nav a'))
    a.classList.toggle('active', a.getAttribute('data-section') === (parts[0] ?? 'experiments'));
  main.setAttribute('aria-busy', 'true');
  try {
    if (parts[0] === 'runs' && parts[1]) await renderRun(main, parts[1], params);
    else if (parts[0] === 'experiments' && parts[1] && parts[2] === 'recipe')
      await renderRecipe(main, parts[1]);
    else if (parts[0] === 'experiments' && parts[1]) await renderRuns(main, parts[1], params);
    else if (parts[0] === 'compare') await renderCompare(main, params);
    else if (parts[0] === 'models' && parts[1] && parts[2] === 'versions' && parts[3])
      await renderVersion(main, parts[1], parts[3]);
    else if (parts[0] === 'models' && parts[1]) await renderModel(main, parts[1]);
    else if (parts[0] === 'models') await renderModels(main, params);
    else await renderExperiments(main, params);
  } catch (error) {
    mount(main, errorBox(error));
  } finally {
    main.setAttribute('aria-busy', 'false');
  }
}

window.addEventListener('hashchange', () => void route());
void route();
