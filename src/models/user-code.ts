/**
 * Importing users' modules by path: the custom components copied into a model's `code/` folder
 * (and the transformer module train re-creates). TypeScript goes through tsx's `tsImport`, which
 * compiles on the fly without touching the process's global loader. src/steps/user-module.ts
 * does the same for recipe modules; models must load without a recipe, hence this copy.
 */
import { existsSync, statSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { DataError } from '../errors.js';

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
    // tsx is loaded only when a model actually has user code (most have none).
    const { tsImport } = await import('tsx/esm/api');
    return (await tsImport(url, import.meta.url)) as Record<string, unknown>;
  } catch (error) {
    throw new DataError(`cannot load ${modulePath}: ${(error as Error).message}`, { cause: error });
  }
}
