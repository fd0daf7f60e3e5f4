/**
 * Killing `recipe project run` / `recipe workflow run` — SIGINT, SIGTERM or SIGKILL sent to the
 * runner's whole process group, as a terminal or a CI job does — must end the command it started,
 * keep the output as far as it got, and leave the run KILLED (at once, or when the store is next
 * opened if the runner could not do it itself). Several trials per signal, each synchronised on
 * files the child writes, not on sleeps.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openTrackingStore, type Run } from '../../src/tracking/index.js';
import { cleanEnv, cli } from '../helpers/cli.js';
import { tagsOf, tempDirWith } from './fixtures.js';

const TRIALS = 3;
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGKILL'] as const;

// The command prints a line, starts a long sleep in the background (a grandchild of the runner)
// and waits: killing only the shell would leave the sleep running.
const MLPROJECT =
  'entry_points:\n  main: {command: "echo started; sleep 300 & echo $! > sleep.pid; wait"}\n  after: {command: "touch after.ran"}\n';

async function until(what: string, check: () => boolean): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what}: not within 30 s`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** Every stdout.txt under the store's artifact root (one per project run). */
function stdoutFiles(dir: string): string[] {
  const root = join(dir, 'mlruns', 'artifacts');
  if (!existsSync(root)) return [];
  const files: string[] = [];
  for (const experiment of readdirSync(root)) {
    for (const run of readdirSync(join(root, experiment))) {
      const file = join(root, experiment, run, 'artifacts', 'stdout.txt');
      if (existsSync(file)) files.push(file);
    }
  }
  return files;
}

async function runsOf(dir: string): Promise<Run[]> {
  // Opening the store is what ends runs whose runner is gone.
  const store = await openTrackingStore(`sqlite:///${join(dir, 'mlruns', 'tracking.db')}`, {
    defaultArtifactRoot: join(dir, 'mlruns', 'artifacts'),
  });
  try {
    return (await store.searchRuns({ experimentIds: ['0'] })).runs;
  } finally {
    await store.close();
  }
}

/** Starts the CLI as the leader of its own process group, waits until the command is under way, kills the group. */
async function killMidRun(
  dir: string,
  args: string[],
  signal: (typeof SIGNALS)[number],
): Promise<{ sleepPid: number; exit: number | string | null }> {
  const child: ChildProcess = spawn(process.execPath, [cli, ...args], {
    cwd: dir,
    env: cleanEnv(),
    detached: true,
    stdio: 'ignore',
  });
  const exited = new Promise<number | string | null>((done) => child.on('exit', (c, s) => done(c ?? s)));
  const pidFile = join(dir, 'sleep.pid');
  await until(
    'the command started',
    () => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() !== '',
  );
  // The runner has written the first line into the run's stdout.txt artifact.
  await until('stdout.txt has the first line', () =>
    stdoutFiles(dir).some((f) => readFileSync(f, 'utf8').includes('started')),
  );
  const sleepPid = Number(readFileSync(pidFile, 'utf8'));
  expect(isAlive(sleepPid)).toBe(true);
  process.kill(-(child.pid as number), signal);
  const exit = await exited;
  await until(`the command's background sleep ${sleepPid} ended after ${signal}`, () => !isAlive(sleepPid));
  return { sleepPid, exit };
}

describe('killing recipe project run ends the command and the run', () => {
  for (const signal of SIGNALS) {
    it(`${signal} to the runner's process group, ${TRIALS} trials`, async () => {
      for (let trial = 0; trial < TRIALS; trial++) {
        const dir = tempDirWith({ MLproject: MLPROJECT });
        const { exit } = await killMidRun(dir, ['project', 'run', '.'], signal);
        // SIGINT/SIGTERM are handled (exit 1, run KILLED by the runner); SIGKILL cannot be.
        expect(exit).toBe(signal === 'SIGKILL' ? 'SIGKILL' : 1);
        const runs = await runsOf(dir);
        expect(runs).toHaveLength(1);
        const run = runs[0] as Run;
        expect(run.info.status, `trial ${trial}`).toBe('KILLED');
        expect(run.info.end_time).toBeGreaterThan(0);
        const tags = tagsOf(run);
        expect(Number(tags['mlrecipe.runner_pid'])).toBeGreaterThan(0);
        if (signal === 'SIGKILL') expect(tags['mlrecipe.runner_lost']).toMatch(/was gone/);
        // The output as far as it got, in the run's artifacts.
        const [stdout] = stdoutFiles(dir);
        expect(readFileSync(stdout as string, 'utf8')).toBe('started\n');
        expect(existsSync(join(stdout as string, '..', 'stderr.txt'))).toBe(true);
      }
    });
  }
});

describe('killing recipe workflow run ends the running step and the runs', () => {
  for (const signal of SIGNALS) {
    it(`${signal} to the runner's process group`, async () => {
      const dir = tempDirWith({
        MLproject: MLPROJECT,
        'workflow.yaml':
          'name: long\nsteps:\n  main: {}\n  after: {entry_point: after, depends_on: [main]}\n',
      });
      await killMidRun(dir, ['workflow', 'run'], signal);
      expect(existsSync(join(dir, 'after.ran'))).toBe(false);
      const runs = await runsOf(dir);
      const statuses = Object.fromEntries(runs.map((r) => [r.info.run_name, r.info.status]));
      expect(statuses).toEqual({ long: 'KILLED', main: 'KILLED' });
    });
  }
});

describe('a RUNNING run whose runner is alive, or unknown, is left alone', () => {
  it('ends only runs of dead runners on this host', async () => {
    const dir = tempDirWith({});
    const uri = `sqlite:///${join(dir, 'mlruns', 'tracking.db')}`;
    const options = { defaultArtifactRoot: join(dir, 'mlruns', 'artifacts') };
    const store = await openTrackingStore(uri, options);
    const { hostname } = await import('node:os');
    // A process that has exited and been reaped: its pid names nobody (or somebody else).
    const gone = spawn(process.execPath, ['-e', '0']);
    const gonePid = await new Promise<number>((done) => gone.on('exit', () => done(gone.pid as number)));
    const make = async (name: string, tags: Array<{ key: string; value: string }>) =>
      (await store.createRun({ experimentId: '0', runName: name, tags })).info.run_id;
    await make('dead', [
      { key: 'mlrecipe.runner_pid', value: String(gonePid) },
      { key: 'mlrecipe.runner_host', value: hostname() },
      { key: 'mlrecipe.runner_start', value: 'not-its-start-time' },
    ]);
    await make('alive', [
      { key: 'mlrecipe.runner_pid', value: String(process.pid) },
      { key: 'mlrecipe.runner_host', value: hostname() },
    ]);
    await make('other-host', [
      { key: 'mlrecipe.runner_pid', value: String(gonePid) },
      { key: 'mlrecipe.runner_host', value: `not-${hostname()}` },
    ]);
    await make('mlflow-client', []);
    await store.close();
    const runs = await runsOf(dir);
    const statuses = Object.fromEntries(runs.map((r) => [r.info.run_name, r.info.status]));
    expect(statuses).toEqual({
      dead: 'KILLED',
      alive: 'RUNNING',
      'other-host': 'RUNNING',
      'mlflow-client': 'RUNNING',
    });
  });
});
