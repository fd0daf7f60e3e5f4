import { accessSync, constants, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { delimiter, extname, isAbsolute, join, resolve } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { ConfigError, type ConfigIssue, UsageError } from '../errors.js';
import { placeholdersOf, shellQuote } from './command.js';
import { checkParameterValue, type ParameterSpec, type ParamType } from './params.js';
import { type PositionedYaml, readPositionedYaml, schemaIssues } from './yaml-document.js';

/** The environment an MLproject declares (at most one kind, as MLflow enforces). */
export type ProjectEnvironment =
  | { kind: 'none' }
  | { kind: 'python_env'; file: string }
  | { kind: 'conda_env'; file: string }
  | {
      kind: 'docker_env';
      image: string;
      volumes: string[];
      /** `NAME` copies the variable from this process; `[NAME, value]` sets it. */
      environment: Array<string | [string, string]>;
    }
  | { kind: 'node_env'; node?: string; npmCi: boolean };

export interface EntryPoint {
  name: string;
  parameters: ParameterSpec[];
  /** The command template with `{param}` placeholders (Python str.format syntax, as MLflow). */
  command: string;
  /** Where the entry point is declared, for error messages. */
  source: { file: string; line: number; column: number };
}

export interface Project {
  /** Absolute project directory (the command's working directory). */
  dir: string;
  /** Absolute path of the MLproject file, or undefined for a directory of scripts. */
  file?: string;
  name?: string;
  entryPoints: Record<string, EntryPoint>;
  environment: ProjectEnvironment;
}

/** Script extensions runnable without an MLproject entry (MLflow runs .py and .sh; we add Node). */
export const SCRIPT_RUNNERS: Readonly<Record<string, string>> = {
  '.py': 'python',
  '.sh': 'bash',
  '.js': 'node',
  '.mjs': 'node',
  '.cjs': 'node',
  '.ts': 'node + tsx',
  '.mts': 'node + tsx',
};

let validator: ValidateFunction | undefined;
function mlprojectValidator(): ValidateFunction {
  if (!validator) {
    const schema = JSON.parse(
      readFileSync(new URL('../../schema/mlproject.schema.json', import.meta.url), 'utf8'),
    );
    validator = new Ajv({ allErrors: true, strict: false }).compile(schema);
  }
  return validator;
}

/** The MLproject file of `dir`, matched case-insensitively as MLflow does, or undefined. */
export function findMlprojectFile(dir: string): string | undefined {
  const names = readdirSync(dir).filter((f) => f.toLowerCase() === 'mlproject');
  return names.length > 0 ? join(dir, names[0] as string) : undefined;
}

/**
 * Loads the project in `dir`: its MLproject file validated against schema/mlproject.schema.json
 * (errors carry file:line:column), or, without one, a project whose entry points are the
 * script files in the directory (MLflow's convention).
 */
export function loadProject(dir: string): Project {
  const absDir = resolve(dir);
  if (!existsSync(absDir) || !statSync(absDir).isDirectory()) {
    throw new UsageError(`project directory ${absDir} does not exist`, {
      hint: 'pass a project directory, a git URI (https://…, git@…, file://…) or a path with #subdirectory',
    });
  }
  const file = findMlprojectFile(absDir);
  if (!file) return { dir: absDir, entryPoints: {}, environment: conventionEnvironment(absDir) };
  return parseMlproject(readPositionedYaml(file), absDir);
}

function conventionEnvironment(dir: string): ProjectEnvironment {
  // MLflow without an MLproject: python_env.yaml, else conda.yaml, describes the environment.
  if (existsSync(join(dir, 'python_env.yaml')))
    return { kind: 'python_env', file: join(dir, 'python_env.yaml') };
  if (existsSync(join(dir, 'conda.yaml'))) return { kind: 'conda_env', file: join(dir, 'conda.yaml') };
  return { kind: 'none' };
}

export function parseMlproject(doc: PositionedYaml, dir: string): Project {
  const file = doc.file;
  const raw = doc.value ?? {};
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError([
      doc.issue([], 'an MLproject file must be a YAML mapping (name, entry_points, …)'),
    ]);
  }
  const validate = mlprojectValidator();
  if (!validate(raw)) throw new ConfigError(schemaIssues(doc, validate.errors ?? []));
  const spec = raw as {
    name?: string;
    entry_points?: Record<string, { parameters?: Record<string, unknown> | null; command: string }>;
    python_env?: string;
    conda_env?: string;
    docker_env?: { image: string; volumes?: string[]; environment?: Array<string | [string, string]> };
    node_env?: string | { node?: string; npm_ci?: boolean };
  };
  const issues: ConfigIssue[] = [];

  const envKeys = (['python_env', 'conda_env', 'docker_env', 'node_env'] as const).filter(
    (k) => spec[k] !== undefined,
  );
  if (envKeys.length > 1) {
    issues.push(
      doc.issue(
        [envKeys[1] as string],
        `a project declares one environment, but this one declares ${envKeys.join(' and ')}`,
        'keep only one of python_env, conda_env, docker_env, node_env',
      ),
    );
  }

  const entryPoints: Record<string, EntryPoint> = {};
  for (const [name, ep] of Object.entries(spec.entry_points ?? {})) {
    const parameters: ParameterSpec[] = [];
    for (const [pname, pdef] of Object.entries(ep.parameters ?? {})) {
      const ppath = ['entry_points', name, 'parameters', pname];
      // Short form `alpha: float`; long form `{type, default}` (MLflow's type defaults to string).
      const type = (
        typeof pdef === 'string' ? pdef : ((pdef as { type?: string }).type ?? 'string')
      ) as ParamType;
      const rawDefault =
        typeof pdef === 'object' && pdef !== null ? (pdef as { default?: unknown }).default : undefined;
      const param: ParameterSpec = { name: pname, type };
      if (rawDefault !== undefined && rawDefault !== null) {
        param.default = String(rawDefault);
        const problem = checkParameterValue(param, param.default);
        if (problem) issues.push(doc.issue([...ppath, 'default'], `default ${problem}`));
      }
      parameters.push(param);
    }
    const declared = new Set(parameters.map((p) => p.name));
    try {
      for (const placeholder of placeholdersOf(ep.command)) {
        if (!declared.has(placeholder)) {
          issues.push(
            doc.issue(
              ['entry_points', name, 'command'],
              `command uses {${placeholder}}, which is not a parameter of entry point "${name}"`,
              `declare it under entry_points.${name}.parameters, or write {{ and }} for literal braces`,
            ),
          );
        }
      }
    } catch (error) {
      issues.push(doc.issue(['entry_points', name, 'command'], (error as Error).message));
    }
    entryPoints[name] = {
      name,
      parameters,
      command: ep.command,
      source: { file, ...doc.positionOf(['entry_points', name], { key: true }) },
    };
  }

  const environment = environmentOf(spec, dir, doc, issues);
  if (issues.length > 0) throw new ConfigError(issues);
  return { dir, file, ...(spec.name !== undefined ? { name: spec.name } : {}), entryPoints, environment };
}

function environmentOf(
  spec: {
    python_env?: string;
    conda_env?: string;
    docker_env?: { image: string; volumes?: string[]; environment?: Array<string | [string, string]> };
    node_env?: string | { node?: string; npm_ci?: boolean };
  },
  dir: string,
  doc: PositionedYaml,
  issues: ConfigIssue[],
): ProjectEnvironment {
  const envFile = (key: string, rel: string): string | undefined => {
    const path = isAbsolute(rel) ? rel : join(dir, rel);
    if (!existsSync(path)) {
      issues.push(doc.issue([key], `${key} file ${rel} does not exist in ${dir}`));
      return undefined;
    }
    return path;
  };
  if (spec.docker_env) {
    return {
      kind: 'docker_env',
      image: spec.docker_env.image,
      volumes: spec.docker_env.volumes ?? [],
      environment: spec.docker_env.environment ?? [],
    };
  }
  if (spec.conda_env !== undefined) {
    const file = envFile('conda_env', spec.conda_env);
    return file ? { kind: 'conda_env', file } : { kind: 'none' };
  }
  if (spec.python_env !== undefined) {
    const file = envFile('python_env', spec.python_env);
    return file ? { kind: 'python_env', file } : { kind: 'none' };
  }
  if (spec.node_env !== undefined) {
    let nodeSpec = spec.node_env;
    if (typeof nodeSpec === 'string') {
      const file = envFile('node_env', nodeSpec);
      if (!file) return { kind: 'none' };
      const inner = readPositionedYaml(file);
      const value = inner.value as { node?: unknown; npm_ci?: unknown } | null;
      if (
        value === null ||
        typeof value !== 'object' ||
        (value.node !== undefined && typeof value.node !== 'string')
      ) {
        throw new ConfigError([inner.issue([], 'a node_env file must be a mapping like `node: ">=20"`')]);
      }
      nodeSpec = value as { node?: string; npm_ci?: boolean };
    }
    return {
      kind: 'node_env',
      ...(nodeSpec.node !== undefined ? { node: nodeSpec.node } : {}),
      npmCi: nodeSpec.npm_ci !== false,
    };
  }
  return { kind: 'none' };
}

/**
 * The entry point called `name`: declared in MLproject, else a script file of the project
 * (`train.py`, `etl.ts`, …) run with its interpreter and no declared parameters, so every `-P`
 * becomes `--key value` — MLflow's behaviour for projects without an MLproject entry.
 */
export function getEntryPoint(project: Project, name: string): EntryPoint {
  const declared = project.entryPoints[name];
  if (declared) return declared;
  const ext = extname(name).toLowerCase();
  const scriptPath = resolve(project.dir, name);
  const inside = scriptPath.startsWith(`${project.dir}/`);
  if (ext in SCRIPT_RUNNERS && inside && existsSync(scriptPath) && statSync(scriptPath).isFile()) {
    return {
      name,
      parameters: [],
      // Braces are doubled because the command is a str.format-style template.
      command: `${scriptInterpreter(ext)} ${shellQuote(name)}`.replace(/[{}]/g, (b) => b + b),
      source: { file: scriptPath, line: 0, column: 0 },
    };
  }
  const known = Object.keys(project.entryPoints);
  const where = project.file ?? `${project.dir} (no MLproject file)`;
  throw new UsageError(
    `entry point "${name}" is not declared in ${where}${ext in SCRIPT_RUNNERS ? ` and no script ${name} exists in the project` : ''}`,
    {
      hint:
        known.length > 0
          ? `declared entry points: ${known.join(', ')}; or name a script file (${Object.keys(SCRIPT_RUNNERS).join(' ')})`
          : `name a script file of the project (extensions ${Object.keys(SCRIPT_RUNNERS).join(' ')}) with -e, or add an MLproject file`,
    },
  );
}

/**
 * The interpreter command for a script entry point. Node runs as this very Node binary so a
 * project gets the runtime mlrecipe was checked against; TypeScript goes through tsx's loader,
 * resolved from mlrecipe's own dependencies so a project need not install it.
 */
function scriptInterpreter(ext: string): string {
  switch (ext) {
    case '.py':
      return shellQuote(findOnPath('python') ?? findOnPath('python3') ?? 'python');
    case '.sh':
      return 'bash';
    case '.ts':
    case '.mts':
      return `${shellQuote(process.execPath)} --import ${shellQuote(import.meta.resolve('tsx'))}`;
    default:
      return shellQuote(process.execPath);
  }
}

/** Absolute path of `name` on $PATH, or undefined. */
export function findOnPath(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not here; keep looking
    }
  }
  return undefined;
}
