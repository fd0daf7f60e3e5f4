/**
 * A Python `early_stop_fn` (steps/train.py), called through src/python/mlrecipe_hyperopt.py as
 * hyperopt's fmin calls it: `stop, args = fn(trials, *args)` with a hyperopt-like `Trials`.
 */
import { fileURLToPath } from 'node:url';
import { PythonWorkerError } from './errors.js';
import type { PythonWorker } from './worker.js';

export function hyperoptHelperPath(): string {
  return fileURLToPath(new URL('../../src/python/mlrecipe_hyperopt.py', import.meta.url));
}

export interface EarlyStopTrial {
  index: number;
  status: 'ok' | 'failed';
  loss: number;
  params: Record<string, unknown>;
}

/**
 * Wraps function `name` of `file`; each call adds the next finished trial (in trial order) and
 * answers whether to stop. The args the function returns stay in the worker between calls.
 */
export async function pythonEarlyStop(
  worker: PythonWorker,
  options: { file: string; name: string; recipeDir: string; shownFile: string },
): Promise<(trial: EarlyStopTrial) => Promise<boolean>> {
  const made = await worker.callFunction({
    module: hyperoptHelperPath(),
    function: 'early_stopper',
    args: [{ json: options.file }, { json: options.recipeDir }, { json: options.name }],
    recipeDir: options.recipeDir,
    shownFile: options.shownFile,
  });
  if (made.kind !== 'object') throw new PythonWorkerError(`early_stopper returned ${made.kind}`);
  const stopper = made.object;
  return async (trial) => {
    const answer = await worker.callFunction({
      module: hyperoptHelperPath(),
      function: 'early_stop_add',
      args: [
        { object: stopper },
        {
          json: {
            index: trial.index,
            status: trial.status,
            loss: Number.isFinite(trial.loss) ? trial.loss : null,
            params: trial.params,
          },
        },
      ],
      recipeDir: options.recipeDir,
      shownFile: options.shownFile,
    });
    return answer.kind === 'json' && answer.value === true;
  };
}
