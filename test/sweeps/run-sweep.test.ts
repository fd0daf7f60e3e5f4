import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import {
  createSampler,
  noProgressLoss,
  parseSearchSpace,
  runSweep,
  type TrialResult,
  type TrialSpec,
} from '../../src/sweeps/index.js';
import { branin } from './objectives.js';

const { space } = parseSearchSpace({
  x1: { distribution: 'uniform', low: -5, high: 10 },
  x2: { distribution: 'uniform', low: 0, high: 15 },
});

/** Deterministic loss, with a finishing order that depends on the trial (not on parallelism). */
async function objective(spec: TrialSpec): Promise<TrialResult> {
  await sleep((spec.index * 7) % 5);
  return { status: 'ok', loss: branin(spec.params.x1 as number, spec.params.x2 as number) };
}

describe('runSweep', () => {
  it('proposes the same TPE trials at parallelism 1, 2 and 4', async () => {
    const run = async (parallelism: number) => {
      const result = await runSweep({
        space,
        sampler: createSampler({ algorithm: 'tpe', space, seed: 5 }),
        maxTrials: 30,
        parallelism,
        runTrial: objective,
      });
      return result.trials.map((t) => t.spec.params);
    };
    const one = await run(1);
    expect(one).toHaveLength(30);
    expect(await run(2)).toEqual(one);
    expect(await run(4)).toEqual(one);
  });

  it('keeps at most `parallelism` trials running and never starts a trial before its history', async () => {
    let running = 0;
    let peak = 0;
    const finished = new Set<number>();
    const sampler = createSampler({ algorithm: 'tpe', space, seed: 1 });
    await runSweep({
      space,
      sampler,
      maxTrials: 26,
      parallelism: 3,
      async runTrial(spec) {
        for (let i = 0; i < sampler.visible(spec.index); i++) expect(finished.has(i)).toBe(true);
        running++;
        peak = Math.max(peak, running);
        const result = await objective(spec);
        running--;
        finished.add(spec.index);
        return result;
      },
    });
    expect(peak).toBe(3);
  });

  it('a failing trial is failed, the sweep goes on, and the best is the lowest ok loss', async () => {
    const result = await runSweep({
      space,
      sampler: createSampler({ algorithm: 'random', space, seed: 2 }),
      maxTrials: 10,
      parallelism: 2,
      async runTrial(spec) {
        if (spec.index % 3 === 0) throw new Error(`trial ${spec.index} broke`);
        return objective(spec);
      },
    });
    expect(result.trials.map((t) => t.result.status)).toEqual(
      Array.from({ length: 10 }, (_, i) => (i % 3 === 0 ? 'failed' : 'ok')),
    );
    expect(result.trials[3]?.result).toEqual({ status: 'failed', error: 'trial 3 broke' });
    const oks = result.trials
      .filter((t) => t.result.status === 'ok')
      .map((t) => (t.result as { loss: number }).loss);
    expect((result.best?.result as { loss: number }).loss).toBe(Math.min(...oks));
  });

  it('has no best when every trial failed', async () => {
    const result = await runSweep({
      space,
      sampler: createSampler({ algorithm: 'random', space, seed: 2 }),
      maxTrials: 3,
      parallelism: 2,
      runTrial: async () => ({ status: 'failed', error: 'no' }),
    });
    expect(result.trials).toHaveLength(3);
    expect(result.best).toBeUndefined();
  });

  it('early stopping decides in trial order: the same stop at any parallelism; later trials are aborted', async () => {
    const losses = [5, 4, 4.5, 3, 3.5, 3.2, 3.1, 2, 1, 0];
    const run = async (parallelism: number) => {
      const aborted: number[] = [];
      const result = await runSweep({
        space,
        sampler: createSampler({ algorithm: 'random', space, seed: 2 }),
        maxTrials: losses.length,
        parallelism,
        earlyStop: noProgressLoss(3),
        async runTrial(spec, signal) {
          await sleep(spec.index % 2 ? 1 : 15);
          if (signal.aborted) aborted.push(spec.index);
          return { status: 'ok', loss: losses[spec.index] as number };
        },
      });
      return { result, aborted };
    };
    for (const parallelism of [1, 3]) {
      const { result, aborted } = await run(parallelism);
      expect(result.stoppedAfter).toBe(6);
      expect(result.trials.map((t) => t.spec.index)).toEqual([0, 1, 2, 3, 4, 5, 6]);
      for (const t of result.discarded) expect(t.spec.index).toBeGreaterThan(6);
      for (const i of aborted) expect(i).toBeGreaterThan(6);
    }
  });

  it('a grid sweep ends when the grid is exhausted', async () => {
    const grid = parseSearchSpace({ a: { values: [1, 2, 3] } }).space;
    const result = await runSweep({
      space: grid,
      sampler: createSampler({ algorithm: 'grid', space: grid, seed: 0 }),
      maxTrials: 50,
      parallelism: 2,
      runTrial: async (spec) => ({ status: 'ok', loss: spec.params.a as number }),
    });
    expect(result.trials.map((t) => t.spec.params.a).sort()).toEqual([1, 2, 3]);
    expect(result.best?.spec.params).toEqual({ a: 1 });
  });

  it('rejects when aborted and aborts running trials', async () => {
    const controller = new AbortController();
    const seen: boolean[] = [];
    const sweep = runSweep({
      space,
      sampler: createSampler({ algorithm: 'random', space, seed: 2 }),
      maxTrials: 10,
      parallelism: 2,
      signal: controller.signal,
      async runTrial(_spec, signal) {
        await sleep(20);
        seen.push(signal.aborted);
        return { status: 'ok', loss: 1 };
      },
    });
    setTimeout(() => controller.abort(new Error('stop')), 5);
    await expect(sweep).rejects.toThrow('stop');
    await sleep(30);
    expect(seen).toEqual([true, true]);
  });
});
