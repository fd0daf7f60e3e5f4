/**
 * register: the promotion gate. A model whose held-out RMSE exceeds max_rmse fails the step
 * (and so the workflow); otherwise its URI is recorded as the registered candidate.
 */
import { readFileSync } from 'node:fs';
import { flags, writeOutputs } from './step-io.mts';

const { model, rmse, 'max-rmse': maxRmse } = flags();
const spec = JSON.parse(readFileSync(model as string, 'utf8')) as { kind: string; features: string[] };
if (Number(rmse) > Number(maxRmse)) {
  console.error(`register: RMSE ${rmse} is above the limit ${maxRmse}; not registering`);
  process.exit(1);
}
writeOutputs({ registered_model_uri: model as string, rmse: rmse as string });
console.log(`register: ${spec.kind} model on ${spec.features.length} features registered (RMSE ${rmse} <= ${maxRmse})`);
