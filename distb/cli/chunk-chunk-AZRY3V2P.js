import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  ESTIMATOR_CATALOG,
  catalogNames
} from "./chunk-chunk-QRGYUBPG.js";
import {
  DataError,
  EXIT_USAGE,
  MlrecipeError
} from "./chunk-chunk-FHTLSLDU.js";

// src/ml/binning.ts
var MAX_BINS = 256;
var DEFAULT_BINNING_SUBSAMPLE = 2e5;
var BinMapper = class _BinMapper {
  maxBins;
  /** Per feature: strictly increasing upper edges of the value bins (length nValueBins - 1). */
  edges;
  /** Per feature and value bin: smallest training value seen in the bin (NaN if empty). */
  binMin;
  /** Per feature and value bin: largest training value seen in the bin (NaN if empty). */
  binMax;
  constructor(maxBins, edges, binMin, binMax) {
    this.maxBins = maxBins;
    this.edges = edges;
    this.binMin = binMin;
    this.binMax = binMax;
  }
  get nFeatures() {
    return this.edges.length;
  }
  /** Number of value bins of feature j; the missing bin's code equals this number. */
  nValueBins(j) {
    return this.edges[j].length + 1;
  }
  /** Learns bin edges from training columns; rejects infinite values (as scikit-learn does). */
  static fit(X, options = {}) {
    return _BinMapper.fitTransform(X, options).mapper;
  }
  /**
   * Learns bin edges and bins the training rows in the same pass (the per-bin value ranges
   * come from the codes, so every value is searched once).
   */
  static fitTransform(X, options = {}) {
    const maxBins = options.maxBins ?? MAX_BINS;
    if (!Number.isInteger(maxBins) || maxBins < 3 || maxBins > MAX_BINS) {
      throw new DataError(`maxBins must be an integer in 3..${MAX_BINS}, got ${maxBins}`);
    }
    const subsample = options.subsample ?? DEFAULT_BINNING_SUBSAMPLE;
    const sampleRows = X.nRows > subsample ? sampleIndices(X.nRows, subsample, options.randomState ?? null) : null;
    const edges = [];
    for (let j = 0; j < X.columns.length; j++) {
      const column = X.columns[j];
      checkColumn(column, j, X.nRows);
      edges.push(findEdges(column, sampleRows, maxBins - 1));
    }
    const binMin = edges.map((e) => new Float64Array(e.length + 1).fill(Number.POSITIVE_INFINITY));
    const binMax = edges.map((e) => new Float64Array(e.length + 1).fill(Number.NEGATIVE_INFINITY));
    const mapper = new _BinMapper(maxBins, edges, binMin, binMax);
    const binned = mapper.transform(X);
    const { codes, nFeatures, nRows } = binned;
    for (let j = 0; j < nFeatures; j++) {
      const column = X.columns[j];
      const lo = binMin[j];
      const hi = binMax[j];
      const missing = edges[j].length + 1;
      for (let i = 0, p = j; i < nRows; i++, p += nFeatures) {
        const b = codes[p];
        if (b === missing) continue;
        const v = column[i];
        if (v < lo[b]) lo[b] = v;
        if (v > hi[b]) hi[b] = v;
      }
      for (let b = 0; b < lo.length; b++) {
        if (lo[b] === Number.POSITIVE_INFINITY) {
          lo[b] = Number.NaN;
          hi[b] = Number.NaN;
        }
      }
    }
    return { mapper, binned };
  }
  /** Bins every row; throws DataError when the column count differs from the fitted one. */
  transform(X) {
    const nFeatures = this.edges.length;
    if (X.columns.length !== nFeatures) {
      throw new DataError(`expected ${nFeatures} feature columns, got ${X.columns.length}`, {
        hint: "transform data with the same columns the model was trained on"
      });
    }
    const nRows = X.nRows;
    const codes = new Uint8Array(nRows * nFeatures);
    for (let j = 0; j < nFeatures; j++) {
      const column = X.columns[j];
      checkColumn(column, j, nRows);
      const e = this.edges[j];
      const missing = e.length + 1;
      const padded = new Float64Array(MAX_BINS).fill(Number.POSITIVE_INFINITY);
      padded.set(e);
      for (let i = 0, p = j; i < nRows; i++, p += nFeatures) {
        const v = column[i];
        if (v !== v) {
          codes[p] = missing;
          continue;
        }
        let b = +(padded[127] < v) << 7;
        b += +(padded[b + 63] < v) << 6;
        b += +(padded[b + 31] < v) << 5;
        b += +(padded[b + 15] < v) << 4;
        b += +(padded[b + 7] < v) << 3;
        b += +(padded[b + 3] < v) << 2;
        b += +(padded[b + 1] < v) << 1;
        b += +(padded[b] < v);
        codes[p] = b;
      }
    }
    return { nRows, nFeatures, codes };
  }
  toJSON() {
    const nullable = (a) => Array.from(a, (v) => Number.isNaN(v) ? null : v);
    return {
      maxBins: this.maxBins,
      edges: this.edges.map((e) => Array.from(e)),
      binMin: this.binMin.map(nullable),
      binMax: this.binMax.map(nullable)
    };
  }
  static fromJSON(state) {
    const nanable = (a) => Float64Array.from(a, (v) => v ?? Number.NaN);
    return new _BinMapper(
      state.maxBins,
      state.edges.map((e) => Float64Array.from(e)),
      state.binMin.map(nanable),
      state.binMax.map(nanable)
    );
  }
};
function checkColumn(column, j, nRows) {
  if (column.length !== nRows) {
    throw new DataError(`feature column ${j} has ${column.length} values, expected ${nRows}`);
  }
  for (let i = 0; i < nRows; i++) {
    const v = column[i];
    if (v === Number.POSITIVE_INFINITY || v === Number.NEGATIVE_INFINITY) {
      throw new DataError(`feature column ${j} row ${i} is infinite`, {
        hint: "replace infinite values with finite ones or NaN (missing) before training"
      });
    }
  }
}
function midpoint(a, b) {
  const m = a / 2 + b / 2;
  return m >= b ? a : m;
}
function findEdges(column, rows, maxValueBins) {
  const n = rows ? rows.length : column.length;
  const values = new Float64Array(n);
  let k = 0;
  for (let i = 0; i < n; i++) {
    const v = column[rows ? rows[i] : i];
    if (!Number.isNaN(v)) values[k++] = v;
  }
  const sorted = values.subarray(0, k).sort();
  const distinct = [];
  for (let i = 0; i < k; i++) {
    if (i === 0 || sorted[i] !== sorted[i - 1]) {
      distinct.push(sorted[i]);
      if (distinct.length > maxValueBins) break;
    }
  }
  if (distinct.length <= maxValueBins) {
    const edges2 = new Float64Array(Math.max(0, distinct.length - 1));
    for (let i = 0; i < edges2.length; i++) edges2[i] = midpoint(distinct[i], distinct[i + 1]);
    return edges2;
  }
  const edges = [];
  for (let q = 1; q < maxValueBins; q++) {
    const pos = q / maxValueBins * (k - 1);
    const v = (sorted[Math.floor(pos)] + sorted[Math.ceil(pos)]) / 2;
    if (edges.length === 0 || v > edges[edges.length - 1]) edges.push(v);
  }
  return Float64Array.from(edges);
}
function sampleIndices(n, k, seed) {
  const rng = createRng(seed);
  const all = new Uint32Array(n);
  for (let i = 0; i < n; i++) all[i] = i;
  for (let i = 0; i < k; i++) {
    const r = i + Math.floor(rng() * (n - i));
    const t = all[i];
    all[i] = all[r];
    all[r] = t;
  }
  return all.slice(0, k).sort();
}
function createRng(seed) {
  let state = (seed ?? Math.floor(Math.random() * 4294967296)) >>> 0;
  return () => {
    state = state + 1831565813 >>> 0;
    let t = state;
    t = Math.imul(t ^ t >>> 15, t | 1);
    t ^= t + Math.imul(t ^ t >>> 7, t | 61);
    return ((t ^ t >>> 14) >>> 0) / 4294967296;
  };
}

// src/ml/decision-tree.ts
var MAX_TREE_DEPTH = 128;
var EPSILON = 2220446049250313e-31;
var SCORE_TOLERANCE = 1e-12;
function betterScore(score, best) {
  return score - best > SCORE_TOLERANCE * Math.abs(best);
}
var HISTOGRAM_MEMORY_BYTES = 256 * 1024 * 1024;
var SMALL_NODE_ROWS_MAX = 4096;
function resolveParams(params, task) {
  const criterion = params.criterion ?? (task === "regression" ? "squared_error" : "gini");
  if (task === "regression" && criterion !== "squared_error") {
    throw new DataError(`criterion '${criterion}' is not supported by the regressor; use 'squared_error'`);
  }
  if (task === "classification" && criterion !== "gini" && criterion !== "entropy") {
    throw new DataError(
      `criterion '${criterion}' is not supported by the classifier; use 'gini' or 'entropy'`
    );
  }
  const resolved = {
    criterion,
    max_depth: params.max_depth ?? null,
    min_samples_split: params.min_samples_split ?? 2,
    min_samples_leaf: params.min_samples_leaf ?? 1,
    max_features: params.max_features ?? null,
    min_impurity_decrease: params.min_impurity_decrease ?? 0,
    random_state: params.random_state ?? null
  };
  const md = resolved.max_depth;
  if (md !== null && (!Number.isInteger(md) || md < 1)) {
    throw new DataError(`max_depth must be a positive integer or null, got ${md}`);
  }
  checkCountOrFraction("min_samples_split", resolved.min_samples_split, 2);
  checkCountOrFraction("min_samples_leaf", resolved.min_samples_leaf, 1);
  if (!(resolved.min_impurity_decrease >= 0)) {
    throw new DataError(`min_impurity_decrease must be >= 0, got ${resolved.min_impurity_decrease}`);
  }
  const rs = resolved.random_state;
  if (rs !== null && !Number.isInteger(rs)) {
    throw new DataError(`random_state must be an integer or null, got ${JSON.stringify(rs)}`);
  }
  const mf = resolved.max_features;
  if (mf !== null && mf !== "sqrt" && mf !== "log2" && !(typeof mf === "number" && mf > 0)) {
    throw new DataError(`max_features must be a positive number, 'sqrt', 'log2' or null, got ${String(mf)}`);
  }
  return resolved;
}
function checkCountOrFraction(name, v, minCount) {
  const ok = Number.isInteger(v) ? v >= minCount : v > 0 && v < 1;
  if (!ok) {
    throw new DataError(`${name} must be an integer >= ${minCount} or a fraction in (0, 1), got ${v}`);
  }
}
function resolveMaxFeatures(mf, nFeatures) {
  if (mf === null) return nFeatures;
  if (mf === "sqrt") return Math.max(1, Math.floor(Math.sqrt(nFeatures)));
  if (mf === "log2") return Math.max(1, Math.floor(Math.log2(nFeatures)));
  if (Number.isInteger(mf) && mf >= 1) return Math.min(nFeatures, mf);
  return Math.max(1, Math.floor(mf * nFeatures));
}
var NodeList = class {
  feature = [];
  threshold = [];
  left = [];
  right = [];
  missingLeft = [];
  nNodeSamples = [];
  impurity = [];
  value = [];
  add(n, impurity, value) {
    const id = this.feature.length;
    this.feature.push(-1);
    this.threshold.push(0);
    this.left.push(-1);
    this.right.push(-1);
    this.missingLeft.push(0);
    this.nNodeSamples.push(n);
    this.impurity.push(impurity);
    for (let k = 0; k < value.length; k++) this.value.push(value[k]);
    return id;
  }
  finish(nFeatures, nOutputs) {
    return {
      nFeatures,
      nOutputs,
      feature: Int32Array.from(this.feature),
      threshold: Float64Array.from(this.threshold),
      left: Int32Array.from(this.left),
      right: Int32Array.from(this.right),
      missingLeft: Uint8Array.from(this.missingLeft),
      nNodeSamples: Int32Array.from(this.nNodeSamples),
      impurity: Float64Array.from(this.impurity),
      value: Float64Array.from(this.value)
    };
  }
};
function growTree(input) {
  const { binned, mapper } = input;
  const classification = input.nClasses > 0;
  const p = resolveParams(input.params, classification ? "classification" : "regression");
  const F = binned.nFeatures;
  const K = classification ? input.nClasses : 1;
  const yReg = classification ? null : input.y;
  const yCls = classification ? input.y : null;
  const codes = binned.codes;
  if (mapper.nFeatures !== F) {
    throw new DataError(`the bin mapper has ${mapper.nFeatures} features but the binned matrix has ${F}`);
  }
  if (input.y.length !== binned.nRows) {
    throw new DataError(
      `the target has ${input.y.length} values but the binned matrix has ${binned.nRows} rows`
    );
  }
  if (yCls) {
    for (let i = 0; i < yCls.length; i++) {
      if (!(yCls[i] >= 0 && yCls[i] < K))
        throw new DataError(`class index ${yCls[i]} at row ${i} is outside 0..${K - 1}`);
    }
  }
  const idx = input.rows ? Uint32Array.from(input.rows) : new Uint32Array(binned.nRows);
  if (input.rows) {
    for (let k = 0; k < idx.length; k++) {
      if (idx[k] >= binned.nRows)
        throw new DataError(`rows[${k}] = ${idx[k]} is not a row of the binned matrix`);
    }
  } else {
    for (let i = 0; i < idx.length; i++) idx[i] = i;
  }
  const nTotal = idx.length;
  if (nTotal === 0) throw new DataError("cannot fit a decision tree on 0 rows");
  const minLeaf = Number.isInteger(p.min_samples_leaf) ? p.min_samples_leaf : Math.ceil(p.min_samples_leaf * nTotal);
  const minSplit = Math.max(
    Number.isInteger(p.min_samples_split) ? p.min_samples_split : Math.max(2, Math.ceil(p.min_samples_split * nTotal)),
    2 * minLeaf
  );
  const maxDepth = Math.min(p.max_depth ?? MAX_TREE_DEPTH, MAX_TREE_DEPTH);
  const maxFeatures = resolveMaxFeatures(p.max_features, F);
  const rng = maxFeatures < F ? createRng(p.random_state) : null;
  const entropy = p.criterion === "entropy";
  const S = classification ? K + 1 : 2;
  const off = new Int32Array(F + 1);
  const nValueBins = new Int32Array(F);
  for (let j = 0; j < F; j++) {
    nValueBins[j] = mapper.nValueBins(j);
    off[j + 1] = off[j] + nValueBins[j] + 1;
  }
  const histLength = off[F] * S;
  const maxLiveHists = Math.max(
    4,
    Math.floor((input.histogramMemoryBytes ?? HISTOGRAM_MEMORY_BYTES) / (histLength * 8))
  );
  let liveHists = 0;
  const pool = [];
  const acquire = () => {
    liveHists++;
    const h = pool.pop();
    if (h) {
      h.fill(0);
      return h;
    }
    return new Float64Array(histLength);
  };
  const release = (h) => {
    liveHists--;
    if (pool.length < 4) pool.push(h);
  };
  const buildHist = (start, end) => {
    const h = acquire();
    if (yReg) {
      for (let k = start; k < end; k++) {
        const s = idx[k];
        const g = yReg[s];
        const base = s * F;
        for (let j = 0; j < F; j++) {
          const q = (off[j] + codes[base + j]) * 2;
          h[q] += g;
          h[q + 1] += 1;
        }
      }
    } else if (yCls) {
      for (let k = start; k < end; k++) {
        const s = idx[k];
        const c = yCls[s];
        const base = s * F;
        for (let j = 0; j < F; j++) {
          const q = (off[j] + codes[base + j]) * S;
          h[q + c] += 1;
          h[q + K] += 1;
        }
      }
    }
    return h;
  };
  const statsOf = (start, end) => {
    const stats = { n: end - start, sum: 0, sumSq: 0, classCounts: new Float64Array(K) };
    if (yReg) {
      let sum = 0;
      let sumSq = 0;
      for (let k = start; k < end; k++) {
        const v = yReg[idx[k]];
        sum += v;
        sumSq += v * v;
      }
      stats.sum = sum;
      stats.sumSq = sumSq;
    } else if (yCls) {
      for (let k = start; k < end; k++) stats.classCounts[yCls[idx[k]]] += 1;
    }
    return stats;
  };
  const impurityOf = (st) => {
    if (!classification) {
      const mean = st.sum / st.n;
      return Math.max(0, st.sumSq / st.n - mean * mean);
    }
    let acc = 0;
    for (let k = 0; k < K; k++) {
      const f = st.classCounts[k] / st.n;
      if (f > 0) acc += entropy ? -f * Math.log2(f) : f * f;
    }
    return entropy ? acc : 1 - acc;
  };
  const nodeValue = (st) => {
    if (!classification) return Float64Array.of(st.sum / st.n);
    const v = new Float64Array(K);
    for (let k = 0; k < K; k++) v[k] = st.classCounts[k] / st.n;
    return v;
  };
  const isLeafBySize = (n, depth, impurity) => depth >= maxDepth || n < minSplit || n < 2 * minLeaf || impurity <= EPSILON;
  const leftCounts = new Float64Array(K);
  const missCounts = new Float64Array(K);
  const featureOrder = new Int32Array(F);
  for (let j = 0; j < F; j++) featureOrder[j] = j;
  const childScore = (counts, sum, n, total2) => {
    if (!classification) return sum * sum / n;
    let acc = 0;
    if (entropy) {
      for (let k = 0; k < K; k++) {
        const c = counts ? counts[k] : total2[k];
        if (c > 0) acc += c * Math.log2(c);
      }
      return acc - n * Math.log2(n);
    }
    for (let k = 0; k < K; k++) {
      const c = counts ? counts[k] : total2[k];
      acc += c * c;
    }
    return acc / n;
  };
  const rightCounts = new Float64Array(K);
  const shuffleFeatures = () => {
    if (!rng) return;
    for (let j = F - 1; j > 0; j--) {
      const r = Math.floor(rng() * (j + 1));
      const t = featureOrder[j];
      featureOrder[j] = featureOrder[r];
      featureOrder[r] = t;
    }
  };
  const findSplitInHistogram = (node) => {
    const h = node.hist;
    const n = node.stats.n;
    const totalSum = node.stats.sum;
    const totalCounts = node.stats.classCounts;
    let best = null;
    shuffleFeatures();
    let visited = 0;
    for (let fi = 0; fi < F && visited < maxFeatures; fi++) {
      const j = featureOrder[fi];
      const nb = nValueBins[j];
      const base = off[j];
      const missQ = (base + nb) * S;
      const missN = h[missQ + S - 1];
      let occupied = missN > 0 ? 1 : 0;
      for (let b = 0; b < nb && occupied < 2; b++) if (h[(base + b) * S + S - 1] > 0) occupied++;
      if (occupied < 2) continue;
      visited++;
      const missSum = classification ? 0 : h[missQ];
      if (classification) for (let k = 0; k < K; k++) missCounts[k] = h[missQ + k];
      leftCounts.fill(0);
      let leftN = 0;
      let leftSum = 0;
      for (let b = 0; b < nb; b++) {
        const q = (base + b) * S;
        const cnt = h[q + S - 1];
        leftN += cnt;
        if (classification) {
          if (cnt > 0) for (let k = 0; k < K; k++) leftCounts[k] += h[q + k];
        } else {
          leftSum += h[q];
        }
        if (leftN === 0) continue;
        for (let side = 0; side < 2; side++) {
          const missLeft = side === 1;
          if (missLeft && missN === 0) break;
          const nL = missLeft ? leftN + missN : leftN;
          const nR = n - nL;
          if (nL < minLeaf || nR < minLeaf || nL === 0 || nR === 0) continue;
          let score;
          if (classification) {
            if (missLeft) for (let k = 0; k < K; k++) leftCounts[k] += missCounts[k];
            for (let k = 0; k < K; k++) rightCounts[k] = totalCounts[k] - leftCounts[k];
            score = childScore(leftCounts, 0, nL, null) + childScore(rightCounts, 0, nR, null);
            if (missLeft) for (let k = 0; k < K; k++) leftCounts[k] -= missCounts[k];
          } else {
            const sL = missLeft ? leftSum + missSum : leftSum;
            score = childScore(null, sL, nL, null) + childScore(null, totalSum - sL, nR, null);
          }
          if (best === null || betterScore(score, best.score)) {
            best = { feature: j, bin: b, missingLeft: missLeft, score, lo: -1, hi: -1, nMissing: missN };
          }
        }
      }
    }
    if (best !== null) {
      const base = off[best.feature];
      const nb = nValueBins[best.feature];
      for (let b = best.bin; b >= 0 && best.lo < 0; b--) if (h[(base + b) * S + S - 1] > 0) best.lo = b;
      for (let b = best.bin + 1; b < nb && best.hi < 0; b++) if (h[(base + b) * S + S - 1] > 0) best.hi = b;
    }
    return best;
  };
  const smallRows = Math.min(
    SMALL_NODE_ROWS_MAX,
    input.smallNodeRows ?? Math.max(8, Math.floor(off[F] / F * S / (classification ? 4 : 8)))
  );
  const keys = new Int32Array(Math.max(smallRows, 1));
  const findSplitBySorting = (node) => {
    const { start } = node;
    const n = node.stats.n;
    const totalSum = node.stats.sum;
    const totalCounts = node.stats.classCounts;
    let best = null;
    shuffleFeatures();
    let visited = 0;
    for (let fi = 0; fi < F && visited < maxFeatures; fi++) {
      const j = featureOrder[fi];
      const missing = nValueBins[j];
      for (let k2 = 0; k2 < n; k2++) keys[k2] = codes[idx[start + k2] * F + j] << 12 | k2;
      const sorted = keys.subarray(0, n).sort();
      if (sorted[0] >> 12 === sorted[n - 1] >> 12) continue;
      visited++;
      let valuesEnd = n;
      while (valuesEnd > 0 && sorted[valuesEnd - 1] >> 12 === missing) valuesEnd--;
      const missN = n - valuesEnd;
      let missSum = 0;
      missCounts.fill(0);
      for (let k2 = valuesEnd; k2 < n; k2++) {
        const s = idx[start + (sorted[k2] & 4095)];
        if (yReg) missSum += yReg[s];
        else if (yCls) missCounts[yCls[s]] += 1;
      }
      leftCounts.fill(0);
      let leftN = 0;
      let leftSum = 0;
      let k = 0;
      while (k < valuesEnd) {
        const lo = sorted[k] >> 12;
        while (k < valuesEnd && sorted[k] >> 12 === lo) {
          const s = idx[start + (sorted[k] & 4095)];
          leftN++;
          if (yReg) leftSum += yReg[s];
          else if (yCls) leftCounts[yCls[s]] += 1;
          k++;
        }
        const hi = k < valuesEnd ? sorted[k] >> 12 : -1;
        for (let side = 0; side < 2; side++) {
          const missLeft = side === 1;
          if (missLeft && missN === 0) break;
          const nL = missLeft ? leftN + missN : leftN;
          const nR = n - nL;
          if (nL < minLeaf || nR < minLeaf || nL === 0 || nR === 0) continue;
          let score;
          if (classification) {
            if (missLeft) for (let c = 0; c < K; c++) leftCounts[c] += missCounts[c];
            for (let c = 0; c < K; c++) rightCounts[c] = totalCounts[c] - leftCounts[c];
            score = childScore(leftCounts, 0, nL, null) + childScore(rightCounts, 0, nR, null);
            if (missLeft) for (let c = 0; c < K; c++) leftCounts[c] -= missCounts[c];
          } else {
            const sL = missLeft ? leftSum + missSum : leftSum;
            score = childScore(null, sL, nL, null) + childScore(null, totalSum - sL, nR, null);
          }
          if (best === null || betterScore(score, best.score)) {
            best = { feature: j, bin: lo, missingLeft: missLeft, score, lo, hi, nMissing: missN };
          }
        }
      }
    }
    return best;
  };
  const thresholdOf = (split) => {
    if (split.hi < 0) return Number.MAX_VALUE;
    if (split.lo < 0) return -Number.MAX_VALUE;
    const below = mapper.binMax[split.feature][split.lo];
    const above = mapper.binMin[split.feature][split.hi];
    if (Number.isNaN(below) || Number.isNaN(above)) return mapper.edges[split.feature][split.lo];
    return midpoint(below, above);
  };
  const scratch = new Uint32Array(nTotal);
  const partition = (start, end, split) => {
    const j = split.feature;
    const missing = nValueBins[j];
    const bin = split.bin;
    const mLeft = split.missingLeft;
    let w = start;
    let r = 0;
    for (let k = start; k < end; k++) {
      const s = idx[k];
      const c = codes[s * F + j];
      const goLeft = c === missing ? mLeft : c <= bin;
      if (goLeft) idx[w++] = s;
      else scratch[r++] = s;
    }
    idx.set(scratch.subarray(0, r), w);
    return w;
  };
  const nodes = new NodeList();
  const importances = new Float64Array(F);
  const rootStats = statsOf(0, nTotal);
  const rootImpurity = impurityOf(rootStats);
  const stack = [
    {
      start: 0,
      end: nTotal,
      depth: 0,
      stats: rootStats,
      impurity: rootImpurity,
      leaf: isLeafBySize(nTotal, 0, rootImpurity),
      hist: isLeafBySize(nTotal, 0, rootImpurity) || nTotal <= smallRows ? null : buildHist(0, nTotal),
      parent: -1,
      isLeft: false
    }
  ];
  while (stack.length > 0) {
    const node = stack.pop();
    const id = nodes.add(node.stats.n, node.impurity, nodeValue(node.stats));
    if (node.parent >= 0) {
      if (node.isLeft) nodes.left[node.parent] = id;
      else nodes.right[node.parent] = id;
    }
    if (node.leaf) continue;
    if (node.hist === null && node.stats.n > smallRows) node.hist = buildHist(node.start, node.end);
    const hist = node.hist;
    const split = hist ? findSplitInHistogram(node) : findSplitBySorting(node);
    if (split === null) {
      if (hist) release(hist);
      continue;
    }
    const threshold = thresholdOf(split);
    const mid = partition(node.start, node.end, split);
    const leftStats = statsOf(node.start, mid);
    const rightStats = statsOf(mid, node.end);
    const impL = impurityOf(leftStats);
    const impR = impurityOf(rightStats);
    const n = node.stats.n;
    const weightedDecrease = n * node.impurity - leftStats.n * impL - rightStats.n * impR;
    const improvement = weightedDecrease / nTotal;
    if (improvement + EPSILON < p.min_impurity_decrease) {
      if (hist) release(hist);
      continue;
    }
    nodes.feature[id] = split.feature;
    nodes.threshold[id] = threshold;
    nodes.missingLeft[id] = split.missingLeft ? 1 : 0;
    if (split.nMissing === 0) nodes.missingLeft[id] = leftStats.n >= rightStats.n ? 1 : 0;
    importances[split.feature] += weightedDecrease;
    const depth = node.depth + 1;
    const leftLeaf = isLeafBySize(leftStats.n, depth, impL);
    const rightLeaf = isLeafBySize(rightStats.n, depth, impR);
    const leftNeeds = hist !== null && !leftLeaf && leftStats.n > smallRows;
    const rightNeeds = hist !== null && !rightLeaf && rightStats.n > smallRows;
    let leftHist = null;
    let rightHist = null;
    if (hist !== null && leftNeeds && rightNeeds) {
      const leftSmaller = leftStats.n <= rightStats.n;
      const small = leftSmaller ? buildHist(node.start, mid) : buildHist(mid, node.end);
      for (let q = 0; q < histLength; q++) hist[q] -= small[q];
      leftHist = leftSmaller ? small : hist;
      rightHist = leftSmaller ? hist : small;
    } else if (hist !== null && (leftNeeds || rightNeeds)) {
      const [aStart, aEnd, bStart, bEnd] = leftNeeds ? [node.start, mid, mid, node.end] : [mid, node.end, node.start, mid];
      let needed;
      if (bEnd - bStart < aEnd - aStart) {
        const other = buildHist(bStart, bEnd);
        for (let q = 0; q < histLength; q++) hist[q] -= other[q];
        release(other);
        needed = hist;
      } else {
        release(hist);
        needed = buildHist(aStart, aEnd);
      }
      if (leftNeeds) leftHist = needed;
      else rightHist = needed;
    } else if (hist !== null) {
      release(hist);
    }
    if (rightHist !== null && liveHists > maxLiveHists) {
      release(rightHist);
      rightHist = null;
    }
    stack.push({
      start: mid,
      end: node.end,
      depth,
      stats: rightStats,
      impurity: impR,
      leaf: rightLeaf,
      hist: rightHist,
      parent: id,
      isLeft: false
    });
    stack.push({
      start: node.start,
      end: mid,
      depth,
      stats: leftStats,
      impurity: impL,
      leaf: leftLeaf,
      hist: leftHist,
      parent: id,
      isLeft: true
    });
  }
  let total = 0;
  for (let j = 0; j < F; j++) total += importances[j];
  if (total > 0) for (let j = 0; j < F; j++) importances[j] /= total;
  return { tree: nodes.finish(F, classification ? K : 1), featureImportances: importances };
}
function applyTree(tree, X) {
  checkPredictInput(tree.nFeatures, X);
  const { feature, threshold, left, right, missingLeft } = tree;
  const cols = X.columns;
  const out = new Int32Array(X.nRows);
  for (let i = 0; i < X.nRows; i++) {
    let node = 0;
    while (left[node] !== -1) {
      const x = cols[feature[node]][i];
      if (x <= threshold[node]) node = left[node];
      else if (x > threshold[node]) node = right[node];
      else node = missingLeft[node] === 1 ? left[node] : right[node];
    }
    out[i] = node;
  }
  return out;
}
function checkPredictInput(nFeatures, X) {
  if (X.columns.length !== nFeatures) {
    throw new DataError(`the tree was trained on ${nFeatures} features but got ${X.columns.length}`, {
      hint: "transform prediction data with the same transformer used for training"
    });
  }
  for (let j = 0; j < nFeatures; j++) {
    if (X.columns[j].length !== X.nRows) {
      throw new DataError(`feature column ${j} has ${X.columns[j].length} values, expected ${X.nRows}`);
    }
  }
}
function treeDepth(tree) {
  const depth = new Int32Array(tree.left.length);
  let max = 0;
  for (let node = 0; node < tree.left.length; node++) {
    if (tree.left[node] !== -1) {
      depth[tree.left[node]] = depth[node] + 1;
      depth[tree.right[node]] = depth[node] + 1;
    } else if (depth[node] > max) {
      max = depth[node];
    }
  }
  return max;
}
function treeToJSON(tree, importances) {
  return {
    n_features: tree.nFeatures,
    n_outputs: tree.nOutputs,
    feature: Array.from(tree.feature),
    threshold: Array.from(tree.threshold),
    left: Array.from(tree.left),
    right: Array.from(tree.right),
    missing_left: Array.from(tree.missingLeft),
    n_node_samples: Array.from(tree.nNodeSamples),
    impurity: Array.from(tree.impurity),
    value: Array.from(tree.value),
    feature_importances: Array.from(importances)
  };
}
function treeFromJSON(name, state) {
  const s = state;
  const arrays = [
    "feature",
    "threshold",
    "left",
    "right",
    "missing_left",
    "n_node_samples",
    "impurity",
    "value"
  ];
  for (const key of [...arrays, "feature_importances"]) {
    if (!Array.isArray(s[key])) {
      throw new DataError(`${name} state: field '${key}' is missing or not an array`, {
        hint: "the saved model is damaged or was written by another program; retrain it"
      });
    }
  }
  if (typeof s.n_features !== "number" || typeof s.n_outputs !== "number") {
    throw new DataError(`${name} state: fields 'n_features' and 'n_outputs' must be numbers`);
  }
  const nNodes = s.feature.length;
  if (nNodes === 0 || s.value.length !== nNodes * s.n_outputs) {
    throw new DataError(`${name} state: node arrays are inconsistent (${nNodes} nodes)`);
  }
  const tree = {
    nFeatures: s.n_features,
    nOutputs: s.n_outputs,
    feature: Int32Array.from(s.feature),
    threshold: Float64Array.from(s.threshold),
    left: Int32Array.from(s.left),
    right: Int32Array.from(s.right),
    missingLeft: Uint8Array.from(s.missing_left),
    nNodeSamples: Int32Array.from(s.n_node_samples),
    impurity: Float64Array.from(s.impurity),
    value: Float64Array.from(s.value)
  };
  for (let node = 0; node < nNodes; node++) {
    const l = tree.left[node];
    const r = tree.right[node];
    const leaf = l === -1;
    const badChild = (c) => c <= node || c >= nNodes;
    if (leaf ? r !== -1 : badChild(l) || badChild(r) || tree.feature[node] >= tree.nFeatures) {
      throw new DataError(`${name} state: node ${node} has invalid children or feature`);
    }
  }
  return { tree, featureImportances: Float64Array.from(s.feature_importances) };
}
function checkTrainingMatrix(X, nTargets) {
  if (X.columns.length === 0) throw new DataError("cannot fit a decision tree on 0 feature columns");
  if (nTargets !== X.nRows) {
    throw new DataError(`the target has ${nTargets} values but the feature matrix has ${X.nRows} rows`);
  }
}
var BaseDecisionTree = class {
  /** Parameters after defaults, with scikit-learn's names. */
  params;
  fitted = null;
  constructor(params, task) {
    this.params = resolveParams(params, task);
  }
  get grown() {
    if (this.fitted === null) {
      throw new DataError(`${this.constructor.name} is not fitted yet; call fit() first`);
    }
    return this.fitted;
  }
  /** The fitted tree's flat node arrays. */
  get tree() {
    return this.grown.tree;
  }
  /** Impurity-based feature importances, normalised to sum 1 (scikit-learn's `feature_importances_`). */
  get feature_importances_() {
    return this.grown.featureImportances;
  }
  getDepth() {
    return treeDepth(this.grown.tree);
  }
  getNLeaves() {
    let n = 0;
    for (const l of this.grown.tree.left) if (l === -1) n++;
    return n;
  }
  /** Leaf id reached by each row. */
  apply(X) {
    return applyTree(this.grown.tree, X);
  }
  growOn(X, y, nClasses) {
    const mapper = BinMapper.fit(X, { randomState: this.params.random_state });
    const binned = mapper.transform(X);
    this.fitted = growTree({ binned, mapper, y, nClasses, params: this.params });
  }
  stateJSON() {
    const g = this.grown;
    return treeToJSON(g.tree, g.featureImportances);
  }
};
function checkStateName(state, expected) {
  if (state.name !== expected) {
    throw new DataError(`cannot load a '${state.name}' state as ${expected}`);
  }
}
var DecisionTreeRegressor = class _DecisionTreeRegressor extends BaseDecisionTree {
  static estimatorName = "decision_tree_regressor";
  kind = "regressor";
  constructor(params = {}) {
    super(params, "regression");
  }
  fit(X, y) {
    checkTrainingMatrix(X, y.length);
    for (let i = 0; i < y.length; i++) {
      if (!Number.isFinite(y[i])) {
        throw new DataError(
          `target value at row ${i} is ${y[i]}; regression targets must be finite numbers`,
          {
            hint: "drop or fill rows with a missing target before training"
          }
        );
      }
    }
    this.growOn(X, y, 0);
  }
  predict(X) {
    const { tree } = this.grown;
    const leaves = applyTree(tree, X);
    const out = new Float64Array(X.nRows);
    for (let i = 0; i < out.length; i++) out[i] = tree.value[leaves[i]];
    return out;
  }
  toJSON() {
    return { name: _DecisionTreeRegressor.estimatorName, params: { ...this.params }, state: this.stateJSON() };
  }
  static fromJSON(state) {
    checkStateName(state, _DecisionTreeRegressor.estimatorName);
    const model = new _DecisionTreeRegressor(state.params);
    model.fitted = treeFromJSON(_DecisionTreeRegressor.estimatorName, state.state);
    return model;
  }
};
var DecisionTreeClassifier = class _DecisionTreeClassifier extends BaseDecisionTree {
  static estimatorName = "decision_tree_classifier";
  kind = "classifier";
  constructor(params = {}) {
    super(params, "classification");
  }
  get nClasses() {
    return this.grown.tree.nOutputs;
  }
  fit(X, y, nClasses) {
    checkTrainingMatrix(X, y.length);
    if (!Number.isInteger(nClasses) || nClasses < 1) {
      throw new DataError(`nClasses must be a positive integer, got ${nClasses}`);
    }
    for (let i = 0; i < y.length; i++) {
      if (y[i] < 0 || y[i] >= nClasses) {
        throw new DataError(`class index ${y[i]} at row ${i} is outside 0..${nClasses - 1}`);
      }
    }
    this.growOn(X, y, nClasses);
  }
  predictProba(X) {
    const { tree } = this.grown;
    const K = tree.nOutputs;
    const leaves = applyTree(tree, X);
    const out = Array.from({ length: K }, () => new Float64Array(X.nRows));
    for (let i = 0; i < X.nRows; i++) {
      const base = leaves[i] * K;
      for (let k = 0; k < K; k++) out[k][i] = tree.value[base + k];
    }
    return out;
  }
  predict(X) {
    const { tree } = this.grown;
    const K = tree.nOutputs;
    const leaves = applyTree(tree, X);
    const out = new Int32Array(X.nRows);
    for (let i = 0; i < X.nRows; i++) {
      const base = leaves[i] * K;
      let best = 0;
      for (let k = 1; k < K; k++) if (tree.value[base + k] > tree.value[base + best]) best = k;
      out[i] = best;
    }
    return out;
  }
  toJSON() {
    return {
      name: _DecisionTreeClassifier.estimatorName,
      params: { ...this.params },
      state: this.stateJSON()
    };
  }
  static fromJSON(state) {
    checkStateName(state, _DecisionTreeClassifier.estimatorName);
    const model = new _DecisionTreeClassifier(state.params);
    model.fitted = treeFromJSON(_DecisionTreeClassifier.estimatorName, state.state);
    return model;
  }
};

// src/ml/linalg.ts
var BLOCK_ROWS = 2048;
function validateTrainingData(X, yLength, estimator, options = {}) {
  validateShape(X, estimator);
  if (options.checkFinite ?? true) validateFinite(X, estimator);
  if (yLength !== X.nRows) {
    throw new DataError(`${estimator}: X has ${X.nRows} rows but y has ${yLength} values`, {
      hint: "pass one target value per row of X"
    });
  }
}
function validateFeatures(X, estimator, expectedColumns) {
  validateShape(X, estimator, expectedColumns);
  validateFinite(X, estimator);
}
function validateShape(X, estimator, expectedColumns) {
  if (X.nRows <= 0) {
    throw new DataError(`${estimator}: X has no rows`, { hint: "check that the dataset is not empty" });
  }
  if (X.columns.length === 0) {
    throw new DataError(`${estimator}: X has no feature columns`, {
      hint: "select at least one feature column"
    });
  }
  if (expectedColumns !== void 0 && X.columns.length !== expectedColumns) {
    throw new DataError(
      `${estimator}: X has ${X.columns.length} feature columns but the model was fitted on ${expectedColumns}`,
      { hint: "predict with the same feature columns, in the same order, as in training" }
    );
  }
  for (let j = 0; j < X.columns.length; j++) {
    if (X.columns[j].length !== X.nRows) {
      throw new DataError(
        `${estimator}: feature column ${j} has ${X.columns[j].length} values but X.nRows is ${X.nRows}`
      );
    }
  }
}
function validateFinite(X, estimator) {
  for (let j = 0; j < X.columns.length; j++) {
    const col = X.columns[j];
    for (let i = 0; i < col.length; i++) {
      if (!Number.isFinite(col[i])) {
        throw new DataError(
          `${estimator}: feature column ${j}, row ${i} is ${col[i]} (NaN or infinite values are not allowed)`,
          { hint: "impute or drop missing values in the transform step before training" }
        );
      }
    }
  }
}
function validateTargets(y, estimator) {
  for (let i = 0; i < y.length; i++) {
    if (!Number.isFinite(y[i])) {
      throw new DataError(`${estimator}: target y at row ${i} is ${y[i]} (must be a finite number)`, {
        hint: "drop rows whose target is missing before training"
      });
    }
  }
}
function gram(X, y, options = {}) {
  const p = X.columns.length;
  const n = X.nRows;
  const center = options.center ?? false;
  const shift = new Float64Array(p + 1);
  if (center && n > 0) {
    for (let j = 0; j < p; j++) shift[j] = X.columns[j][0];
    shift[p] = y[0];
  }
  const qPad = padTo4(p + 1);
  const acc = new Float64Array(qPad * qPad);
  const block = new Float64Array(qPad * BLOCK_ROWS);
  const sums = new Float64Array(p + 1);
  for (let start = 0; start < n; start += BLOCK_ROWS) {
    accumulateGramBlock({ X, y, shift, sums, block, qPad, acc, start, len: Math.min(BLOCK_ROWS, n - start) });
  }
  return gramResult({ acc, qPad, p, n, center, shift, sums });
}
function accumulateGramBlock(t) {
  const { X, y, shift, sums, block, qPad, acc, start, len } = t;
  const p = X.columns.length;
  for (let j = 0; j < p; j++) {
    sums[j] += copyShiftedColumn({
      src: X.columns[j],
      start,
      len,
      off: shift[j],
      block,
      base: j * BLOCK_ROWS
    });
  }
  sums[p] += copyShiftedTarget({ src: y, start, len, off: shift[p], block, base: p * BLOCK_ROWS });
  accumulateTiles({ a: block, b: block, qPad, len, acc });
}
function copyShiftedColumn(t) {
  const { src, start, len, off, block, base } = t;
  block.set(src.subarray(start, start + len), base);
  let s = 0;
  for (let i = base; i < base + len; i++) {
    const v = block[i] - off;
    block[i] = v;
    s += v;
  }
  return s;
}
function copyShiftedTarget(t) {
  const { src, start, len, off, block, base } = t;
  let s = 0;
  for (let i = 0; i < len; i++) {
    const v = src[start + i] - off;
    block[base + i] = v;
    s += v;
  }
  return s;
}
function gramResult(t) {
  const { acc, qPad, p, n, center, shift, sums } = t;
  const xtx = new Float64Array(p * p);
  const xty = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    for (let k = j; k < p; k++) {
      const v = acc[j * qPad + k] - (center ? sums[j] * sums[k] / n : 0);
      xtx[j * p + k] = v;
      xtx[k * p + j] = v;
    }
    xty[j] = acc[j * qPad + p] - (center ? sums[j] * sums[p] / n : 0);
  }
  const xMean = new Float64Array(p);
  if (center) for (let j = 0; j < p; j++) xMean[j] = shift[j] + sums[j] / n;
  const yMean = center ? shift[p] + sums[p] / n : 0;
  return { xtx, xty, xMean, yMean };
}
function padTo4(q) {
  return q + 3 & ~3;
}
function accumulateTiles(t) {
  const { a, b, qPad, len, acc } = t;
  for (let j = 0; j < qPad; j += 4) {
    const a0 = j * BLOCK_ROWS;
    const a1 = a0 + BLOCK_ROWS;
    const a2 = a1 + BLOCK_ROWS;
    const a3 = a2 + BLOCK_ROWS;
    if (a === b) accumulateDiagonalTile(a, a0, len, acc, j * qPad + j, qPad);
    else accumulateDiagonalTileAB({ a, b, a0, len, acc, r0: j * qPad + j, qPad });
    for (let k = j + 4; k < qPad; k += 4) {
      const b0 = k * BLOCK_ROWS;
      const b1 = b0 + BLOCK_ROWS;
      const b2 = b1 + BLOCK_ROWS;
      const b3 = b2 + BLOCK_ROWS;
      let s00 = 0;
      let s01 = 0;
      let s02 = 0;
      let s03 = 0;
      let s10 = 0;
      let s11 = 0;
      let s12 = 0;
      let s13 = 0;
      let s20 = 0;
      let s21 = 0;
      let s22 = 0;
      let s23 = 0;
      let s30 = 0;
      let s31 = 0;
      let s32 = 0;
      let s33 = 0;
      for (let i = 0; i < len; i++) {
        const x0 = a[a0 + i];
        const x1 = a[a1 + i];
        const x2 = a[a2 + i];
        const x3 = a[a3 + i];
        const y0 = b[b0 + i];
        s00 += x0 * y0;
        s10 += x1 * y0;
        s20 += x2 * y0;
        s30 += x3 * y0;
        const y1 = b[b1 + i];
        s01 += x0 * y1;
        s11 += x1 * y1;
        s21 += x2 * y1;
        s31 += x3 * y1;
        const y2 = b[b2 + i];
        s02 += x0 * y2;
        s12 += x1 * y2;
        s22 += x2 * y2;
        s32 += x3 * y2;
        const y3 = b[b3 + i];
        s03 += x0 * y3;
        s13 += x1 * y3;
        s23 += x2 * y3;
        s33 += x3 * y3;
      }
      const r0 = j * qPad + k;
      const r1 = r0 + qPad;
      const r2 = r1 + qPad;
      const r3 = r2 + qPad;
      acc[r0] += s00;
      acc[r0 + 1] += s01;
      acc[r0 + 2] += s02;
      acc[r0 + 3] += s03;
      acc[r1] += s10;
      acc[r1 + 1] += s11;
      acc[r1 + 2] += s12;
      acc[r1 + 3] += s13;
      acc[r2] += s20;
      acc[r2 + 1] += s21;
      acc[r2 + 2] += s22;
      acc[r2 + 3] += s23;
      acc[r3] += s30;
      acc[r3 + 1] += s31;
      acc[r3 + 2] += s32;
      acc[r3 + 3] += s33;
    }
  }
}
function accumulateDiagonalTile(a, a0, len, acc, r0, qPad) {
  const a1 = a0 + BLOCK_ROWS;
  const a2 = a1 + BLOCK_ROWS;
  const a3 = a2 + BLOCK_ROWS;
  let s00 = 0;
  let s01 = 0;
  let s02 = 0;
  let s03 = 0;
  let s11 = 0;
  let s12 = 0;
  let s13 = 0;
  let s22 = 0;
  let s23 = 0;
  let s33 = 0;
  for (let i = 0; i < len; i++) {
    const x0 = a[a0 + i];
    const x1 = a[a1 + i];
    const x2 = a[a2 + i];
    const x3 = a[a3 + i];
    s00 += x0 * x0;
    s01 += x0 * x1;
    s02 += x0 * x2;
    s03 += x0 * x3;
    s11 += x1 * x1;
    s12 += x1 * x2;
    s13 += x1 * x3;
    s22 += x2 * x2;
    s23 += x2 * x3;
    s33 += x3 * x3;
  }
  const r1 = r0 + qPad;
  const r2 = r1 + qPad;
  const r3 = r2 + qPad;
  acc[r0] += s00;
  acc[r0 + 1] += s01;
  acc[r0 + 2] += s02;
  acc[r0 + 3] += s03;
  acc[r1 + 1] += s11;
  acc[r1 + 2] += s12;
  acc[r1 + 3] += s13;
  acc[r2 + 2] += s22;
  acc[r2 + 3] += s23;
  acc[r3 + 3] += s33;
}
function accumulateDiagonalTileAB(t) {
  const { a, b, a0, len, acc, r0, qPad } = t;
  const a1 = a0 + BLOCK_ROWS;
  const a2 = a1 + BLOCK_ROWS;
  const a3 = a2 + BLOCK_ROWS;
  let s00 = 0;
  let s01 = 0;
  let s02 = 0;
  let s03 = 0;
  let s11 = 0;
  let s12 = 0;
  let s13 = 0;
  let s22 = 0;
  let s23 = 0;
  let s33 = 0;
  for (let i = 0; i < len; i++) {
    const x0 = a[a0 + i];
    const x1 = a[a1 + i];
    const x2 = a[a2 + i];
    const x3 = a[a3 + i];
    const y0 = b[a0 + i];
    const y1 = b[a1 + i];
    const y2 = b[a2 + i];
    const y3 = b[a3 + i];
    s00 += x0 * y0;
    s01 += x0 * y1;
    s02 += x0 * y2;
    s03 += x0 * y3;
    s11 += x1 * y1;
    s12 += x1 * y2;
    s13 += x1 * y3;
    s22 += x2 * y2;
    s23 += x2 * y3;
    s33 += x3 * y3;
  }
  const r1 = r0 + qPad;
  const r2 = r1 + qPad;
  const r3 = r2 + qPad;
  acc[r0] += s00;
  acc[r0 + 1] += s01;
  acc[r0 + 2] += s02;
  acc[r0 + 3] += s03;
  acc[r1 + 1] += s11;
  acc[r1 + 2] += s12;
  acc[r1 + 3] += s13;
  acc[r2 + 2] += s22;
  acc[r2 + 3] += s23;
  acc[r3 + 3] += s33;
}
function choleskyInPlace(a, p) {
  let maxDiag = 0;
  for (let i = 0; i < p; i++) maxDiag = Math.max(maxDiag, Math.abs(a[i * p + i]));
  const tiny = maxDiag * p * 1e-13;
  for (let j = 0; j < p; j++) {
    let d = a[j * p + j];
    for (let k = 0; k < j; k++) d -= a[j * p + k] * a[j * p + k];
    if (!(d > tiny)) return false;
    const ljj = Math.sqrt(d);
    a[j * p + j] = ljj;
    for (let i = j + 1; i < p; i++) {
      let s = a[i * p + j];
      for (let k = 0; k < j; k++) s -= a[i * p + k] * a[j * p + k];
      a[i * p + j] = s / ljj;
    }
  }
  return true;
}
function choleskySolve(l, p, b) {
  const x = Float64Array.from(b);
  for (let i = 0; i < p; i++) {
    let s = x[i];
    for (let k = 0; k < i; k++) s -= l[i * p + k] * x[k];
    x[i] = s / l[i * p + i];
  }
  for (let i = p - 1; i >= 0; i--) {
    let s = x[i];
    for (let k = i + 1; k < p; k++) s -= l[k * p + i] * x[k];
    x[i] = s / l[i * p + i];
  }
  return x;
}
function symmetricEigen(a, p) {
  const m = Float64Array.from(a);
  const v = new Float64Array(p * p);
  for (let i = 0; i < p; i++) v[i * p + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    let total = 0;
    for (let i = 0; i < p; i++) {
      for (let j = 0; j < p; j++) {
        const x = m[i * p + j] * m[i * p + j];
        total += x;
        if (i !== j) off += x;
      }
    }
    if (off <= total * 1e-32 || off === 0) break;
    for (let pi = 0; pi < p - 1; pi++) {
      for (let q = pi + 1; q < p; q++) {
        const apq = m[pi * p + q];
        if (apq === 0) continue;
        const app = m[pi * p + pi];
        const aqq = m[q * p + q];
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < p; k++) {
          const mkp = m[k * p + pi];
          const mkq = m[k * p + q];
          m[k * p + pi] = c * mkp - s * mkq;
          m[k * p + q] = s * mkp + c * mkq;
        }
        for (let k = 0; k < p; k++) {
          const mpk = m[pi * p + k];
          const mqk = m[q * p + k];
          m[pi * p + k] = c * mpk - s * mqk;
          m[q * p + k] = s * mpk + c * mqk;
        }
        for (let k = 0; k < p; k++) {
          const vkp = v[k * p + pi];
          const vkq = v[k * p + q];
          v[k * p + pi] = c * vkp - s * vkq;
          v[k * p + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const values = new Float64Array(p);
  for (let i = 0; i < p; i++) values[i] = m[i * p + i];
  return { values, vectors: v };
}
function pseudoInverseSolve(a, p, b, rcond = 1e-12) {
  const { values, vectors } = symmetricEigen(a, p);
  let maxVal = 0;
  for (const val of values) maxVal = Math.max(maxVal, Math.abs(val));
  const cutoff = maxVal * rcond;
  const x = new Float64Array(p);
  for (let k = 0; k < p; k++) {
    if (values[k] <= cutoff) continue;
    let proj = 0;
    for (let i = 0; i < p; i++) proj += vectors[i * p + k] * b[i];
    const scale = proj / values[k];
    for (let i = 0; i < p; i++) x[i] += scale * vectors[i * p + k];
  }
  return x;
}
function solveSymmetric(a, p, b) {
  const l = Float64Array.from(a);
  if (choleskyInPlace(l, p)) return choleskySolve(l, p, b);
  return pseudoInverseSolve(a, p, b);
}
function linearPredict(X, coef, intercept) {
  const n = X.nRows;
  const out = new Float64Array(n);
  for (let start = 0; start < n; start += BLOCK_ROWS) {
    const end = Math.min(n, start + BLOCK_ROWS);
    out.fill(intercept, start, end);
    for (let j = 0; j < X.columns.length; j++) {
      const col = X.columns[j];
      const w = coef[j];
      for (let i = start; i < end; i++) out[i] += w * col[i];
    }
  }
  return out;
}
function predictLinear(X, coef, intercept, estimator) {
  validateShape(X, estimator, coef.length);
  const out = linearPredict(X, coef, intercept);
  for (let i = 0; i < out.length; i++) {
    if (!Number.isFinite(out[i])) {
      validateFinite(X, estimator);
      throw new DataError(`${estimator}: prediction for row ${i} overflows (${out[i]})`, {
        hint: "the features are far outside the range seen in training; check their scale"
      });
    }
  }
  return out;
}
function readNumberArray(state, key, estimator) {
  const value = state[key];
  if (!Array.isArray(value) || !value.every((v) => typeof v === "number")) {
    throw new DataError(`${estimator}: saved state field "${key}" must be an array of numbers`, {
      hint: "the model file is corrupt or was written by an incompatible version; retrain the model"
    });
  }
  return Float64Array.from(value);
}
function readNumber(state, key, estimator) {
  const value = state[key];
  if (typeof value !== "number") {
    throw new DataError(`${estimator}: saved state field "${key}" must be a number`, {
      hint: "the model file is corrupt or was written by an incompatible version; retrain the model"
    });
  }
  return value;
}
function expectEstimatorName(state, name) {
  if (state.name !== name) {
    throw new DataError(`cannot load a "${state.name}" model as ${name}`, {
      hint: `load it with the estimator registered as "${state.name}"`
    });
  }
}
function asRecord(value) {
  return value !== null && typeof value === "object" ? value : {};
}
function weightedGram(X, weights, withIntercept) {
  const p = X.columns.length;
  const q = withIntercept ? p + 1 : p;
  const qPad = padTo4(q);
  const n = X.nRows;
  const acc = new Float64Array(qPad * qPad);
  const block = new Float64Array(qPad * BLOCK_ROWS);
  const scaled = new Float64Array(qPad * BLOCK_ROWS);
  for (let start = 0; start < n; start += BLOCK_ROWS) {
    const len = Math.min(BLOCK_ROWS, n - start);
    for (let j = 0; j < p; j++) {
      const col = X.columns[j];
      const base = j * BLOCK_ROWS;
      for (let i = 0; i < len; i++) {
        const x = col[start + i];
        block[base + i] = x;
        scaled[base + i] = x * weights[start + i];
      }
    }
    if (withIntercept) {
      const base = p * BLOCK_ROWS;
      for (let i = 0; i < len; i++) {
        block[base + i] = 1;
        scaled[base + i] = weights[start + i];
      }
    }
    accumulateTiles({ a: scaled, b: block, qPad, len, acc });
  }
  const out = new Float64Array(q * q);
  for (let j = 0; j < q; j++) {
    for (let k = j; k < q; k++) {
      out[j * q + k] = acc[j * qPad + k];
      out[k * q + j] = acc[j * qPad + k];
    }
  }
  return out;
}
function transposeTimes(X, v) {
  const out = new Float64Array(X.columns.length);
  for (let j = 0; j < X.columns.length; j++) {
    const col = X.columns[j];
    let s = 0;
    for (let i = 0; i < col.length; i++) s += col[i] * v[i];
    out[j] = s;
  }
  return out;
}

// src/ml/linear-regression.ts
function fitLeastSquares(options) {
  const { X, y, alpha, fitIntercept, estimator } = options;
  validateTrainingData(X, y.length, estimator, { checkFinite: false });
  const p = X.columns.length;
  const { xtx, xty, xMean, yMean } = gram(X, y, { center: fitIntercept });
  if (!xtx.every(Number.isFinite) || !xty.every(Number.isFinite)) {
    validateFinite(X, estimator);
    validateTargets(y, estimator);
    throw new DataError(
      `${estimator}: the values of X or y are too large to square (the Gram matrix overflows)`,
      {
        hint: "rescale the features and target (e.g. a scaler in the transform step)"
      }
    );
  }
  for (let j = 0; j < p; j++) xtx[j * p + j] += alpha;
  const coef = solveSymmetric(xtx, p, xty);
  let intercept = 0;
  if (fitIntercept) {
    intercept = yMean;
    for (let j = 0; j < p; j++) intercept -= xMean[j] * coef[j];
  }
  return { coef, intercept };
}
var LinearRegression = class _LinearRegression {
  kind = "regressor";
  static estimatorName = "linear_regression";
  params;
  coef;
  intercept = 0;
  constructor(params = {}) {
    this.params = { fit_intercept: params.fit_intercept ?? true };
  }
  fit(X, y) {
    const fitted = fitLeastSquares({
      X,
      y,
      alpha: 0,
      fitIntercept: this.params.fit_intercept,
      estimator: _LinearRegression.estimatorName
    });
    this.coef = fitted.coef;
    this.intercept = fitted.intercept;
  }
  predict(X) {
    const coef = requireFitted(this.coef, _LinearRegression.estimatorName);
    return predictLinear(X, coef, this.intercept, _LinearRegression.estimatorName);
  }
  toJSON() {
    const coef = requireFitted(this.coef, _LinearRegression.estimatorName);
    return {
      name: _LinearRegression.estimatorName,
      params: { ...this.params },
      state: { coef: Array.from(coef), intercept: this.intercept }
    };
  }
  static fromJSON(state) {
    expectEstimatorName(state, _LinearRegression.estimatorName);
    const model = new _LinearRegression(state.params);
    model.coef = readNumberArray(state.state, "coef", _LinearRegression.estimatorName);
    model.intercept = readNumber(state.state, "intercept", _LinearRegression.estimatorName);
    return model;
  }
};
function requireFitted(value, estimator) {
  if (value === void 0) {
    throw new DataError(`${estimator}: the model is not fitted yet`, { hint: "call fit() before predict()" });
  }
  return value;
}

// src/ml/logistic-regression.ts
var sigmoid = (z) => {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
};
function binaryLossAndProb(z, positive, prob) {
  let loss = 0;
  for (let i = 0; i < z.length; i++) {
    const zi = z[i];
    const e = Math.exp(-Math.abs(zi));
    loss += Math.max(zi, 0) + Math.log1p(e) - (positive[i] ? zi : 0);
    prob[i] = zi >= 0 ? 1 / (1 + e) : e / (1 + e);
  }
  return loss;
}
function fitBinary(X, positive, opts) {
  const p = X.columns.length;
  const n = X.nRows;
  const q = opts.fitIntercept ? p + 1 : p;
  const theta = new Float64Array(q);
  let z = linearScores(X, theta, opts.fitIntercept);
  let prob = new Float64Array(n);
  let zNew = new Float64Array(n);
  let probNew = new Float64Array(n);
  const r = new Float64Array(n);
  const s = new Float64Array(n);
  const penalty = (th) => {
    let pen = 0;
    for (let j = 0; j < p; j++) pen += th[j] * th[j];
    return 0.5 * pen;
  };
  let f = penalty(theta) + opts.C * binaryLossAndProb(z, positive, prob);
  let iter = 0;
  for (; iter < opts.maxIter; iter++) {
    let gb = 0;
    for (let i = 0; i < n; i++) {
      const pi = prob[i];
      const ri = opts.C * (pi - positive[i]);
      r[i] = ri;
      gb += ri;
    }
    const gw = transposeTimes(X, r);
    const g = new Float64Array(q);
    for (let j = 0; j < p; j++) g[j] = gw[j] + theta[j];
    if (opts.fitIntercept) g[p] = gb;
    for (let i = 0; i < n; i++) s[i] = opts.C * prob[i] * (1 - prob[i]);
    const h = weightedGram(X, s, opts.fitIntercept);
    for (let j = 0; j < p; j++) h[j * q + j] += 1;
    const d = solveSymmetric(h, q, g);
    for (let j = 0; j < q; j++) d[j] = -d[j];
    const xd = linearScores(X, d, opts.fitIntercept);
    let slope = 0;
    for (let j = 0; j < q; j++) slope += g[j] * d[j];
    const t = lineSearch({
      f,
      slope,
      evaluate: (step) => {
        for (let i = 0; i < n; i++) zNew[i] = z[i] + step * xd[i];
        const th = theta.map((v, j) => v + step * d[j]);
        return penalty(th) + opts.C * binaryLossAndProb(zNew, positive, probNew);
      }
    });
    for (let j = 0; j < q; j++) theta[j] += t.step * d[j];
    [z, zNew] = [zNew, z];
    [prob, probNew] = [probNew, prob];
    f = t.value;
    if (converged(d, theta, t.step, opts.stepTol)) {
      iter++;
      break;
    }
  }
  return {
    coef: [theta.slice(0, p)],
    intercept: Float64Array.of(opts.fitIntercept ? theta[p] : 0),
    nIter: iter
  };
}
function linearScores(X, theta, withIntercept) {
  const p = X.columns.length;
  const out = new Float64Array(X.nRows).fill(withIntercept ? theta[p] : 0);
  for (let j = 0; j < p; j++) {
    const col = X.columns[j];
    const w = theta[j];
    if (w === 0) continue;
    for (let i = 0; i < out.length; i++) out[i] += w * col[i];
  }
  return out;
}
var WARM_START_MIN_ROWS = 4e4;
var WARM_START_ROWS = 1e5;
var WARM_START_MIN_STRIDE = 8;
var WARM_START_TOL = 1e-4;
function strideSample(X, labels) {
  const k = Math.max(WARM_START_MIN_STRIDE, Math.floor(X.nRows / WARM_START_ROWS));
  const m = Math.floor(X.nRows / k);
  const columns = X.columns.map((col) => {
    const out = new Float64Array(m);
    for (let i = 0; i < m; i++) out[i] = col[i * k];
    return out;
  });
  const sub = labels.slice(0, m);
  for (let i = 0; i < m; i++) sub[i] = labels[i * k];
  return { X: { nRows: m, columns }, labels: sub, scale: X.nRows / m, stride: k };
}
function binaryObjective(t) {
  const { X, positive, opts, theta, g, work } = t;
  const n = X.nRows;
  const p = X.columns.length;
  const C = opts.C;
  g.fill(0);
  let loss = 0;
  for (let start = 0; start < n; start += FUSED_ROWS) {
    const len = Math.min(FUSED_ROWS, n - start);
    work.fill(opts.fitIntercept ? theta[p] : 0, 0, len);
    for (let j = 0; j < p; j++) {
      const col = X.columns[j];
      const w = theta[j];
      for (let i = 0; i < len; i++) work[i] += w * col[start + i];
    }
    let prod = 1;
    for (let i = 0; i < len; i++) {
      const z = work[i];
      const e = Math.exp(-Math.abs(z));
      const yi = positive[start + i];
      loss += (z > 0 ? z : 0) - (yi ? z : 0);
      prod *= 1 + e;
      if ((i & 255) === 255) {
        loss += Math.log(prod);
        prod = 1;
      }
      const prob = z >= 0 ? 1 / (1 + e) : e / (1 + e);
      work[i] = C * (prob - yi);
    }
    loss += Math.log(prod);
    for (let j = 0; j < p; j++) {
      const col = X.columns[j];
      let s = 0;
      for (let i = 0; i < len; i++) s += work[i] * col[start + i];
      g[j] += s;
    }
    if (opts.fitIntercept) {
      let s = 0;
      for (let i = 0; i < len; i++) s += work[i];
      g[p] += s;
    }
  }
  let pen = 0;
  for (let j = 0; j < p; j++) {
    pen += theta[j] * theta[j];
    g[j] += theta[j];
  }
  return 0.5 * pen + C * loss;
}
function binaryHessianAt(X, theta, opts) {
  const p = X.columns.length;
  const q = opts.fitIntercept ? p + 1 : p;
  const z = linearScores(X, theta, opts.fitIntercept);
  const w = new Float64Array(X.nRows);
  for (let i = 0; i < w.length; i++) {
    const s = sigmoid(z[i]);
    w[i] = opts.C * opts.scale * s * (1 - s);
  }
  const h = weightedGram(X, w, opts.fitIntercept);
  for (let j = 0; j < p; j++) h[j * q + j] += 1;
  return h;
}
function fitBinaryWarm(X, positive, opts) {
  if (X.nRows < WARM_START_MIN_ROWS) return fitBinary(X, positive, opts);
  const p = X.columns.length;
  const sample = strideSample(X, positive);
  const sampleOpts = { ...opts, C: opts.C * sample.scale, stepTol: WARM_START_TOL };
  const work = new Float64Array(FUSED_ROWS);
  const zero = new Float64Array(opts.fitIntercept ? p + 1 : p);
  const warm = quasiNewton({
    init: zero,
    h0: binaryHessianAt(sample.X, zero, { ...sampleOpts, scale: 1 }),
    maxIter: opts.maxIter,
    stepTol: WARM_START_TOL,
    objective: (theta, g) => binaryObjective({ X: sample.X, positive: sample.labels, opts: sampleOpts, theta, g, work })
  });
  const res = quasiNewton({
    init: warm.theta,
    h0: binaryHessianAt(sample.X, warm.theta, { ...opts, scale: sample.scale }),
    maxIter: opts.maxIter,
    stepTol: opts.stepTol,
    objective: (theta, g) => binaryObjective({ X, positive, opts, theta, g, work })
  });
  return {
    coef: [res.theta.slice(0, p)],
    intercept: Float64Array.of(opts.fitIntercept ? res.theta[p] : 0),
    nIter: res.nIter + warm.nIter
  };
}
function converged(d, theta, step, tol) {
  let maxStep = 0;
  let maxTheta = 0;
  for (let j = 0; j < d.length; j++) {
    maxStep = Math.max(maxStep, Math.abs(step * d[j]));
    maxTheta = Math.max(maxTheta, Math.abs(theta[j]));
  }
  return maxStep <= tol * (1 + maxTheta);
}
function lineSearch(input) {
  const roundOff = 1e-13 * (1 + Math.abs(input.f));
  let step = 1;
  for (let k = 0; k < 60; k++) {
    const value = input.evaluate(step);
    if (-input.slope * step <= roundOff || value <= input.f + 1e-4 * step * input.slope)
      return { step, value };
    step *= 0.5;
  }
  return { step, value: input.evaluate(step) };
}
function softmaxLossAndProb(z, y, K, prob) {
  const n = y.length;
  let loss = 0;
  for (let i = 0; i < n; i++) {
    let m = Number.NEGATIVE_INFINITY;
    for (let k = 0; k < K; k++) m = Math.max(m, z[k * n + i]);
    let se = 0;
    for (let k = 0; k < K; k++) {
      const e = Math.exp(z[k * n + i] - m);
      prob[k * n + i] = e;
      se += e;
    }
    for (let k = 0; k < K; k++) prob[k * n + i] /= se;
    loss += m + Math.log(se) - z[y[i] * n + i];
  }
  return loss;
}
function fitMultinomial(X, y, nClasses, opts) {
  const p = X.columns.length;
  const n = X.nRows;
  const K = nClasses;
  const q = opts.fitIntercept ? p + 1 : p;
  const D = K * q;
  const theta = new Float64Array(D);
  let z = multiScores({ X, theta, K, q, withIntercept: opts.fitIntercept });
  let zNew = new Float64Array(K * n);
  let prob = new Float64Array(K * n);
  let probNew = new Float64Array(K * n);
  const penalty = (th) => {
    let pen = 0;
    for (let k = 0; k < K; k++) for (let j = 0; j < p; j++) pen += th[k * q + j] ** 2;
    return 0.5 * pen;
  };
  let f = penalty(theta) + opts.C * softmaxLossAndProb(z, y, K, prob);
  const r = new Float64Array(K * n);
  const rows = { X, stride: 1, scale: 1 };
  const w = new Float64Array(n);
  let iter = 0;
  for (; iter < opts.maxIter; iter++) {
    const g = new Float64Array(D);
    for (let k = 0; k < K; k++) {
      let gb = 0;
      for (let i = 0; i < n; i++) {
        const ri = opts.C * (prob[k * n + i] - (y[i] === k ? 1 : 0));
        r[k * n + i] = ri;
        gb += ri;
      }
      if (opts.fitIntercept) g[k * q + p] = gb;
    }
    multiGradient({ X, r, K, q, g });
    for (let k = 0; k < K; k++) for (let j = 0; j < p; j++) g[k * q + j] += theta[k * q + j];
    const h = multinomialHessian({ rows, prob, nFull: n, K, q, opts, w });
    const d = solveSymmetric(h, D, g);
    for (let a = 0; a < D; a++) d[a] = -d[a];
    const xd = multiScores({ X, theta: d, K, q, withIntercept: opts.fitIntercept });
    let slope = 0;
    for (let a = 0; a < D; a++) slope += g[a] * d[a];
    const t = lineSearch({
      f,
      slope,
      evaluate: (step) => {
        for (let a = 0; a < K * n; a++) zNew[a] = z[a] + step * xd[a];
        const th = theta.map((v, a) => v + step * d[a]);
        return penalty(th) + opts.C * softmaxLossAndProb(zNew, y, K, probNew);
      }
    });
    for (let a = 0; a < D; a++) theta[a] += t.step * d[a];
    [z, zNew] = [zNew, z];
    [prob, probNew] = [probNew, prob];
    f = t.value;
    if (converged(d, theta, t.step, opts.stepTol)) {
      iter++;
      break;
    }
  }
  const coef = [];
  const intercept = new Float64Array(K);
  let meanB = 0;
  for (let k = 0; k < K; k++) {
    coef.push(theta.slice(k * q, k * q + p));
    if (opts.fitIntercept) meanB += theta[k * q + p] / K;
  }
  for (let k = 0; k < K; k++) intercept[k] = opts.fitIntercept ? theta[k * q + p] - meanB : 0;
  return { coef, intercept, nIter: iter };
}
function multinomialHessian(input) {
  const { rows: hs, prob, nFull: n, K, q, opts, w } = input;
  const p = q - (opts.fitIntercept ? 1 : 0);
  const D = K * q;
  const h = new Float64Array(D * D);
  let gram1;
  if (input.uniform) gram1 = weightedGram(hs.X, w.fill(1), opts.fitIntercept);
  for (let k = 0; k < K; k++) {
    for (let l = k; l < K; l++) {
      const cs = opts.C * hs.scale;
      const delta = k === l ? 1 : 0;
      let block;
      if (gram1) {
        const factor = cs / K * (delta - 1 / K);
        block = gram1.map((v) => factor * v);
      } else {
        for (let ii = 0; ii < w.length; ii++) {
          const i = ii * hs.stride;
          w[ii] = cs * prob[k * n + i] * (delta - prob[l * n + i]);
        }
        block = weightedGram(hs.X, w, opts.fitIntercept);
      }
      for (let a = 0; a < q; a++) {
        for (let b = 0; b < q; b++) {
          const v = block[a * q + b];
          h[(k * q + a) * D + (l * q + b)] = v;
          h[(l * q + b) * D + (k * q + a)] = v;
        }
      }
    }
  }
  for (let k = 0; k < K; k++) for (let j = 0; j < p; j++) h[(k * q + j) * D + (k * q + j)] += 1;
  if (opts.fitIntercept) {
    let scale = 0;
    for (let a = 0; a < D; a++) scale = Math.max(scale, h[a * D + a]);
    for (let k = 0; k < K; k++) {
      for (let l = 0; l < K; l++) h[(k * q + p) * D + (l * q + p)] += scale / K;
    }
  }
  return h;
}
function multinomialHessianAt(X, theta, K, opts) {
  const q = opts.fitIntercept ? X.columns.length + 1 : X.columns.length;
  const rows = { X, stride: 1, scale: opts.scale };
  const w = new Float64Array(X.nRows);
  if (theta.every((v) => v === 0)) {
    return multinomialHessian({ rows, prob: w, nFull: X.nRows, K, q, opts, w, uniform: true });
  }
  const z = multiScores({ X, theta, K, q, withIntercept: opts.fitIntercept });
  const prob = new Float64Array(K * X.nRows);
  softmaxLossAndProb(z, new Int32Array(X.nRows), K, prob);
  return multinomialHessian({ rows, prob, nFull: X.nRows, K, q, opts, w });
}
var FUSED_ROWS = 1024;
function multinomialObjective(t) {
  const { X, y, K, q, opts, theta, g, work } = t;
  const n = X.nRows;
  const p = X.columns.length;
  const C = opts.C;
  g.fill(0);
  let loss = 0;
  for (let start = 0; start < n; start += FUSED_ROWS) {
    const len = Math.min(FUSED_ROWS, n - start);
    for (let k = 0; k < K; k++) {
      work.fill(opts.fitIntercept ? theta[k * q + p] : 0, k * FUSED_ROWS, k * FUSED_ROWS + len);
    }
    for (let j = 0; j < p; j++) {
      const col = X.columns[j];
      let k = 0;
      for (; k + 3 <= K; k += 3) {
        const w0 = theta[k * q + j];
        const w1 = theta[(k + 1) * q + j];
        const w2 = theta[(k + 2) * q + j];
        const o0 = k * FUSED_ROWS;
        const o1 = o0 + FUSED_ROWS;
        const o2 = o1 + FUSED_ROWS;
        for (let i = 0; i < len; i++) {
          const x = col[start + i];
          work[o0 + i] += w0 * x;
          work[o1 + i] += w1 * x;
          work[o2 + i] += w2 * x;
        }
      }
      for (; k < K; k++) {
        const w = theta[k * q + j];
        const off = k * FUSED_ROWS;
        for (let i = 0; i < len; i++) work[off + i] += w * col[start + i];
      }
    }
    let prodSe = 1;
    for (let i = 0; i < len; i++) {
      let m = work[i];
      let km = 0;
      for (let k = 1; k < K; k++) {
        const v = work[k * FUSED_ROWS + i];
        if (v > m) {
          m = v;
          km = k;
        }
      }
      const yi = y[start + i];
      loss += m - work[yi * FUSED_ROWS + i];
      let se = 1;
      for (let k = 0; k < K; k++) {
        if (k === km) continue;
        const e = Math.exp(work[k * FUSED_ROWS + i] - m);
        work[k * FUSED_ROWS + i] = e;
        se += e;
      }
      work[km * FUSED_ROWS + i] = 1;
      prodSe *= se;
      if ((i & 255) === 255) {
        loss += Math.log(prodSe);
        prodSe = 1;
      }
      const scale = C / se;
      for (let k = 0; k < K; k++) work[k * FUSED_ROWS + i] *= scale;
      work[yi * FUSED_ROWS + i] -= C;
    }
    loss += Math.log(prodSe);
    for (let j = 0; j < p; j++) {
      const col = X.columns[j];
      let k = 0;
      for (; k + 3 <= K; k += 3) {
        const o0 = k * FUSED_ROWS;
        const o1 = o0 + FUSED_ROWS;
        const o2 = o1 + FUSED_ROWS;
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        for (let i = 0; i < len; i++) {
          const x = col[start + i];
          s0 += work[o0 + i] * x;
          s1 += work[o1 + i] * x;
          s2 += work[o2 + i] * x;
        }
        g[k * q + j] += s0;
        g[(k + 1) * q + j] += s1;
        g[(k + 2) * q + j] += s2;
      }
      for (; k < K; k++) {
        const off = k * FUSED_ROWS;
        let s = 0;
        for (let i = 0; i < len; i++) s += work[off + i] * col[start + i];
        g[k * q + j] += s;
      }
    }
    if (opts.fitIntercept) {
      for (let k = 0; k < K; k++) {
        const off = k * FUSED_ROWS;
        let s = 0;
        for (let i = 0; i < len; i++) s += work[off + i];
        g[k * q + p] += s;
      }
    }
  }
  let pen = 0;
  for (let k = 0; k < K; k++) {
    for (let j = 0; j < p; j++) {
      const v = theta[k * q + j];
      pen += v * v;
      g[k * q + j] += v;
    }
  }
  return 0.5 * pen + C * loss;
}
function quasiNewton(input) {
  const { h0, objective } = input;
  const D = input.init.length;
  let theta = Float64Array.from(input.init);
  let thetaNew = new Float64Array(D);
  let g = new Float64Array(D);
  let gNew = new Float64Array(D);
  const b = Float64Array.from(h0);
  const bs = new Float64Array(D);
  const yv = new Float64Array(D);
  let f = objective(theta, g);
  let prevStep = Number.POSITIVE_INFINITY;
  let prevRatio = Number.POSITIVE_INFINITY;
  let iter = 0;
  for (; iter < input.maxIter; iter++) {
    const d = solveSymmetric(b, D, g);
    let slope = 0;
    for (let a = 0; a < D; a++) {
      d[a] = -d[a];
      slope += g[a] * d[a];
    }
    const t = lineSearch({
      f,
      slope,
      evaluate: (step) => {
        for (let a = 0; a < D; a++) thetaNew[a] = theta[a] + step * d[a];
        return objective(thetaNew, gNew);
      }
    });
    let sy = 0;
    let sbs = 0;
    for (let a = 0; a < D; a++) {
      const sa = t.step * d[a];
      yv[a] = gNew[a] - g[a];
      sy += sa * yv[a];
    }
    for (let a = 0; a < D; a++) {
      let v = 0;
      for (let c = 0; c < D; c++) v += b[a * D + c] * t.step * d[c];
      bs[a] = v;
      sbs += t.step * d[a] * v;
    }
    if (sy > 0 && sbs > 0) {
      for (let a = 0; a < D; a++) {
        for (let c = 0; c < D; c++) b[a * D + c] += yv[a] * yv[c] / sy - bs[a] * bs[c] / sbs;
      }
    }
    [theta, thetaNew] = [thetaNew, theta];
    [g, gNew] = [gNew, g];
    f = t.value;
    let maxStep = 0;
    let maxTheta = 0;
    for (let a = 0; a < D; a++) {
      maxStep = Math.max(maxStep, Math.abs(t.step * d[a]));
      maxTheta = Math.max(maxTheta, Math.abs(theta[a]));
    }
    const ratio = maxStep / prevStep;
    const rho = Math.max(ratio, prevRatio);
    const left = rho < 0.5 && t.step === 1 ? maxStep * rho / (1 - rho) : maxStep;
    prevStep = maxStep;
    prevRatio = t.step === 1 ? ratio : Number.POSITIVE_INFINITY;
    if (left <= input.stepTol * (1 + maxTheta)) {
      iter++;
      break;
    }
  }
  return { theta, nIter: iter };
}
function fitMultinomialQuasiNewton(X, y, nClasses, opts, init, h0) {
  const p = X.columns.length;
  const K = nClasses;
  const q = opts.fitIntercept ? p + 1 : p;
  const work = new Float64Array(K * FUSED_ROWS);
  const { theta, nIter } = quasiNewton({
    init,
    h0,
    maxIter: opts.maxIter,
    stepTol: opts.stepTol,
    objective: (th, g) => multinomialObjective({ X, y, K, q, opts, theta: th, g, work })
  });
  const coef = [];
  const intercept = new Float64Array(K);
  let meanB = 0;
  for (let k = 0; k < K; k++) {
    coef.push(theta.slice(k * q, k * q + p));
    if (opts.fitIntercept) meanB += theta[k * q + p] / K;
  }
  for (let k = 0; k < K; k++) intercept[k] = opts.fitIntercept ? theta[k * q + p] - meanB : 0;
  return { coef, intercept, nIter };
}
var CLASS_BLOCK_ROWS = 4096;
function multiScores(input) {
  const { X, theta, K, q, withIntercept } = input;
  const n = X.nRows;
  const p = X.columns.length;
  const out = new Float64Array(K * n);
  for (let k = 0; k < K; k++) out.fill(withIntercept ? theta[k * q + p] : 0, k * n, (k + 1) * n);
  for (let start = 0; start < n; start += CLASS_BLOCK_ROWS) {
    const end = Math.min(n, start + CLASS_BLOCK_ROWS);
    for (let j = 0; j < p; j++) {
      const col = X.columns[j];
      for (let k = 0; k < K; k++) {
        const w = theta[k * q + j];
        const off = k * n;
        for (let i = start; i < end; i++) out[off + i] += w * col[i];
      }
    }
  }
  return out;
}
function multiGradient(input) {
  const { X, r, K, q, g } = input;
  const n = X.nRows;
  for (let start = 0; start < n; start += CLASS_BLOCK_ROWS) {
    const end = Math.min(n, start + CLASS_BLOCK_ROWS);
    for (let j = 0; j < X.columns.length; j++) {
      const col = X.columns[j];
      for (let k = 0; k < K; k++) {
        const off = k * n;
        let s = 0;
        for (let i = start; i < end; i++) s += r[off + i] * col[i];
        g[k * q + j] += s;
      }
    }
  }
}
function fitMultinomialWarm(X, y, nClasses, opts) {
  if (X.nRows < WARM_START_MIN_ROWS) return fitMultinomial(X, y, nClasses, opts);
  const sample = strideSample(X, y);
  const sampleOpts = { ...opts, C: opts.C * sample.scale, stepTol: WARM_START_TOL };
  const p = X.columns.length;
  const q = opts.fitIntercept ? p + 1 : p;
  const D = nClasses * q;
  const zero = new Float64Array(D);
  const warm = fitMultinomialQuasiNewton(
    sample.X,
    sample.labels,
    nClasses,
    sampleOpts,
    zero,
    multinomialHessianAt(sample.X, zero, nClasses, { ...sampleOpts, scale: 1 })
  );
  const init = new Float64Array(D);
  for (let k = 0; k < nClasses; k++) {
    init.set(warm.coef[k], k * q);
    if (opts.fitIntercept) init[k * q + p] = warm.intercept[k];
  }
  const h0 = multinomialHessianAt(sample.X, init, nClasses, { ...opts, scale: sample.scale });
  const res = fitMultinomialQuasiNewton(X, y, nClasses, opts, init, h0);
  return { ...res, nIter: res.nIter + warm.nIter };
}
var LogisticRegression = class _LogisticRegression {
  kind = "classifier";
  static estimatorName = "logistic_regression";
  params;
  /** One row per binary model (1 for a binary problem, nClasses for multinomial/ovr). */
  coef;
  intercept;
  nClasses = 0;
  /** How the model was fitted: 'binary', 'multinomial' or 'ovr'. */
  mode = "binary";
  nIter = [];
  constructor(params = {}) {
    const C = params.C ?? 1;
    if (!(C > 0) || !Number.isFinite(C)) {
      throw new DataError(`logistic_regression: C must be a finite number > 0, got ${C}`, {
        hint: "C is the inverse regularisation strength; try 1.0"
      });
    }
    const penalty = params.penalty ?? "l2";
    if (penalty !== "l2") {
      throw new DataError(`logistic_regression: penalty '${String(penalty)}' is not supported`, {
        hint: "use penalty 'l2' (set a large C for a weak penalty)"
      });
    }
    const multiClass = params.multi_class ?? "auto";
    if (!["auto", "multinomial", "ovr"].includes(multiClass)) {
      throw new DataError(
        `logistic_regression: multi_class must be 'auto', 'multinomial' or 'ovr', got '${multiClass}'`
      );
    }
    const maxIter = params.max_iter ?? 100;
    if (!Number.isInteger(maxIter) || maxIter < 1) {
      throw new DataError(`logistic_regression: max_iter must be an integer >= 1, got ${maxIter}`);
    }
    this.params = {
      penalty,
      C,
      fit_intercept: params.fit_intercept ?? true,
      max_iter: maxIter,
      tol: params.tol ?? 1e-4,
      multi_class: multiClass
    };
  }
  fit(X, y, nClasses) {
    validateTrainingData(X, y.length, _LogisticRegression.estimatorName);
    validateClassLabels(y, nClasses, _LogisticRegression.estimatorName);
    const opts = {
      C: this.params.C,
      fitIntercept: this.params.fit_intercept,
      maxIter: this.params.max_iter,
      stepTol: Math.min(this.params.tol, 1e-9)
    };
    this.nClasses = nClasses;
    if (nClasses === 2) {
      const res2 = fitBinaryWarm(X, indicator(y, 1), opts);
      this.mode = "binary";
      this.coef = res2.coef;
      this.intercept = res2.intercept;
      this.nIter = [res2.nIter];
      return;
    }
    if (this.params.multi_class === "ovr") {
      this.mode = "ovr";
      const coef = [];
      const intercept = new Float64Array(nClasses);
      this.nIter = [];
      for (let k = 0; k < nClasses; k++) {
        const res2 = fitBinaryWarm(X, indicator(y, k), opts);
        coef.push(res2.coef[0]);
        intercept[k] = res2.intercept[0];
        this.nIter.push(res2.nIter);
      }
      this.coef = coef;
      this.intercept = intercept;
      return;
    }
    const res = fitMultinomialWarm(X, y, nClasses, opts);
    this.mode = "multinomial";
    this.coef = res.coef;
    this.intercept = res.intercept;
    this.nIter = [res.nIter];
  }
  /** Linear scores, one Float64Array per row of `coef` (sklearn's `decision_function`). */
  decisionFunction(X) {
    const coef = requireFitted(this.coef, _LogisticRegression.estimatorName);
    const intercept = requireFitted(this.intercept, _LogisticRegression.estimatorName);
    return coef.map((w, k) => predictLinear(X, w, intercept[k], _LogisticRegression.estimatorName));
  }
  predictProba(X) {
    const scores = this.decisionFunction(X);
    const n = X.nRows;
    if (this.mode === "binary") {
      const p1 = scores[0].map(sigmoid);
      return [p1.map((v) => 1 - v), p1];
    }
    const K = scores.length;
    const out = Array.from({ length: K }, () => new Float64Array(n));
    for (let i = 0; i < n; i++) {
      let sum = 0;
      if (this.mode === "multinomial") {
        let m = Number.NEGATIVE_INFINITY;
        for (let k = 0; k < K; k++) m = Math.max(m, scores[k][i]);
        for (let k = 0; k < K; k++) {
          out[k][i] = Math.exp(scores[k][i] - m);
          sum += out[k][i];
        }
      } else {
        for (let k = 0; k < K; k++) {
          out[k][i] = sigmoid(scores[k][i]);
          sum += out[k][i];
        }
      }
      for (let k = 0; k < K; k++) out[k][i] /= sum;
    }
    return out;
  }
  predict(X) {
    const scores = this.decisionFunction(X);
    const out = new Int32Array(X.nRows);
    if (this.mode === "binary") {
      for (let i = 0; i < out.length; i++) out[i] = scores[0][i] > 0 ? 1 : 0;
      return out;
    }
    return argmaxRows(scores, X.nRows);
  }
  toJSON() {
    const coef = requireFitted(this.coef, _LogisticRegression.estimatorName);
    const intercept = requireFitted(this.intercept, _LogisticRegression.estimatorName);
    return {
      name: _LogisticRegression.estimatorName,
      params: { ...this.params },
      state: {
        mode: this.mode,
        n_classes: this.nClasses,
        coef: coef.map((row) => Array.from(row)),
        intercept: Array.from(intercept),
        n_iter: this.nIter
      }
    };
  }
  static fromJSON(state) {
    expectEstimatorName(state, _LogisticRegression.estimatorName);
    const model = new _LogisticRegression(asRecord(state.params));
    const s = state.state;
    if (s.mode !== "binary" && s.mode !== "multinomial" && s.mode !== "ovr") {
      throw new DataError(`logistic_regression: saved state has unknown mode ${String(s.mode)}`, {
        hint: "retrain the model"
      });
    }
    model.mode = s.mode;
    model.nClasses = Number(s.n_classes);
    model.coef = readMatrix(s.coef, "coef");
    model.intercept = Float64Array.from(readMatrix([s.intercept], "intercept")[0]);
    model.nIter = Array.isArray(s.n_iter) ? s.n_iter.map(Number) : [];
    return model;
  }
};
function indicator(y, cls) {
  const out = new Uint8Array(y.length);
  for (let i = 0; i < y.length; i++) out[i] = y[i] === cls ? 1 : 0;
  return out;
}
function argmaxRows(columns, nRows) {
  const out = new Int32Array(nRows);
  for (let i = 0; i < nRows; i++) {
    let best = 0;
    for (let k = 1; k < columns.length; k++) if (columns[k][i] > columns[best][i]) best = k;
    out[i] = best;
  }
  return out;
}
function validateClassLabels(y, nClasses, estimator) {
  if (!Number.isInteger(nClasses) || nClasses < 2) {
    throw new DataError(`${estimator}: need at least 2 classes, got nClasses=${nClasses}`, {
      hint: "a classifier needs a target with at least two distinct values"
    });
  }
  for (let i = 0; i < y.length; i++) {
    if (y[i] < 0 || y[i] >= nClasses) {
      throw new DataError(`${estimator}: class label at row ${i} is ${y[i]}, outside 0..${nClasses - 1}`, {
        hint: "encode classes as 0..nClasses-1"
      });
    }
  }
}
function readMatrix(value, key) {
  if (!Array.isArray(value) || !value.every((row) => Array.isArray(row) && row.every((v) => typeof v === "number"))) {
    throw new DataError(`saved state field "${key}" must be an array of number arrays`, {
      hint: "the model file is corrupt or was written by an incompatible version; retrain the model"
    });
  }
  return value.map((row) => Float64Array.from(row));
}

// src/ml/ridge.ts
var Ridge = class _Ridge {
  kind = "regressor";
  static estimatorName = "ridge";
  params;
  coef;
  intercept = 0;
  constructor(params = {}) {
    const alpha = params.alpha ?? 1;
    if (!(alpha >= 0) || !Number.isFinite(alpha)) {
      throw new DataError(`ridge: alpha must be a finite number >= 0, got ${alpha}`, {
        hint: "set estimator_params.alpha to e.g. 1.0"
      });
    }
    this.params = { alpha, fit_intercept: params.fit_intercept ?? true };
  }
  fit(X, y) {
    const fitted = fitLeastSquares({
      X,
      y,
      alpha: this.params.alpha,
      fitIntercept: this.params.fit_intercept,
      estimator: _Ridge.estimatorName
    });
    this.coef = fitted.coef;
    this.intercept = fitted.intercept;
  }
  predict(X) {
    const coef = requireFitted(this.coef, _Ridge.estimatorName);
    return predictLinear(X, coef, this.intercept, _Ridge.estimatorName);
  }
  toJSON() {
    const coef = requireFitted(this.coef, _Ridge.estimatorName);
    return {
      name: _Ridge.estimatorName,
      params: { ...this.params },
      state: { coef: Array.from(coef), intercept: this.intercept }
    };
  }
  static fromJSON(state) {
    expectEstimatorName(state, _Ridge.estimatorName);
    const model = new _Ridge(state.params);
    model.coef = readNumberArray(state.state, "coef", _Ridge.estimatorName);
    model.intercept = readNumber(state.state, "intercept", _Ridge.estimatorName);
    return model;
  }
};

// src/ml/sgd.ts
import { randomInt } from "node:crypto";
var MAX_DLOSS = 1e12;
function makeLoss(name, epsilon) {
  switch (name) {
    case "squared_error":
      return { loss: (p, y) => 0.5 * (p - y) * (p - y), dloss: (p, y) => p - y };
    case "huber":
      return {
        loss: (p, y) => {
          const r = Math.abs(p - y);
          return r <= epsilon ? 0.5 * r * r : epsilon * r - 0.5 * epsilon * epsilon;
        },
        dloss: (p, y) => {
          const r = p - y;
          if (Math.abs(r) <= epsilon) return r;
          return r > 0 ? epsilon : -epsilon;
        }
      };
    case "epsilon_insensitive":
      return {
        loss: (p, y) => Math.max(0, Math.abs(y - p) - epsilon),
        dloss: (p, y) => y - p > epsilon ? -1 : p - y > epsilon ? 1 : 0
      };
    case "hinge":
      return {
        loss: (p, y) => Math.max(0, 1 - p * y),
        dloss: (p, y) => p * y <= 1 ? -y : 0
      };
    case "log_loss":
      return {
        loss: (p, y) => {
          const z = p * y;
          if (z > 18) return Math.exp(-z);
          if (z < -18) return -z;
          return Math.log1p(Math.exp(-z));
        },
        dloss: (p, y) => {
          const z = p * y;
          if (z > 18) return -y * Math.exp(-z);
          if (z < -18) return -y;
          return -y / (Math.exp(z) + 1);
        }
      };
    case "modified_huber":
      return {
        loss: (p, y) => {
          const z = p * y;
          if (z >= 1) return 0;
          if (z >= -1) return (1 - z) * (1 - z);
          return -4 * z;
        },
        dloss: (p, y) => {
          const z = p * y;
          if (z >= 1) return 0;
          if (z >= -1) return 2 * (1 - z) * -y;
          return -4 * y;
        }
      };
  }
}
var SeededRandom = class {
  a;
  b;
  c;
  d;
  constructor(seed) {
    let s = seed >>> 0;
    const next = () => {
      s = s + 2654435769 | 0;
      let z = s;
      z = Math.imul(z ^ z >>> 16, 2246822507);
      z = Math.imul(z ^ z >>> 13, 3266489909);
      return (z ^ z >>> 16) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    for (let i = 0; i < 12; i++) this.nextUint32();
  }
  nextUint32() {
    const t = (this.a + this.b | 0) + this.d | 0;
    this.d = this.d + 1 | 0;
    this.a = this.b ^ this.b >>> 9;
    this.b = this.c + (this.c << 3) | 0;
    this.c = this.c << 21 | this.c >>> 11;
    this.c = this.c + t | 0;
    return t >>> 0;
  }
  /** Uniform integer in [0, n) for n ≤ 2³², by rejection (no modulo bias). */
  nextInt(n) {
    if (n === 4294967296) return this.nextUint32();
    const m = n >>> 0;
    const limit = 4294967296 - (-m >>> 0) % m;
    for (; ; ) {
      const x = this.nextUint32();
      if (x < limit) return x % m >>> 0;
    }
  }
  shuffle(a) {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.nextInt(i + 1);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }
};
function resolveParams2(estimator, params, defaults, allowedLosses) {
  const r = {
    loss: params.loss ?? defaults.loss,
    penalty: params.penalty === void 0 ? "l2" : params.penalty,
    alpha: params.alpha ?? 1e-4,
    max_iter: params.max_iter ?? 1e3,
    tol: params.tol === void 0 ? 1e-3 : params.tol,
    learning_rate: params.learning_rate ?? defaults.learning_rate,
    eta0: params.eta0 ?? defaults.eta0,
    power_t: params.power_t ?? defaults.power_t,
    shuffle: params.shuffle ?? true,
    random_state: params.random_state ?? null,
    early_stopping: params.early_stopping ?? false,
    validation_fraction: params.validation_fraction ?? 0.1,
    n_iter_no_change: params.n_iter_no_change ?? 5,
    fit_intercept: params.fit_intercept ?? true,
    epsilon: params.epsilon ?? 0.1
  };
  const fail = (field, message, hint) => {
    throw new DataError(`${estimator}: ${field} ${message}`, hint ? { hint } : {});
  };
  if (!allowedLosses.includes(r.loss))
    fail("loss", `must be one of ${allowedLosses.join(", ")}, got '${r.loss}'`);
  if (r.penalty !== "l2" && r.penalty !== null) {
    fail("penalty", `'${String(r.penalty)}' is not supported`, "use 'l2' or null (no penalty)");
  }
  if (!(r.alpha >= 0) || !Number.isFinite(r.alpha))
    fail("alpha", `must be a finite number >= 0, got ${r.alpha}`);
  if (r.learning_rate === "optimal" && r.alpha === 0) {
    fail("alpha", "must be > 0 with learning_rate='optimal'", "set alpha, or use learning_rate='invscaling'");
  }
  if (!["constant", "optimal", "invscaling", "adaptive"].includes(r.learning_rate)) {
    fail(
      "learning_rate",
      `must be 'constant', 'optimal', 'invscaling' or 'adaptive', got '${r.learning_rate}'`
    );
  }
  if (r.learning_rate !== "optimal" && !(r.eta0 > 0)) {
    fail("eta0", `must be > 0 with learning_rate='${r.learning_rate}', got ${r.eta0}`);
  }
  if (!Number.isInteger(r.max_iter) || r.max_iter < 1)
    fail("max_iter", `must be an integer >= 1, got ${r.max_iter}`);
  if (!Number.isInteger(r.n_iter_no_change) || r.n_iter_no_change < 1) {
    fail("n_iter_no_change", `must be an integer >= 1, got ${r.n_iter_no_change}`);
  }
  if (!(r.validation_fraction > 0 && r.validation_fraction < 1)) {
    fail("validation_fraction", `must be in (0, 1), got ${r.validation_fraction}`);
  }
  if (r.random_state !== null && !Number.isInteger(r.random_state)) {
    fail("random_state", `must be an integer or null, got ${r.random_state}`);
  }
  return r;
}
var LOSS_SQUARED = 0;
var LOSS_HINGE = 1;
var LOSS_OTHER = 2;
var LR_CONSTANT = 0;
var LR_OPTIMAL = 1;
var LR_INVSCALING = 2;
var POW_QUARTER = 0;
var POW_HALF = 1;
var POW_OTHER = 2;
var GATHER_BLOCK = 32;
var gatherSink = { value: 0 };
function gatherRows(g) {
  const { rows, y, p, order, epochRows, epochY } = g;
  const n = order.length;
  let touched = 0;
  for (let r0 = 0; r0 < n; r0 += GATHER_BLOCK) {
    const r1 = Math.min(n, r0 + GATHER_BLOCK);
    for (let r = r0; r < r1; r++) {
      const i = order[r];
      const src = i * p;
      touched += rows[src] + rows[src + p - 1] + y[i];
    }
    for (let r = r0; r < r1; r++) {
      const i = order[r];
      const src = i * p;
      const dst = r * p;
      for (let j = 0; j < p; j++) epochRows[dst + j] = rows[src + j];
      epochY[r] = y[i];
    }
  }
  gatherSink.value = touched;
}
function plainSgd(problem, params, rng) {
  const { rows, n, p, y, validationMask } = problem;
  const loss = makeLoss(params.loss, params.epsilon);
  const alpha = params.alpha;
  const penalise = params.penalty === "l2";
  const v = new Float64Array(p);
  let wscale = 1;
  let intercept = 0;
  let optimalInit = 0;
  if (params.learning_rate === "optimal") {
    const typw = Math.sqrt(1 / Math.sqrt(alpha));
    const initialEta0 = typw / Math.max(1, loss.dloss(-typw, 1));
    optimalInit = 1 / (initialEta0 * alpha);
  }
  let eta = params.eta0;
  let t = 1;
  const pt = params.power_t;
  const powerCode = pt === 0.25 ? POW_QUARTER : pt === 0.5 ? POW_HALF : POW_OTHER;
  const lossCode = params.loss === "squared_error" ? LOSS_SQUARED : params.loss === "hinge" ? LOSS_HINGE : LOSS_OTHER;
  const lrCode = params.learning_rate === "optimal" ? LR_OPTIMAL : params.learning_rate === "invscaling" ? LR_INVSCALING : LR_CONSTANT;
  const eta0 = params.eta0;
  const fitIntercept = params.fit_intercept;
  const trackLoss = !params.early_stopping;
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const epochRows = params.shuffle ? new Float64Array(rows.length) : rows;
  const epochY = params.shuffle ? new Float64Array(n) : y;
  let bestLoss = Number.POSITIVE_INFINITY;
  let bestScore = Number.NEGATIVE_INFINITY;
  let noImprovement = 0;
  const tol = params.tol ?? Number.NEGATIVE_INFINITY;
  let epoch = 0;
  const currentCoef = () => v.map((x) => x * wscale);
  for (; epoch < params.max_iter; epoch++) {
    let sumLoss = 0;
    if (params.shuffle) {
      rng.shuffle(order);
      gatherRows({ rows, y, p, order, epochRows, epochY });
    }
    let r = 0;
    if (validationMask !== void 0) while (r < n && validationMask[order[r]] === 1) r++;
    let dot = 0;
    if (r < n) {
      const base = r * p;
      for (let j = 0; j < p; j++) dot += v[j] * epochRows[base + j];
    }
    while (r < n) {
      let next = r + 1;
      if (validationMask !== void 0) {
        while (next < n && validationMask[order[next]] === 1) next++;
      }
      const base = r * p;
      const pred = dot * wscale + intercept;
      if (lrCode === LR_OPTIMAL) eta = 1 / (alpha * (optimalInit + t - 1));
      else if (lrCode === LR_INVSCALING) {
        eta = eta0 / (powerCode === POW_QUARTER ? Math.sqrt(Math.sqrt(t)) : powerCode === POW_HALF ? Math.sqrt(t) : Math.exp(pt * Math.log(t)));
      }
      const yi = epochY[r];
      let dloss;
      switch (lossCode) {
        case LOSS_SQUARED:
          if (trackLoss) sumLoss += 0.5 * (pred - yi) * (pred - yi);
          dloss = pred - yi;
          break;
        case LOSS_HINGE: {
          const z = pred * yi;
          if (trackLoss) sumLoss += Math.max(0, 1 - z);
          dloss = z <= 1 ? -yi : 0;
          break;
        }
        default:
          if (trackLoss) sumLoss += loss.loss(pred, yi);
          dloss = loss.dloss(pred, yi);
      }
      if (dloss < -MAX_DLOSS) dloss = -MAX_DLOSS;
      else if (dloss > MAX_DLOSS) dloss = MAX_DLOSS;
      const update = -eta * dloss;
      if (penalise) {
        wscale *= Math.max(0, 1 - eta * alpha);
        if (wscale < 1e-9) {
          for (let j = 0; j < p; j++) v[j] *= wscale;
          wscale = 1;
        }
      }
      let nextDot = 0;
      if (update !== 0) {
        const step = update / wscale;
        if (next < n) {
          const nextBase = next * p;
          for (let j = 0; j < p; j++) {
            const vj = v[j] + step * epochRows[base + j];
            v[j] = vj;
            nextDot += vj * epochRows[nextBase + j];
          }
        } else {
          for (let j = 0; j < p; j++) v[j] += step * epochRows[base + j];
        }
        if (fitIntercept) intercept += update;
      } else if (next < n) {
        const nextBase = next * p;
        for (let j = 0; j < p; j++) nextDot += v[j] * epochRows[nextBase + j];
      }
      dot = nextDot;
      r = next;
      t++;
    }
    if (!Number.isFinite(intercept) || !Number.isFinite(wscale) || v.some((x) => !Number.isFinite(x))) {
      throw new DataError(`SGD diverged in epoch ${epoch + 1} (weights became infinite or NaN)`, {
        hint: "standardise the features (a scaler in the transform step) or lower eta0 / raise alpha"
      });
    }
    if (params.early_stopping && problem.validationScore) {
      const score = problem.validationScore(currentCoef(), intercept);
      if (score < bestScore + tol) noImprovement++;
      else noImprovement = 0;
      if (score > bestScore) bestScore = score;
    } else {
      if (sumLoss > bestLoss - tol * n) noImprovement++;
      else noImprovement = 0;
      if (sumLoss < bestLoss) bestLoss = sumLoss;
    }
    if (noImprovement >= params.n_iter_no_change) {
      if (params.learning_rate === "adaptive" && eta > 1e-6) {
        eta /= 5;
        noImprovement = 0;
      } else {
        epoch++;
        break;
      }
    }
  }
  return { coef: currentCoef(), intercept, nIter: epoch, t };
}
function toRows(X) {
  const p = X.columns.length;
  const n = X.nRows;
  const rows = new Float64Array(n * p);
  const cols = X.columns;
  for (let i = 0, k = 0; i < n; i++) {
    for (let j = 0; j < p; j++, k++) rows[k] = cols[j][i];
  }
  return rows;
}
function seedOf(randomState) {
  return randomState ?? randomInt(0, 2 ** 31 - 1);
}
function validationMaskFor(n, fraction, rng, strata) {
  const mask = new Uint8Array(n);
  const groups = /* @__PURE__ */ new Map();
  for (let i = 0; i < n; i++) {
    const g = strata ? strata[i] : 0;
    const list = groups.get(g) ?? [];
    list.push(i);
    groups.set(g, list);
  }
  for (const list of groups.values()) {
    const idx = Int32Array.from(list);
    rng.shuffle(idx);
    const take = Math.max(1, Math.min(idx.length - 1, Math.round(fraction * idx.length)));
    for (let k = 0; k < take; k++) mask[idx[k]] = 1;
  }
  return mask;
}
function readParamsAndState(state, name) {
  expectEstimatorName(state, name);
  return { params: asRecord(state.params), s: asRecord(state.state) };
}
function readFloatRows(value, key, estimator) {
  if (!Array.isArray(value) || !value.every((r) => Array.isArray(r) && r.every((x) => typeof x === "number"))) {
    throw new DataError(`${estimator}: saved state field "${key}" must be an array of number arrays`, {
      hint: "the model file is corrupt or was written by an incompatible version; retrain the model"
    });
  }
  return value.map((r) => Float64Array.from(r));
}
var SGDRegressor = class _SGDRegressor {
  kind = "regressor";
  static estimatorName = "sgd_regressor";
  params;
  coef;
  intercept = 0;
  nIter = 0;
  t = 0;
  constructor(params = {}) {
    this.params = resolveParams2(
      _SGDRegressor.estimatorName,
      params,
      { loss: "squared_error", learning_rate: "invscaling", eta0: 0.01, power_t: 0.25 },
      ["squared_error", "huber", "epsilon_insensitive"]
    );
  }
  fit(X, y) {
    validateTrainingData(X, y.length, _SGDRegressor.estimatorName);
    validateTargets(y, _SGDRegressor.estimatorName);
    const rng = new SeededRandom(seedOf(this.params.random_state));
    const rows = toRows(X);
    const n = X.nRows;
    const p = X.columns.length;
    let validationMask;
    let validationScore;
    if (this.params.early_stopping) {
      const mask = validationMaskFor(n, this.params.validation_fraction, rng);
      validationMask = mask;
      validationScore = (coef, intercept) => {
        let ssRes = 0;
        let sum = 0;
        let count = 0;
        for (let i = 0; i < n; i++) {
          if (!mask[i]) continue;
          sum += y[i];
          count++;
        }
        const m = sum / count;
        let ssTot = 0;
        for (let i = 0; i < n; i++) {
          if (!mask[i]) continue;
          let pred = intercept;
          for (let j = 0; j < p; j++) pred += coef[j] * rows[i * p + j];
          ssRes += (y[i] - pred) ** 2;
          ssTot += (y[i] - m) ** 2;
        }
        return ssTot === 0 ? ssRes === 0 ? 1 : 0 : 1 - ssRes / ssTot;
      };
    }
    const res = plainSgd({ rows, n, p, y, validationMask, validationScore }, this.params, rng);
    this.coef = res.coef;
    this.intercept = res.intercept;
    this.nIter = res.nIter;
    this.t = res.t;
  }
  predict(X) {
    const coef = requireFitted(this.coef, _SGDRegressor.estimatorName);
    return predictLinear(X, coef, this.intercept, _SGDRegressor.estimatorName);
  }
  toJSON() {
    const coef = requireFitted(this.coef, _SGDRegressor.estimatorName);
    return {
      name: _SGDRegressor.estimatorName,
      params: { ...this.params },
      state: { coef: Array.from(coef), intercept: this.intercept, n_iter: this.nIter, t: this.t }
    };
  }
  static fromJSON(state) {
    const { params, s } = readParamsAndState(state, _SGDRegressor.estimatorName);
    const model = new _SGDRegressor(params);
    model.coef = readFloatRows([s.coef], "coef", _SGDRegressor.estimatorName)[0];
    if (typeof s.intercept !== "number") {
      throw new DataError(`${_SGDRegressor.estimatorName}: saved state field "intercept" must be a number`);
    }
    model.intercept = s.intercept;
    model.nIter = Number(s.n_iter ?? 0);
    model.t = Number(s.t ?? 0);
    return model;
  }
};
var SGDClassifier = class _SGDClassifier {
  kind = "classifier";
  static estimatorName = "sgd_classifier";
  params;
  /** One row per binary model: 1 for two classes, nClasses for one-vs-rest. */
  coef;
  intercept;
  nClasses = 0;
  nIter = 0;
  constructor(params = {}) {
    this.params = resolveParams2(
      _SGDClassifier.estimatorName,
      params,
      { loss: "hinge", learning_rate: "optimal", eta0: 0, power_t: 0.5 },
      ["hinge", "log_loss", "modified_huber"]
    );
  }
  /** Whether `predictProba` is available: scikit-learn offers it only for log_loss and modified_huber. */
  get hasPredictProba() {
    return this.params.loss === "log_loss" || this.params.loss === "modified_huber";
  }
  fit(X, y, nClasses) {
    validateTrainingData(X, y.length, _SGDClassifier.estimatorName);
    validateClassLabels(y, nClasses, _SGDClassifier.estimatorName);
    const rng = new SeededRandom(seedOf(this.params.random_state));
    const rows = toRows(X);
    const n = X.nRows;
    const p = X.columns.length;
    const validationMask = this.params.early_stopping ? validationMaskFor(n, this.params.validation_fraction, rng, y) : void 0;
    const scoreBinary = (target) => (coef2, intercept2) => {
      if (!validationMask) return 0;
      let hits = 0;
      let count = 0;
      for (let i = 0; i < n; i++) {
        if (!validationMask[i]) continue;
        let d = intercept2;
        for (let j = 0; j < p; j++) d += coef2[j] * rows[i * p + j];
        if ((d > 0 ? 1 : -1) === target[i]) hits++;
        count++;
      }
      return hits / count;
    };
    const models = nClasses === 2 ? [1] : Array.from({ length: nClasses }, (_, k) => k);
    const coef = [];
    const intercept = new Float64Array(models.length);
    this.nIter = 0;
    for (let m = 0; m < models.length; m++) {
      const positive = models[m];
      const target = new Float64Array(n);
      for (let i = 0; i < n; i++) target[i] = y[i] === positive ? 1 : -1;
      const modelRng = new SeededRandom(rng.nextUint32());
      const res = plainSgd(
        {
          rows,
          n,
          p,
          y: target,
          validationMask,
          validationScore: validationMask ? scoreBinary(target) : void 0
        },
        this.params,
        modelRng
      );
      coef.push(res.coef);
      intercept[m] = res.intercept;
      this.nIter = Math.max(this.nIter, res.nIter);
    }
    this.coef = coef;
    this.intercept = intercept;
    this.nClasses = nClasses;
  }
  /** Decision values, one Float64Array per binary model (sklearn's `decision_function`). */
  decisionFunction(X) {
    const coef = requireFitted(this.coef, _SGDClassifier.estimatorName);
    const intercept = requireFitted(this.intercept, _SGDClassifier.estimatorName);
    return coef.map((w, k) => predictLinear(X, w, intercept[k], _SGDClassifier.estimatorName));
  }
  predict(X) {
    const scores = this.decisionFunction(X);
    if (scores.length === 1) {
      const out = new Int32Array(X.nRows);
      for (let i = 0; i < out.length; i++) out[i] = scores[0][i] > 0 ? 1 : 0;
      return out;
    }
    return argmaxRows(scores, X.nRows);
  }
  /**
   * log_loss: the logistic of each decision value; modified_huber: (clip(d, −1, 1) + 1) / 2. For
   * one-vs-rest the per-class values are normalised to sum to 1 (a row of zeros becomes uniform),
   * as sklearn does. hinge has no probabilities: check `hasPredictProba` first.
   */
  predictProba(X) {
    if (!this.hasPredictProba) {
      throw new DataError(
        `${_SGDClassifier.estimatorName}: predict_proba is not available for loss='${this.params.loss}'`,
        {
          hint: "use loss='log_loss' or 'modified_huber' when probabilities (roc_auc, log_loss) are needed"
        }
      );
    }
    const scores = this.decisionFunction(X);
    const link = this.params.loss === "log_loss" ? (d) => d >= 0 ? 1 / (1 + Math.exp(-d)) : Math.exp(d) / (1 + Math.exp(d)) : (d) => (Math.min(1, Math.max(-1, d)) + 1) / 2;
    if (scores.length === 1) {
      const p1 = scores[0].map(link);
      return [p1.map((x) => 1 - x), p1];
    }
    const K = scores.length;
    const out = scores.map((col) => col.map(link));
    for (let i = 0; i < X.nRows; i++) {
      let sum = 0;
      for (let k = 0; k < K; k++) sum += out[k][i];
      for (let k = 0; k < K; k++) out[k][i] = sum === 0 ? 1 / K : out[k][i] / sum;
    }
    return out;
  }
  toJSON() {
    const coef = requireFitted(this.coef, _SGDClassifier.estimatorName);
    const intercept = requireFitted(this.intercept, _SGDClassifier.estimatorName);
    return {
      name: _SGDClassifier.estimatorName,
      params: { ...this.params },
      state: {
        n_classes: this.nClasses,
        coef: coef.map((r) => Array.from(r)),
        intercept: Array.from(intercept),
        n_iter: this.nIter
      }
    };
  }
  static fromJSON(state) {
    const { params, s } = readParamsAndState(state, _SGDClassifier.estimatorName);
    const model = new _SGDClassifier(params);
    model.coef = readFloatRows(s.coef, "coef", _SGDClassifier.estimatorName);
    model.intercept = readFloatRows([s.intercept], "intercept", _SGDClassifier.estimatorName)[0];
    model.nClasses = Number(s.n_classes);
    model.nIter = Number(s.n_iter ?? 0);
    return model;
  }
};

// src/ml/small-data-models.ts
import { createRequire } from "node:module";
var mlRegressionModule;
function mlRegression() {
  mlRegressionModule ??= createRequire(import.meta.url)("ml-regression");
  return mlRegressionModule;
}
function singleFeature(X, estimator) {
  if (X.columns.length !== 1) {
    throw new DataError(`${estimator} takes exactly one feature column, got ${X.columns.length}`, {
      hint: "select a single feature for this model, or use ridge / linear_regression for several features"
    });
  }
  return X.columns[0];
}
function checkRowLimit(n, limit, estimator) {
  if (n > limit) {
    throw new DataError(
      `${estimator} is limited to ${limit} training rows (its cost grows with n\xB2), got ${n}`,
      {
        hint: "sample the training data down, or use ridge / sgd_regressor for large datasets"
      }
    );
  }
}
var PolynomialRegressor = class _PolynomialRegressor {
  kind = "regressor";
  static estimatorName = "polynomial_regression";
  static maxRows = 1e6;
  params;
  model;
  constructor(params = {}) {
    const degree = params.degree ?? 2;
    if (!Number.isInteger(degree) || degree < 1 || degree > 20) {
      throw new DataError(`polynomial_regression: degree must be an integer in 1..20, got ${degree}`);
    }
    this.params = { degree };
  }
  fit(X, y) {
    validateTrainingData(X, y.length, _PolynomialRegressor.estimatorName);
    validateTargets(y, _PolynomialRegressor.estimatorName);
    const x = singleFeature(X, _PolynomialRegressor.estimatorName);
    checkRowLimit(x.length, _PolynomialRegressor.maxRows, _PolynomialRegressor.estimatorName);
    if (x.length <= this.params.degree) {
      throw new DataError(
        `polynomial_regression: degree ${this.params.degree} needs more than ${this.params.degree} rows, got ${x.length}`
      );
    }
    this.model = new (mlRegression()).PolynomialRegression(Array.from(x), Array.from(y), this.params.degree);
  }
  /** Coefficients c₀…c_degree (constant term first). */
  get coefficients() {
    return requireFitted(this.model, _PolynomialRegressor.estimatorName).toJSON().coefficients;
  }
  predict(X) {
    const model = requireFitted(this.model, _PolynomialRegressor.estimatorName);
    validateFeatures(X, _PolynomialRegressor.estimatorName);
    const x = singleFeature(X, _PolynomialRegressor.estimatorName);
    return Float64Array.from(model.predict(Array.from(x)));
  }
  toJSON() {
    const model = requireFitted(this.model, _PolynomialRegressor.estimatorName);
    return {
      name: _PolynomialRegressor.estimatorName,
      params: { ...this.params },
      state: { ...model.toJSON() }
    };
  }
  static fromJSON(state) {
    expectEstimatorName(state, _PolynomialRegressor.estimatorName);
    const est = new _PolynomialRegressor(asRecord(state.params));
    const s = state.state;
    est.model = mlRegression().PolynomialRegression.load({
      name: "polynomialRegression",
      degree: readNumber(s, "degree", _PolynomialRegressor.estimatorName),
      powers: Array.from(readNumberArray(s, "powers", _PolynomialRegressor.estimatorName)),
      coefficients: Array.from(readNumberArray(s, "coefficients", _PolynomialRegressor.estimatorName))
    });
    return est;
  }
};
var TheilSenRegressor = class _TheilSenRegressor {
  kind = "regressor";
  static estimatorName = "theil_sen_regression";
  /** n²/2 pairwise slopes are held in memory: 3000 rows ≈ 4.5M slopes. */
  static maxRows = 3e3;
  params = {};
  slope;
  intercept = 0;
  fit(X, y) {
    validateTrainingData(X, y.length, _TheilSenRegressor.estimatorName);
    validateTargets(y, _TheilSenRegressor.estimatorName);
    const x = singleFeature(X, _TheilSenRegressor.estimatorName);
    checkRowLimit(x.length, _TheilSenRegressor.maxRows, _TheilSenRegressor.estimatorName);
    if (x.length < 2 || x.every((v) => v === x[0])) {
      throw new DataError("theil_sen_regression needs at least two distinct feature values");
    }
    const fitted = new (mlRegression()).TheilSenRegression(Array.from(x), Array.from(y)).toJSON();
    this.slope = fitted.slope;
    this.intercept = fitted.intercept;
  }
  predict(X) {
    const slope = requireFitted(this.slope, _TheilSenRegressor.estimatorName);
    validateFeatures(X, _TheilSenRegressor.estimatorName);
    const x = singleFeature(X, _TheilSenRegressor.estimatorName);
    return x.map((v) => slope * v + this.intercept);
  }
  toJSON() {
    const slope = requireFitted(this.slope, _TheilSenRegressor.estimatorName);
    return { name: _TheilSenRegressor.estimatorName, params: {}, state: { slope, intercept: this.intercept } };
  }
  static fromJSON(state) {
    expectEstimatorName(state, _TheilSenRegressor.estimatorName);
    const est = new _TheilSenRegressor();
    est.slope = readNumber(state.state, "slope", _TheilSenRegressor.estimatorName);
    est.intercept = readNumber(state.state, "intercept", _TheilSenRegressor.estimatorName);
    return est;
  }
};
function makeKernel(params, nFeatures) {
  const gamma = params.gamma ?? 1 / nFeatures;
  const dot = (x, y) => {
    let s = 0;
    for (let i = 0; i < x.length; i++) s += x[i] * y[i];
    return s;
  };
  switch (params.kernel) {
    case "linear":
      return { compute: dot };
    case "rbf":
      return {
        compute: (x, y) => {
          let d = 0;
          for (let i = 0; i < x.length; i++) d += (x[i] - y[i]) ** 2;
          return Math.exp(-gamma * d);
        }
      };
    case "polynomial":
      return { compute: (x, y) => (gamma * dot(x, y) + params.coef0) ** params.degree };
    case "sigmoid":
      return { compute: (x, y) => Math.tanh(gamma * dot(x, y) + params.coef0) };
  }
}
var KernelRidgeRegressor = class _KernelRidgeRegressor {
  kind = "regressor";
  static estimatorName = "kernel_ridge";
  /** The n×n kernel matrix is dense: 3000 rows ≈ 72 MB. */
  static maxRows = 3e3;
  params;
  dualCoef;
  /** Training rows, row-major, as kernel ridge predicts from them. */
  xFit;
  nFeatures = 0;
  constructor(params = {}) {
    const kernel = params.kernel ?? "linear";
    if (!["linear", "rbf", "polynomial", "sigmoid"].includes(kernel)) {
      throw new DataError(
        `kernel_ridge: kernel must be 'linear', 'rbf', 'polynomial' or 'sigmoid', got '${kernel}'`
      );
    }
    const alpha = params.alpha ?? 1;
    if (!(alpha > 0) || !Number.isFinite(alpha)) {
      throw new DataError(`kernel_ridge: alpha must be a finite number > 0, got ${alpha}`);
    }
    const gamma = params.gamma ?? null;
    if (gamma !== null && !(gamma > 0))
      throw new DataError(`kernel_ridge: gamma must be > 0 or null, got ${gamma}`);
    this.params = { alpha, kernel, gamma, degree: params.degree ?? 3, coef0: params.coef0 ?? 1 };
  }
  fit(X, y) {
    validateTrainingData(X, y.length, _KernelRidgeRegressor.estimatorName);
    validateTargets(y, _KernelRidgeRegressor.estimatorName);
    checkRowLimit(X.nRows, _KernelRidgeRegressor.maxRows, _KernelRidgeRegressor.estimatorName);
    const rows = rowsOf(X);
    const model = new (mlRegression()).KernelRidgeRegression(
      rows,
      Array.from(y, (v) => [v]),
      { lambda: this.params.alpha, kernelType: makeKernel(this.params, X.columns.length) }
    );
    this.dualCoef = Float64Array.from(model.alpha.to1DArray());
    this.nFeatures = X.columns.length;
    this.xFit = Float64Array.from(rows.flat());
  }
  predict(X) {
    const dual = requireFitted(this.dualCoef, _KernelRidgeRegressor.estimatorName);
    const xFit = requireFitted(this.xFit, _KernelRidgeRegressor.estimatorName);
    validateFeatures(X, _KernelRidgeRegressor.estimatorName, this.nFeatures);
    const p = this.nFeatures;
    const kernel = makeKernel(this.params, p);
    const out = new Float64Array(X.nRows);
    const row = new Float64Array(p);
    for (let i = 0; i < X.nRows; i++) {
      for (let j = 0; j < p; j++) row[j] = X.columns[j][i];
      let s = 0;
      for (let k = 0; k < dual.length; k++)
        s += dual[k] * kernel.compute(row, xFit.subarray(k * p, (k + 1) * p));
      out[i] = s;
    }
    return out;
  }
  toJSON() {
    const dual = requireFitted(this.dualCoef, _KernelRidgeRegressor.estimatorName);
    const xFit = requireFitted(this.xFit, _KernelRidgeRegressor.estimatorName);
    return {
      name: _KernelRidgeRegressor.estimatorName,
      params: { ...this.params },
      state: { n_features: this.nFeatures, dual_coef: Array.from(dual), X_fit: Array.from(xFit) }
    };
  }
  static fromJSON(state) {
    expectEstimatorName(state, _KernelRidgeRegressor.estimatorName);
    const est = new _KernelRidgeRegressor(asRecord(state.params));
    est.nFeatures = readNumber(state.state, "n_features", _KernelRidgeRegressor.estimatorName);
    est.dualCoef = readNumberArray(state.state, "dual_coef", _KernelRidgeRegressor.estimatorName);
    est.xFit = readNumberArray(state.state, "X_fit", _KernelRidgeRegressor.estimatorName);
    if (est.xFit.length !== est.dualCoef.length * est.nFeatures) {
      throw new DataError("kernel_ridge: saved X_fit does not match dual_coef \xD7 n_features", {
        hint: "the model file is corrupt; retrain the model"
      });
    }
    return est;
  }
};
function rowsOf(X) {
  const rows = [];
  for (let i = 0; i < X.nRows; i++) rows.push(X.columns.map((c) => c[i]));
  return rows;
}

// src/ml/estimators.ts
function entry(name, cls) {
  const spec = ESTIMATOR_CATALOG[name];
  if (!spec) throw new Error(`internal: estimator "${name}" is not in src/ml/estimator-catalog.ts`);
  return {
    name,
    kind: spec.kind,
    description: spec.description,
    stateName: cls.estimatorName,
    create: (params) => new cls(params),
    fromJSON: (state) => cls.fromJSON(state)
  };
}
var CLASSES = {
  linear_regression: LinearRegression,
  ridge: Ridge,
  sgd_regressor: SGDRegressor,
  decision_tree_regressor: DecisionTreeRegressor,
  polynomial: PolynomialRegressor,
  theil_sen: TheilSenRegressor,
  kernel_ridge: KernelRidgeRegressor,
  logistic_regression: LogisticRegression,
  sgd_classifier: SGDClassifier,
  decision_tree_classifier: DecisionTreeClassifier
};
var ENTRIES = catalogNames().map((name) => {
  const cls = CLASSES[name];
  if (!cls) throw new Error(`internal: no class for the catalog's estimator "${name}"`);
  return entry(name, cls);
});
var REGISTRY = new Map(ENTRIES.map((e) => [e.name, e]));
var BY_STATE_NAME = new Map(ENTRIES.map((e) => [e.stateName, e]));
var UnknownEstimatorError = class extends MlrecipeError {
  code = "UNKNOWN_ESTIMATOR";
  exitCode = EXIT_USAGE;
  /** The names that would have been accepted. */
  names;
  constructor(message, names, hint) {
    super(message, { hint: hint ?? `use one of: ${names.join(", ")}` });
    this.names = names;
  }
};
function estimatorNames(kind) {
  return ENTRIES.filter((e) => kind === void 0 || e.kind === kind).map((e) => e.name);
}
function getEstimatorEntry(name, kind) {
  const found = REGISTRY.get(name);
  const names = estimatorNames(kind);
  if (!found) {
    throw new UnknownEstimatorError(`unknown estimator "${name}"`, names);
  }
  if (kind !== void 0 && found.kind !== kind) {
    throw new UnknownEstimatorError(
      `estimator "${name}" is a ${found.kind}, but this recipe needs a ${kind}`,
      names,
      `use one of: ${names.join(", ")}`
    );
  }
  return found;
}
function createEstimator(name, params = {}, kind) {
  const found = getEstimatorEntry(name, kind);
  const estimator = found.create(params);
  const known = knownParams(estimator);
  if (known) {
    const unknown = Object.keys(params).filter((key) => !known.includes(key));
    if (unknown.length > 0) {
      throw new UnknownEstimatorError(
        `estimator "${name}" has no parameter${unknown.length === 1 ? "" : "s"} ${unknown.map((k) => `"${k}"`).join(", ")}`,
        estimatorNames(kind),
        known.length ? `its parameters are ${known.join(", ")}` : `${name} takes no parameters`
      );
    }
  }
  return estimator;
}
function knownParams(estimator) {
  const params = estimator.params;
  return params !== null && typeof params === "object" ? Object.keys(params) : void 0;
}
function loadEstimator(state) {
  const found = BY_STATE_NAME.get(state.name) ?? REGISTRY.get(state.name);
  if (!found) {
    throw new UnknownEstimatorError(
      `the saved estimator "${state.name}" is not one this mlrecipe knows`,
      estimatorNames(),
      "the model was saved by a newer mlrecipe, or is corrupted"
    );
  }
  return found.fromJSON(state);
}
function isRegistryState(state) {
  return BY_STATE_NAME.has(state.name);
}

export {
  UnknownEstimatorError,
  estimatorNames,
  getEstimatorEntry,
  createEstimator,
  loadEstimator,
  isRegistryState
};
