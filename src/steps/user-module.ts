/**
 * User modules: `steps/<module>.{ts,mts,js,mjs}` in the recipe directory, the TypeScript/JavaScript
 * counterpart of MLflow Recipes' `steps/<step>.py`. TypeScript is loaded through tsx's `tsImport`
 * (no build step for the user); JavaScript with a plain `import()`.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from '../errors.js';
import { displayPath } from '../display-path.js';

export const USER_MODULE_DIR = 'steps';
export const USER_MODULE_EXTENSIONS = ['.ts', '.mts', '.js', '.mjs'] as const;

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

/**
 * Loads function `name` from `steps/<step>.*`. A missing module or function is a ConfigError
 * naming the file and the function.
 */
export async function loadUserFunction<
  F extends (...args: never[]) => unknown = (...args: unknown[]) => unknown,
>(options: { recipeDir: string; step: string; name: string }): Promise<F> {
  const { recipeDir, step, name } = options;
  const file = findUserModule({ recipeDir, module: step });
  if (file === undefined) {
    throw new ConfigError([
      {
        file: displayPath(join(recipeDir, USER_MODULE_DIR, `${step}.ts`)),
        line: 0,
        column: 0,
        path: '',
        message: `module steps/${step}.ts does not exist, but the recipe names its function "${name}"`,
        hint: `create steps/${step}.ts exporting ${name}`,
      },
    ]);
  }
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
