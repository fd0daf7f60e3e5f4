/**
 * Points of a search space and draws from its prior (hyperopt's `rand.suggest`).
 *
 * A point holds each parameter's internal value: the option index for a choice, the number
 * otherwise. Samplers work on points; `pointToParams` turns one into the values the estimator
 * receives (a choice's option itself).
 */
import type { SweepRandom } from './rng.js';
import { type Distribution, type ParamValue, quantize, type SearchSpace } from './space.js';

export type Point = Record<string, number>;

export function sampleFromPrior(d: Distribution, rng: SweepRandom): number {
  switch (d.kind) {
    case 'uniform':
      return d.low + (d.high - d.low) * rng.uniform();
    case 'quniform':
    case 'uniformint':
      return quantize(d.low + (d.high - d.low) * rng.uniform(), d.q);
    case 'loguniform':
      return Math.exp(d.low + (d.high - d.low) * rng.uniform());
    case 'qloguniform':
      return quantize(Math.exp(d.low + (d.high - d.low) * rng.uniform()), d.q);
    case 'normal':
      return d.mu + d.sigma * rng.normal();
    case 'qnormal':
      return quantize(d.mu + d.sigma * rng.normal(), d.q);
    case 'lognormal':
      return Math.exp(d.mu + d.sigma * rng.normal());
    case 'qlognormal':
      return quantize(Math.exp(d.mu + d.sigma * rng.normal()), d.q);
    case 'randint':
      return d.low + rng.integer(d.high - d.low);
    case 'choice':
      return rng.integer(d.options.length);
  }
}

/** One draw per parameter, in space order (so the same rng state gives the same point). */
export function samplePoint(space: SearchSpace, rng: SweepRandom): Point {
  const point: Point = {};
  for (const p of space) point[p.name] = sampleFromPrior(p.distribution, rng);
  return point;
}

/** The values handed to the estimator: a choice's option, an integer for randint/uniformint. */
export function pointToParams(space: SearchSpace, point: Point): Record<string, ParamValue> {
  const params: Record<string, ParamValue> = {};
  for (const p of space) {
    const value = point[p.name] as number;
    const d = p.distribution;
    params[p.name] = d.kind === 'choice' ? (d.options[value] as ParamValue) : value;
  }
  return params;
}

/**
 * The point whose params equal `params`, when every value lies in the space (a choice matched by
 * its JSON form); undefined otherwise. Used to seed samplers with known trials.
 */
export function paramsToPoint(space: SearchSpace, params: Record<string, unknown>): Point | undefined {
  const point: Point = {};
  for (const p of space) {
    const value = params[p.name];
    const d = p.distribution;
    if (d.kind === 'choice') {
      const index = d.options.findIndex((o) => JSON.stringify(o) === JSON.stringify(value));
      if (index < 0) return undefined;
      point[p.name] = index;
    } else {
      if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
      point[p.name] = value;
    }
  }
  return point;
}
