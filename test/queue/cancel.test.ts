/**
 * Ctrl-C on a command that queued jobs, with real processes: `recipe sweep --executor queue` with
 * two trials in flight (one running on the only worker, one queued) gets SIGINT. Its queued job is
 * removed, its running one is stopped by the worker (the entry point's process is gone) and not
 * retried, and every run ends KILLED; the worker goes on serving.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openTrackingStore } from '../../src/tracking/index.js';
import { sqliteUriForPath } from '../../src/tracking/tracking-uri.js';
import { runCliProcess } from '../helpers/cli.js';
import { startCli } from '../helpers/cli-process.js';
import { tempDirWith } from '../projects/fixtures.js';
import { POSTGRES_URL, queueTestBed } from './queue-database.js';

/**
 * A trial that never ends by itself: it writes its pid where the test can find it (the worker runs
 * an unpacked copy of the project, elsewhere), then waits.
 */
const mlproject = (pidDir: string) => `
name: forever
entry_points:
  main:
    parameters:
      x: float
    command: 'echo $$ > ${JSON.stringify(pidDir).slice(1, -1)}/pid-{x}; exec sleep 600'
`;

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe.skipIf(!POSTGRES_URL)('Ctrl-C cancels the jobs a command queued', () => {
  const bed = queueTestBed('mlrecipe_queue_cancel');

  it('SIGINT to recipe sweep --executor queue: the queued job is removed, the running one stopped, every run KILLED', async () => {
    const { db, root, env, procs } = bed;
    const pidDir = mkdtempSync(join(root, 'pids-'));
    const project = tempDirWith({ MLproject: mlproject(pidDir) });
    const cwd = tempDirWith({ 'space.yaml': 'x: {values: [1, 2, 3, 4]}\n' });
    const tracking = sqliteUriForPath(join(root, 'mlruns', 'tracking.db'));
    const worker = startCli(
      ['--tracking-uri', tracking, 'worker', '--queue', db.url, '--tasks', 'project'],
      root,
      env,
    );
    procs.push(worker);
    await worker.waitFor(/^worker \S+ serving/m);
    const started = worker.waitFor(/run ([0-9a-f]{32}) \(main\) started/);

    const sweep = startCli(
      [
        '--tracking-uri',
        tracking,
        'sweep',
        project,
        '--space',
        'space.yaml',
        '--metric',
        'loss',
        '--algorithm',
        'grid',
        '--max-trials',
        '4',
        '--parallelism',
        '2',
        '--experiment-name',
        'cancel',
        '--executor',
        'queue',
        '--queue',
        db.url,
      ],
      cwd,
      env,
    );
    procs.push(sweep);
    const runningId = (await started)[1] as string;
    // The entry point is running on the worker (its pid file exists once its shell started).
    const pidFile = () =>
      ['1', '2', '3', '4'].map((x) => join(pidDir, `pid-${x}`)).find((f) => existsSync(f));
    while (pidFile() === undefined) await new Promise((r) => setTimeout(r, 50));
    const trialPid = Number(readFileSync(pidFile() as string, 'utf8').trim());
    // Both trials are queued before the signal: one running, one waiting for the only worker.
    const jobs = async () => {
      const out = await runCliProcess(['queue', 'status', '--queue', db.url, '--output', 'json'], {
        cwd: root,
        env,
      });
      return (JSON.parse(out.stdout) as { jobs: Record<string, number> }).jobs;
    };
    for (let now = await jobs(); !(now.queued === 1 && now.running === 1); now = await jobs())
      await new Promise((r) => setTimeout(r, 100));

    sweep.child.kill('SIGINT');
    expect(await sweep.exited).not.toBe(0);
    await worker.waitFor(/cancelled by its enqueuer: stopping it/);
    await worker.waitFor(new RegExp(`run ${runningId} \\(main\\) stopped: its enqueuer cancelled it`));
    // The trial's process group was stopped with its job.
    while (alive(trialPid)) await new Promise((r) => setTimeout(r, 50));

    const status = await runCliProcess(['queue', 'status', '--queue', db.url, '--output', 'json'], {
      cwd: root,
      env,
    });
    expect(status.code, status.stderr).toBe(0);
    expect((JSON.parse(status.stdout) as { jobs: Record<string, number> }).jobs).toEqual({
      queued: 0,
      running: 0,
      retrying: 0,
      failed: 0,
    });

    const store = await openTrackingStore(tracking);
    try {
      const experiment = await store.getExperimentByName('cancel');
      const { runs } = await store.searchRuns({ experimentIds: [experiment?.experiment_id as string] });
      // The parent and the two trials that were queued: nothing else was started, all KILLED.
      expect(runs).toHaveLength(3);
      expect(runs.map((r) => r.info.status)).toEqual(['KILLED', 'KILLED', 'KILLED']);
      expect(runs.map((r) => r.info.run_id)).toContain(runningId);
    } finally {
      await store.close();
    }
    // The worker is still serving, and started nothing else.
    expect(worker.child.exitCode).toBe(null);
    expect(worker.stderr().match(/\(main\) started/g)).toHaveLength(1);
  }, 300_000);
});
