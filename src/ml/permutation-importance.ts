/**
 * Permutation importance with scikit-learn 1.2's semantics (`sklearn.inspection.
 * permutation_importance`): for each feature, `n_repeats` times, shuffle that feature's values
 * among the rows and score the model again; the importance is the baseline score minus the
 * shuffled one (a drop: larger means the model leans on the feature more). As scikit-learn:
 * `random_state` seeds one numpy RandomState that draws a seed, and every feature's shuffles come
 * from a RandomState of that seed; the column is reshuffled from its previous shuffle each repeat
 * (the shuffles compose); the mean and the population std (ddof 0) over the repeats are reported.
 * With numpy's generator reproduced (numpy-random.ts), the shuffles are scikit-learn's own.
 */
import { DataError } from '../errors.js';
import { LegacyRandomState } from './numpy-random.js';

export interface PermutationImportanceOptions {
  nFeatures: number;
  nRows: number;
  /**
   * The model's score (greater is better) with feature `j`'s values taken from rows `order`
   * (row i gets original row order[i]'s value); `j` null scores the data as it is.
   */
  score(j: number | null, order: Uint32Array | null): number | Promise<number>;
  /** Default 5, as scikit-learn's. */
  nRepeats?: number;
  /** An integer seed, or null (scikit-learn's None: a fresh seed every call). */
  randomState?: number | null;
}

export interface PermutationImportance {
  baselineScore: number;
  /** Per feature, the score drop of each repeat. */
  importances: Float64Array[];
  importancesMean: Float64Array;
  importancesStd: Float64Array;
}

export async function permutationImportance(
  options: PermutationImportanceOptions,
): Promise<PermutationImportance> {
  const { nFeatures, nRows } = options;
  const nRepeats = options.nRepeats ?? 5;
  if (!Number.isInteger(nRepeats) || nRepeats < 1) {
    throw new DataError(`n_repeats must be a positive integer, got ${String(nRepeats)}`);
  }
  const rs = options.randomState ?? null;
  if (rs !== null && (!Number.isInteger(rs) || rs < 0 || rs > 0xffffffff)) {
    throw new DataError(`random_state must be null or an integer in [0, 2**32), got ${String(rs)}`);
  }
  const seed = new LegacyRandomState(rs ?? Math.floor(Math.random() * 0x100000000)).randint31();
  const baselineScore = await options.score(null, null);
  const importances: Float64Array[] = [];
  const importancesMean = new Float64Array(nFeatures);
  const importancesStd = new Float64Array(nFeatures);
  const shuffling = new Uint32Array(nRows);
  let order = new Uint32Array(nRows);
  let next = new Uint32Array(nRows);
  for (let j = 0; j < nFeatures; j++) {
    const random = new LegacyRandomState(seed);
    for (let i = 0; i < nRows; i++) {
      shuffling[i] = i;
      order[i] = i;
    }
    const drops = new Float64Array(nRepeats);
    for (let r = 0; r < nRepeats; r++) {
      random.shuffle(shuffling);
      // X[:, j] = X[shuffling, j] applied to the already shuffled column.
      for (let i = 0; i < nRows; i++) next[i] = order[shuffling[i]];
      [order, next] = [next, order];
      drops[r] = baselineScore - (await options.score(j, order));
    }
    let mean = 0;
    for (const d of drops) mean += d;
    mean /= nRepeats;
    let variance = 0;
    for (const d of drops) variance += (d - mean) ** 2;
    importances.push(drops);
    importancesMean[j] = mean;
    importancesStd[j] = Math.sqrt(variance / nRepeats);
  }
  return { baselineScore, importances, importancesMean, importancesStd };
}
