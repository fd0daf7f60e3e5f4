/**
 * Atomic replacement of a file, symlink or directory: the new content is made under a temporary
 * name in the target's own directory, then renamed over the target. rename(2) within one directory
 * is atomic, so a reader sees the old content or the new, never a half-written file, and a crash
 * leaves at most a temp entry beside the target (never a truncated target). The temp lives in the
 * same directory, not in os.tmpdir(), because a rename across filesystems is a copy, not atomic.
 *
 * Every write that matters goes through here (DESIGN.md: "every write that matters is atomic");
 * test/atomic-write.test.ts checks that src/ has no hand-written temp+rename elsewhere.
 */
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export interface AtomicOptions {
  /**
   * Start of the temp entry's name (default `.`, a hidden file). Readers that list a directory
   * skip temps by this prefix (the artifact store uses `.tmp-artifact-`).
   */
  tempPrefix?: string;
  /**
   * When the rename fails because the target already exists (a directory another process finished
   * first), keep that target and discard ours. Only for content-addressed targets, where both are
   * the same.
   */
  keepExisting?: boolean;
}

/** A fresh temp path beside `target`: `<dir>/<prefix><name>.<pid>.<random>.tmp`. Not created. */
export function tempPathBeside(target: string, options: Pick<AtomicOptions, 'tempPrefix'> = {}): string {
  const name = `${options.tempPrefix ?? '.'}${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  return join(dirname(target), name);
}

/**
 * Makes `target` anew: `fill(temp)` creates the content at `temp` (a path that does not exist yet,
 * in the target's directory), then `temp` is renamed to `target`; returns what `fill` returned.
 * If `fill` or the rename throws, the temp is removed and `target` is as it was. A directory
 * target must not exist (or see `keepExisting`): rename(2) does not replace a non-empty directory.
 */
export function replaceAtomically<T>(
  target: string,
  fill: (temp: string) => T,
  options: AtomicOptions = {},
): T {
  const temp = tempPathBeside(target, options);
  let result: T;
  try {
    result = fill(temp);
  } catch (error) {
    rmSync(temp, { recursive: true, force: true });
    throw error;
  }
  try {
    renameSync(temp, target);
  } catch (error) {
    rmSync(temp, { recursive: true, force: true });
    if (!(options.keepExisting && existsSync(target) && isRenameCollision(error))) throw error;
  }
  return result;
}

/** replaceAtomically for content made asynchronously (a copy, a clone, a child process). */
export async function replaceAtomicallyAsync<T>(
  target: string,
  fill: (temp: string) => Promise<T>,
  options: AtomicOptions = {},
): Promise<T> {
  const temp = tempPathBeside(target, options);
  let result: T;
  try {
    result = await fill(temp);
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  }
  try {
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    if (!(options.keepExisting && existsSync(target) && isRenameCollision(error))) throw error;
  }
  return result;
}

/** Writes `data` to `file` atomically (temp file in the same directory, then rename). */
export function writeFileAtomic(file: string, data: string | Uint8Array, options: AtomicOptions = {}): void {
  replaceAtomically(file, (temp) => writeFileSync(temp, data), options);
}

/** Copies `source` to `target` atomically: `target` never holds a partial copy. */
export function copyFileAtomic(source: string, target: string, options: AtomicOptions = {}): void {
  replaceAtomically(target, (temp) => copyFileSync(source, temp), options);
}

function isRenameCollision(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOTEMPTY' || code === 'EEXIST' || code === 'EISDIR' || code === 'ENOTDIR';
}
