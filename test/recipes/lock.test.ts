import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { acquireRecipeLock, LockedError } from '../../src/recipes/lock.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function recipeDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mlrecipe-lock-'));
  dirs.push(dir);
  mkdirSync(join(dir, '.recipe'));
  return dir;
}

/** The pid of a process that has already exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

describe('recipe lock', () => {
  it('takes over a lock left by a dead process; the next contender finds it held', async () => {
    const dir = recipeDir();
    const stale = {
      pid: deadPid(),
      hostname: hostname(),
      startedAt: '2020-01-01T00:00:00.000Z',
      command: 'recipe run',
    };
    writeFileSync(join(dir, '.recipe', 'lock'), JSON.stringify(stale));
    const results = await Promise.allSettled([
      acquireRecipeLock({ recipeDir: dir, wait: false }),
      acquireRecipeLock({ recipeDir: dir, wait: false }),
    ]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r) => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect((lost[0] as PromiseRejectedResult).reason).toBeInstanceOf(LockedError);
    expect(JSON.parse(readFileSync(join(dir, '.recipe', 'lock'), 'utf8')).pid).toBe(process.pid);
    (won[0] as PromiseFulfilledResult<{ release(): void }>).value.release();
    const again = await acquireRecipeLock({ recipeDir: dir, wait: false });
    again.release();
  });

  it('does not take over a lock of a live process on another host', async () => {
    const dir = recipeDir();
    const remote = {
      pid: 1,
      hostname: `not-${hostname()}`,
      startedAt: new Date().toISOString(),
      command: 'recipe run',
    };
    writeFileSync(join(dir, '.recipe', 'lock'), JSON.stringify(remote));
    await expect(acquireRecipeLock({ recipeDir: dir, wait: false })).rejects.toThrow(/pid 1 on not-/);
  });

  it('waits for a live lock and gets it once released, telling the caller once', async () => {
    const dir = recipeDir();
    const first = await acquireRecipeLock({ recipeDir: dir });
    const waits: unknown[] = [];
    const second = acquireRecipeLock({ recipeDir: dir, pollMs: 10, onWait: (owner) => waits.push(owner) });
    await new Promise((r) => setTimeout(r, 50));
    first.release();
    const lock = await second;
    expect(waits).toHaveLength(1);
    expect(waits[0]).toMatchObject({ pid: process.pid });
    lock.release();
  });
});
