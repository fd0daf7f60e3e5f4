/**
 * Issue 21's scale-out test, with real processes: one `recipe server`, three `recipe worker`
 * processes on a fresh PostgreSQL queue, and `recipe run --executor queue` running a 24-trial
 * sweep whose inputs travel through the server's artifact proxy. One worker is SIGKILLed as soon
 * as it reports a trial started; its job goes back to the queue once it misses its heartbeats,
 * and the sweep still ends with exactly 24 trial child runs (one per trial) and the same best
 * trial as the same recipe swept in-process. No sleeps decide anything: the test waits on lines
 * the processes print and on states in the stores.
 */
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openTrackingStore, type Run } from '../../src/tracking/index.js';
import { sqliteUriForPath } from '../../src/tracking/tracking-uri.js';
import { runCli, runCliProcess } from '../helpers/cli.js';
import { type CliProcess, startCli } from '../helpers/cli-process.js';
import { POSTGRES_URL, queueTestBed } from './queue-database.js';

const TRAIN = `  train:
    estimator:
      name: random_forest_regressor
      params: {n_estimators: 300, random_state: 0, n_jobs: 1}
    tuning:
      enabled: true
      max_trials: 24
      algorithm: hyperopt.tpe.suggest
      parallelism: 3
      seed: 11
      parameters:
        max_depth: {values: [3, 5, 8, 12]}
        min_samples_leaf: {distribution: uniformint, low: 1, high: 12}
`;

const tag = (run: Run | undefined, key: string) => run?.data.tags.find((t) => t.key === key)?.value;

describe.skipIf(!POSTGRES_URL)(
  'scale-out: one server, three workers, a 24-trial sweep, one worker SIGKILLed',
  () => {
    const bed = queueTestBed('mlrecipe_scale_out');

    it('finishes with 24 trial child runs (and the untuned one), one per trial, and the best trial of the in-process sweep', async () => {
      const { db, root, env, procs } = bed;
      // The recipe, twice: one copy swept in-process, one on the queue.
      expect((await runCli(['init', '--template', 'regression', 'local'], { cwd: root, env })).code).toBe(0);
      const local = join(root, 'local');
      const path = join(local, 'recipe.yaml');
      const text = readFileSync(path, 'utf8');
      // Custom metrics are the recipe's own code, which queue workers do not run (docs/scale-out.md).
      const rest = text
        .slice(text.indexOf('  evaluate:\n'))
        .replace(/ {6}- metric: weighted_mean_squared_error\n {8}threshold: 20\n/, '');
      const cut = rest.indexOf('# Extra metrics');
      expect(cut).toBeGreaterThan(0);
      writeFileSync(path, `${text.slice(0, text.indexOf('  train:\n'))}${TRAIN}${rest.slice(0, cut)}`);
      expect(readFileSync(path, 'utf8')).not.toMatch(/weighted_mean_squared_error/);
      const queued = join(root, 'queued');
      cpSync(local, queued, { recursive: true });

      const serverDir = join(root, 'server');
      mkdirSync(join(serverDir, '.git'), { recursive: true });
      const server = startCli(['server', '--port', '0'], serverDir, env);
      procs.push(server);
      const url = (await server.waitFor(/(http:\/\/127\.0\.0\.1:\d+)/))[1] as string;

      const workers = [0, 1, 2].map(() => {
        const w = startCli(
          ['worker', '--queue', db.url, '--tracking-uri', url, '--lock-timeout', '3'],
          root,
          env,
        );
        procs.push(w);
        return w;
      });
      const ids = await Promise.all(
        workers.map(async (w) => (await w.waitFor(/^worker (\S+) serving/m))[1] as string),
      );
      const victim = workers[0] as CliProcess;
      const killed = victim.waitFor(/trial (\d+) ([0-9a-f]{12}) started/).then((m) => {
        victim.child.kill('SIGKILL');
        return { index: Number(m[1]), fingerprint: m[2] as string };
      });

      const sweep = runCliProcess(
        ['--tracking-uri', url, 'run', '--executor', 'queue', '--queue', db.url, '--step', 'train'],
        { cwd: queued, env },
      );
      const inProcess = runCliProcess(['run', '--step', 'train'], { cwd: local, env });
      const [queuedResult, localResult] = await Promise.all([sweep, inProcess]);
      expect(queuedResult.code, queuedResult.stderr).toBe(0);
      expect(localResult.code, localResult.stderr).toBe(0);
      const victimTrial = await killed;
      expect(await victim.exited).toBe(null);

      const remote = await openTrackingStore(url);
      const localStore = await openTrackingStore(sqliteUriForPath(join(local, 'mlruns', 'tracking.db')), {
        defaultArtifactRoot: join(local, 'mlruns', 'artifacts'),
      });
      try {
        const runsOf = async (store: typeof remote) => {
          const experiment = await store.getExperimentByName('cars-regression');
          return (
            await store.searchRuns({ experimentIds: [experiment?.experiment_id as string], maxResults: 1000 })
          ).runs;
        };
        const queuedRuns = await runsOf(remote);
        const localRuns = await runsOf(localStore);
        const parentOf = (runs: Run[]) =>
          runs.find((r) => tag(r, 'mlrecipe.tuning.best_trial') !== undefined);
        const queuedParent = parentOf(queuedRuns);
        const localParent = parentOf(localRuns);
        const children = queuedRuns.filter((r) => tag(r, 'mlflow.parentRunId') === queuedParent?.info.run_id);
        // 24 trials, plus the untuned configuration MLflow scores when estimator params fix more than one value.
        expect(children).toHaveLength(25);
        expect(children.filter((r) => tag(r, 'mlrecipe.trial.index') === '-1')).toHaveLength(1);
        expect(children.filter((r) => Number(tag(r, 'mlrecipe.trial.index')) >= 0)).toHaveLength(24);
        // One child per trial index (TPE may propose the same params twice: one job, both recorded).
        expect(new Set(children.map((r) => tag(r, 'mlrecipe.trial.index'))).size).toBe(25);
        expect(children.every((r) => r.info.status === 'FINISHED')).toBe(true);
        // The victim's trial was finished by another worker after the victim's jobs were released.
        const retried = children.find((r) => tag(r, 'mlrecipe.trial.index') === String(victimTrial.index));
        expect(tag(retried, 'mlrecipe.trial.fingerprint')?.slice(0, 12)).toBe(victimTrial.fingerprint);
        expect(ids.slice(1)).toContain(tag(retried, 'mlrecipe.trial.worker'));
        // Every trial was fitted by a worker, and the same trials win.
        expect(
          children.every(
            (r) =>
              ids.includes(tag(r, 'mlrecipe.trial.worker') as string) ||
              tag(r, 'mlrecipe.trial.reused_from') !== undefined,
          ),
        ).toBe(true);
        expect(tag(queuedParent, 'mlrecipe.tuning.best_trial')).toBe(
          tag(localParent, 'mlrecipe.tuning.best_trial'),
        );
        const bestMetric = (parent: Run | undefined) =>
          parent?.data.metrics.find((m) => m.key === 'tuning_best_val_root_mean_squared_error')?.value;
        expect(bestMetric(queuedParent)).toBe(bestMetric(localParent));
      } finally {
        await remote.close();
        await localStore.close();
      }

      // recipe queue status: nothing left, the victim declared lost, the others still running.
      const status = await runCliProcess(['queue', 'status', '--queue', db.url, '--output', 'json'], {
        cwd: root,
        env,
      });
      expect(status.code, status.stderr).toBe(0);
      const parsed = JSON.parse(status.stdout) as {
        jobs: Record<string, number>;
        workers: Array<{ workerId: string; state: string }>;
      };
      expect(parsed.jobs).toEqual({ queued: 0, running: 0, retrying: 0, failed: 0 });
      expect(parsed.workers.find((w) => w.workerId === ids[0])?.state).toBe('lost');

      // SIGTERM stops an idle worker cleanly.
      const survivor = workers[1] as CliProcess;
      survivor.child.kill('SIGTERM');
      expect(await survivor.exited).toBe(0);
    }, 600_000);
  },
);
