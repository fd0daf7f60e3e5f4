/**
 * Which paths of a project are its code. Kept apart from code-digest.ts (which loads simple-git)
 * so the project step can use it without loading git support.
 */

/**
 * Directories that hold results, caches or installed packages rather than a project's code; a
 * run writing into them must not change the identity of the code that produced it.
 */
export const NOT_CODE: ReadonlySet<string> = new Set([
  'mlruns',
  '.recipe',
  'node_modules',
  '.git',
  '__pycache__',
  '.venv',
  '.pytest_cache',
]);

/** Whether a `/`-separated path relative to the project directory lies outside every NOT_CODE directory. */
export function isCodePath(relPath: string): boolean {
  return !relPath.split('/').some((segment) => NOT_CODE.has(segment));
}
