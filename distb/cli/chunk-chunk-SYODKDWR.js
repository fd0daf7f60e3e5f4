import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);

// src/sweeps/space.ts
var ARGUMENTS = {
  uniform: ["low", "high"],
  quniform: ["low", "high", "q"],
  uniformint: ["low", "high"],
  loguniform: ["low", "high"],
  qloguniform: ["low", "high", "q"],
  normal: ["mu", "sigma"],
  qnormal: ["mu", "sigma", "q"],
  lognormal: ["mu", "sigma"],
  qlognormal: ["mu", "sigma", "q"]
};
var DISTRIBUTION_NAMES = [...Object.keys(ARGUMENTS), "randint", "choice"];
function isRecord(value) {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
function mlflowMessage(name) {
  return `Parameter ${name} must contain either a list of 'values' or a 'distribution' following hyperopt parameter expressions`;
}
function parseSearchSpace(raw) {
  const issues = [];
  const space = [];
  if (!isRecord(raw)) {
    issues.push({
      path: [],
      message: "must be a mapping of parameter name to {values: [...]} or {distribution: ..., ...}",
      hint: "e.g. parameters: {alpha: {distribution: loguniform, low: -9, high: -1}}"
    });
    return { space, issues };
  }
  if (Object.keys(raw).length === 0) {
    issues.push({ path: [], message: "names no parameter to tune", hint: "add at least one parameter" });
  }
  for (const [name, spec] of Object.entries(raw)) {
    const parsed = parseParameter(name, spec, issues);
    if (parsed) space.push({ name, distribution: parsed });
  }
  return { space, issues };
}
function parseParameter(name, spec, issues) {
  const hint = `give \`values: [a, b, ...]\` or \`distribution:\` one of ${DISTRIBUTION_NAMES.join(", ")} with its arguments`;
  if (!isRecord(spec) || !("values" in spec) && !("distribution" in spec)) {
    issues.push({ path: [name], message: mlflowMessage(name), hint });
    return void 0;
  }
  if ("values" in spec) {
    if ("distribution" in spec) {
      issues.push({
        path: [name],
        message: `parameter ${name} has both 'values' and 'distribution'`,
        hint: "keep one: values for a fixed list, distribution for a hyperopt expression"
      });
      return void 0;
    }
    const extra = Object.keys(spec).filter((k) => k !== "values");
    if (extra.length > 0) {
      issues.push({
        path: [name, extra[0]],
        message: `unexpected key '${extra[0]}' next to 'values'`,
        hint: "a list of values takes no other keys"
      });
    }
    return parseOptions(name, spec.values, ["values"], issues);
  }
  const kind = spec.distribution;
  if (typeof kind !== "string" || !DISTRIBUTION_NAMES.includes(kind)) {
    issues.push({
      path: [name, "distribution"],
      message: `unknown distribution ${JSON.stringify(kind)} for parameter ${name}`,
      hint: `use one of ${DISTRIBUTION_NAMES.join(", ")} (hyperopt's hp.* names)`
    });
    return void 0;
  }
  if (kind === "choice") {
    const extra = Object.keys(spec).filter((k) => k !== "distribution" && k !== "options");
    if (extra.length > 0) {
      issues.push({
        path: [name, extra[0]],
        message: `unexpected key '${extra[0]}' for distribution choice`,
        hint: "choice takes options: [...] (or write values: [...] instead)"
      });
    }
    return parseOptions(name, spec.options, ["options"], issues);
  }
  if (kind === "randint") return parseRandint(name, spec, issues);
  const names = ARGUMENTS[kind];
  const args = {};
  let ok = true;
  for (const key of Object.keys(spec)) {
    if (key !== "distribution" && !names.includes(key)) {
      issues.push({
        path: [name, key],
        message: `unexpected key '${key}' for distribution ${kind}`,
        hint: `${kind} takes ${names.join(", ")}`
      });
      ok = false;
    }
  }
  for (const key of names) {
    const value = spec[key];
    if (typeof value !== "number" || !Number.isFinite(value)) {
      issues.push({
        path: value === void 0 ? [name] : [name, key],
        message: value === void 0 ? `distribution ${kind} of parameter ${name} needs '${key}'` : `'${key}' must be a finite number, not ${JSON.stringify(value)}`,
        hint: `${kind} takes ${names.join(", ")}`
      });
      ok = false;
    } else {
      args[key] = value;
    }
  }
  if (!ok) return void 0;
  const low = args.low;
  const high = args.high;
  if (low !== void 0 && high !== void 0 && !(low < high)) {
    issues.push({
      path: [name, "high"],
      message: `'high' (${high}) must be greater than 'low' (${low})`,
      hint: kind === "loguniform" || kind === "qloguniform" ? `${kind} bounds are logarithms: exp(U(low, high)); e.g. low: -9, high: -1 for 1e-4..0.37` : "swap them or widen the range"
    });
    return void 0;
  }
  if (args.sigma !== void 0 && !(args.sigma > 0)) {
    issues.push({ path: [name, "sigma"], message: `'sigma' must be positive, not ${args.sigma}` });
    return void 0;
  }
  if (args.q !== void 0 && !(args.q > 0)) {
    issues.push({ path: [name, "q"], message: `'q' must be positive, not ${args.q}` });
    return void 0;
  }
  switch (kind) {
    case "uniform":
    case "loguniform":
      return { kind, low, high };
    case "quniform":
    case "qloguniform":
      return { kind, low, high, q: args.q };
    case "uniformint":
      return { kind, low, high, q: 1 };
    case "normal":
    case "lognormal":
      return { kind, mu: args.mu, sigma: args.sigma };
    case "qnormal":
    case "qlognormal":
      return { kind, mu: args.mu, sigma: args.sigma, q: args.q };
    default:
      return void 0;
  }
}
function parseRandint(name, spec, issues) {
  for (const key of Object.keys(spec)) {
    if (!["distribution", "low", "high", "upper"].includes(key)) {
      issues.push({
        path: [name, key],
        message: `unexpected key '${key}' for distribution randint`,
        hint: "randint takes upper (values 0..upper-1), or low and high (values low..high-1)"
      });
      return void 0;
    }
  }
  const integer = (key) => {
    const value = spec[key];
    if (value === void 0) return void 0;
    if (typeof value !== "number" || !Number.isInteger(value)) {
      issues.push({
        path: [name, key],
        message: `'${key}' must be an integer, not ${JSON.stringify(value)}`
      });
      return Number.NaN;
    }
    return value;
  };
  const upper = integer("upper");
  const lowArg = integer("low");
  const highArg = integer("high");
  if ([upper, lowArg, highArg].some((v) => Number.isNaN(v))) return void 0;
  let low;
  let high;
  if (upper !== void 0) {
    if (lowArg !== void 0 || highArg !== void 0) {
      issues.push({
        path: [name, "upper"],
        message: "randint takes either 'upper' or 'low'/'high', not both"
      });
      return void 0;
    }
    low = 0;
    high = upper;
  } else if (lowArg !== void 0 && highArg === void 0) {
    low = 0;
    high = lowArg;
  } else if (lowArg !== void 0 && highArg !== void 0) {
    low = lowArg;
    high = highArg;
  } else {
    issues.push({
      path: [name],
      message: `distribution randint of parameter ${name} needs 'upper', or 'low' and 'high'`,
      hint: "e.g. {distribution: randint, low: 2, high: 10} draws 2..9"
    });
    return void 0;
  }
  if (!(high > low)) {
    issues.push({
      path: [name, upper !== void 0 ? "upper" : "high"],
      message: `randint needs at least one value: [${low}, ${high}) is empty`
    });
    return void 0;
  }
  return { kind: "randint", low, high };
}
function parseOptions(name, options, key, issues) {
  if (!Array.isArray(options) || options.length === 0) {
    issues.push({
      path: [name, ...key],
      message: `'${key[0]}' of parameter ${name} must be a non-empty list`,
      hint: `e.g. ${key[0]}: [l1, l2]`
    });
    return void 0;
  }
  return { kind: "choice", options };
}
function quantize(x, q) {
  const value = Math.round(x / q) * q;
  const decimals = decimalPlaces(q);
  return decimals <= 12 ? Number(value.toFixed(decimals)) : value;
}
function decimalPlaces(q) {
  if (Number.isInteger(q)) return 0;
  const text = String(q);
  const exp = /e-(\d+)$/.exec(text);
  if (exp) return Number(exp[1]) + (text.split("e")[0]?.split(".")[1]?.length ?? 0);
  return text.split(".")[1]?.length ?? 0;
}
function describeDistribution(d) {
  switch (d.kind) {
    case "choice":
      return `choice(${d.options.map((o) => JSON.stringify(o)).join(", ")})`;
    case "randint":
      return `randint(${d.low}, ${d.high})`;
    case "uniform":
    case "loguniform":
      return `${d.kind}(${d.low}, ${d.high})`;
    case "uniformint":
      return `uniformint(${d.low}, ${d.high})`;
    case "quniform":
    case "qloguniform":
      return `${d.kind}(${d.low}, ${d.high}, q=${d.q})`;
    case "normal":
    case "lognormal":
      return `${d.kind}(${d.mu}, ${d.sigma})`;
    case "qnormal":
    case "qlognormal":
      return `${d.kind}(${d.mu}, ${d.sigma}, q=${d.q})`;
  }
}

// src/sweeps/prior.ts
function sampleFromPrior(d, rng) {
  switch (d.kind) {
    case "uniform":
      return d.low + (d.high - d.low) * rng.uniform();
    case "quniform":
    case "uniformint":
      return quantize(d.low + (d.high - d.low) * rng.uniform(), d.q);
    case "loguniform":
      return Math.exp(d.low + (d.high - d.low) * rng.uniform());
    case "qloguniform":
      return quantize(Math.exp(d.low + (d.high - d.low) * rng.uniform()), d.q);
    case "normal":
      return d.mu + d.sigma * rng.normal();
    case "qnormal":
      return quantize(d.mu + d.sigma * rng.normal(), d.q);
    case "lognormal":
      return Math.exp(d.mu + d.sigma * rng.normal());
    case "qlognormal":
      return quantize(Math.exp(d.mu + d.sigma * rng.normal()), d.q);
    case "randint":
      return d.low + rng.integer(d.high - d.low);
    case "choice":
      return rng.integer(d.options.length);
  }
}
function samplePoint(space, rng) {
  const point = {};
  for (const p of space) point[p.name] = sampleFromPrior(p.distribution, rng);
  return point;
}
function pointToParams(space, point) {
  const params = {};
  for (const p of space) {
    const value = point[p.name];
    const d = p.distribution;
    params[p.name] = d.kind === "choice" ? d.options[value] : value;
  }
  return params;
}

// src/sweeps/rng.ts
function mix32(value) {
  let z = value | 0;
  z = Math.imul(z ^ z >>> 16, 2246822507);
  z = Math.imul(z ^ z >>> 13, 3266489909);
  return (z ^ z >>> 16) >>> 0;
}
function deriveSeed(...parts) {
  let h = 625341585;
  for (const part of parts) {
    if (typeof part === "number") {
      const lo = part >>> 0;
      const hi = Math.floor(part / 4294967296) >>> 0;
      h = mix32(h ^ mix32(lo + 2654435769));
      h = mix32(h ^ mix32(hi + 2135587861));
    } else {
      for (let i = 0; i < part.length; i++) h = mix32(h ^ part.charCodeAt(i) + 1663821227);
      h = mix32(h ^ part.length);
    }
  }
  return h;
}
var SweepRandom = class {
  a;
  b;
  c;
  d;
  spareNormal;
  constructor(seed) {
    this.a = mix32(seed ^ 3735928559);
    this.b = mix32(seed + 461845907);
    this.c = mix32(seed ^ 3432918353);
    this.d = 1;
    for (let i = 0; i < 15; i++) this.nextUint32();
  }
  /** sfc32 (Chris Doty-Humphrey's small fast counting generator). */
  nextUint32() {
    const t = (this.a + this.b | 0) + this.d | 0;
    this.d = this.d + 1 | 0;
    this.a = this.b ^ this.b >>> 9;
    this.b = this.c + (this.c << 3) | 0;
    this.c = this.c << 21 | this.c >>> 11;
    this.c = this.c + t | 0;
    return t >>> 0;
  }
  /** Uniform in [0, 1) with 53 random bits. */
  uniform() {
    const hi = this.nextUint32() >>> 5;
    const lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }
  /** Standard normal (Marsaglia's polar method; the spare value is kept for the next call). */
  normal() {
    if (this.spareNormal !== void 0) {
      const value = this.spareNormal;
      this.spareNormal = void 0;
      return value;
    }
    for (; ; ) {
      const u = 2 * this.uniform() - 1;
      const v = 2 * this.uniform() - 1;
      const s = u * u + v * v;
      if (s > 0 && s < 1) {
        const f = Math.sqrt(-2 * Math.log(s) / s);
        this.spareNormal = v * f;
        return u * f;
      }
    }
  }
  /** An integer in [0, n). */
  integer(n) {
    return Math.min(n - 1, Math.floor(this.uniform() * n));
  }
  /** An index drawn with probability proportional to `weights` (non-negative, sum > 0). */
  weighted(weights) {
    let total = 0;
    for (let i = 0; i < weights.length; i++) total += weights[i];
    let r = this.uniform() * total;
    for (let i = 0; i < weights.length; i++) {
      r -= weights[i];
      if (r < 0) return i;
    }
    return weights.length - 1;
  }
};

// src/sweeps/tpe.ts
var TPE_DEFAULTS = {
  nStartupJobs: 20,
  gamma: 0.25,
  nEiCandidates: 24,
  priorWeight: 1
};
var LINEAR_FORGETTING = 25;
var EPS = 1e-12;
function linearForgettingWeights(n, lf = LINEAR_FORGETTING) {
  if (n === 0) return [];
  if (n < lf) return new Array(n).fill(1);
  const rampLength = n - lf;
  const ramp = Array.from(
    { length: rampLength },
    (_, i) => rampLength === 1 ? 1 / n : 1 / n + (1 - 1 / n) * i / (rampLength - 1)
  );
  return [...ramp, ...new Array(lf).fill(1)];
}
function adaptiveParzen(obs, priorWeight, priorMu, priorSigma) {
  const n = obs.length;
  let sorted;
  let sigma;
  let priorPos;
  let order = [];
  if (n === 0) {
    sorted = [priorMu];
    sigma = [priorSigma];
    priorPos = 0;
  } else if (n === 1) {
    const only = obs[0];
    if (priorMu < only) {
      priorPos = 0;
      sorted = [priorMu, only];
      sigma = [priorSigma, priorSigma * 0.5];
    } else {
      priorPos = 1;
      sorted = [only, priorMu];
      sigma = [priorSigma * 0.5, priorSigma];
    }
  } else {
    order = obs.map((_, i) => i).sort((a, b) => obs[a] - obs[b] || a - b);
    const values = order.map((i) => obs[i]);
    priorPos = values.findIndex((v) => v >= priorMu);
    if (priorPos < 0) priorPos = values.length;
    sorted = [...values.slice(0, priorPos), priorMu, ...values.slice(priorPos)];
    sigma = new Array(sorted.length).fill(0);
    for (let i = 1; i < sorted.length - 1; i++) {
      sigma[i] = Math.max(
        sorted[i] - sorted[i - 1],
        sorted[i + 1] - sorted[i]
      );
    }
    sigma[0] = sorted[1] - sorted[0];
    sigma[sorted.length - 1] = sorted[sorted.length - 1] - sorted[sorted.length - 2];
  }
  let weights;
  if (n > LINEAR_FORGETTING) {
    const unsorted = linearForgettingWeights(n);
    weights = [
      ...order.slice(0, priorPos).map((i) => unsorted[i]),
      priorWeight,
      ...order.slice(priorPos).map((i) => unsorted[i])
    ];
  } else {
    weights = new Array(sorted.length).fill(1);
    weights[priorPos] = priorWeight;
  }
  const maxSigma = priorSigma;
  const minSigma = priorSigma / Math.min(100, 1 + sorted.length);
  sigma = sigma.map((s) => Math.min(maxSigma, Math.max(minSigma, s)));
  sigma[priorPos] = priorSigma;
  const total = weights.reduce((s, w) => s + w, 0);
  return { weights: weights.map((w) => w / total), mus: sorted, sigmas: sigma };
}
function erfc(x) {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r = t * Math.exp(
    -z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))))
  );
  return x >= 0 ? r : 2 - r;
}
function normalMass(a, b, mu, sigma) {
  const s = Math.max(Math.SQRT2 * sigma, EPS);
  const za = (a - mu) / s;
  const zb = (b - mu) / s;
  if (za > 0) return 0.5 * (erfc(za) - erfc(zb));
  return 0.5 * (erfc(-zb) - erfc(-za));
}
function continuousModel(d) {
  switch (d.kind) {
    case "uniform":
    case "quniform":
    case "uniformint":
      return {
        log: false,
        bounds: { low: d.low, high: d.high },
        ...d.kind === "uniform" ? {} : { q: d.q },
        priorMu: 0.5 * (d.low + d.high),
        priorSigma: d.high - d.low,
        transform: (v) => v
      };
    case "loguniform":
    case "qloguniform": {
      const floor = Math.max(EPS, Math.exp(d.low));
      return {
        log: true,
        bounds: { low: d.low, high: d.high },
        ...d.kind === "qloguniform" ? { q: d.q } : {},
        priorMu: 0.5 * (d.low + d.high),
        priorSigma: d.high - d.low,
        transform: d.kind === "qloguniform" ? (v) => Math.log(Math.max(v, floor)) : (v) => Math.log(v)
      };
    }
    case "normal":
    case "qnormal":
      return {
        log: false,
        ...d.kind === "qnormal" ? { q: d.q } : {},
        priorMu: d.mu,
        priorSigma: d.sigma,
        transform: (v) => v
      };
    case "lognormal":
    case "qlognormal":
      return {
        log: true,
        ...d.kind === "qlognormal" ? { q: d.q } : {},
        priorMu: d.mu,
        priorSigma: d.sigma,
        transform: (v) => Math.log(Math.max(v, EPS))
      };
    default:
      return void 0;
  }
}
function sampleMixture(m, model, rng) {
  let draw = Number.NaN;
  for (let attempt = 0; ; attempt++) {
    const k = rng.weighted(m.weights);
    draw = m.mus[k] + m.sigmas[k] * rng.normal();
    if (!model.bounds || draw >= model.bounds.low && draw < model.bounds.high) break;
    if (attempt > 1e4) {
      draw = Math.min(model.bounds.high, Math.max(model.bounds.low, draw));
      break;
    }
  }
  const value = model.log ? Math.exp(draw) : draw;
  return model.q !== void 0 ? quantize(value, model.q) : value;
}
function mixtureLogDensity(x, m, model) {
  let pAccept = 1;
  if (model.bounds) {
    pAccept = 0;
    for (let k = 0; k < m.weights.length; k++) {
      pAccept += m.weights[k] * normalMass(model.bounds.low, model.bounds.high, m.mus[k], m.sigmas[k]);
    }
  }
  let total = 0;
  if (model.q === void 0) {
    const y = model.log ? Math.log(x) : x;
    for (let k = 0; k < m.weights.length; k++) {
      const s = Math.max(m.sigmas[k], EPS);
      const z = (y - m.mus[k]) / s;
      total += m.weights[k] * Math.exp(-0.5 * z * z) / (s * Math.sqrt(2 * Math.PI));
    }
    if (model.log) total /= x;
  } else {
    const half = model.q / 2;
    let upper = x + half;
    let lower = x - half;
    if (model.bounds) {
      const high = model.log ? Math.exp(model.bounds.high) : model.bounds.high;
      const low = model.log ? Math.exp(model.bounds.low) : model.bounds.low;
      upper = Math.min(upper, high);
      lower = Math.max(lower, low);
    }
    if (model.log) lower = Math.max(0, lower);
    const a = model.log ? Math.log(Math.max(lower, EPS)) : lower;
    const b = model.log ? Math.log(Math.max(upper, EPS)) : upper;
    for (let k = 0; k < m.weights.length; k++) {
      total += m.weights[k] * normalMass(a, b, m.mus[k], m.sigmas[k]);
    }
  }
  return Math.log(total) - Math.log(pAccept);
}
function categoricalProbabilities(obs, size, priorWeight) {
  const weights = linearForgettingWeights(obs.length);
  const counts = new Array(size).fill(priorWeight);
  obs.forEach((v, i) => {
    if (v >= 0 && v < size) counts[v] = counts[v] + weights[i];
  });
  const total = counts.reduce((s, c) => s + c, 0);
  return counts.map((c) => c / total);
}
function splitGood(losses, gamma) {
  const nBelow = Math.min(Math.ceil(gamma * Math.sqrt(losses.length)), LINEAR_FORGETTING);
  const key = (l) => Number.isNaN(l) ? Number.POSITIVE_INFINITY : l;
  const order = losses.map((_, i) => i).sort((a, b) => key(losses[a]) - key(losses[b]) || a - b);
  return new Set(order.slice(0, nBelow));
}
function suggestTpe(options) {
  const { space, observations, rng } = options;
  const tpe = { ...TPE_DEFAULTS, ...options.tpe };
  const good = splitGood(
    observations.map((o) => o.loss),
    tpe.gamma
  );
  const point = {};
  for (const param of space) {
    const below = [];
    const above = [];
    observations.forEach((o, i) => {
      const v = o.point[param.name];
      if (v === void 0) return;
      (good.has(i) ? below : above).push(v);
    });
    const d = param.distribution;
    const model = continuousModel(d);
    if (model) {
      const l = adaptiveParzen(below.map(model.transform), tpe.priorWeight, model.priorMu, model.priorSigma);
      const g = adaptiveParzen(above.map(model.transform), tpe.priorWeight, model.priorMu, model.priorSigma);
      let best2 = Number.NaN;
      let bestScore2 = Number.NEGATIVE_INFINITY;
      for (let c = 0; c < tpe.nEiCandidates; c++) {
        const candidate = sampleMixture(l, model, rng);
        const score = mixtureLogDensity(candidate, l, model) - mixtureLogDensity(candidate, g, model);
        if (c === 0 || score > bestScore2) {
          best2 = candidate;
          bestScore2 = score;
        }
      }
      point[param.name] = best2;
      continue;
    }
    const offset = d.kind === "randint" ? d.low : 0;
    const size = d.kind === "randint" ? d.high - d.low : d.kind === "choice" ? d.options.length : 0;
    const pl = categoricalProbabilities(
      below.map((v) => v - offset),
      size,
      tpe.priorWeight
    );
    const pg = categoricalProbabilities(
      above.map((v) => v - offset),
      size,
      tpe.priorWeight
    );
    let best = 0;
    let bestScore = Number.NEGATIVE_INFINITY;
    for (let c = 0; c < tpe.nEiCandidates; c++) {
      const k = rng.weighted(pl);
      const score = Math.log(pl[k]) - Math.log(pg[k]);
      if (c === 0 || score > bestScore) {
        best = k;
        bestScore = score;
      }
    }
    point[param.name] = best + offset;
  }
  return point;
}

// src/sweeps/samplers.ts
var TPE_IN_FLIGHT = 2;
var ALGORITHMS = {
  "hyperopt.tpe.suggest": "tpe",
  "tpe.suggest": "tpe",
  tpe: "tpe",
  "hyperopt.rand.suggest": "random",
  "rand.suggest": "random",
  random: "random",
  rand: "random",
  grid: "grid"
};
var ALGORITHM_NAMES = Object.keys(ALGORITHMS);
function parseAlgorithm(value) {
  return ALGORITHMS[value.trim()];
}
function createSampler(options) {
  switch (options.algorithm) {
    case "random":
      return randomSampler(options.space, options.seed);
    case "tpe":
      return tpeSampler(options.space, options.seed, options.tpe);
    case "grid":
      return gridSampler(options.space, options.seed);
  }
}
function randomSampler(space, seed) {
  return {
    algorithm: "random",
    capacity: Number.POSITIVE_INFINITY,
    visible: () => 0,
    suggest: (index) => samplePoint(space, new SweepRandom(deriveSeed(seed, index, "prior")))
  };
}
function tpeSampler(space, seed, options = {}) {
  const startup = options.nStartupJobs ?? TPE_DEFAULTS.nStartupJobs;
  return {
    algorithm: "tpe",
    capacity: Number.POSITIVE_INFINITY,
    visible: (index) => index < startup ? 0 : Math.max(0, index - TPE_IN_FLIGHT + 1),
    suggest(index, history) {
      if (index < startup || history.length === 0) {
        return samplePoint(space, new SweepRandom(deriveSeed(seed, index, "prior")));
      }
      return suggestTpe({
        space,
        observations: history,
        rng: new SweepRandom(deriveSeed(seed, index, "tpe")),
        tpe: options
      });
    }
  };
}
var MAX_GRID_POINTS = 1e6;
function gridValues(space) {
  const values = [];
  for (const p of space) {
    const d = p.distribution;
    switch (d.kind) {
      case "choice":
        values.push(d.options.map((_, i) => i));
        break;
      case "randint":
        values.push(Array.from({ length: d.high - d.low }, (_, i) => d.low + i));
        break;
      case "quniform":
      case "uniformint": {
        const first = Math.round(d.low / d.q);
        const last = Math.round(d.high / d.q);
        values.push(Array.from({ length: last - first + 1 }, (_, i) => quantize((first + i) * d.q, d.q)));
        break;
      }
      default:
        return {
          error: {
            name: p.name,
            message: `grid search needs a finite set of values, but ${p.name} is a ${d.kind} distribution`
          }
        };
    }
  }
  return { values };
}
function gridSampler(space, seed) {
  const grid = gridValues(space);
  if ("error" in grid) throw new Error(grid.error.message);
  const sizes = grid.values.map((v) => v.length);
  const capacity = sizes.reduce((a, b) => a * b, 1);
  if (capacity > MAX_GRID_POINTS)
    throw new Error(`the grid has ${capacity} points, more than ${MAX_GRID_POINTS}`);
  const order = Array.from({ length: capacity }, (_, i) => i);
  const rng = new SweepRandom(deriveSeed(seed, "grid"));
  for (let i = capacity - 1; i > 0; i--) {
    const j = rng.integer(i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  return {
    algorithm: "grid",
    capacity,
    visible: () => 0,
    suggest(index) {
      let cell = order[index % capacity];
      const point = {};
      for (let k = space.length - 1; k >= 0; k--) {
        const size = sizes[k];
        point[space[k].name] = grid.values[k][cell % size];
        cell = Math.floor(cell / size);
      }
      return point;
    }
  };
}

// src/sweeps/early-stop.ts
function noProgressLoss(iterationStopCount = 20, percentIncrease = 0) {
  return (trials, ...state) => {
    const last = trials[trials.length - 1];
    const newLoss = last ? last.loss : Number.POSITIVE_INFINITY;
    const bestLoss = state[0];
    const stale = state[1] ?? 0;
    if (bestLoss === void 0) return [false, [newLoss, stale + 1]];
    const threshold = bestLoss - Math.abs(bestLoss * (percentIncrease / 100));
    if (newLoss < threshold) return [false, [newLoss, 0]];
    return [stale + 1 >= iterationStopCount, [bestLoss, stale + 1]];
  };
}
var BUILTIN = /^(?:hyperopt\.early_stop\.)?no_progress_loss(?:\(\s*(\d+)?\s*(?:,\s*([0-9.eE+-]+)\s*)?\))?$/;
var USER = /^(?:([A-Za-z_][A-Za-z0-9_-]*)\.)?([A-Za-z_$][\w$]*)$/;
function parseEarlyStopSpec(value) {
  const text = value.trim();
  const builtin = BUILTIN.exec(text);
  if (builtin) {
    const count = builtin[1] === void 0 ? 20 : Number(builtin[1]);
    const percent = builtin[2] === void 0 ? 0 : Number(builtin[2]);
    if (!(count >= 1) || !Number.isFinite(percent) || percent < 0) {
      return {
        error: `no_progress_loss needs a positive trial count and a non-negative percent, not ${text}`
      };
    }
    return { kind: "no_progress_loss", iterationStopCount: count, percentIncrease: percent };
  }
  const user = USER.exec(text);
  if (user) return { kind: "user", module: user[1] ?? "train", name: user[2] };
  return { error: `"${text}" is neither no_progress_loss(N) nor a function name` };
}
var EarlyStopper = class {
  constructor(fn) {
    this.fn = fn;
  }
  fn;
  state = [];
  seen = [];
  /** Adds the next trial (in index order) and says whether the sweep should stop now. */
  async add(trial) {
    this.seen.push(trial);
    const answer = await this.fn(this.seen, ...this.state);
    if (!Array.isArray(answer) || typeof answer[0] !== "boolean") {
      throw new Error("the early_stop_fn must return [stop: boolean, state: unknown[]]");
    }
    this.state = Array.isArray(answer[1]) ? [...answer[1]] : [];
    return answer[0];
  }
};

// src/sweeps/run-sweep.ts
async function runSweep(options) {
  const { sampler, space } = options;
  const total = Math.max(0, Math.min(options.maxTrials, sampler.capacity));
  const parallelism = Math.max(1, Math.floor(options.parallelism));
  const { default: PQueue } = await import("./chunk-dist-ZJFZ6QB7.js");
  const queue = new PQueue({ concurrency: parallelism });
  const specs = [];
  const results = [];
  const controllers = /* @__PURE__ */ new Map();
  const stopper = options.earlyStop ? new EarlyStopper(options.earlyStop) : void 0;
  const failed = options.failedResult ?? ((_, error) => ({
    status: "failed",
    error: error instanceof Error ? error.message : String(error)
  }));
  let next = 0;
  let inFlight = 0;
  let finishedPrefix = 0;
  let checked = 0;
  let stopAfter = Number.POSITIVE_INFINITY;
  let checking = Promise.resolve();
  const observation = (i) => {
    const result = results[i];
    return {
      point: specs[i].point,
      loss: lossOf(result)
    };
  };
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (error) => {
      if (settled) return;
      settled = true;
      for (const c of controllers.values()) c.abort();
      queue.clear();
      reject(error);
    };
    const onAbort = () => fail(options.signal?.reason ?? new Error("the sweep was aborted"));
    if (options.signal?.aborted) return onAbort();
    options.signal?.addEventListener("abort", onAbort, { once: true });
    const finish = () => {
      if (settled || inFlight > 0) return;
      if (next < total && next <= stopAfter) return;
      settled = true;
      options.signal?.removeEventListener("abort", onAbort);
      const last = Math.min(total, stopAfter === Number.POSITIVE_INFINITY ? total : stopAfter + 1);
      const trials = [];
      const discarded = [];
      for (let i = 0; i < specs.length; i++) {
        const trial = { spec: specs[i], result: results[i] };
        (i < last ? trials : discarded).push(trial);
      }
      let best;
      for (const t of trials) {
        if (lossOf(t.result) === Number.POSITIVE_INFINITY) continue;
        if (!best || lossOf(t.result) < lossOf(best.result)) best = t;
      }
      resolve({
        trials,
        discarded,
        ...stopAfter !== Number.POSITIVE_INFINITY ? { stoppedAfter: stopAfter } : {},
        ...best ? { best } : {}
      });
    };
    const runEarlyStop = () => {
      if (!stopper) return;
      checking = checking.then(async () => {
        while (checked < finishedPrefix && checked <= stopAfter && !settled) {
          const i = checked++;
          const result = results[i];
          const trial = {
            index: i,
            status: result.status,
            loss: observation(i).loss,
            params: specs[i].params
          };
          if (await stopper.add(trial)) {
            stopAfter = i;
            for (const [index, controller] of controllers) if (index > i) controller.abort();
          }
        }
      });
      checking.then(() => {
        pump();
        finish();
      }, fail);
    };
    const pump = () => {
      while (!settled && next < total && next <= stopAfter && inFlight < parallelism) {
        const index = next;
        const needed = sampler.visible(index);
        if (needed > finishedPrefix) break;
        let spec;
        try {
          const history = Array.from({ length: needed }, (_, i) => observation(i));
          const point = sampler.suggest(index, history);
          spec = { index, point, params: pointToParams(space, point) };
        } catch (error) {
          fail(error);
          return;
        }
        specs[index] = spec;
        next++;
        inFlight++;
        const controller = new AbortController();
        controllers.set(index, controller);
        options.onTrialStart?.(spec);
        void queue.add(async () => {
          let result;
          try {
            result = await options.runTrial(spec, controller.signal);
          } catch (error) {
            try {
              result = failed(spec, error);
            } catch (fatal) {
              fail(fatal);
              return;
            }
          }
          if (settled) return;
          results[index] = result;
          controllers.delete(index);
          inFlight--;
          try {
            options.onTrialEnd?.(spec, result);
          } catch (error) {
            fail(error);
            return;
          }
          while (finishedPrefix < specs.length && results[finishedPrefix] !== void 0) finishedPrefix++;
          if (stopper) runEarlyStop();
          else {
            pump();
            finish();
          }
        });
      }
      if (next >= total || next > stopAfter) finish();
    };
    pump();
  });
}
function lossOf(result) {
  const loss = result.loss;
  return result.status === "ok" && typeof loss === "number" && !Number.isNaN(loss) ? loss : Number.POSITIVE_INFINITY;
}

// src/sweeps/tuning-config.ts
var DEFAULT_TUNING_SEED = 42;
function isRecord2(value) {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
function parseTuningConfig(raw) {
  if (raw === void 0 || raw === null) return { issues: [] };
  const issues = [];
  if (!isRecord2(raw) || typeof raw.enabled !== "boolean") {
    issues.push({
      path: isRecord2(raw) && raw.enabled !== void 0 ? ["enabled"] : [],
      message: "The 'tuning' configuration in the train step must include an 'enabled' key whose value is either true or false.",
      hint: "add `enabled: true` to run the sweep, or `enabled: false` to keep the section without running it"
    });
    return { issues };
  }
  if (!raw.enabled) return { issues };
  const maxTrials = raw.max_trials;
  if (maxTrials === void 0) {
    issues.push({
      path: [],
      message: "The 'max_trials' configuration in the train step must be provided.",
      hint: "add e.g. `max_trials: 40` under tuning"
    });
  } else if (typeof maxTrials !== "number" || !Number.isInteger(maxTrials) || maxTrials < 1) {
    issues.push({
      path: ["max_trials"],
      message: `max_trials must be a positive integer, not ${JSON.stringify(maxTrials)}`
    });
  }
  const algorithmText = raw.algorithm ?? "hyperopt.rand.suggest";
  const algorithm = typeof algorithmText === "string" ? parseAlgorithm(algorithmText) : void 0;
  if (!algorithm) {
    issues.push({
      path: ["algorithm"],
      message: `unknown tuning algorithm ${JSON.stringify(algorithmText)}`,
      hint: `use one of: ${ALGORITHM_NAMES.join(", ")}`
    });
  }
  const parallelism = raw.parallelism ?? 1;
  if (typeof parallelism !== "number" || !Number.isInteger(parallelism) || parallelism < 1) {
    issues.push({
      path: ["parallelism"],
      message: `parallelism must be a positive integer, not ${JSON.stringify(parallelism)}`
    });
  }
  const sampleFraction = raw.sample_fraction ?? 1;
  if (typeof sampleFraction !== "number" || !(sampleFraction > 0 && sampleFraction <= 1)) {
    issues.push({
      path: ["sample_fraction"],
      message: "The tuning 'sample_fraction' configuration in the train step must be between 0 and 1.",
      hint: "a fraction of the training rows such as 0.5; 1 (the default) uses them all"
    });
  }
  const seed = raw.seed ?? DEFAULT_TUNING_SEED;
  if (typeof seed !== "number" || !Number.isInteger(seed) || seed < 0) {
    issues.push({
      path: ["seed"],
      message: `seed must be a non-negative integer, not ${JSON.stringify(seed)}`
    });
  }
  let earlyStop;
  if (raw.early_stop_fn !== void 0) {
    const parsed = typeof raw.early_stop_fn === "string" ? parseEarlyStopSpec(raw.early_stop_fn) : { error: "must be a string" };
    if ("error" in parsed) {
      issues.push({
        path: ["early_stop_fn"],
        message: `early_stop_fn: ${parsed.error}`,
        hint: "use no_progress_loss(N) or the name of a function exported by steps/train.ts"
      });
    } else earlyStop = parsed;
  }
  if (raw.parameters === void 0) {
    issues.push({
      path: [],
      message: "The 'parameters' configuration in the train step must be provided when tuning is enabled.",
      hint: "add parameters: {name: {values: [...]} or {distribution: ..., ...}}"
    });
    return { issues };
  }
  const { space, issues: spaceIssues } = parseSearchSpace(raw.parameters);
  for (const issue of spaceIssues) issues.push({ ...issue, path: ["parameters", ...issue.path] });
  if (algorithm === "grid" && spaceIssues.length === 0) {
    const grid = gridValues(space);
    if ("error" in grid) {
      issues.push({
        path: ["parameters", grid.error.name],
        message: grid.error.message,
        hint: "give it values: [...], or a quniform/randint distribution, or use algorithm tpe or random"
      });
    } else {
      const size = grid.values.reduce((n, v) => n * v.length, 1);
      if (size > MAX_GRID_POINTS) {
        issues.push({
          path: ["parameters"],
          message: `the grid has ${size} points, more than ${MAX_GRID_POINTS}`
        });
      }
    }
  }
  if (issues.length > 0) return { issues };
  return {
    config: {
      maxTrials,
      algorithm,
      parallelism,
      sampleFraction,
      ...earlyStop ? { earlyStop } : {},
      seed,
      space
    },
    issues
  };
}

export {
  describeDistribution,
  createSampler,
  noProgressLoss,
  runSweep,
  parseTuningConfig
};
