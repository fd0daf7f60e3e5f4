import { describe, expect, it } from 'vitest';
import {
  type Distribution,
  deriveSeed,
  parseSearchSpace,
  pointToParams,
  quantize,
  sampleFromPrior,
  SweepRandom,
} from '../../src/sweeps/index.js';

describe('parseSearchSpace', () => {
  it.each<[string, unknown, Distribution]>([
    ['uniform', { distribution: 'uniform', low: 0, high: 1 }, { kind: 'uniform', low: 0, high: 1 }],
    [
      'loguniform',
      { distribution: 'loguniform', low: -9, high: -1 },
      { kind: 'loguniform', low: -9, high: -1 },
    ],
    [
      'quniform',
      { distribution: 'quniform', low: 2, high: 10, q: 2 },
      { kind: 'quniform', low: 2, high: 10, q: 2 },
    ],
    [
      'qloguniform',
      { distribution: 'qloguniform', low: 0, high: 5, q: 1 },
      { kind: 'qloguniform', low: 0, high: 5, q: 1 },
    ],
    [
      'uniformint',
      { distribution: 'uniformint', low: 1, high: 5 },
      { kind: 'uniformint', low: 1, high: 5, q: 1 },
    ],
    ['normal', { distribution: 'normal', mu: 0, sigma: 2 }, { kind: 'normal', mu: 0, sigma: 2 }],
    ['lognormal', { distribution: 'lognormal', mu: 0, sigma: 1 }, { kind: 'lognormal', mu: 0, sigma: 1 }],
    [
      'qnormal',
      { distribution: 'qnormal', mu: 5, sigma: 2, q: 1 },
      { kind: 'qnormal', mu: 5, sigma: 2, q: 1 },
    ],
    [
      'qlognormal',
      { distribution: 'qlognormal', mu: 1, sigma: 1, q: 1 },
      { kind: 'qlognormal', mu: 1, sigma: 1, q: 1 },
    ],
    ['randint upper', { distribution: 'randint', upper: 5 }, { kind: 'randint', low: 0, high: 5 }],
    [
      'randint single low (hp.randint(label, 5))',
      { distribution: 'randint', low: 5 },
      { kind: 'randint', low: 0, high: 5 },
    ],
    ['randint low/high', { distribution: 'randint', low: 2, high: 5 }, { kind: 'randint', low: 2, high: 5 }],
    [
      'values',
      { values: ['l1', 'l2', 'elasticnet'] },
      { kind: 'choice', options: ['l1', 'l2', 'elasticnet'] },
    ],
    [
      'choice options',
      { distribution: 'choice', options: [1, 'a', true] },
      { kind: 'choice', options: [1, 'a', true] },
    ],
  ])('%s', (_name, spec, expected) => {
    const { space, issues } = parseSearchSpace({ p: spec });
    expect(issues).toEqual([]);
    expect(space).toEqual([{ name: 'p', distribution: expected }]);
  });

  it.each<[string, unknown, string[], RegExp]>([
    [
      'neither values nor distribution (MLflow wording)',
      { low: 0, high: 1 },
      ['alpha'],
      /^Parameter alpha must contain either a list of 'values' or a 'distribution' following hyperopt parameter expressions$/,
    ],
    ['not a mapping', 3, ['alpha'], /Parameter alpha must contain either a list of 'values'/],
    [
      'unknown distribution',
      { distribution: 'logunifrm', low: 0, high: 1 },
      ['alpha', 'distribution'],
      /unknown distribution "logunifrm"/,
    ],
    ['missing argument', { distribution: 'uniform', low: 0 }, ['alpha'], /needs 'high'/],
    [
      'non-numeric argument',
      { distribution: 'uniform', low: 0, high: 'one' },
      ['alpha', 'high'],
      /finite number/,
    ],
    [
      'unexpected argument',
      { distribution: 'uniform', low: 0, high: 1, q: 1 },
      ['alpha', 'q'],
      /unexpected key 'q'/,
    ],
    [
      'low >= high',
      { distribution: 'loguniform', low: -1, high: -9 },
      ['alpha', 'high'],
      /greater than 'low'/,
    ],
    ['sigma <= 0', { distribution: 'normal', mu: 0, sigma: 0 }, ['alpha', 'sigma'], /positive/],
    ['q <= 0', { distribution: 'quniform', low: 0, high: 1, q: 0 }, ['alpha', 'q'], /positive/],
    ['empty values', { values: [] }, ['alpha', 'values'], /non-empty list/],
    ['both', { values: [1], distribution: 'uniform' }, ['alpha'], /both 'values' and 'distribution'/],
    ['randint float', { distribution: 'randint', upper: 2.5 }, ['alpha', 'upper'], /integer/],
    ['randint empty', { distribution: 'randint', low: 3, high: 3 }, ['alpha', 'high'], /empty/],
  ])('rejects %s', (_name, spec, path, message) => {
    const { issues } = parseSearchSpace({ alpha: spec });
    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toEqual(path);
    expect(issues[0]?.message).toMatch(message);
  });

  it('rejects a space that is not a mapping or names no parameter', () => {
    expect(parseSearchSpace([1, 2]).issues[0]?.message).toMatch(/mapping/);
    expect(parseSearchSpace({}).issues[0]?.message).toMatch(/no parameter/);
  });

  it('reports every bad parameter, keeping the good ones', () => {
    const { space, issues } = parseSearchSpace({ a: { values: [1] }, b: {}, c: { distribution: 'x' } });
    expect(space.map((p) => p.name)).toEqual(['a']);
    expect(issues.map((i) => i.path[0])).toEqual(['b', 'c']);
  });
});

describe('prior draws (hyperopt semantics)', () => {
  const draws = (d: Distribution, n = 4000) => {
    const rng = new SweepRandom(deriveSeed(1, 'test'));
    return Array.from({ length: n }, () => sampleFromPrior(d, rng));
  };
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

  it.each<[string, Distribution, (xs: number[]) => void]>([
    [
      'uniform stays in [low, high) and is flat',
      { kind: 'uniform', low: -2, high: 4 },
      (xs) => {
        expect(Math.min(...xs)).toBeGreaterThanOrEqual(-2);
        expect(Math.max(...xs)).toBeLessThan(4);
        expect(mean(xs)).toBeCloseTo(1, 0);
      },
    ],
    [
      'loguniform is exp(U(low, high))',
      { kind: 'loguniform', low: -9, high: -1 },
      (xs) => {
        const logs = xs.map(Math.log);
        expect(Math.min(...logs)).toBeGreaterThanOrEqual(-9);
        expect(Math.max(...logs)).toBeLessThan(-1);
        expect(mean(logs)).toBeCloseTo(-5, 0);
      },
    ],
    [
      'quniform rounds to multiples of q',
      { kind: 'quniform', low: 0, high: 1, q: 0.1 },
      (xs) => {
        for (const x of xs) expect(Math.round(x * 10) / 10).toBe(x);
        expect(new Set(xs).size).toBe(11);
      },
    ],
    [
      'qloguniform rounds exp(U) to multiples of q',
      { kind: 'qloguniform', low: 0, high: 3, q: 2 },
      (xs) => {
        for (const x of xs) expect(x % 2).toBe(0);
        expect(Math.max(...xs)).toBeLessThanOrEqual(20);
      },
    ],
    [
      'normal has mean mu and sd sigma',
      { kind: 'normal', mu: 3, sigma: 2 },
      (xs) => {
        expect(mean(xs)).toBeCloseTo(3, 0);
        const sd = Math.sqrt(mean(xs.map((x) => (x - 3) ** 2)));
        expect(sd).toBeGreaterThan(1.9);
        expect(sd).toBeLessThan(2.1);
      },
    ],
    [
      'lognormal is exp(N(mu, sigma))',
      { kind: 'lognormal', mu: 0, sigma: 1 },
      (xs) => {
        expect(Math.min(...xs)).toBeGreaterThan(0);
        expect(mean(xs.map(Math.log))).toBeCloseTo(0, 0);
      },
    ],
    [
      'qnormal rounds',
      { kind: 'qnormal', mu: 0, sigma: 3, q: 1 },
      (xs) => {
        for (const x of xs) expect(Number.isInteger(x)).toBe(true);
      },
    ],
    [
      'randint draws low..high-1',
      { kind: 'randint', low: 2, high: 5 },
      (xs) => {
        expect([...new Set(xs)].sort()).toEqual([2, 3, 4]);
      },
    ],
    [
      'uniformint draws integers including both ends',
      { kind: 'uniformint', low: 1, high: 3, q: 1 },
      (xs) => {
        expect([...new Set(xs)].sort()).toEqual([1, 2, 3]);
      },
    ],
    [
      'choice draws every option index',
      { kind: 'choice', options: ['a', 'b', 'c'] },
      (xs) => {
        expect([...new Set(xs)].sort()).toEqual([0, 1, 2]);
      },
    ],
  ])('%s', (_name, d, check) => check(draws(d)));

  it('turns choice indices into options', () => {
    const { space } = parseSearchSpace({
      p: { values: ['l1', { a: 1 }] },
      n: { distribution: 'randint', upper: 3 },
    });
    expect(pointToParams(space, { p: 1, n: 2 })).toEqual({ p: { a: 1 }, n: 2 });
  });

  it.each([
    [0.30000000000000004, 0.1, 0.3],
    [7, 2, 8],
    [0.00123, 0.001, 0.001],
    [12.5, 5, 15],
  ])('quantize(%s, %s) = %s', (x, q, expected) => expect(quantize(x, q)).toBe(expected));
});

describe('SweepRandom', () => {
  it('gives the same stream for the same seed and different streams otherwise', () => {
    const a = new SweepRandom(deriveSeed(42, 3, 'prior'));
    const b = new SweepRandom(deriveSeed(42, 3, 'prior'));
    const c = new SweepRandom(deriveSeed(42, 4, 'prior'));
    const xs = Array.from({ length: 5 }, () => a.uniform());
    expect(Array.from({ length: 5 }, () => b.uniform())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c.uniform())).not.toEqual(xs);
  });
});
