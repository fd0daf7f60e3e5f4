/**
 * What a Python step's results depend on besides its code and data: the interpreter and the
 * installed versions of the packages its code imports. Part of those steps' fingerprints, so
 * upgrading scikit-learn re-runs the steps that use it and `recipe status` says so.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { PythonWorkerError } from './errors.js';
import { describeSource, resolvePythonInterpreter } from './interpreter.js';

const run = promisify(execFile);

export interface PythonEnvironment {
  /** The interpreter as launched (a wrapper script stays itself: it may set PYTHONPATH). */
  interpreter: string;
  version: string;
  /** Top-level module → installed version, `missing`, or `unknown` (no metadata). */
  packages: Record<string, string>;
}

/** Every Python call crosses the column exchange, which uses these two. */
export const EXCHANGE_MODULES = ['numpy', 'pandas'] as const;

/**
 * Probes the interpreter (no module is imported). `cache` shares probes within one plan; there is
 * no process-wide cache, since packages may be upgraded while a process (a test, a server) lives.
 */
export function probePythonEnvironment(options: {
  configured?: unknown;
  recipeDir?: string;
  modules: readonly string[];
  cache?: Map<string, Promise<PythonEnvironment>>;
}): Promise<PythonEnvironment> {
  const probes = options.cache ?? new Map<string, Promise<PythonEnvironment>>();
  const interpreter = resolvePythonInterpreter({
    configured: options.configured,
    ...(options.recipeDir ? { recipeDir: options.recipeDir } : {}),
  });
  const modules = [...new Set(options.modules)].sort();
  const key = JSON.stringify([interpreter.command, modules]);
  let probe = probes.get(key);
  if (!probe) {
    const script = fileURLToPath(new URL('../../src/python/mlrecipe_probe.py', import.meta.url));
    probe = run(interpreter.command, [script, JSON.stringify(modules)], { encoding: 'utf8', timeout: 60_000 })
      .then(({ stdout }) => {
        const found = JSON.parse(stdout) as { version: string; packages: Record<string, string> };
        return { interpreter: interpreter.command, version: found.version, packages: found.packages };
      })
      .catch((error: unknown) => {
        probes.delete(key);
        throw new PythonWorkerError(
          `cannot run the Python interpreter ${interpreter.command} (${describeSource(interpreter.source)}) to fingerprint the recipe's Python steps: ${error instanceof Error ? error.message : String(error)}`,
          { hint: 'set `python:` in the profile or RECIPE_PYTHON to an interpreter with numpy and pandas' },
        );
      });
    probes.set(key, probe);
  }
  return probe;
}

/**
 * The top-level modules a Python file imports (`import a.b`, `from a import b`, anywhere in the
 * file: MLflow's templates import inside functions). Relative imports and the recipe's own
 * `steps` package are left out: their code is fingerprinted as files.
 */
export function pythonImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out = new Set<string>();
  for (const line of text.split('\n')) {
    const from = /^\s*from\s+([A-Za-z_]\w*)[\w.]*\s+import\b/.exec(line);
    if (from) {
      out.add(from[1] as string);
      continue;
    }
    const imp = /^\s*import\s+(.+)$/.exec(line);
    if (!imp) continue;
    for (const part of (imp[1] as string).split('#')[0]?.split(',') ?? []) {
      const name = /^\s*([A-Za-z_]\w*)/.exec(part);
      if (name) out.add(name[1] as string);
    }
  }
  out.delete('steps');
  out.delete('__future__');
  return [...out].sort();
}

/** Fingerprint extras of a step running `files`: interpreter, Python version, package versions. */
export async function pythonFingerprintExtras(options: {
  configured?: unknown;
  recipeDir: string;
  files: readonly string[];
  /** Modules the step's own helpers import (scikit-learn for transform and train). */
  alsoModules?: readonly string[];
  cache?: Map<string, Promise<PythonEnvironment>>;
}): Promise<Record<string, string>> {
  const modules = [
    ...EXCHANGE_MODULES,
    ...(options.alsoModules ?? []),
    ...options.files.flatMap(pythonImports),
  ];
  const env = await probePythonEnvironment({
    configured: options.configured,
    recipeDir: options.recipeDir,
    modules,
    ...(options.cache ? { cache: options.cache } : {}),
  });
  const extras: Record<string, string> = {
    'python interpreter': env.interpreter,
    'python version': env.version,
  };
  for (const [name, version] of Object.entries(env.packages)) extras[`python package ${name}`] = version;
  return extras;
}
