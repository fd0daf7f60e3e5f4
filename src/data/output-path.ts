/**
 * Where user-named output may not go: inside a `.git` directory (git's own object store and
 * refs — a stray file there can corrupt the repository) or a `.recipe` directory (the step cache,
 * whose entries are content-addressed and must only be written by the engine).
 */
import { realpathSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';

const PROTECTED_DIRS = ['.git', '.recipe'] as const;

/**
 * Why `path` must not be written as user output, or null when it may. Symbolic links on the way
 * are resolved first, so `out -> .recipe` is caught too; the part that does not exist yet is
 * taken as written.
 */
export function protectedOutputReason(path: string): string | null {
  const absolute = resolve(path);
  for (const candidate of [absolute, realpathOfExisting(absolute)]) {
    const hit = candidate.split(sep).find((part) => (PROTECTED_DIRS as readonly string[]).includes(part));
    if (hit === '.git') return `${absolute} is inside a .git directory, which belongs to git`;
    if (hit === '.recipe') return `${absolute} is inside a .recipe directory, mlrecipe's step cache`;
  }
  return null;
}

/** What to do instead, for a `hint:`. */
export const PROTECTED_OUTPUT_HINT =
  'write outputs elsewhere in the repository (e.g. predictions/ or out/), outside .git/ and .recipe/';

/** The real path of the longest existing prefix of `absolute`, with the rest appended. */
function realpathOfExisting(absolute: string): string {
  const rest: string[] = [];
  let current = absolute;
  for (;;) {
    try {
      return join(realpathSync(current), ...rest.reverse());
    } catch {
      const parent = dirname(current);
      if (parent === current) return absolute;
      rest.push(basename(current));
      current = parent;
    }
  }
}
