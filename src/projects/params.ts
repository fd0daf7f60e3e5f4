import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../errors.js';

/** MLflow's parameter types, plus `int`. */
export const PARAM_TYPES = ['float', 'int', 'string', 'path', 'uri'] as const;
export type ParamType = (typeof PARAM_TYPES)[number];

export interface ParameterSpec {
  name: string;
  type: ParamType;
  /** The default as a string (YAML numbers are stringified); absent means required. */
  default?: string;
}

export interface ResolvedParameters {
  /** Declared parameters, given or defaulted, exactly as written: what the run records as params. */
  declared: Record<string, string>;
  /** Values substituted into the command: `path` parameters made absolute. */
  commandValues: Record<string, string>;
  /** `-P` keys the entry point does not declare: appended to the command as `--key value`. */
  extra: Record<string, string>;
}

// Python's float() grammar (what MLflow users expect to be accepted), without digit underscores.
const FLOAT = /^[+-]?((\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|nan|inf|infinity)$/i;
const INT = /^[+-]?\d+$/;
const SCHEME = /^[a-zA-Z][a-zA-Z0-9+.-]*:/;

/** Why `value` is not acceptable for `spec` (as a phrase), or undefined when it is. */
export function checkParameterValue(spec: ParameterSpec, value: string): string | undefined {
  switch (spec.type) {
    case 'float':
      return FLOAT.test(value.trim()) ? undefined : `must be a float, got ${JSON.stringify(value)}`;
    case 'int':
      return INT.test(value.trim()) ? undefined : `must be an int, got ${JSON.stringify(value)}`;
    case 'uri':
      // MLflow's _compute_uri_value: any string with a scheme (s3://, file://, runs:/, models:/).
      return SCHEME.test(value)
        ? undefined
        : `must be a URI with a scheme (e.g. file:///data.csv), got ${JSON.stringify(value)}`;
    default:
      return undefined;
  }
}

/**
 * Checks and completes the parameters for one entry point, before anything runs: every
 * required parameter present, every float/int/uri well-formed, every path existing. Mirrors
 * MLflow's EntryPoint.compute_parameters, except that the recorded values are the raw ones
 * (MLflow records shell-quoted strings, which differ only for values needing quotes).
 */
export function resolveParameters(options: {
  /** An MLproject entry point (its name for messages, its declared parameters). */
  entryPoint: { name: string; parameters: readonly ParameterSpec[] };
  given: Record<string, string>;
  /** Relative `path` values resolve against this directory (the user's cwd, as MLflow does). */
  cwd: string;
}): ResolvedParameters {
  const { entryPoint, given, cwd } = options;
  const declared: Record<string, string> = {};
  const commandValues: Record<string, string> = {};
  const extra: Record<string, string> = {};
  const missing = entryPoint.parameters.filter((p) => given[p.name] === undefined && p.default === undefined);
  if (missing.length > 0) {
    throw new UsageError(
      `entry point "${entryPoint.name}" needs ${missing.length === 1 ? 'parameter' : 'parameters'} ${missing
        .map((p) => `${p.name} (${p.type})`)
        .join(', ')}, which ${missing.length === 1 ? 'has' : 'have'} no default`,
      { hint: `pass ${missing.map((p) => `-P ${p.name}=<${p.type}>`).join(' ')}` },
    );
  }
  const problems: string[] = [];
  for (const spec of entryPoint.parameters) {
    const value = given[spec.name] ?? (spec.default as string);
    declared[spec.name] = value;
    const problem = checkParameterValue(spec, value);
    if (problem) {
      problems.push(`parameter ${spec.name} ${problem}`);
      continue;
    }
    if (spec.type === 'path') {
      const resolved = resolvePathValue(spec, value, cwd);
      if (typeof resolved === 'string') commandValues[spec.name] = resolved;
      else problems.push(resolved.problem);
    } else {
      commandValues[spec.name] = value;
    }
  }
  if (problems.length > 0) {
    throw new UsageError(`invalid parameters for entry point "${entryPoint.name}": ${problems.join('; ')}`, {
      hint: 'fix the -P values (or the defaults in the MLproject file)',
    });
  }
  const declaredNames = new Set(entryPoint.parameters.map((p) => p.name));
  for (const [key, value] of Object.entries(given)) {
    if (!declaredNames.has(key)) extra[key] = value;
  }
  return { declared, commandValues, extra };
}

function resolvePathValue(spec: ParameterSpec, value: string, cwd: string): string | { problem: string } {
  let local: string;
  if (/^file:/i.test(value)) {
    try {
      local = fileURLToPath(value);
    } catch {
      return { problem: `parameter ${spec.name} is not a valid file: URI: ${JSON.stringify(value)}` };
    }
  } else if (SCHEME.test(value) && !/^[a-zA-Z]:[\\/]/.test(value)) {
    return {
      problem: `parameter ${spec.name} has type path but ${JSON.stringify(value)} is a remote URI; mlrecipe does not download path parameters (declare it as uri, or pass a local path)`,
    };
  } else {
    local = isAbsolute(value) ? value : resolve(cwd, value);
  }
  // MLflow's _compute_path_value refuses local paths that do not exist.
  if (!existsSync(local)) {
    return {
      problem: `parameter ${spec.name} is the path ${JSON.stringify(value)}, but no file or directory ${local} exists`,
    };
  }
  return local;
}

/** Parses `-P key=value` assignments (value may contain `=`); later keys win. */
export function parseParameterAssignments(pairs: readonly string[]): Record<string, string> {
  const result: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) {
      throw new UsageError(`-P ${JSON.stringify(pair)} is not key=value`, { hint: 'write -P alpha=0.5' });
    }
    result[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return result;
}
