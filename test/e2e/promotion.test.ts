/**
 * End to end: the regression template in a real git repository, `recipe run` as a child process,
 * the registry in the repository's SQLite file. A first model becomes champion; a worse one is
 * rejected with exit 3 (the run FINISHED, tagged REJECTED) and leaves the registry as it was, and
 * the same rejection is reported from the tracking store on the next run; a better one becomes
 * champion and records the previous holder; after `recipe clean` the retrained, byte-identical
 * model is reported unchanged.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openModelRegistry } from '../../src/registry/index.js';
import type { ModelVersion } from '../../src/registry/types.js';
import { localPathFromArtifactUri, openTrackingStore } from '../../src/tracking/index.js';
import { sqliteUriForPath } from '../../src/tracking/tracking-uri.js';
import { type CliResult, cleanEnv, runCli } from '../helpers/cli.js';

const root = mkdtempSync(join(tmpdir(), 'mlrecipe-promotion-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const env = cleanEnv(root);

function recipe(cwd: string, ...args: string[]): Promise<CliResult> {
  return runCli(args, { cwd, env });
}

function setAlpha(dir: string, alpha: string): void {
  const path = join(dir, 'recipe.yaml');
  const text = readFileSync(path, 'utf8');
  const next = text.replace(/alpha: [0-9.e-]+/, `alpha: ${alpha}`);
  expect(next).not.toBe(text);
  writeFileSync(path, next);
}

interface RegistryState {
  versions: ModelVersion[];
  champion?: string;
}

async function registryState(dir: string): Promise<RegistryState> {
  const registry = await openModelRegistry(sqliteUriForPath(join(dir, 'mlruns', 'tracking.db')), {
    defaultArtifactRoot: join(dir, 'mlruns', 'artifacts'),
  });
  try {
    const { model_versions } = await registry.searchModelVersions({ filter: "name = 'cars-mpg'" });
    const model = await registry.getRegisteredModel('cars-mpg');
    const champion = model.aliases.find((a) => a.alias === 'champion')?.version;
    return {
      versions: model_versions.sort((a, b) => Number(a.version) - Number(b.version)),
      ...(champion ? { champion } : {}),
    };
  } finally {
    await registry.close();
  }
}

async function runArtifactDir(dir: string, runId: string): Promise<string> {
  const store = await openTrackingStore(sqliteUriForPath(join(dir, 'mlruns', 'tracking.db')), {
    defaultArtifactRoot: join(dir, 'mlruns', 'artifacts'),
  });
  try {
    return localPathFromArtifactUri((await store.getRun(runId)).info.artifact_uri);
  } finally {
    await store.close();
  }
}

async function trackingRun(
  dir: string,
  runId: string,
): Promise<{ status: string; tags: Record<string, string> }> {
  const store = await openTrackingStore(sqliteUriForPath(join(dir, 'mlruns', 'tracking.db')), {
    defaultArtifactRoot: join(dir, 'mlruns', 'artifacts'),
  });
  try {
    const run = await store.getRun(runId);
    return { status: run.info.status, tags: Object.fromEntries(run.data.tags.map((t) => [t.key, t.value])) };
  } finally {
    await store.close();
  }
}

function tagsOf(version: ModelVersion | undefined): Record<string, string> {
  return Object.fromEntries((version?.tags ?? []).map((t) => [t.key, t.value]));
}

describe('promotion through recipe run', () => {
  it('registers the first model as champion, rejects a worse one (exit 3), promotes a better one', async () => {
    expect((await recipe(root, 'init', '--template', 'regression', 'cars')).code).toBe(0);
    const dir = join(root, 'cars');
    // Start from a middling model so that a better one exists (ridge alpha 10 → test rmse ≈ 4.04).
    setAlpha(dir, '10.0');

    // 1. No champion yet: only the absolute threshold (rmse <= 5) applies.
    const first = await recipe(dir, 'run');
    expect(first.stderr + first.stdout).toContain('registered cars-mpg version 1 as @champion');
    expect(first.code).toBe(0);
    const afterFirst = await registryState(dir);
    expect(afterFirst.versions.map((v) => v.version)).toEqual(['1']);
    expect(afterFirst.champion).toBe('1');
    expect(tagsOf(afterFirst.versions[0])).toMatchObject({ validation_status: 'VALIDATED' });
    expect(tagsOf(afterFirst.versions[0])['mlrecipe.previous_champion_version']).toBeUndefined();

    // The same model again: it already is the champion, nothing is registered.
    const again = await recipe(dir, 'run');
    expect(again.code).toBe(0);
    expect(again.stderr + again.stdout).toContain(
      'unchanged: the model is identical to cars-mpg@champion (version 1;',
    );
    expect((await registryState(dir)).versions).toHaveLength(1);
    expect(tagsOf((await registryState(dir)).versions[0])['mlrecipe.model_digest']).toMatch(
      /^sha256:[0-9a-f]{64}$/,
    );

    // 2. Heavier regularisation: still under the absolute bound, but worse than the champion.
    setAlpha(dir, '100.0');
    const worse = await recipe(dir, 'run');
    expect(worse.code).toBe(3);
    expect(worse.stderr).toContain('baseline gate rejected the model against cars-mpg@champion (version 1)');
    expect(worse.stderr).toMatch(
      /root_mean_squared_error: root_mean_squared_error = [\d.]+ is [\d.]+% worse than baseline [\d.]+; required: at least 1% better/,
    );
    expect(worse.stderr).toContain('The registry is unchanged: champion stays version 1.');
    const afterWorse = await registryState(dir);
    expect(afterWorse.versions.map((v) => v.version)).toEqual(['1']);
    expect(afterWorse.champion).toBe('1');
    expect(afterWorse.versions[0]?.last_updated_timestamp).toBe(
      afterFirst.versions[0]?.last_updated_timestamp,
    );
    // The rejected run keeps the gate's report among its artifacts.
    const runId = /tracking run ([0-9a-f]{32})/.exec(worse.stdout + worse.stderr)?.[1] as string;
    expect(runId).toBeDefined();
    const report = readFileSync(join(await runArtifactDir(dir, runId), 'gate', 'report.md'), 'utf8');
    expect(report).toContain('❌ Model gate: reject');
    expect(report).toContain('| root_mean_squared_error |');
    // A rejection is a decision, not an error: the run is FINISHED, tagged REJECTED (MLflow's name too).
    const rejectedRun = await trackingRun(dir, runId);
    expect(rejectedRun.status).toBe('FINISHED');
    expect(rejectedRun.tags).toMatchObject({
      validation_status: 'REJECTED',
      model_validation_status: 'REJECTED',
      'mlrecipe.gate.status': 'REJECTED',
    });

    // The same candidate again: the rejection is reported from the tracking store, not re-scored.
    const worseAgain = await recipe(dir, 'run');
    expect(worseAgain.code).toBe(3);
    expect(worseAgain.stderr).toContain(
      `decided by run ${runId} for the same model, data and thresholds; not re-scored`,
    );
    expect(worseAgain.stderr).toMatch(
      /root_mean_squared_error: root_mean_squared_error = [\d.]+ is [\d.]+% worse/,
    );
    const againId = /tracking run ([0-9a-f]{32})/.exec(worseAgain.stdout + worseAgain.stderr)?.[1] as string;
    const againRun = await trackingRun(dir, againId);
    expect(againRun.status).toBe('FINISHED');
    expect(againRun.tags).toMatchObject({
      validation_status: 'REJECTED',
      'mlrecipe.gate.decided_by_run': runId,
    });
    expect((await registryState(dir)).versions.map((v) => v.version)).toEqual(['1']);

    // 3. Lighter regularisation (test rmse ≈ 3.98): better than the champion by more than 1% → promoted.
    setAlpha(dir, '0.01');
    const better = await recipe(dir, 'run');
    expect(better.stderr + better.stdout).toContain(
      'registered cars-mpg version 2 as @champion (was version 1)',
    );
    expect(better.code).toBe(0);
    const afterBetter = await registryState(dir);
    expect(afterBetter.versions.map((v) => v.version)).toEqual(['1', '2']);
    expect(afterBetter.champion).toBe('2');
    expect(tagsOf(afterBetter.versions[1])).toMatchObject({
      validation_status: 'VALIDATED',
      'mlrecipe.previous_champion_version': '1',
    });
    // The new version keeps its lineage to the recipe run that trained it.
    expect(afterBetter.versions[1]?.run_id).toMatch(/^[0-9a-f]{32}$/);
    expect(afterBetter.versions[1]?.status).toBe('READY');

    // After `recipe clean` the same recipe trains again: a new model_uuid, the same bytes. The
    // candidate is the champion already (identity by content), not a 0% improvement to reject.
    expect((await recipe(dir, 'clean')).code).toBe(0);
    const retrained = await recipe(dir, 'run');
    expect(retrained.stderr + retrained.stdout).toContain(
      'unchanged: the model is identical to cars-mpg@champion (version 2; same model bytes and pipeline fingerprint)',
    );
    expect(retrained.code).toBe(0);
    expect((await registryState(dir)).versions.map((v) => v.version)).toEqual(['1', '2']);

    // The CI path: `recipe gate` on the better run's model (a bare run id) against version 1, on
    // the recipe's test split, with the recipe's own thresholds.
    const betterRun = /tracking run ([0-9a-f]{32})/.exec(better.stdout + better.stderr)?.[1] as string;
    const testSplit = (await recipe(dir, 'get-artifact', '--step', 'split', '--name', 'test')).stdout.trim();
    const gate = await recipe(
      dir,
      'gate',
      '--candidate',
      betterRun,
      '--baseline',
      'models:/cars-mpg/1',
      '--data',
      testSplit,
      '--thresholds',
      'recipe.yaml',
      '--report-dir',
      'gate-report',
    );
    expect(gate.stderr).toContain('gate-report');
    expect(gate.code).toBe(0);
    expect(readFileSync(join(dir, 'gate-report', 'junit.xml'), 'utf8')).toContain('failures="0"');

    // The champion is what `models:/cars-mpg@champion` loads, and the old one is still there.
    const show = await recipe(dir, 'models', 'show', 'cars-mpg');
    expect(show.code).toBe(0);
    expect(show.stdout).toContain('champion');
  }, 240_000); // about ten `recipe` processes in a row: well over the default 60 s on a loaded machine
});
