/** load: copies a vega-datasets table (shipped in node_modules, no network) into the run as raw.json. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { flags, writeArtifact, writeOutputs } from './step-io.mts';

const { dataset = 'cars' } = flags();
if (!/^[a-z0-9-]+$/.test(dataset)) throw new Error(`dataset must be a vega-datasets name like cars, got ${dataset}`);
// vega-datasets' JS entry fetches from the internet; its data/ folder sits next to build/.
const root = dirname(dirname(fileURLToPath(import.meta.resolve('vega-datasets'))));
const rows = JSON.parse(readFileSync(join(root, 'data', `${dataset}.json`), 'utf8')) as unknown[];
const rawUri = writeArtifact('raw.json', JSON.stringify(rows));
writeOutputs({ raw_uri: rawUri, rows: rows.length });
console.log(`load: ${rows.length} rows of ${dataset}`);
