/**
 * Reading saved tree states, shared by decision-tree.ts, forest.ts and boosting.ts: the state
 * name check, the "damaged" error, and the node-link check a loaded tree must pass before predict
 * walks it (a bad child id would send the walk out of the arrays or round in a loop).
 */
import { DataError } from '../../errors.js';
import type { EstimatorState } from '../types.js';

export function checkStateName(state: EstimatorState, expected: string): void {
  if (state.name !== expected) throw new DataError(`cannot load a '${state.name}' state as ${expected}`);
}

/** The error for a saved state that cannot be read back. */
export function damagedState(name: string, what: string): DataError {
  return new DataError(`${name} state: ${what}`, {
    hint: 'the saved model is damaged or was written by another program; retrain it',
  });
}

/**
 * The first node of the tree stored at [start, start + size) whose children or feature are
 * invalid, as a local id; -1 when every node is sound. Child ids are local to the tree and must
 * come after their parent (preorder), a leaf has both children -1, a split a feature in
 * [0, nFeatures). No closure per node: this loop runs over every node of a forest at load.
 */
export function firstInvalidNode(
  nodes: { feature: Int32Array; left: Int32Array; right: Int32Array },
  start: number,
  size: number,
  nFeatures: number,
): number {
  const { feature, left, right } = nodes;
  for (let local = 0; local < size; local++) {
    const node = start + local;
    const l = left[node];
    const r = right[node];
    const bad =
      l === -1
        ? r !== -1
        : l <= local ||
          l >= size ||
          r <= local ||
          r >= size ||
          feature[node] < 0 ||
          feature[node] >= nFeatures;
    if (bad) return local;
  }
  return -1;
}
