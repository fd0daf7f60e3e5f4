/**
 * Search spaces in MLflow Recipes' `tuning.parameters` form, with hyperopt's distributions and
 * meanings (hyperopt 0.2.7 `hp.*`):
 *
 *   alpha:    {distribution: loguniform, low: -9, high: -1}    # exp(U(-9, -1))
 *   l1_ratio: {distribution: uniform, low: 0, high: 1}
 *   depth:    {distribution: quniform, low: 2, high: 10, q: 1} # round(U(2, 10) / q) * q
 *   penalty:  {values: [l1, l2, elasticnet]}                     # hp.choice
 *
 * Parsing is pure: it returns the space and a list of issues, each with the path of the offending
 * key so the caller can point at file:line:column.
 */

export type ParamValue = string | number | boolean | null | ParamValue[] | { [key: string]: ParamValue };

export type Distribution =
  | { kind: 'uniform'; low: number; high: number }
  | { kind: 'quniform'; low: number; high: number; q: number }
  | { kind: 'uniformint'; low: number; high: number; q: number }
  | { kind: 'loguniform'; low: number; high: number }
  | { kind: 'qloguniform'; low: number; high: number; q: number }
  | { kind: 'normal'; mu: number; sigma: number }
  | { kind: 'qnormal'; mu: number; sigma: number; q: number }
  | { kind: 'lognormal'; mu: number; sigma: number }
  | { kind: 'qlognormal'; mu: number; sigma: number; q: number }
  | { kind: 'randint'; low: number; high: number }
  | { kind: 'choice'; options: ParamValue[] };

export type DistributionKind = Distribution['kind'];

export interface SearchParameter {
  name: string;
  distribution: Distribution;
}

/** The parameters in the order the config lists them. */
export type SearchSpace = readonly SearchParameter[];

export interface SpaceIssue {
  /** Keys from the `parameters` mapping down to the offending value, e.g. ['alpha', 'low']. */
  path: string[];
  message: string;
  hint?: string;
}

/** The arguments each distribution takes (hyperopt's keyword names). */
const ARGUMENTS: Readonly<Record<Exclude<DistributionKind, 'choice' | 'randint'>, readonly string[]>> = {
  uniform: ['low', 'high'],
  quniform: ['low', 'high', 'q'],
  uniformint: ['low', 'high'],
  loguniform: ['low', 'high'],
  qloguniform: ['low', 'high', 'q'],
  normal: ['mu', 'sigma'],
  qnormal: ['mu', 'sigma', 'q'],
  lognormal: ['mu', 'sigma'],
  qlognormal: ['mu', 'sigma', 'q'],
};

export const DISTRIBUTION_NAMES: readonly string[] = [...Object.keys(ARGUMENTS), 'randint', 'choice'];

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function mlflowMessage(name: string): string {
  // MLflow 2.12 TrainStep.construct_search_space_from_yaml's wording.
  return `Parameter ${name} must contain either a list of 'values' or a 'distribution' following hyperopt parameter expressions`;
}

/** Parses `tuning.parameters`; the space is complete only when `issues` is empty. */
export function parseSearchSpace(raw: unknown): { space: SearchParameter[]; issues: SpaceIssue[] } {
  const issues: SpaceIssue[] = [];
  const space: SearchParameter[] = [];
  if (!isRecord(raw)) {
    issues.push({
      path: [],
      message: 'must be a mapping of parameter name to {values: [...]} or {distribution: ..., ...}',
      hint: 'e.g. parameters: {alpha: {distribution: loguniform, low: -9, high: -1}}',
    });
    return { space, issues };
  }
  if (Object.keys(raw).length === 0) {
    issues.push({ path: [], message: 'names no parameter to tune', hint: 'add at least one parameter' });
  }
  for (const [name, spec] of Object.entries(raw)) {
    const parsed = parseParameter(name, spec, issues);
    if (parsed) space.push({ name, distribution: parsed });
  }
  return { space, issues };
}

function parseParameter(name: string, spec: unknown, issues: SpaceIssue[]): Distribution | undefined {
  const hint =
    'give `values: [a, b, ...]` or `distribution:` one of ' +
    `${DISTRIBUTION_NAMES.join(', ')} with its arguments`;
  if (!isRecord(spec) || (!('values' in spec) && !('distribution' in spec))) {
    issues.push({ path: [name], message: mlflowMessage(name), hint });
    return undefined;
  }
  if ('values' in spec) {
    if ('distribution' in spec) {
      issues.push({
        path: [name],
        message: `parameter ${name} has both 'values' and 'distribution'`,
        hint: 'keep one: values for a fixed list, distribution for a hyperopt expression',
      });
      return undefined;
    }
    const extra = Object.keys(spec).filter((k) => k !== 'values');
    if (extra.length > 0) {
      issues.push({
        path: [name, extra[0] as string],
        message: `unexpected key '${extra[0]}' next to 'values'`,
        hint: 'a list of values takes no other keys',
      });
    }
    return parseOptions(name, spec.values, ['values'], issues);
  }
  const kind = spec.distribution;
  if (typeof kind !== 'string' || !DISTRIBUTION_NAMES.includes(kind)) {
    issues.push({
      path: [name, 'distribution'],
      message: `unknown distribution ${JSON.stringify(kind)} for parameter ${name}`,
      hint: `use one of ${DISTRIBUTION_NAMES.join(', ')} (hyperopt's hp.* names)`,
    });
    return undefined;
  }
  if (kind === 'choice') {
    const extra = Object.keys(spec).filter((k) => k !== 'distribution' && k !== 'options');
    if (extra.length > 0) {
      issues.push({
        path: [name, extra[0] as string],
        message: `unexpected key '${extra[0]}' for distribution choice`,
        hint: 'choice takes options: [...] (or write values: [...] instead)',
      });
    }
    return parseOptions(name, spec.options, ['options'], issues);
  }
  if (kind === 'randint') return parseRandint(name, spec, issues);
  const names = ARGUMENTS[kind as keyof typeof ARGUMENTS];
  const args: Record<string, number> = {};
  let ok = true;
  for (const key of Object.keys(spec)) {
    if (key !== 'distribution' && !names.includes(key)) {
      issues.push({
        path: [name, key],
        message: `unexpected key '${key}' for distribution ${kind}`,
        hint: `${kind} takes ${names.join(', ')}`,
      });
      ok = false;
    }
  }
  for (const key of names) {
    const value = spec[key];
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      issues.push({
        path: value === undefined ? [name] : [name, key],
        message:
          value === undefined
            ? `distribution ${kind} of parameter ${name} needs '${key}'`
            : `'${key}' must be a finite number, not ${JSON.stringify(value)}`,
        hint: `${kind} takes ${names.join(', ')}`,
      });
      ok = false;
    } else {
      args[key] = value;
    }
  }
  if (!ok) return undefined;
  const low = args.low;
  const high = args.high;
  if (low !== undefined && high !== undefined && !(low < high)) {
    issues.push({
      path: [name, 'high'],
      message: `'high' (${high}) must be greater than 'low' (${low})`,
      hint:
        kind === 'loguniform' || kind === 'qloguniform'
          ? `${kind} bounds are logarithms: exp(U(low, high)); e.g. low: -9, high: -1 for 1e-4..0.37`
          : 'swap them or widen the range',
    });
    return undefined;
  }
  if (args.sigma !== undefined && !(args.sigma > 0)) {
    issues.push({ path: [name, 'sigma'], message: `'sigma' must be positive, not ${args.sigma}` });
    return undefined;
  }
  if (args.q !== undefined && !(args.q > 0)) {
    issues.push({ path: [name, 'q'], message: `'q' must be positive, not ${args.q}` });
    return undefined;
  }
  switch (kind) {
    case 'uniform':
    case 'loguniform':
      return { kind, low: low as number, high: high as number };
    case 'quniform':
    case 'qloguniform':
      return { kind, low: low as number, high: high as number, q: args.q as number };
    case 'uniformint':
      return { kind, low: low as number, high: high as number, q: 1 };
    case 'normal':
    case 'lognormal':
      return { kind, mu: args.mu as number, sigma: args.sigma as number };
    case 'qnormal':
    case 'qlognormal':
      return { kind, mu: args.mu as number, sigma: args.sigma as number, q: args.q as number };
    default:
      return undefined;
  }
}

/** hyperopt's randint(upper) is [0, upper); randint(low, high) is [low, high). `upper` is accepted too. */
function parseRandint(
  name: string,
  spec: Record<string, unknown>,
  issues: SpaceIssue[],
): Distribution | undefined {
  for (const key of Object.keys(spec)) {
    if (!['distribution', 'low', 'high', 'upper'].includes(key)) {
      issues.push({
        path: [name, key],
        message: `unexpected key '${key}' for distribution randint`,
        hint: 'randint takes upper (values 0..upper-1), or low and high (values low..high-1)',
      });
      return undefined;
    }
  }
  const integer = (key: string): number | undefined => {
    const value = spec[key];
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      issues.push({
        path: [name, key],
        message: `'${key}' must be an integer, not ${JSON.stringify(value)}`,
      });
      return Number.NaN;
    }
    return value;
  };
  const upper = integer('upper');
  const lowArg = integer('low');
  const highArg = integer('high');
  if ([upper, lowArg, highArg].some((v) => Number.isNaN(v))) return undefined;
  let low: number;
  let high: number;
  if (upper !== undefined) {
    if (lowArg !== undefined || highArg !== undefined) {
      issues.push({
        path: [name, 'upper'],
        message: "randint takes either 'upper' or 'low'/'high', not both",
      });
      return undefined;
    }
    low = 0;
    high = upper;
  } else if (lowArg !== undefined && highArg === undefined) {
    // hp.randint(label, 5): the single argument is the exclusive upper bound.
    low = 0;
    high = lowArg;
  } else if (lowArg !== undefined && highArg !== undefined) {
    low = lowArg;
    high = highArg;
  } else {
    issues.push({
      path: [name],
      message: `distribution randint of parameter ${name} needs 'upper', or 'low' and 'high'`,
      hint: 'e.g. {distribution: randint, low: 2, high: 10} draws 2..9',
    });
    return undefined;
  }
  if (!(high > low)) {
    issues.push({
      path: [name, upper !== undefined ? 'upper' : 'high'],
      message: `randint needs at least one value: [${low}, ${high}) is empty`,
    });
    return undefined;
  }
  return { kind: 'randint', low, high };
}

function parseOptions(
  name: string,
  options: unknown,
  key: string[],
  issues: SpaceIssue[],
): Distribution | undefined {
  if (!Array.isArray(options) || options.length === 0) {
    issues.push({
      path: [name, ...key],
      message: `'${key[0]}' of parameter ${name} must be a non-empty list`,
      hint: `e.g. ${key[0]}: [l1, l2]`,
    });
    return undefined;
  }
  return { kind: 'choice', options: options as ParamValue[] };
}

/** Distributions whose values are integers by construction. */
export function isIntegerDistribution(d: Distribution): boolean {
  return d.kind === 'randint' || d.kind === 'uniformint';
}

/**
 * round(x / q) * q, with the float noise of a decimal q removed (q = 0.1 gives 0.3, not
 * 0.30000000000000004), so logged params read as the user wrote the grid.
 */
export function quantize(x: number, q: number): number {
  const value = Math.round(x / q) * q;
  const decimals = decimalPlaces(q);
  return decimals <= 12 ? Number(value.toFixed(decimals)) : value;
}

function decimalPlaces(q: number): number {
  if (Number.isInteger(q)) return 0;
  const text = String(q);
  const exp = /e-(\d+)$/.exec(text);
  if (exp) return Number(exp[1]) + (text.split('e')[0]?.split('.')[1]?.length ?? 0);
  return text.split('.')[1]?.length ?? 0;
}

/** A short human form, for cards and `--help`-like listings: `loguniform(-9, -1)`. */
export function describeDistribution(d: Distribution): string {
  switch (d.kind) {
    case 'choice':
      return `choice(${d.options.map((o) => JSON.stringify(o)).join(', ')})`;
    case 'randint':
      return `randint(${d.low}, ${d.high})`;
    case 'uniform':
    case 'loguniform':
      return `${d.kind}(${d.low}, ${d.high})`;
    case 'uniformint':
      return `uniformint(${d.low}, ${d.high})`;
    case 'quniform':
    case 'qloguniform':
      return `${d.kind}(${d.low}, ${d.high}, q=${d.q})`;
    case 'normal':
    case 'lognormal':
      return `${d.kind}(${d.mu}, ${d.sigma})`;
    case 'qnormal':
    case 'qlognormal':
      return `${d.kind}(${d.mu}, ${d.sigma}, q=${d.q})`;
  }
}
