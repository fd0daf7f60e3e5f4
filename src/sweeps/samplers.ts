/**
 * Samplers: which point trial i evaluates. Every sampler is a pure function of (seed, trial
 * index, the finished trials it is allowed to see), so a sweep proposes the same trials whether
 * it runs one trial at a time or many, and whether it was resumed after a crash.
 *
 * What a trial may see is fixed by its index, not by timing: TPE's trial i (past the startup
 * trials) conditions on trials 0 .. i - TPE_IN_FLIGHT, so one trial may still be running while
 * the next is proposed and two trials always overlap; random and grid points need nothing.
 */
import { type Point, samplePoint } from './prior.js';
import { deriveSeed, SweepRandom } from './rng.js';
import { quantize, type SearchSpace } from './space.js';
import { HYPEROPT_TPE, type Observation, suggestTpe, type TpeOptions } from './tpe.js';

export type AlgorithmName = 'tpe' | 'random' | 'grid';

/**
 * Trials a TPE proposal may run beside: trial i sees every trial up to i - TPE_IN_FLIGHT. Two
 * keeps both cores of the machines this runs on busy while losing one observation per proposal
 * against strictly sequential TPE; parallelism above it waits for the observations it needs.
 */
export const TPE_IN_FLIGHT = 2;

/** MLflow Recipes' `algorithm` values (hyperopt module paths) and our short names. */
const ALGORITHMS: Readonly<Record<string, AlgorithmName>> = {
  'hyperopt.tpe.suggest': 'tpe',
  'tpe.suggest': 'tpe',
  tpe: 'tpe',
  'hyperopt.rand.suggest': 'random',
  'rand.suggest': 'random',
  random: 'random',
  rand: 'random',
  grid: 'grid',
};

export const ALGORITHM_NAMES: readonly string[] = Object.keys(ALGORITHMS);

export function parseAlgorithm(value: string): AlgorithmName | undefined {
  return ALGORITHMS[value.trim()];
}

export interface Sampler {
  readonly algorithm: AlgorithmName;
  /** How many trials the space can give (a grid's size); Infinity otherwise. */
  readonly capacity: number;
  /** Trials 0 .. visible(i) - 1 must have finished before trial i is proposed. */
  visible(index: number): number;
  /** Trial `index`'s point; `history` is exactly the first visible(index) finished trials. */
  suggest(index: number, history: readonly Observation[]): Point;
}

export interface SamplerOptions {
  algorithm: AlgorithmName;
  space: SearchSpace;
  seed: number;
  tpe?: TpeOptions;
}

export function createSampler(options: SamplerOptions): Sampler {
  switch (options.algorithm) {
    case 'random':
      return randomSampler(options.space, options.seed);
    case 'tpe':
      return tpeSampler(options.space, options.seed, options.tpe);
    case 'grid':
      return gridSampler(options.space, options.seed);
  }
}

function randomSampler(space: SearchSpace, seed: number): Sampler {
  return {
    algorithm: 'random',
    capacity: Number.POSITIVE_INFINITY,
    visible: () => 0,
    suggest: (index) => samplePoint(space, new SweepRandom(deriveSeed(seed, index, 'prior'))),
  };
}

function tpeSampler(space: SearchSpace, seed: number, options: TpeOptions = {}): Sampler {
  const startup = options.nStartupJobs ?? HYPEROPT_TPE.nStartupJobs;
  return {
    algorithm: 'tpe',
    capacity: Number.POSITIVE_INFINITY,
    visible: (index) => (index < startup ? 0 : Math.max(0, index - TPE_IN_FLIGHT + 1)),
    suggest(index, history) {
      // The startup trials are exactly the random sampler's: a TPE and a random sweep with one
      // seed share them, which makes the two comparable.
      if (index < startup || history.length === 0) {
        return samplePoint(space, new SweepRandom(deriveSeed(seed, index, 'prior')));
      }
      return suggestTpe({
        space,
        observations: history,
        rng: new SweepRandom(deriveSeed(seed, index, 'tpe')),
        tpe: options,
      });
    },
  };
}

/** The largest grid enumerated; more points than this is surely a mistake in the space. */
export const MAX_GRID_POINTS = 1_000_000;

/** The finite values of a parameter, or a reason it has none. */
export function gridValues(
  space: SearchSpace,
): { values: number[][] } | { error: { name: string; message: string } } {
  const values: number[][] = [];
  for (const p of space) {
    const d = p.distribution;
    switch (d.kind) {
      case 'choice':
        values.push(d.options.map((_, i) => i));
        break;
      case 'randint':
        values.push(Array.from({ length: d.high - d.low }, (_, i) => d.low + i));
        break;
      case 'quniform':
      case 'uniformint': {
        const first = Math.round(d.low / d.q);
        const last = Math.round(d.high / d.q);
        values.push(Array.from({ length: last - first + 1 }, (_, i) => quantize((first + i) * d.q, d.q)));
        break;
      }
      default:
        return {
          error: {
            name: p.name,
            message: `grid search needs a finite set of values, but ${p.name} is a ${d.kind} distribution`,
          },
        };
    }
  }
  return { values };
}

function gridSampler(space: SearchSpace, seed: number): Sampler {
  const grid = gridValues(space);
  if ('error' in grid) throw new Error(grid.error.message);
  const sizes = grid.values.map((v) => v.length);
  const capacity = sizes.reduce((a, b) => a * b, 1);
  if (capacity > MAX_GRID_POINTS)
    throw new Error(`the grid has ${capacity} points, more than ${MAX_GRID_POINTS}`);
  // Visit the grid in a seeded random order (as Optuna's GridSampler does): a sweep cut short by
  // max_trials or early stopping then covers the whole grid evenly rather than one corner.
  const order = Array.from({ length: capacity }, (_, i) => i);
  const rng = new SweepRandom(deriveSeed(seed, 'grid'));
  for (let i = capacity - 1; i > 0; i--) {
    const j = rng.integer(i + 1);
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  return {
    algorithm: 'grid',
    capacity,
    visible: () => 0,
    suggest(index) {
      let cell = order[index % capacity] as number;
      const point: Point = {};
      for (let k = space.length - 1; k >= 0; k--) {
        const size = sizes[k] as number;
        point[(space[k] as { name: string }).name] = (grid.values[k] as number[])[cell % size] as number;
        cell = Math.floor(cell / size);
      }
      return point;
    },
  };
}
