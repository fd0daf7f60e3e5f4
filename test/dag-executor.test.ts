// The scheduling rules recipes and workflows share (src/dag-executor.ts). Tasks here are
// promises the test resolves by hand, so every interleaving asserted is forced, not timed.
import { describe, expect, it } from 'vitest';
import { type DagTask, executeDag, type TaskSettlement } from '../src/dag-executor.js';

/** A task the test finishes by hand: `finish(value)` or `fail(error)`. */
interface Gate {
  started: Promise<void>;
  finish(value: string): void;
  fail(error: Error): void;
}

function gates(ids: string[]) {
  const byId = new Map<string, Gate & { run: () => Promise<string> }>();
  const running = new Set<string>();
  let maxRunning = 0;
  const order: string[] = [];
  for (const id of ids) {
    let markStarted = () => {};
    const started = new Promise<void>((r) => {
      markStarted = r;
    });
    let finish: (v: string) => void = () => {};
    let fail: (e: Error) => void = () => {};
    const done = new Promise<string>((resolve, reject) => {
      finish = resolve;
      fail = reject;
    });
    byId.set(id, {
      started,
      finish,
      fail,
      run: async () => {
        order.push(id);
        running.add(id);
        maxRunning = Math.max(maxRunning, running.size);
        markStarted();
        try {
          return await done;
        } finally {
          running.delete(id);
        }
      },
    });
  }
  return {
    gate: (id: string) => byId.get(id) as Gate,
    run: (task: DagTask) => (byId.get(task.id) as { run: () => Promise<string> }).run(),
    order,
    maxRunning: () => maxRunning,
  };
}

const states = (m: Map<string, TaskSettlement<unknown>>) =>
  Object.fromEntries([...m].map(([id, s]) => [id, s.state]));

describe('executeDag', () => {
  it('runs independent branches side by side and a join only after both, passing their results', async () => {
    const g = gates(['a', 'b', 'join']);
    let joinInputs: unknown;
    const running = executeDag({
      tasks: [
        { id: 'a', dependsOn: [] },
        { id: 'b', dependsOn: [] },
        { id: 'join', dependsOn: ['a', 'b'] },
      ],
      concurrency: 2,
      run: (task, upstream) => {
        if (task.id === 'join') joinInputs = Object.fromEntries(upstream);
        return g.run(task);
      },
    });
    // Both branches are running at once before either finishes.
    await Promise.all([g.gate('a').started, g.gate('b').started]);
    g.gate('b').finish('B');
    g.gate('a').finish('A');
    await g.gate('join').started;
    g.gate('join').finish('J');
    const result = await running;
    expect(states(result)).toEqual({ a: 'succeeded', b: 'succeeded', join: 'succeeded' });
    expect(joinInputs).toEqual({ a: 'A', b: 'B' });
    expect(g.order).toEqual(['a', 'b', 'join']);
  });

  it('never runs more than `concurrency` tasks at once, starting ready tasks in list order', async () => {
    const ids = ['a', 'b', 'c', 'd'];
    const g = gates(ids);
    const running = executeDag({
      tasks: ids.map((id) => ({ id, dependsOn: [] })),
      concurrency: 1,
      run: (task) => g.run(task),
    });
    for (const id of ids) {
      await g.gate(id).started;
      g.gate(id).finish(id);
    }
    await running;
    expect(g.maxRunning()).toBe(1);
    expect(g.order).toEqual(ids);
  });

  it('a failed task skips everything downstream of it; an independent branch still runs', async () => {
    const g = gates(['bad', 'child', 'grandchild', 'other']);
    const running = executeDag({
      tasks: [
        { id: 'bad', dependsOn: [] },
        { id: 'child', dependsOn: ['bad'] },
        { id: 'grandchild', dependsOn: ['child'] },
        { id: 'other', dependsOn: [] },
      ],
      concurrency: 2,
      run: (task) => g.run(task),
    });
    await g.gate('bad').started;
    g.gate('bad').fail(new Error('boom'));
    await g.gate('other').started;
    g.gate('other').finish('O');
    const result = await running;
    expect(states(result)).toEqual({
      bad: 'failed',
      child: 'skipped',
      grandchild: 'skipped',
      other: 'succeeded',
    });
    expect(result.get('child')).toEqual({ state: 'skipped', blockedBy: 'bad' });
    expect(result.get('grandchild')).toEqual({ state: 'skipped', blockedBy: 'child' });
    expect((result.get('bad') as { error: Error }).error.message).toBe('boom');
    expect(g.order).toEqual(['bad', 'other']);
  });

  it('a result that isFailure calls failed stops dependants like a thrown error, and keeps the result', async () => {
    const result = await executeDag({
      tasks: [
        { id: 'a', dependsOn: [] },
        { id: 'b', dependsOn: ['a'] },
      ],
      concurrency: 2,
      run: async (task) => (task.id === 'a' ? 'failed' : 'ok'),
      isFailure: (r) => r === 'failed',
    });
    expect(result.get('a')).toEqual({ state: 'failed', result: 'failed' });
    expect(result.get('b')).toEqual({ state: 'skipped', blockedBy: 'a' });
  });

  it('after an abort nothing new starts, including tasks already waiting in the queue', async () => {
    const g = gates(['a', 'queued', 'after']);
    const controller = new AbortController();
    const running = executeDag({
      tasks: [
        { id: 'a', dependsOn: [] },
        { id: 'queued', dependsOn: [] },
        { id: 'after', dependsOn: ['a'] },
      ],
      concurrency: 1,
      run: (task) => g.run(task),
      signal: controller.signal,
    });
    await g.gate('a').started;
    controller.abort();
    g.gate('a').finish('A');
    const result = await running;
    expect(states(result)).toEqual({ a: 'succeeded', queued: 'cancelled', after: 'cancelled' });
    expect(g.order).toEqual(['a']);
  });

  it('calls onSettled for every task, before any dependant starts', async () => {
    const events: string[] = [];
    await executeDag({
      tasks: [
        { id: 'a', dependsOn: [] },
        { id: 'b', dependsOn: ['a'] },
        { id: 'c', dependsOn: ['b'] },
      ],
      concurrency: 2,
      run: async (task) => {
        events.push(`run ${task.id}`);
        if (task.id === 'b') throw new Error('no');
        return task.id;
      },
      onSettled: async (task, s) => {
        await new Promise((r) => setImmediate(r));
        events.push(`settled ${task.id} ${s.state}`);
      },
    });
    expect(events).toEqual([
      'run a',
      'settled a succeeded',
      'run b',
      'settled b failed',
      'settled c skipped',
    ]);
  });

  it('refuses a task list out of topological order or with a duplicate id, before running anything', async () => {
    let ran = 0;
    const run = async () => {
      ran++;
      return '';
    };
    await expect(
      executeDag({
        tasks: [
          { id: 'b', dependsOn: ['a'] },
          { id: 'a', dependsOn: [] },
        ],
        concurrency: 1,
        run,
      }),
    ).rejects.toThrow(/"b" depends on "a", which is not listed before it/);
    await expect(
      executeDag({
        tasks: [
          { id: 'a', dependsOn: [] },
          { id: 'a', dependsOn: [] },
        ],
        concurrency: 1,
        run,
      }),
    ).rejects.toThrow(/"a" is listed twice/);
    expect(ran).toBe(0);
  });
});
