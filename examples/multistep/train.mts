/**
 * train: ridge regression on standardised features (closed form), held-out RMSE. Logs params and
 * metrics into the run mlrecipe created (MLFLOW_RUN_ID) through mlrecipe's tracking client.
 */
import { readFileSync } from 'node:fs';
import { TrackingClient } from 'mlrecipe/tracking';
import { flags, parseNumericCsv, writeArtifact, writeOutputs } from './step-io.mts';

const { data, alpha = '1', 'test-fraction': testFraction = '0.2' } = flags();
const { columns, rows } = parseNumericCsv(readFileSync(data as string, 'utf8'));
const features = columns.slice(0, -1);
// A fixed interleaved split keeps the example deterministic without a seeded shuffle.
const every = Math.max(2, Math.round(1 / Number(testFraction)));
const train = rows.filter((_, i) => i % every !== 0);
const test = rows.filter((_, i) => i % every === 0);

const p = features.length;
const mean = features.map((_, j) => train.reduce((s, r) => s + (r[j] as number), 0) / train.length);
const std = features.map((_, j) => Math.sqrt(train.reduce((s, r) => s + ((r[j] as number) - (mean[j] as number)) ** 2, 0) / train.length) || 1);
const yMean = train.reduce((s, r) => s + (r[p] as number), 0) / train.length;
const z = (r: number[]) => features.map((_, j) => ((r[j] as number) - (mean[j] as number)) / (std[j] as number));

// (XᵀX + αI) w = Xᵀy on centred data, solved by Gaussian elimination (p is tiny).
const a = Array.from({ length: p }, (_, i) => Array.from({ length: p + 1 }, (_, j) => (j === i ? Number(alpha) : 0)));
for (const r of train) {
  const x = z(r);
  const y = (r[p] as number) - yMean;
  for (let i = 0; i < p; i++) {
    for (let j = 0; j < p; j++) (a[i] as number[])[j] += (x[i] as number) * (x[j] as number);
    (a[i] as number[])[p] += (x[i] as number) * y;
  }
}
for (let i = 0; i < p; i++) {
  const pivot = (a[i] as number[])[i] as number;
  for (let k = i + 1; k < p; k++) {
    const f = ((a[k] as number[])[i] as number) / pivot;
    for (let j = i; j <= p; j++) (a[k] as number[])[j] -= f * ((a[i] as number[])[j] as number);
  }
}
const w = new Array<number>(p).fill(0);
for (let i = p - 1; i >= 0; i--) {
  let s = (a[i] as number[])[p] as number;
  for (let j = i + 1; j < p; j++) s -= ((a[i] as number[])[j] as number) * (w[j] as number);
  w[i] = s / ((a[i] as number[])[i] as number);
}
const predict = (r: number[]) => yMean + z(r).reduce((s, v, j) => s + v * (w[j] as number), 0);
const rmse = Math.sqrt(test.reduce((s, r) => s + (predict(r) - (r[p] as number)) ** 2, 0) / test.length);

const model = { kind: 'ridge', alpha: Number(alpha), features, mean, std, intercept: yMean, coef: w };
const modelUri = writeArtifact('model.json', JSON.stringify(model, null, 2));
const client = await TrackingClient.open();
const run = await client.startRun();
await run.logMetrics({ rmse, train_rows: train.length, test_rows: test.length });
await run.end();
await client.close();
writeOutputs({ model_uri: modelUri, rmse: rmse.toFixed(6) });
console.log(`train: ridge alpha=${alpha} on ${train.length} rows, test RMSE ${rmse.toFixed(3)}`);
