/**
 * User modules: `steps/<module>.{ts,mts,js,mjs}` in the recipe directory, and MLflow Recipes' own
 * `steps/<module>.py`. TypeScript is loaded through tsx's `tsImport` (no build step for the user);
 * JavaScript with a plain `import()`; Python runs in the shared Python worker (src/python), loaded
 * with a dynamic import only when a Python function is called.
 *
 * A function is taken from the TypeScript/JavaScript module when that module defines it, else
 * from `steps/<module>.py` (so the two languages can be mixed in one recipe, even in one step).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from '../errors.js';
import { displayPath } from '../display-path.js';
import type { Frame } from '../ml/types.js';

export const USER_MODULE_DIR = 'steps';
export const USER_MODULE_EXTENSIONS = ['.ts', '.mts', '.js', '.mjs'] as const;
export const PYTHON_MODULE_EXTENSION = '.py';

const MODULE_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** The file of `steps/<module>.*`, first by extension order, or undefined. */
export function findUserModule(options: { recipeDir: string; module: string }): string | undefined {
  if (!MODULE_NAME.test(options.module)) return undefined;
  for (const ext of USER_MODULE_EXTENSIONS) {
    const file = join(options.recipeDir, USER_MODULE_DIR, `${options.module}${ext}`);
    if (existsSync(file)) return file;
  }
  return undefined;
}

/**
 * The names a module exports, found by reading its text (cheap: validation must not execute user
 * code). 'unknown' when the module re-exports from elsewhere (`export * from`), where only
 * executing it would tell.
 */
export function scanUserModuleExports(file: string): Set<string> | 'unknown' {
  const text = readFileSync(file, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/(^|[^:])\/\/.*$/gm, '$1');
  if (/export\s*\*/.test(text) || /module\.exports|exports\./.test(text)) return 'unknown';
  const names = new Set<string>();
  const declaration =
    /export\s+(?:declare\s+)?(?:async\s+)?(?:function\*?|const|let|var|class)\s+([A-Za-z_$][\w$]*)/g;
  for (const m of text.matchAll(declaration)) if (m[1]) names.add(m[1]);
  for (const m of text.matchAll(/export\s*(?:type\s+)?\{([^}]*)\}/g)) {
    for (const part of (m[1] ?? '').split(',')) {
      const alias = part.trim().split(/\s+as\s+/);
      const name = (alias[1] ?? alias[0] ?? '').trim();
      if (name) names.add(name);
    }
  }
  if (/export\s+default/.test(text)) names.add('default');
  return names;
}

/** `steps/<module>.py`, or undefined. */
export function findPythonModule(options: { recipeDir: string; module: string }): string | undefined {
  if (!MODULE_NAME.test(options.module)) return undefined;
  const file = join(options.recipeDir, USER_MODULE_DIR, `${options.module}${PYTHON_MODULE_EXTENSION}`);
  return existsSync(file) ? file : undefined;
}

/**
 * The top-level names a Python module defines (`def`, `async def`, `class`, `name =`), read from
 * its text as scanUserModuleExports does for TypeScript: validation must not execute user code.
 */
export function scanPythonDefinitions(file: string): Set<string> {
  const names = new Set<string>();
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(/^(?:async\s+def|def|class)\s+([A-Za-z_]\w*)/gm)) if (m[1]) names.add(m[1]);
  for (const m of text.matchAll(/^([A-Za-z_]\w*)\s*(?::[^=\n]*)?=(?!=)/gm)) if (m[1]) names.add(m[1]);
  // `from x import f` / `from x import f as g` at top level bring a name in too.
  for (const m of text.matchAll(/^from\s+\S+\s+import\s+\(?([^)\n]+)\)?/gm)) {
    for (const part of (m[1] ?? '').split(',')) {
      const alias = part.trim().split(/\s+as\s+/);
      const name = (alias[1] ?? alias[0] ?? '').trim();
      if (/^[A-Za-z_]\w*$/.test(name)) names.add(name);
    }
  }
  return names;
}

export type UserFunctionLocation =
  { language: 'typescript'; file: string } | { language: 'python'; file: string; defined: boolean };

/**
 * Where function `name` of `steps/<module>` comes from: the TypeScript/JavaScript module when it
 * defines the name (or re-exports, so only running it would tell), else `steps/<module>.py` when
 * it exists, else the TypeScript/JavaScript module (which then lacks the name). Undefined when
 * neither file exists.
 */
export function locateUserFunction(options: {
  recipeDir: string;
  module: string;
  name: string;
}): UserFunctionLocation | undefined {
  const ts = findUserModule(options);
  if (ts !== undefined) {
    const exported = scanUserModuleExports(ts);
    if (exported === 'unknown' || exported.has(options.name)) return { language: 'typescript', file: ts };
  }
  const py = findPythonModule(options);
  if (py !== undefined) {
    return { language: 'python', file: py, defined: scanPythonDefinitions(py).has(options.name) };
  }
  return ts === undefined ? undefined : { language: 'typescript', file: ts };
}

/** The user module files of `steps/<module>`: the TypeScript/JavaScript one and the Python one. */
export function userModuleFiles(options: { recipeDir: string; module: string }): string[] {
  return [findUserModule(options), findPythonModule(options)].filter((f): f is string => f !== undefined);
}

/**
 * A Python user function called from a step: arguments that are Frames cross as DataFrames,
 * others as JSON; a DataFrame result comes back as a Frame, a Series or 1-D array as a JS array
 * (numbers, strings, booleans, null for missing), plain values as they are, None as null.
 */
export function pythonUserFunction(options: {
  recipeDir: string;
  file: string;
  name: string;
  /** The recipe's `python` setting (from the profile). */
  python?: unknown;
  /** Pass only as many positional args as the function declares (MLflow's loader signature). */
  fitArity?: boolean;
}): (...args: unknown[]) => Promise<unknown> {
  const { recipeDir, file, name } = options;
  return async (...args: unknown[]) => {
    const py = await import('../python/index.js');
    const worker = await py.sharedPythonWorker({ configured: options.python, recipeDir });
    const value = await worker.callFunction({
      module: file,
      function: name,
      args: args.map((a): import('../python/index.js').PythonArg =>
        a === undefined || a === null ? { none: true } : isFrameValue(a) ? { frame: a } : { json: a },
      ),
      fitArity: options.fitArity,
      recipeDir,
      shownFile: displayUserFile(recipeDir, file),
    });
    switch (value.kind) {
      case 'none':
        return null;
      case 'json':
        return value.value;
      case 'table':
        return py.exchangeToFrame(value.table);
      case 'series':
        return py.seriesToArray(value.column);
      case 'object':
        return { pythonObject: value.object };
    }
  };
}

function isFrameValue(value: unknown): value is Frame {
  if (value === null || typeof value !== 'object') return false;
  const v = value as { nRows?: unknown; columns?: unknown };
  return typeof v.nRows === 'number' && Array.isArray(v.columns);
}

/** `steps/split.py` when the file is in the recipe's steps/ folder, else the path as given. */
export function displayUserFile(recipeDir: string, file: string): string {
  const rel = relative(recipeDir, file);
  return rel.startsWith('..') ? file : rel;
}

/**
 * Loads function `name` from `steps/<step>.*` — TypeScript/JavaScript when that module defines
 * it, else `steps/<step>.py` through the Python worker (see pythonUserFunction for how values
 * cross). A missing module or function is a ConfigError naming the file and the function.
 */
export async function loadUserFunction<
  F extends (...args: never[]) => unknown = (...args: unknown[]) => unknown,
>(options: {
  recipeDir: string;
  step: string;
  name: string;
  /** The recipe's `python` setting (the profile's `python:`), for Python functions. */
  python?: unknown;
  /** Python only: pass only as many positional args as the function declares. */
  fitArity?: boolean;
}): Promise<F> {
  const { recipeDir, step, name } = options;
  const location = locateUserFunction({ recipeDir, module: step, name });
  if (location === undefined) {
    throw new ConfigError([
      {
        file: displayPath(join(recipeDir, USER_MODULE_DIR, `${step}.py`)),
        line: 0,
        column: 0,
        path: '',
        message: `neither steps/${step}.py nor steps/${step}.ts exists, but the recipe names its function "${name}"`,
        hint: `create steps/${step}.py defining ${name} (or steps/${step}.ts exporting it)`,
      },
    ]);
  }
  if (location.language === 'python') {
    return pythonUserFunction({ ...options, file: location.file }) as unknown as F;
  }
  const file = location.file;
  const mod = await importUserModule(file);
  const fn = mod[name];
  if (typeof fn !== 'function') {
    const functions = Object.keys(mod).filter((k) => typeof mod[k] === 'function');
    throw new ConfigError([
      {
        file: displayPath(file),
        line: 0,
        column: 0,
        path: '',
        message:
          fn === undefined
            ? `does not export "${name}"`
            : `exports "${name}", but it is not a function (${typeof fn})`,
        hint:
          functions.length > 0
            ? `it exports: ${functions.join(', ')}`
            : `add \`export function ${name}(...)\``,
      },
    ]);
  }
  return fn as F;
}

/** Imports a user module fresh (the version query defeats Node's module cache after an edit). */
export async function importUserModule(file: string): Promise<Record<string, unknown>> {
  const stat = statSync(file);
  const url = `${pathToFileURL(file).href}?v=${stat.mtimeMs}-${stat.size}`;
  if (file.endsWith('.ts') || file.endsWith('.mts')) {
    const { tsImport } = await import('tsx/esm/api');
    return (await tsImport(url, import.meta.url)) as Record<string, unknown>;
  }
  return (await import(url)) as Record<string, unknown>;
}
