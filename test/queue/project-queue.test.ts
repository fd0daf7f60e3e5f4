/**
 * Project runs on the queue, with real processes: one `recipe server`, three `recipe worker`
 * processes on a fresh PostgreSQL queue, and `recipe sweep --executor queue` running a 24-trial
 * sweep of an MLproject whose files reach the workers only through the server's artifact proxy
 * (the project directory is not where the workers run). One worker is SIGKILLed as soon as it
 * starts a trial; its job goes back to the queue once it misses its heartbeats, another worker runs
 * the trial again into the same child run, and the sweep ends with exactly 24 child runs and the
 * same best trial as the same sweep run in-process with the same seed. Then `recipe project run
 * --backend queue` runs one entry point on a worker. No sleeps decide anything.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openTrackingStore, type Run, type TrackingStore } from '../../src/tracking/index.js';
import { sqliteUriForPath } from '../../src/tracking/tracking-uri.js';
import { runCliProcess } from '../helpers/cli.js';
import { type CliProcess, startCli } from '../helpers/cli-process.js';
import { repoRoot, tempDirWith } from '../projects/fixtures.js';
import { POSTGRES_URL, queueTestBed } from './queue-database.js';

/**
 * The entry point: logs, into the run the runner made for it, a loss that is a function of its
 * params (minimum 0 at x = 2, k = 3), after a pause long enough for the test to kill its worker.
 */
const TRAIN = `
import { TrackingClient } from ${JSON.stringify(join(repoRoot, 'src/tracking/index.ts'))};
const [x, k] = process.argv.slice(2).map(Number);
await new Promise((r) => setTimeout(r, 300));
const loss = (x - 2) ** 2 + Math.abs(k - 3);
const client = await TrackingClient.open();
const run = await client.startRun();
await run.logMetric('loss', loss);
await run.end();
await client.close();
`;

function mlproject(): string {
  const node = JSON.stringify(process.execPath);
  const tsx = JSON.stringify(import.meta.resolve('tsx'));
  return `
name: quadratic
entry_points:
  main:
    parameters:
      x: float
      k: {type: int, default: 0}
    command: '${node} --import ${tsx} train.ts {x} {k}'
`;
}

const SPACE = `x: {distribution: uniform, low: -5, high: 5}
k: {values: [1, 3, 5]}
`;

const tag = (run: Run | undefined, key: string) => run?.data.tags.find((t) => t.key === key)?.value;

async function runsOf(store: TrackingStore, experiment: string): Promise<Run[]> {
  const found = await store.getExperimentByName(experiment);
  return (await store.searchRuns({ experimentIds: [found?.experiment_id as string], maxResults: 1000 })).runs;
}

describe.skipIf(!POSTGRES_URL)(
  'project runs on the queue: recipe sweep --executor queue, project run --backend queue',
  () => {
    const bed = queueTestBed('mlrecipe_project_queue');

    it('a 24-trial sweep survives a SIGKILLed worker: 24 child runs, one per trial, and the best trial of the in-process sweep', async () => {
      const { db, root, env, procs } = bed;
      const project = tempDirWith({
        MLproject: mlproject(),
        'train.ts': TRAIN,
        'package.json': '{"type": "module"}',
      });
      const cwd = tempDirWith({ 'space.yaml': SPACE });
      const local = tempDirWith({ 'space.yaml': SPACE });

      const serverDir = join(root, 'server');
      mkdirSync(join(serverDir, '.git'), { recursive: true });
      const server = startCli(['server', '--port', '0'], serverDir, env);
      procs.push(server);
      const url = (await server.waitFor(/(http:\/\/127\.0\.0\.1:\d+)/))[1] as string;

      // The workers run elsewhere: their working directory is not the project's.
      const workerDir = join(root, 'workers');
      mkdirSync(workerDir);
      const workers = [0, 1, 2].map(() => {
        const w = startCli(
          ['worker', '--queue', db.url, '--tracking-uri', url, '--lock-timeout', '3', '--tasks', 'project'],
          workerDir,
          env,
        );
        procs.push(w);
        return w;
      });
      const ids = await Promise.all(
        workers.map(async (w) => (await w.waitFor(/^worker (\S+) serving/m))[1] as string),
      );
      const victim = workers[0] as CliProcess;
      const killed = victim.waitFor(/run ([0-9a-f]{32}) \(main\) started/).then((m) => {
        victim.child.kill('SIGKILL');
        return m[1] as string;
      });

      const sweepArgs = [
        'sweep',
        project,
        '--space',
        'space.yaml',
        '--metric',
        'loss',
        '--max-trials',
        '24',
        '--parallelism',
        '3',
        '--seed',
        '5',
        '--experiment-name',
        'queued',
      ];
      const [queued, inProcess] = await Promise.all([
        runCliProcess(['--tracking-uri', url, ...sweepArgs, '--executor', 'queue', '--queue', db.url], {
          cwd,
          env,
        }),
        runCliProcess(sweepArgs, { cwd: local, env }),
      ]);
      expect(queued.code, queued.stderr).toBe(0);
      expect(inProcess.code, inProcess.stderr).toBe(0);
      const victimRun = await killed;
      expect(await victim.exited).toBe(null);
      // The same live progress as in-process: one line per finished trial.
      expect(queued.stderr.split('\n').filter((l) => /^trial \d+ \(\d+\/24\) /.test(l))).toHaveLength(24);

      const remote = await openTrackingStore(url);
      const localStore = await openTrackingStore(sqliteUriForPath(join(local, 'mlruns', 'tracking.db')), {
        defaultArtifactRoot: join(local, 'mlruns', 'artifacts'),
      });
      try {
        const queuedRuns = await runsOf(remote, 'queued');
        const localRuns = await runsOf(localStore, 'queued');
        const parentId = queued.stdout.trim();
        const parent = queuedRuns.find((r) => r.info.run_id === parentId);
        const localParent = localRuns.find((r) => r.info.run_id === inProcess.stdout.trim());
        expect(parent?.info.status).toBe('FINISHED');
        const children = queuedRuns.filter((r) => tag(r, 'mlflow.parentRunId') === parentId);
        expect(children).toHaveLength(24);
        expect(queuedRuns).toHaveLength(25);
        expect(new Set(children.map((r) => tag(r, 'mlrecipe.trial.index'))).size).toBe(24);
        expect(children.every((r) => r.info.status === 'FINISHED')).toBe(true);
        expect(children.every((r) => tag(r, 'mlflow.project.backend') === 'queue')).toBe(true);
        // Every trial ran on a worker; the victim's trial was run again by another one, into the same run.
        expect(children.every((r) => ids.includes(tag(r, 'mlrecipe.queue.worker') as string))).toBe(true);
        const retried = children.find((r) => r.info.run_id === victimRun);
        expect(retried?.info.status).toBe('FINISHED');
        expect(ids.slice(1)).toContain(tag(retried, 'mlrecipe.queue.worker'));
        // The params reached the entry point: each child's loss is the function of them.
        for (const c of children) {
          const p = Object.fromEntries(c.data.params.map((q) => [q.key, q.value]));
          const loss = c.data.metrics.find((m) => m.key === 'loss')?.value;
          expect(loss).toBeCloseTo((Number(p.x) - 2) ** 2 + Math.abs(Number(p.k) - 3), 9);
        }
        // The same seed proposes the same trials: the same best trial and loss as in-process.
        expect(tag(parent, 'mlrecipe.tuning.best_trial')).toBe(
          tag(localParent, 'mlrecipe.tuning.best_trial'),
        );
        const best = (r: Run | undefined) => r?.data.metrics.find((m) => m.key === 'tuning_best_loss')?.value;
        expect(best(parent)).toBeDefined();
        expect(best(parent)).toBe(best(localParent));
      } finally {
        await localStore.close();
      }

      // One project run on the queue: executed by a worker into the run this command created.
      const single = await runCliProcess(
        [
          '--tracking-uri',
          url,
          'project',
          'run',
          project,
          '-P',
          'x=2',
          '-P',
          'k=3',
          '--experiment-name',
          'single',
          '--backend',
          'queue',
          '--queue',
          db.url,
        ],
        { cwd, env },
      );
      expect(single.code, single.stderr).toBe(0);
      try {
        const [run] = await runsOf(remote, 'single');
        expect(run?.info.status).toBe('FINISHED');
        expect(run?.data.metrics.find((m) => m.key === 'loss')?.value).toBe(0);
        expect(ids.slice(1)).toContain(tag(run, 'mlrecipe.queue.worker'));
      } finally {
        await remote.close();
      }

      const status = await runCliProcess(['queue', 'status', '--queue', db.url, '--output', 'json'], {
        cwd: root,
        env,
      });
      expect(status.code, status.stderr).toBe(0);
      const parsed = JSON.parse(status.stdout) as { jobs: Record<string, number> };
      expect(parsed.jobs).toEqual({ queued: 0, running: 0, retrying: 0, failed: 0 });
    }, 600_000);
  },
);
