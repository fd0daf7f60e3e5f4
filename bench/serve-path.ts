/**
 * bench/serve-path: the scoring server's request path in-process, without HTTP — JSON.parse of a
 * `dataframe_split` body → frame → signature check → transform + predict → `{"predictions"}` — as
 * process CPU microseconds per request (best of BENCH_ROUNDS rounds), for 1-row and 100-row
 * bodies against the cars ridge model bench/serve serves. CPU time rather than wall time, because
 * on a shared 2-core machine the HTTP figures swing with other processes' load; this one does
 * much less. One JSON line on stdout.
 *
 *   npm run build && npx tsx bench/serve-path.ts
 *   BENCH_ROOT=/path/to/other/checkout npx tsx bench/serve-path.ts   # that checkout's dist/ (A/B)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Frame } from '../src/ml/types.js';
import type { ColSpec, LoadedModel } from '../src/models/index.js';
import { pickColumns, saveCarsModel } from '../test/server/served-model-fixture.js';
import { carsRows } from '../test/steps/model-recipe-fixture.js';

interface ModelsModule {
  loadModel(dir: string): Promise<LoadedModel>;
  frameFromScoringPayload(payload: unknown, inputs?: readonly ColSpec[]): Frame;
  predictionsJson(predictions: Float64Array | string[]): string;
}

const root = resolve(process.env.BENCH_ROOT ?? resolve(import.meta.dirname, '..'));
const rounds = Number(process.env.BENCH_ROUNDS ?? 7);
const models = (await import(pathToFileURL(join(root, 'dist', 'models', 'index.js')).href)) as ModelsModule;

const work = mkdtempSync(join(tmpdir(), 'mlrecipe-bench-serve-path-'));
try {
  const model = await models.loadModel(saveCarsModel(work));
  const columns = model.signature.inputs.map((spec) => spec.name as string);
  const rows = pickColumns(carsRows(), columns);
  const figures: Record<string, number> = {};
  for (const n of [1, 100]) {
    const body = JSON.stringify({
      dataframe_split: { columns, data: rows.slice(0, n).map((r) => columns.map((c) => r[c])) },
    });
    const requests = n === 1 ? 40_000 : 4_000;
    let best = Number.POSITIVE_INFINITY;
    for (let round = 0; round < rounds; round++) {
      const start = process.cpuUsage();
      for (let k = 0; k < requests; k++) {
        const frame = models.frameFromScoringPayload(JSON.parse(body), model.signature.inputs);
        models.predictionsJson(model.predict(frame));
      }
      const used = process.cpuUsage(start);
      best = Math.min(best, (used.user + used.system) / requests);
    }
    figures[`rows_${n}_cpu_us`] = Math.round(best * 10) / 10;
  }
  console.log(
    JSON.stringify({
      bench: 'serve-path',
      root,
      model: 'ridge regression, cars.json (7 raw columns, one-hot + scaling)',
      ...figures,
      load_avg_1m: Math.round(loadavg()[0] * 10) / 10,
    }),
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
