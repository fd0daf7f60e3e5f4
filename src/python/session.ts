/**
 * One long-lived worker per interpreter for the whole `recipe run` (or server): started on the
 * first Python call, shared by every step after it, closed by closePythonWorkers() when the run
 * ends. Started lazily so that a recipe without Python code never spawns an interpreter.
 *
 * A sweep with `tuning.parallelism: N` may ask for slots 1…N-1 too: more workers of the same
 * interpreter, each its own process (a Python process runs one fit at a time), started the first
 * time that many trials are in flight and closed with the rest.
 */
import { type PythonInterpreter, resolvePythonInterpreter } from './interpreter.js';
// Types only: the engine imports this file to close workers, and must not load the worker (and
// the exchange code) on a run that never called Python.
import type { PythonWorker, StartPythonWorkerOptions } from './worker.js';

const workers = new Map<string, Promise<PythonWorker>>();

/** The shared worker for the recipe's interpreter (`python:` from the profile, RECIPE_PYTHON, python3). */
export function sharedPythonWorker(options: {
  /** The merged recipe config's `python` field (from the profile). */
  configured?: unknown;
  recipeDir?: string;
  onStderr?: StartPythonWorkerOptions['onStderr'];
  /** 0 (default): the run's worker; 1, 2, …: the extra workers of a parallel sweep. */
  slot?: number;
}): Promise<PythonWorker> {
  const interpreter: PythonInterpreter = resolvePythonInterpreter({
    configured: options.configured,
    recipeDir: options.recipeDir,
  });
  const slot = options.slot ?? 0;
  const key = slot === 0 ? interpreter.command : `${interpreter.command}\u0000${slot}`;
  let worker = workers.get(key);
  if (worker === undefined) {
    worker = import('./worker.js').then(({ PythonWorker: Worker }) =>
      Worker.start({ interpreter, onStderr: options.onStderr }),
    );
    workers.set(key, worker);
    // A worker that failed to start is not kept: the next call tries again (after a fix).
    worker.catch(() => workers.delete(key));
  }
  return worker;
}

/** Whether any shared worker was started (cheap: lets callers skip closing). */
export function pythonWorkersStarted(): boolean {
  return workers.size > 0;
}

/** Closes every shared worker. */
export async function closePythonWorkers(): Promise<void> {
  const all = [...workers.values()];
  workers.clear();
  await Promise.all(all.map(async (w) => (await w.catch(() => undefined))?.close()));
}
