/** etl: keeps the numeric columns, drops rows with missing values, puts the target last. */
import { readFileSync } from 'node:fs';
import { flags, type Row, toCsv, writeArtifact, writeOutputs } from './step-io.mts';

const { raw, target = 'Miles_per_Gallon', 'max-rows': maxRows = '100000' } = flags();
const rows = (JSON.parse(readFileSync(raw as string, 'utf8')) as Row[]).slice(0, Number(maxRows));
const first = rows[0] ?? {};
const numeric = Object.keys(first).filter((c) => rows.every((r) => r[c] === null || typeof r[c] === 'number'));
if (!numeric.includes(target)) throw new Error(`target ${target} is not a numeric column (numeric: ${numeric.join(', ')})`);
const columns = [...numeric.filter((c) => c !== target), target];
const clean = rows.filter((r) => columns.every((c) => typeof r[c] === 'number' && Number.isFinite(r[c])));
const datasetUri = writeArtifact('dataset.csv', toCsv(clean, columns));
writeOutputs({ dataset_uri: datasetUri, rows: clean.length, target });
console.log(`etl: ${clean.length} of ${rows.length} rows complete; features ${columns.slice(0, -1).join(', ')}`);
