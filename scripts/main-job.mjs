#!/usr/bin/env node
// The main job behind `npm start`: creates a fresh repository from the regression template
// (vega-datasets' cars data), runs the whole recipe (ingest → split → transform → train →
// evaluate → register) on the embedded default store (SQLite + local files), runs it again to
// show that nothing is recomputed, and prints the recorded run and the registered model.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const cli = join(root, 'dist', 'cli', 'main.cjs');
const demo = join(root, '.demo', 'regression');

if (!existsSync(cli)) {
  console.log('building dist/ (npm run build)…');
  execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
}

function recipe(args, cwd = demo) {
  console.log(`\n$ recipe ${args.join(' ')}`);
  const result = spawnSync(process.execPath, [cli, ...args], { cwd, stdio: 'inherit' });
  return result.status ?? 1;
}

function must(code, what) {
  if (code !== 0) {
    console.error(`main job: ${what} exited ${code}`);
    process.exit(code);
  }
}

rmSync(demo, { recursive: true, force: true });
must(recipe(['init', '--template', 'regression', demo], root), 'recipe init');
must(recipe(['run']), 'recipe run');
must(recipe(['run']), 'recipe run (second time: everything cached)');
must(recipe(['status']), 'recipe status');
must(
  recipe([
    'runs',
    'list',
    '--experiment-name',
    'cars-regression',
    '--columns',
    'metrics.val_root_mean_squared_error,metrics.test_root_mean_squared_error,metrics.test_r2_score,params.estimator,tags.mlflow.source.git.commit',
  ]),
  'recipe runs list',
);
must(recipe(['models', 'list']), 'recipe models list');
console.log(`\nmain job done: the demo repository is ${demo}`);
