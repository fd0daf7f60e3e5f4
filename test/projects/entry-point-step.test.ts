import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StepError } from '../../src/errors.js';
import { runProjectEntryPoint } from '../../src/projects/index.js';
import { paramsOf, type TempStore, tagsOf, tempDirWith, tempStore } from './fixtures.js';

const MLPROJECT = `
entry_points:
  featurize:
    parameters: {k: int, rate: float}
    command: "echo '{{\\"features\\": \\"{k}x{rate}\\"}}' > \\"$RECIPE_OUTPUTS_FILE\\""
  broken:
    command: "exit 2"
`;

describe('runProjectEntryPoint (recipe steps `using: project`)', () => {
  let ts: TempStore;
  beforeAll(async () => {
    ts = await tempStore();
  });
  afterAll(async () => {
    await ts.dispose();
  });

  it('runs an entry point as a child of the recipe run and returns its outputs; reuse is opt-in', async () => {
    const dir = tempDirWith({ 'featurizer/MLproject': MLPROJECT });
    const experimentId = await ts.store.createExperiment('recipe');
    const parent = await ts.store.createRun({ experimentId, runName: 'recipe-run' });
    const options = {
      uri: 'featurizer',
      cwd: dir,
      entryPoint: 'featurize',
      parameters: { k: 3, rate: 0.5 },
      experimentId,
      trackingUri: ts.trackingUri,
      parentRunId: parent.info.run_id,
      store: ts.store,
      stdout: null,
      stderr: null,
      log: () => {},
    };
    const first = await runProjectEntryPoint(options);
    expect(first.reused).toBe(false);
    expect(first.outputs).toMatchObject({ features: '3x0.5', run_id: first.runId });
    const run = await ts.store.getRun(first.runId);
    expect(tagsOf(run)['mlflow.parentRunId']).toBe(parent.info.run_id);
    expect(paramsOf(run)).toEqual({ k: '3', rate: '0.5' });

    const again = await runProjectEntryPoint(options);
    expect(again.reused).toBe(false);
    expect(again.runId).not.toBe(first.runId);
    const reused = await runProjectEntryPoint({ ...options, reuse: true });
    expect(reused).toMatchObject({ reused: true, runId: again.runId });
    expect(reused.outputs.features).toBe('3x0.5');
  });

  it('turns a failed run into a StepError naming the entry point and the run', async () => {
    const dir = tempDirWith({ MLproject: MLPROJECT });
    const attempt = runProjectEntryPoint({
      uri: dir,
      entryPoint: 'broken',
      store: ts.store,
      trackingUri: ts.trackingUri,
      stdout: null,
      stderr: null,
      log: () => {},
    });
    await expect(attempt).rejects.toThrow(StepError);
    await expect(attempt).rejects.toThrow(
      /step project broken failed: run [0-9a-f]{32} ended FAILED \(exit code 2\)/,
    );
  });
});
