/**
 * Loading functions from users' modules (`steps/train.ts`, `steps/transform.ts`,
 * `steps/custom_metrics.ts`, or a module copied into a model directory). TypeScript modules go
 * through tsx's `tsImport`, which compiles them on the fly and keeps them out of the process's
 * global loader. (src/recipes/user-module.ts does the same for recipe modules; this copy serves
 * model directories, which must load without a recipe.)
 */
import { existsSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { tsImport } from 'tsx/esm/api';
import { ConfigError, DataError } from '../errors.js';

export type UserFunction = (...args: unknown[]) => unknown;

/** Imports a .ts/.mts/.js/.mjs module by path. */
export async function importUserModule(modulePath: string): Promise<Record<string, unknown>> {
  if (!existsSync(modulePath)) {
    throw new DataError(`the module ${modulePath} does not exist`);
  }
  try {
    // The version query makes an edited module load afresh instead of from the module cache.
    const stat = statSync(modulePath);
    const url = `${pathToFileURL(modulePath).href}?v=${stat.mtimeMs}-${stat.size}`;
    return (await tsImport(url, import.meta.url)) as Record<string, unknown>;
  } catch (error) {
    throw new DataError(`cannot load ${modulePath}: ${(error as Error).message}`, { cause: error });
  }
}

export interface UserFunctionOptions {
  /** The module, absolute or relative to `baseDir`. */
  modulePath: string;
  baseDir?: string;
  /** Exported function name. */
  name: string;
  /** The config field that named the function, for error messages (`steps.train.estimator_method`). */
  field: string;
  /** The config file that named it (recipe.yaml), for error messages. */
  configFile?: string;
}

/**
 * Resolves and imports an exported function. A missing module or a name that is not an exported
 * function is a ConfigError pointing at the config field, listing the functions that exist.
 */
export async function loadUserFunction(options: UserFunctionOptions): Promise<UserFunction> {
  const baseDir = options.baseDir ?? process.cwd();
  const path = isAbsolute(options.modulePath) ? options.modulePath : resolve(baseDir, options.modulePath);
  const configFile = options.configFile ?? 'recipe.yaml';
  if (!existsSync(path)) {
    throw new ConfigError([
      {
        file: configFile,
        line: 0,
        column: 0,
        path: options.field,
        message: `names the function "${options.name}", but the module ${relative(baseDir, path) || path} does not exist`,
        hint: `create it with \`export function ${options.name}(...)\``,
      },
    ]);
  }
  const module = await importUserModule(path);
  const fn = module[options.name];
  if (typeof fn !== 'function') {
    const functions = Object.keys(module).filter((key) => typeof module[key] === 'function');
    throw new ConfigError([
      {
        file: configFile,
        line: 0,
        column: 0,
        path: options.field,
        message: `${relative(baseDir, path) || path} has no exported function "${options.name}"`,
        hint: functions.length ? `it exports ${functions.join(', ')}` : 'it exports no functions',
      },
    ]);
  }
  return fn as UserFunction;
}
