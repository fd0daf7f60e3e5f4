import { describe, expect, it } from 'vitest';
import {
  createSampler,
  noProgressLoss,
  type Observation,
  parseAlgorithm,
  parseEarlyStopSpec,
  parseSearchSpace,
  type Point,
  type Sampler,
  HYPEROPT_TPE,
  TPE_IN_FLIGHT,
} from '../../src/sweeps/index.js';
import {
  adaptiveParzen,
  categoricalProbabilities,
  linearForgettingWeights,
  splitGood,
} from '../../src/sweeps/tpe.js';
import { branin, hartmann6 } from './objectives.js';

function spaceOf(raw: unknown) {
  const { space, issues } = parseSearchSpace(raw);
  expect(issues).toEqual([]);
  return space;
}

/** Runs a sampler sequentially, as far as each trial's visibility allows. */
function optimise(sampler: Sampler, n: number, f: (p: Point) => number): number[] {
  const history: Observation[] = [];
  const losses: number[] = [];
  for (let i = 0; i < n; i++) {
    const point = sampler.suggest(i, history.slice(0, sampler.visible(i)));
    const loss = f(point);
    history.push({ point, loss });
    losses.push(loss);
  }
  return losses;
}

const bestAfter = (losses: number[], n: number) => Math.min(...losses.slice(0, n));
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2
    ? (s[(s.length - 1) / 2] as number)
    : ((s[s.length / 2 - 1] as number) + (s[s.length / 2] as number)) / 2;
};

describe('hyperopt TPE internals', () => {
  it.each<[string, number[], number, number, { weights: number[]; mus: number[]; sigmas: number[] }]>([
    ['no observation: the prior alone', [], 2, 4, { weights: [1], mus: [2], sigmas: [4] }],
    ['one observation below the prior', [0.5], 2, 4, { weights: [0.5, 0.5], mus: [0.5, 2], sigmas: [2, 4] }],
    ['one observation above the prior', [3], 2, 4, { weights: [0.5, 0.5], mus: [2, 3], sigmas: [4, 2] }],
    // sorted [1, 2, 3]: gaps 1, the prior keeps its own sigma; min sigma 4 / min(100, 4) = 1.
    [
      'two observations around the prior',
      [3, 1],
      2,
      4,
      { weights: [1 / 3, 1 / 3, 1 / 3], mus: [1, 2, 3], sigmas: [1, 4, 1] },
    ],
    // sorted [0, 0.1, 2, 10]: widths 0.1, 1.9, (prior) 8, 8 clipped to [4/5, 4].
    [
      'widths clipped to [sigma/(n+1), sigma]',
      [0, 0.1, 10],
      2,
      4,
      { weights: [0.25, 0.25, 0.25, 0.25], mus: [0, 0.1, 2, 10], sigmas: [0.8, 1.9, 4, 4] },
    ],
  ])('adaptiveParzen: %s', (_name, obs, mu, sigma, expected) => {
    const m = adaptiveParzen(obs, 1, mu, sigma);
    expect(m.mus).toEqual(expected.mus);
    m.weights.forEach((w, i) => expect(w).toBeCloseTo(expected.weights[i] as number, 12));
    m.sigmas.forEach((s, i) => expect(s).toBeCloseTo(expected.sigmas[i] as number, 12));
  });

  it('linear forgetting ramps the oldest observations beyond the newest 25 (numpy.linspace)', () => {
    expect(linearForgettingWeights(3)).toEqual([1, 1, 1]);
    const w = linearForgettingWeights(28);
    expect(w.slice(0, 3)).toEqual([1 / 28, (1 / 28 + 1) / 2, 1]);
    expect(w.slice(3)).toEqual(new Array(25).fill(1));
  });

  it('splits at ceil(gamma * sqrt(n)) best losses, capped at 25', () => {
    expect([...splitGood([5, 1, 3, 2], 0.25)]).toEqual([1]);
    expect(
      splitGood(
        Array.from({ length: 100 }, (_, i) => i),
        0.25,
      ).size,
    ).toBe(3);
    expect(
      splitGood(
        Array.from({ length: 100_000 }, (_, i) => i),
        0.25,
      ).size,
    ).toBe(25);
    // Ties go to the earlier trial; failed trials (Infinity, NaN) are never good while others are.
    expect([...splitGood([2, 1, 1, Number.NaN], 0.5)]).toEqual([1]);
  });

  it('categorical probabilities are counts plus the prior weight per category', () => {
    expect(categoricalProbabilities([0, 0, 2], 3, 1)).toEqual([3 / 6, 1 / 6, 2 / 6]);
  });
});

describe('samplers', () => {
  const space = spaceOf({
    x: { distribution: 'uniform', low: -5, high: 10 },
    y: { distribution: 'loguniform', low: -3, high: 3 },
    k: { values: ['a', 'b', 'c'] },
    n: { distribution: 'randint', low: 1, high: 4 },
  });
  const f = (p: Point) =>
    (p.x as number) ** 2 + Math.log(p.y as number) ** 2 + (p.k === 1 ? 0 : 1) + (p.n === 2 ? 0 : 1);

  it.each(['hyperopt.tpe.suggest', 'tpe', 'hyperopt.rand.suggest', 'random', 'rand', 'grid'])(
    'parses algorithm %s',
    (name) => expect(parseAlgorithm(name)).toBeDefined(),
  );
  it('does not know hyperopt.atpe.suggest', () =>
    expect(parseAlgorithm('hyperopt.atpe.suggest')).toBeUndefined());

  it.each(['tpe', 'random'] as const)(
    '%s: the same seed gives the same trials; another seed others',
    (algorithm) => {
      const a = optimise(createSampler({ algorithm, space, seed: 7 }), 40, f);
      const b = optimise(createSampler({ algorithm, space, seed: 7 }), 40, f);
      const c = optimise(createSampler({ algorithm, space, seed: 8 }), 40, f);
      expect(b).toEqual(a);
      expect(c).not.toEqual(a);
    },
  );

  it("TPE: startup trials are the random sampler's; later trials see all but the newest in-flight ones", () => {
    const tpe = createSampler({ algorithm: 'tpe', space, seed: 3 });
    const random = createSampler({ algorithm: 'random', space, seed: 3 });
    const startup = HYPEROPT_TPE.nStartupJobs;
    for (let i = 0; i < startup; i++) {
      expect(tpe.visible(i)).toBe(0);
      expect(tpe.suggest(i, [])).toEqual(random.suggest(i, []));
    }
    expect(tpe.visible(startup)).toBe(startup - TPE_IN_FLIGHT + 1);
    expect(tpe.visible(63)).toBe(63 - TPE_IN_FLIGHT + 1);
  });

  it('values drawn by TPE stay inside the space', () => {
    const losses: Point[] = [];
    optimise(createSampler({ algorithm: 'tpe', space, seed: 11 }), 80, (p) => {
      losses.push(p);
      return f(p);
    });
    for (const p of losses) {
      expect(p.x).toBeGreaterThanOrEqual(-5);
      expect(p.x).toBeLessThan(10);
      expect(Math.log(p.y as number)).toBeGreaterThanOrEqual(-3);
      expect([0, 1, 2]).toContain(p.k);
      expect([1, 2, 3]).toContain(p.n);
    }
  });

  it('TPE beats random search on Hartmann-6 after 64 trials and Branin after 128 (median best of 10 seeds)', () => {
    const braninSpace = spaceOf({
      x1: { distribution: 'uniform', low: -5, high: 10 },
      x2: { distribution: 'uniform', low: 0, high: 15 },
    });
    const h6Space = spaceOf(
      Object.fromEntries(
        Array.from({ length: 6 }, (_, j) => [`x${j}`, { distribution: 'uniform', low: 0, high: 1 }]),
      ),
    );
    const problems = [
      { space: braninSpace, n: 128, f: (p: Point) => branin(p.x1 as number, p.x2 as number) },
      {
        space: h6Space,
        n: 64,
        f: (p: Point) => hartmann6(Array.from({ length: 6 }, (_, j) => p[`x${j}`] as number)),
      },
    ];
    for (const problem of problems) {
      const best = (algorithm: 'tpe' | 'random') =>
        median(
          Array.from({ length: 10 }, (_, seed) =>
            bestAfter(
              optimise(createSampler({ algorithm, space: problem.space, seed }), problem.n, problem.f),
              problem.n,
            ),
          ),
        );
      expect(best('tpe')).toBeLessThan(best('random'));
    }
  });

  it('grid: every combination exactly once, in a seeded order; continuous parameters refused', () => {
    const gridSpace = spaceOf({
      a: { values: ['x', 'y'] },
      b: { distribution: 'quniform', low: 0, high: 1, q: 0.25 },
      c: { distribution: 'randint', upper: 3 },
    });
    const grid = createSampler({ algorithm: 'grid', space: gridSpace, seed: 1 });
    expect(grid.capacity).toBe(2 * 5 * 3);
    const points = Array.from({ length: grid.capacity }, (_, i) => JSON.stringify(grid.suggest(i, [])));
    expect(new Set(points).size).toBe(30);
    expect(points).toContain(JSON.stringify({ c: 2, b: 0.75, a: 1 }));
    const again = createSampler({ algorithm: 'grid', space: gridSpace, seed: 1 });
    expect(Array.from({ length: 30 }, (_, i) => JSON.stringify(again.suggest(i, [])))).toEqual(points);
    expect(() => createSampler({ algorithm: 'grid', space, seed: 1 })).toThrow(/x is a uniform distribution/);
  });
});

describe('early stopping', () => {
  it.each<[string, unknown]>([
    ['no_progress_loss', { kind: 'no_progress_loss', iterationStopCount: 20, percentIncrease: 0 }],
    ['no_progress_loss(10)', { kind: 'no_progress_loss', iterationStopCount: 10, percentIncrease: 0 }],
    [
      'hyperopt.early_stop.no_progress_loss(5, 2.5)',
      { kind: 'no_progress_loss', iterationStopCount: 5, percentIncrease: 2.5 },
    ],
    ['stopEarly', { kind: 'user', module: 'train', name: 'stopEarly' }],
    ['stopping.patience', { kind: 'user', module: 'stopping', name: 'patience' }],
    ['no_progress_loss(0)', { error: expect.stringMatching(/positive/) }],
    ['a b', { error: expect.stringMatching(/neither/) }],
  ])('parses %s', (text, expected) => expect(parseEarlyStopSpec(text)).toEqual(expected));

  it('no_progress_loss(3) stops after 3 trials in a row without a new best (as hyperopt)', async () => {
    const fn = noProgressLoss(3);
    const losses = [5, 4, 4.5, 3, 3.5, 3.2, 3.1, 2];
    let state: unknown[] = [];
    const stops: boolean[] = [];
    const trials = losses.map((loss, index) => ({ index, loss, status: 'ok' as const, params: {} }));
    for (let i = 0; i < losses.length; i++) {
      const [stop, next] = await fn(trials.slice(0, i + 1), ...state);
      state = next;
      stops.push(stop);
    }
    expect(stops).toEqual([false, false, false, false, false, false, true, false]);
  });
});
