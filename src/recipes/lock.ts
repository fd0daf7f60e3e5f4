/**
 * One writer per recipe directory: `.recipe/lock`, created with O_EXCL and holding the owner's pid
 * and host. A lock whose owner is a dead process on this host is stale and taken over; a live
 * owner means wait (polling) or, with `wait: false`, fail with a message naming the owner.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { MlrecipeError } from '../errors.js';
import { RECIPE_STATE_DIR } from './cache.js';

export interface LockOwner {
  pid: number;
  hostname: string;
  /** ISO time the lock was taken. */
  startedAt: string;
  command: string;
}

export interface RecipeLock {
  file: string;
  owner: LockOwner;
  /** Removes the lock if this process still owns it. Idempotent. */
  release(): void;
}

export class LockedError extends MlrecipeError {
  override readonly code = 'RECIPE_LOCKED';
}

/** True when `pid` is a live process (on this host). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readOwner(file: string): LockOwner | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as LockOwner;
  } catch {
    return null;
  }
}

function describe(owner: LockOwner): string {
  return `pid ${owner.pid} on ${owner.hostname} (${owner.command}, since ${owner.startedAt})`;
}

/**
 * Takes `<recipeDir>/.recipe/lock`. `onWait` is called once when the lock is busy and we start
 * waiting. A lock file that cannot be parsed is treated as busy until it is older than a minute
 * (its writer may be between create and write).
 */
export async function acquireRecipeLock(options: {
  recipeDir: string;
  wait?: boolean;
  command?: string;
  onWait?: (owner: LockOwner | null) => void;
  pollMs?: number;
}): Promise<RecipeLock> {
  const dir = join(options.recipeDir, RECIPE_STATE_DIR);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'lock');
  const owner: LockOwner = {
    pid: process.pid,
    hostname: hostname(),
    startedAt: new Date().toISOString(),
    command: options.command ?? 'recipe',
  };
  let announced = false;
  for (;;) {
    try {
      writeFileSync(file, JSON.stringify(owner), { flag: 'wx' });
      let released = false;
      return {
        file,
        owner,
        release() {
          if (released) return;
          released = true;
          const current = readOwner(file);
          if (current && current.pid === owner.pid && current.hostname === owner.hostname)
            rmSync(file, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const current = readOwner(file);
    if (isStale(file, current)) {
      takeOver(file, current);
      continue;
    }
    if (options.wait === false) {
      throw new LockedError(
        `another recipe command holds ${file}: ${current ? describe(current) : 'unknown owner'}`,
        {
          hint: 'wait for it to finish, run without --no-wait to queue behind it, or remove the file if that process is gone',
        },
      );
    }
    if (!announced) {
      announced = true;
      options.onWait?.(current);
    }
    await sleep(options.pollMs ?? 200);
  }
}

function isStale(file: string, owner: LockOwner | null): boolean {
  if (owner === null) {
    try {
      return Date.now() - statSync(file).mtimeMs > 60_000;
    } catch {
      return false;
    }
  }
  // A pid on another host cannot be checked from here; only the same host's dead owners are stale.
  return owner.hostname === hostname() && !isProcessAlive(owner.pid);
}

/**
 * Moves the stale lock aside and checks that what was moved is the stale one: if a competitor
 * took it over and created a fresh lock in between, put that one back.
 */
function takeOver(file: string, stale: LockOwner | null): void {
  const aside = `${file}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    renameSync(file, aside);
  } catch {
    return;
  }
  const moved = readOwner(aside);
  const same =
    (moved === null && stale === null) ||
    (moved !== null && stale !== null && moved.pid === stale.pid && moved.startedAt === stale.startedAt);
  if (same) {
    rmSync(aside, { force: true });
    return;
  }
  try {
    // Restore the live lock unless yet another process created one meanwhile (then it wins).
    writeFileSync(file, readFileSync(aside), { flag: 'wx' });
  } catch {
    // ignore: the lock file exists again, owned by someone live
  }
  rmSync(aside, { force: true });
}
