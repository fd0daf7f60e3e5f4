import { expect, it } from 'vitest';
import { describeEachStore, tagsOf } from '../projects/fixtures.js';

describeEachStore('createFinishedRuns', (ts) => {
  it('records whole runs (tags, params, metrics, status, end time) in one call, in order', async () => {
    const store = ts.store;
    const experimentId = await store.createExperiment('finished-runs');
    const parent = await store.createRun({ experimentId, runName: 'parent' });
    const infos = await store.createFinishedRuns?.(
      [0, 1, 2].map((i) => ({
        experimentId,
        runName: `parent-trial-${i}`,
        tags: [{ key: 'mlflow.parentRunId', value: parent.info.run_id }],
        params: [{ key: 'alpha', value: String(i / 10) }],
        metrics: [{ key: 'loss', value: i + 0.5, timestamp: 1000 + i, step: 0 }],
        status: i === 2 ? ('FAILED' as const) : ('FINISHED' as const),
        startTime: 1000,
        endTime: 2000 + i,
      })),
    );
    expect(infos).toHaveLength(3);
    for (const [i, info] of (infos ?? []).entries()) {
      const run = await store.getRun(info.run_id);
      // The info returned is built from what was written, not read back: it must be what a read gives.
      expect(info).toEqual(run.info);
      expect(run.info.run_name).toBe(`parent-trial-${i}`);
      expect(run.info.status).toBe(i === 2 ? 'FAILED' : 'FINISHED');
      expect(run.info.end_time).toBe(2000 + i);
      expect(run.info.artifact_uri).toContain(info.run_id);
      expect(tagsOf(run)).toMatchObject({
        'mlflow.parentRunId': parent.info.run_id,
        'mlflow.runName': `parent-trial-${i}`,
      });
      expect(run.data.params).toEqual([{ key: 'alpha', value: String(i / 10) }]);
      expect(run.data.metrics.map((m) => [m.key, m.value])).toEqual([['loss', i + 0.5]]);
    }
    const { runs } = await store.searchRuns({
      experimentIds: [experimentId],
      filter: `tags.mlflow.parentRunId = '${parent.info.run_id}'`,
    });
    expect(runs).toHaveLength(3);
  });

  it('a run with a metric logged at several steps keeps the newest as its latest value', async () => {
    const store = ts.store;
    const experimentId = await store.createExperiment('finished-history');
    const [info] =
      (await store.createFinishedRuns?.([
        {
          experimentId,
          runName: 'history',
          params: [
            { key: 'a', value: '1' },
            { key: 'a', value: '1' },
          ],
          metrics: [
            { key: 'loss', value: 3, timestamp: 10, step: 0 },
            { key: 'loss', value: 1, timestamp: 30, step: 2 },
            { key: 'loss', value: 2, timestamp: 20, step: 1 },
          ],
          status: 'FINISHED',
          startTime: 5,
          endTime: 40,
        },
      ])) ?? [];
    const run = await store.getRun(info?.run_id ?? '');
    expect(run.data.params).toEqual([{ key: 'a', value: '1' }]);
    expect(run.data.metrics.map((m) => [m.key, m.value, m.step])).toEqual([['loss', 1, 2]]);
    expect((await store.getMetricHistory(run.info.run_id, 'loss')).map((m) => m.value).sort()).toEqual([
      1, 2, 3,
    ]);
  });

  it('writes nothing when one run of the batch is invalid', async () => {
    const store = ts.store;
    const experimentId = await store.createExperiment('finished-runs-atomic');
    const good = { experimentId, status: 'FINISHED' as const, endTime: 2000, startTime: 1000 };
    await expect(store.createFinishedRuns?.([good, { ...good, experimentId: '987654' }])).rejects.toThrow();
    await expect(
      store.createFinishedRuns?.([good, { ...good, params: [{ key: 'bad key!', value: 'x' }] }]),
    ).rejects.toThrow();
    const { runs } = await store.searchRuns({ experimentIds: [experimentId] });
    expect(runs).toHaveLength(0);
  });
});
