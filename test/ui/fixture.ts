/**
 * What the UI tests look at: a real recipe repository (`recipe init` + `recipe run`, so the run
 * has its recipe DAG tags, step cards, model artifacts and a registered version with the gate's
 * card), a sweep-shaped parent with child runs, and a 10k-run experiment — all in the
 * repository's own SQLite store, written through the store's API.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { logArtifact } from '../../src/tracking/artifact-repo.js';
import { openTrackingStore, type TrackingStore } from '../../src/tracking/index.js';
import { sqliteUriForPath } from '../../src/tracking/tracking-uri.js';
import { runCli } from '../helpers/cli.js';

export interface UiFixture {
  repo: string;
  trackingUri: string;
  artifactRoot: string;
  recipeRunId: string;
  recipeExperimentId: string;
  sweepExperimentId: string;
  sweepParentId: string;
  sweepChildIds: string[];
  bigExperimentId: string;
  bigRunCount: number;
}

export const SWEEP_TRIALS = 12;
export const BIG_RUNS = 10_000;

/** A 1x1 PNG (red), to check that image artifacts preview as images. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==',
  'base64',
);

export async function createUiFixture(root: string, env: NodeJS.ProcessEnv): Promise<UiFixture> {
  const init = await runCli(['init', '--template', 'regression', 'cars'], { cwd: root, env });
  if (init.code !== 0) throw new Error(`recipe init failed: ${init.stderr}`);
  const repo = join(root, 'cars');
  const run = await runCli(['run'], { cwd: repo, env });
  if (run.code !== 0) throw new Error(`recipe run failed: ${run.stderr}`);

  const artifactRoot = join(repo, 'mlruns', 'artifacts');
  const trackingUri = sqliteUriForPath(join(repo, 'mlruns', 'tracking.db'));
  const store = await openTrackingStore(trackingUri, { defaultArtifactRoot: artifactRoot });
  try {
    const recipeRuns = await store.searchRuns({
      experimentIds: await allExperimentIds(store),
      filter: "tags.mlrecipe.step.train.state = 'ran'",
    });
    const recipeRun = recipeRuns.runs[0];
    if (!recipeRun) throw new Error('the recipe run was not recorded');

    // Artifacts of every kind the preview handles, on the recipe run.
    const files = join(root, 'files');
    mkdirSync(files, { recursive: true });
    writeFileSync(join(files, 'notes.txt'), 'plain text artifact\nsecond line\n');
    writeFileSync(join(files, 'summary.json'), JSON.stringify({ rmse: 3.99, rows: [1, 2] }));
    writeFileSync(join(files, 'table.csv'), 'name,value\n"a, quoted",1\nb,2\n');
    writeFileSync(join(files, 'pixel.png'), PNG);
    for (const name of ['notes.txt', 'summary.json', 'table.csv', 'pixel.png'])
      await logArtifact(recipeRun.info.artifact_uri, join(files, name), 'extras');
    // A metric with a history, which the run page draws as a chart.
    await store.logBatch(recipeRun.info.run_id, {
      metrics: [0.9, 0.5, 0.3].map((value, step) => ({
        key: 'train_loss',
        value,
        step,
        timestamp: 1 + step,
      })),
    });

    const sweepExperimentId = await store.createExperiment('sweep-demo');
    const parent = await store.createRun({
      experimentId: sweepExperimentId,
      runName: 'sweep',
      startTime: 1_700_000_000_000,
    });
    const sweepChildIds: string[] = [];
    for (let i = 0; i < SWEEP_TRIALS; i++) {
      const child = await store.createRun({
        experimentId: sweepExperimentId,
        runName: `sweep-trial-${i}`,
        startTime: 1_700_000_000_000 + i * 1000,
        tags: [{ key: 'mlflow.parentRunId', value: parent.info.run_id }],
      });
      const alpha = 10 ** (-4 + i * 0.25);
      await store.logBatch(child.info.run_id, {
        params: [
          { key: 'alpha', value: String(alpha) },
          { key: 'penalty', value: i % 2 ? 'l1' : 'l2' },
        ],
        metrics: [0, 1, 2, 3, 4].map((step) => ({
          key: 'rmse',
          value: 5 - step * 0.2 + Math.abs(Math.log10(alpha) + 2),
          timestamp: 1_700_000_000_000 + step,
          step,
        })),
      });
      await store.updateRun(child.info.run_id, { status: 'FINISHED', endTime: 1_700_000_001_000 + i * 1000 });
      sweepChildIds.push(child.info.run_id);
    }
    await store.updateRun(parent.info.run_id, { status: 'FINISHED', endTime: 1_700_000_100_000 });

    const bigExperimentId = await store.createExperiment('big');
    for (let i = 0; i < BIG_RUNS; i++) {
      const r = await store.createRun({
        experimentId: bigExperimentId,
        runName: `big-${i}`,
        startTime: 1_600_000_000_000 + i,
      });
      await store.logBatch(r.info.run_id, {
        params: [{ key: 'i', value: String(i) }],
        metrics: [{ key: 'score', value: i / BIG_RUNS, timestamp: 1, step: 0 }],
      });
    }

    return {
      repo,
      trackingUri,
      artifactRoot,
      recipeRunId: recipeRun.info.run_id,
      recipeExperimentId: recipeRun.info.experiment_id,
      sweepExperimentId,
      sweepParentId: parent.info.run_id,
      sweepChildIds,
      bigExperimentId,
      bigRunCount: BIG_RUNS,
    };
  } finally {
    await store.close();
  }
}

async function allExperimentIds(store: TrackingStore): Promise<string[]> {
  const { experiments } = await store.searchExperiments({ maxResults: 1000 });
  return experiments.map((e) => e.experiment_id);
}
