/**
 * Real processes against one recipe directory: SIGKILL in the middle of a step, SIGTERM, and two
 * runs competing for the lock.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StepCache } from '../../src/recipes/cache.js';
import { makeRecipeRepo, removeDir, setProfile, spawnEngine, waitFor } from './helpers.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) removeDir(d);
});

function blockingRepo(): string {
  const dir = makeRecipeRepo({ trainParams: { block_until: 'release' } });
  dirs.push(dir);
  return dir;
}

function outcomes(stdout: string): Record<string, string> {
  const line = stdout.trim().split('\n').pop() ?? '{}';
  return Object.fromEntries((JSON.parse(line) as { outcomes: [string, string][] }).outcomes);
}

describe('recipe run as a process', () => {
  it('a run SIGKILLed mid-step leaves no complete-looking entry; the next run finishes the job', async () => {
    const dir = blockingRepo();
    const first = spawnEngine(dir);
    await waitFor(() => existsSync(join(dir, 'train-started')), 'train to start');
    first.child.kill('SIGKILL');
    const killed = await first.done;
    expect(killed.signal).toBe('SIGKILL');

    const cache = new StepCache(dir);
    // The killed step's half-written outputs are in .recipe/tmp, never in the cache.
    expect(cache.listEntries().filter((e) => e.step === 'train')).toEqual([]);
    const tmp = readdirSync(join(dir, '.recipe', 'tmp'));
    expect(tmp.some((name) => name.startsWith('train-'))).toBe(true);
    expect(existsSync(join(dir, '.recipe', 'lock'))).toBe(true);

    writeFileSync(join(dir, 'release'), '');
    const second = spawnEngine(dir);
    const result = await second.done;
    expect(result.code).toBe(0);
    expect(outcomes(result.stdout)).toEqual({
      ingest: 'cached',
      split: 'cached',
      transform: 'cached',
      train: 'ran',
      evaluate: 'ran',
      register: 'ran',
    });
    expect(result.stderr).toContain('removed 1 incomplete cache entry');
    expect(result.stderr).toContain('[train] started (never run)');
    expect(result.stderr).toContain('[ingest] done in');
    expect(readdirSync(join(dir, '.recipe', 'tmp'))).toEqual([]);
    expect(cache.listEntries().every((e) => e.complete)).toBe(true);
    expect(existsSync(join(dir, '.recipe', 'lock'))).toBe(false);
  });

  it.each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const)(
    '%s stops the run with exit %i, removes the temp dir and releases the lock',
    async (signal, code) => {
      const dir = blockingRepo();
      const run = spawnEngine(dir);
      await waitFor(() => existsSync(join(dir, 'train-started')), 'train to start');
      run.child.kill(signal);
      const result = await run.done;
      expect(result.code).toBe(code);
      expect(result.stderr).toContain(`received ${signal}`);
      expect(existsSync(join(dir, '.recipe', 'lock'))).toBe(false);
      expect(readdirSync(join(dir, '.recipe', 'tmp'))).toEqual([]);
    },
  );

  it('a second run waits for the lock, or with --no-wait says who holds it', async () => {
    const dir = blockingRepo();
    const first = spawnEngine(dir);
    await waitFor(() => existsSync(join(dir, 'train-started')), 'train to start');
    const owner = readFileSync(join(dir, 'train-started'), 'utf8');

    const impatient = await spawnEngine(dir, ['--no-wait']).done;
    expect(impatient.code).toBe(1);
    expect(impatient.stderr).toContain(`another recipe command holds`);
    expect(impatient.stderr).toContain(`pid ${owner}`);

    const patient = spawnEngine(dir);
    // Let the second run reach the lock before the first finishes.
    await waitFor(
      () => patient.stderr().includes('waiting for another recipe run'),
      'the second run to wait',
    );
    writeFileSync(join(dir, 'release'), '');
    const [a, b] = await Promise.all([first.done, patient.done]);
    expect(a.code).toBe(0);
    expect(b.code).toBe(0);
    expect(Object.values(outcomes(a.stdout)).every((s) => s === 'ran')).toBe(true);
    expect(Object.values(outcomes(b.stdout)).every((s) => s === 'cached')).toBe(true);
  });

  it('a step failure exits 1 naming the step', async () => {
    const dir = blockingRepo();
    setProfile(dir, { fail: true });
    const result = await spawnEngine(dir).done;
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('error: step train failed: estimator exploded');
    expect(result.stderr).toContain('[evaluate] skipped');
  });
});
