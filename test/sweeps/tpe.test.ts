/**
 * The TPE estimator's pieces against hyperopt's own (hyperopt master's tpe.py, run once with
 * numpy 1.24 and stored here as facts: adaptive_parzen_normal, linear_forgetting_weights,
 * GMM1_lpdf, LGMM1_lpdf), and the joint estimator's invariants.
 */
import { describe, expect, it } from 'vitest';
import {
  createSampler,
  HYPEROPT_TPE,
  type Observation,
  parseSearchSpace,
  type Point,
  SweepRandom,
  MLRECIPE_TPE,
} from '../../src/sweeps/index.js';
import {
  adaptiveParzen,
  adaptiveWidths,
  categoricalProbabilities,
  continuousModel,
  jointLogDensity,
  jointMixture,
  linearForgettingWeights,
  mixtureLogDensity,
  sampleJoint,
  splitGood,
} from '../../src/sweeps/tpe.js';

function spaceOf(raw: unknown) {
  const { space, issues } = parseSearchSpace(raw);
  expect(issues).toEqual([]);
  return space;
}

function expectClose(actual: readonly number[], expected: readonly number[], digits = 12) {
  expect(actual.length).toBe(expected.length);
  actual.forEach((v, i) => expect(v).toBeCloseTo(expected[i] as number, digits));
}

const distributionOf = (raw: unknown) => {
  const [param] = spaceOf({ p: raw });
  return (param as { distribution: Parameters<typeof continuousModel>[0] }).distribution;
};

describe("adaptive Parzen estimator: hyperopt's facts", () => {
  it('adaptive_parzen_normal([0.3, -1.2, 2.5, 0.31, 4.0], 1.0, 1.0, 6.0)', () => {
    const m = adaptiveParzen([0.3, -1.2, 2.5, 0.31, 4.0], 1, 1, 6);
    expectClose(m.weights, new Array(6).fill(1 / 6));
    expectClose(m.mus, [-1.2, 0.3, 0.31, 1.0, 2.5, 4.0]);
    // 0.31's gaps are 0.01 and 0.69, the prior (1.0) counting as a neighbour; the floor is 6 / 7.
    expectClose(m.sigmas, [1.5, 1.5, 0.8571428571428571, 6.0, 1.5, 1.5]);
  });

  it('linear forgetting beyond 25 observations follows the trial order, not the sorted order', () => {
    const obs = Array.from({ length: 30 }, (_, i) => ((i * 7) % 30) / 3 - 2);
    const m = adaptiveParzen(obs, 1, 2.5, 10);
    const w = 0.034985422740524776;
    const expectedWeights = new Array(31).fill(w);
    // The four oldest trials (values -2, 0.333, 2.667, 5) sit at sorted positions 0, 7, 15, 22.
    expectedWeights[0] = 0.0011661807580174927;
    expectedWeights[7] = 0.009620991253644314;
    expectedWeights[15] = 0.018075801749271137;
    expectedWeights[22] = 0.026530612244897955;
    expectClose(m.weights, expectedWeights);
    expect(m.mus[14]).toBe(2.5);
    expect(m.sigmas[14]).toBe(10);
    m.sigmas.forEach((s, i) => i !== 14 && expect(s).toBeCloseTo(1 / 3, 12));
  });

  it('linear_forgetting_weights(30, 25)', () => {
    expectClose(linearForgettingWeights(30), [
      0.03333333333333333,
      0.275,
      0.5166666666666667,
      0.7583333333333333,
      ...new Array(26).fill(1),
    ]);
  });

  it('GMM1_lpdf on a uniform(0, 1): truncated to the bounds, continuous and quantised', () => {
    const m = adaptiveParzen([0.2, 0.9, 0.5], 1, 0.5, 1);
    // The prior (0.5) goes before the equal observation, as numpy.searchsorted does.
    expectClose(m.mus, [0.2, 0.5, 0.5, 0.9]);
    expectClose(m.sigmas, [0.3, 1.0, 0.4, 0.4]);
    const uniform = continuousModel(distributionOf({ distribution: 'uniform', low: 0, high: 1 }));
    const quniform = continuousModel(distributionOf({ distribution: 'quniform', low: 0, high: 1, q: 0.5 }));
    if (!uniform || !quniform) throw new Error('continuous distributions expected');
    expectClose(
      [0.1, 0.45, 0.95].map((x) => mixtureLogDensity(x, m, uniform)),
      [-0.05575336933576147, 0.13292051693265927, -0.2552236178778634],
      6,
    );
    expectClose(
      [0, 0.5, 1].map((x) => mixtureLogDensity(x, m, quniform)),
      [-1.4168239578082504, -0.6039247352186755, -1.5565838658642903],
      6,
    );
  });

  it('LGMM1_lpdf on a loguniform(-6, 0): quantised as hyperopt; continuous renormalised', () => {
    const m = adaptiveParzen([0.01, 0.2, 0.05].map(Math.log), 1, -3, 6);
    expectClose(m.sigmas, [1.605170185988091, 6.0, 1.3862943611198906, 1.3862943611198906]);
    const q = continuousModel(distributionOf({ distribution: 'qloguniform', low: -6, high: 0, q: 0.1 }));
    const log = continuousModel(distributionOf({ distribution: 'loguniform', low: -6, high: 0 }));
    if (!q || !log) throw new Error('continuous distributions expected');
    expectClose(
      [0.1, 1].map((x) => mixtureLogDensity(x, m, q)),
      [-1.424766982751104, -5.499461329318305],
      6,
    );
    // hyperopt leaves this one unnormalised; ours divides by the mass inside the bounds,
    // 0.7585928959813 (log -0.27629001441487283) by hyperopt's own normal_cdf.
    expectClose(
      [0.1, 0.5].map((x) => mixtureLogDensity(x, m, log)),
      [0.5050015492875537 + 0.27629001441487283, -1.6653342536787423 + 0.27629001441487283],
      6,
    );
  });

  it('categorical posteriors: linearly forgotten counts plus the prior weight per category', () => {
    expectClose(categoricalProbabilities([0, 0, 2], 3, 1), [3 / 6, 1 / 6, 2 / 6]);
    // 26 observations: the oldest weighs 1/26, the rest 1.
    const obs = [1, ...new Array(25).fill(0)];
    expectClose(categoricalProbabilities(obs, 2, 1), [26 / (27 + 1 / 26), (1 + 1 / 26) / (27 + 1 / 26)]);
  });

  it("the good group: hyperopt's ceil(gamma sqrt(n)), or Optuna-style ceil(gamma n); at most 25", () => {
    const losses = Array.from({ length: 64 }, (_, i) => 64 - i);
    expect(splitGood(losses, 0.25, 'sqrt').size).toBe(2);
    expect(splitGood(losses, 0.15, 'linear').size).toBe(10);
    expect([...splitGood(losses, 0.15, 'linear')].sort((a, b) => a - b)).toEqual(
      Array.from({ length: 10 }, (_, i) => 54 + i),
    );
    expect(splitGood(new Array(1000).fill(0), 0.15, 'linear').size).toBe(25);
  });
});

describe('joint (multivariate) estimator', () => {
  it("adaptive widths are hyperopt's sigmas, per observation in trial order", () => {
    const obs = [0.3, -1.2, 2.5, 0.31, 4.0];
    // From the hyperopt fact above: sorted -1.2, 0.3, 0.31, (prior), 2.5, 4.0.
    expectClose(adaptiveWidths(obs, 1, 6), [1.5, 1.5, 1.5, 0.8571428571428571, 1.5]);
    // A larger count lowers the floor: 0.31 keeps its 0.69 gap instead of 6 / 7.
    expectClose(adaptiveWidths(obs, 1, 6, 30), [1.5, 1.5, 1.5, 0.69, 1.5], 10);
    expectClose(adaptiveWidths([0.2], 0.5, 1), [0.5]);
  });

  const space = spaceOf({
    x: { distribution: 'uniform', low: 0, high: 1 },
    n: { distribution: 'quniform', low: 0, high: 10, q: 1 },
    k: { values: ['a', 'b', 'c'] },
  });
  const group: Point[] = [
    { x: 0.1, n: 3, k: 0 },
    { x: 0.8, n: 7, k: 2 },
    { x: 0.5, n: 5, k: 0 },
  ];

  it('is a probability distribution over the space (sums to 1 over the grid of n, k and x)', () => {
    const m = jointMixture({ space, group, priorWeight: 1, trials: 12, widthFloor: 'trials' });
    let total = 0;
    const steps = 2000;
    for (let n = 0; n <= 10; n++)
      for (let k = 0; k < 3; k++)
        for (let i = 0; i < steps; i++) {
          const x = (i + 0.5) / steps;
          total += Math.exp(jointLogDensity({ x, n, k }, m)) / steps;
        }
    expect(total).toBeCloseTo(1, 4);
  });

  it('draws stay in the space and keep a trial’s combination of values', () => {
    const m = jointMixture({ space, group, priorWeight: 1e-9, trials: 3, widthFloor: 'group' });
    const rng = new SweepRandom(5);
    const high = { 0: 0, 2: 0 } as Record<number, number>;
    const seen = { 0: 0, 2: 0 } as Record<number, number>;
    for (let i = 0; i < 3000; i++) {
      const p = sampleJoint(m, rng);
      expect(p.x).toBeGreaterThanOrEqual(0);
      expect(p.x).toBeLessThan(1);
      expect(Number.isInteger(p.n)).toBe(true);
      expect([0, 1, 2]).toContain(p.k);
      const k = p.k as number;
      if (k in seen) {
        seen[k] = (seen[k] as number) + 1;
        if ((p.n as number) >= 6) high[k] = (high[k] as number) + 1;
      }
    }
    // Category c comes only from the trial with n = 7, category a from those with n = 3 and 5:
    // drawn jointly, n >= 6 is common with c (about 3/4) and rare with a (about 1/5). Independent
    // mixtures would give both categories the same share.
    const share = (k: number) => (high[k] as number) / (seen[k] as number);
    expect(share(2)).toBeGreaterThan(0.6);
    expect(share(0)).toBeLessThan(0.3);
  });
});

describe('TPE settings', () => {
  const space = spaceOf({
    x: { distribution: 'uniform', low: -5, high: 10 },
    y: { distribution: 'loguniform', low: -3, high: 3 },
    k: { values: ['a', 'b', 'c'] },
  });
  const f = (p: Point) => (p.x as number) ** 2 + Math.log(p.y as number) ** 2 + (p.k === 1 ? 0 : 1);

  it.each([
    ['the defaults', {}],
    ["hyperopt's settings", HYPEROPT_TPE],
    ["mlrecipe's settings", MLRECIPE_TPE],
  ])('%s: a proposal is a pure function of (seed, index, history)', (_label, tpe) => {
    const history: Observation[] = [];
    const sampler = createSampler({ algorithm: 'tpe', space, seed: 9, tpe });
    for (let i = 0; i < 30; i++) {
      const point = sampler.suggest(i, history.slice(0, sampler.visible(i)));
      history.push({ point, loss: f(point) });
    }
    const again = createSampler({ algorithm: 'tpe', space, seed: 9, tpe });
    for (let i = 0; i < 30; i++)
      expect(again.suggest(i, history.slice(0, again.visible(i)))).toEqual(history[i]?.point);
    expect(MLRECIPE_TPE.multivariate).toBe(true);
  });
});
