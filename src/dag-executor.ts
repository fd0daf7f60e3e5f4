/**
 * The one DAG executor: recipe steps (src/recipes/execute.ts) and workflow steps
 * (src/projects/workflow.ts) are both scheduled here, so both follow the same rules:
 *
 * - a task starts once every task it depends on has succeeded, at most `concurrency` at a time
 *   (p-queue), so independent branches run side by side;
 * - a task that fails (throws, or returns a result `isFailure` calls failed) never lets its
 *   dependants start: they settle `skipped`, naming the task that blocked them, while branches
 *   that do not depend on it carry on;
 * - once `signal` is aborted no further task starts (settled `cancelled`); stopping tasks that
 *   are already running is the caller's business, through the same signal.
 *
 * It knows nothing of what a task does (Kedro's Runner/Node split): no steps, no projects, no
 * cache. It sits at the bottom of the import layers so that both `recipes` and `projects` can
 * use it without importing each other.
 */

export interface DagTask {
  readonly id: string;
  /** Ids of tasks that must succeed first; each must come earlier in the task list. */
  readonly dependsOn: readonly string[];
}

export type TaskSettlement<R> =
  | { readonly state: 'succeeded'; readonly result: R }
  /** `result` when the task returned a failed result, `error` when it threw. */
  | { readonly state: 'failed'; readonly result?: R; readonly error?: unknown }
  /** A task it depends on failed or was skipped or cancelled; `blockedBy` is that task's id. */
  | { readonly state: 'skipped'; readonly blockedBy: string }
  /** The signal was aborted before the task could start. */
  | { readonly state: 'cancelled' };

export interface ExecuteDagOptions<T extends DagTask, R> {
  /** In a topological order: every task after the tasks it depends on. */
  tasks: readonly T[];
  /** How many tasks may run at once (at least 1). */
  concurrency: number;
  /** Runs one task; `upstream` holds the results of the tasks it depends on, by id. */
  run: (task: T, upstream: ReadonlyMap<string, R>) => Promise<R>;
  /** Whether a returned result is a failure (for runners that report failure as data). */
  isFailure?: (result: R) => boolean;
  /**
   * Called once per task with how it settled, before any dependant is released, so what it
   * records (a tracking entry, a tag on a parent run) is in place when the dependants start.
   */
  onSettled?: (task: T, settlement: TaskSettlement<R>) => Promise<void> | void;
  /** Aborting it stops tasks from starting. */
  signal?: AbortSignal;
}

/**
 * Runs the tasks of a DAG; resolves with every task's settlement, keyed by id in task order.
 * Never rejects because a task failed; it throws for a malformed task list (a duplicate id, or a
 * dependency that is not an earlier task) before anything runs, and rethrows the first error of
 * `onSettled` after every task has settled.
 */
export async function executeDag<T extends DagTask, R>(
  options: ExecuteDagOptions<T, R>,
): Promise<Map<string, TaskSettlement<R>>> {
  checkTaskOrder(options.tasks);
  // Loaded here rather than at the top: a cached `recipe run` starts faster without it.
  const { default: PQueue } = await import('p-queue');
  const queue = new PQueue({ concurrency: Math.max(1, Math.floor(options.concurrency)) });
  const settled = new Map<string, Promise<TaskSettlement<R>>>();
  let hookFailure: { error: unknown } | undefined;
  for (const task of options.tasks) {
    const upstream = task.dependsOn.map((id) => settled.get(id) as Promise<TaskSettlement<R>>);
    const settlement = Promise.all(upstream).then(async (ups) => {
      const outcome = await settleTask(options, queue, task, ups);
      try {
        await options.onSettled?.(task, outcome);
      } catch (error) {
        // Reported once everything has settled, so no task is left running unobserved.
        hookFailure ??= { error };
      }
      return outcome;
    });
    settled.set(task.id, settlement);
  }
  const results = new Map<string, TaskSettlement<R>>();
  for (const task of options.tasks) {
    results.set(task.id, await (settled.get(task.id) as Promise<TaskSettlement<R>>));
  }
  if (hookFailure) throw hookFailure.error;
  return results;
}

async function settleTask<T extends DagTask, R>(
  options: ExecuteDagOptions<T, R>,
  queue: { add<V>(fn: () => Promise<V>): Promise<V> },
  task: T,
  upstream: ReadonlyArray<TaskSettlement<R>>,
): Promise<TaskSettlement<R>> {
  const blocked = upstream.findIndex((u) => u.state !== 'succeeded');
  if (blocked >= 0) return { state: 'skipped', blockedBy: task.dependsOn[blocked] as string };
  const inputs = new Map<string, R>();
  task.dependsOn.forEach((id, i) => {
    const u = upstream[i] as TaskSettlement<R> & { state: 'succeeded' };
    inputs.set(id, u.result);
  });
  return queue.add(async (): Promise<TaskSettlement<R>> => {
    // Checked when the queue gives the task its turn, not when it was queued: an abort while it
    // waited must still keep it from starting.
    if (options.signal?.aborted) return { state: 'cancelled' };
    try {
      const result = await options.run(task, inputs);
      return options.isFailure?.(result) ? { state: 'failed', result } : { state: 'succeeded', result };
    } catch (error) {
      return { state: 'failed', error };
    }
  });
}

function checkTaskOrder(tasks: readonly DagTask[]): void {
  const seen = new Set<string>();
  for (const task of tasks) {
    if (seen.has(task.id)) throw new Error(`DAG task "${task.id}" is listed twice`);
    for (const dep of task.dependsOn) {
      if (!seen.has(dep)) {
        throw new Error(
          `DAG task "${task.id}" depends on "${dep}", which is not listed before it (tasks must be in topological order)`,
        );
      }
    }
    seen.add(task.id);
  }
}
