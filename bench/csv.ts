/**
 * bench/csv: mlrecipe's CSV reader (src/data/csv.ts, `readCsvDataset`) against the same reader
 * built on csv-parse 6 (streaming `parse()`, one string array per row, pushed into the same
 * column builders, the same second pass for a column that turns out to be text). Issue 15 asks for
 * one CSV reader: whichever is slower goes. One JSON line per case on stdout.
 *
 *   npx tsx bench/csv.ts [--repeats 5] [--rows 1000000]
 *
 * Cases:
 *   - `template-cars`, `template-penguins`: the templates' data (vega-datasets' cars.json, 406
 *     rows, and penguins.json, 344 rows) written as CSV; each timing reads the file 200 times;
 *   - `generated-quoted`: `--rows` rows (default 1,000,000) of an id, two numbers (some
 *     empty), a quoted name with commas and doubled quotes, a note that is sometimes quoted over
 *     two lines, and a category, CRLF line ends and a BOM.
 *
 * The two readers alternate round by round (A, B, A, B, ...), so a change in the machine's load
 * hits both alike; each line has the median wall time and process CPU time of `repeats` rounds
 * for both, their ratio, and the 1-minute load average at the start and end of the case. Before
 * timing, both readers' frames are compared cell by cell: the bench refuses to time readers that
 * disagree.
 */
import { createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse';
import { readCsvDataset } from '../src/data/csv.js';
import { ColumnBuilder, type Dataset, finishBuilders, uniqueColumnNames } from '../src/data/infer-types.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => {
  const at = args.indexOf(name);
  return at >= 0 ? Number(args[at + 1]) : fallback;
};
const repeats = option('--repeats', 5);
const generatedRows = option('--rows', 1_000_000);

/** The csv-parse reader: the same builders and the same two passes as readCsvDataset. */
async function readWithCsvParse(file: string): Promise<Dataset> {
  const first = await csvParsePass(file, new Set());
  const lost = first.builders.filter((b) => b.lostText).map((b) => b.name);
  if (lost.length === 0) return finishBuilders(first.builders, first.nRows);
  const second = await csvParsePass(file, new Set(lost));
  return finishBuilders(second.builders, second.nRows);
}

function csvParsePass(
  file: string,
  forced: ReadonlySet<string>,
): Promise<{ builders: ColumnBuilder[]; nRows: number }> {
  return new Promise((resolve, reject) => {
    let builders: ColumnBuilder[] | null = null;
    let nRows = 0;
    const parser = parse({ bom: true, skip_empty_lines: true, relax_quotes: false });
    parser.on('data', (row: string[]) => {
      if (builders === null) {
        builders = uniqueColumnNames(row).map(
          (name) => new ColumnBuilder(name, { forceString: forced.has(name) }),
        );
        return;
      }
      for (let j = 0; j < builders.length; j++) (builders[j] as ColumnBuilder).pushText(row[j] as string);
      nRows++;
    });
    parser.on('error', reject);
    parser.on('end', () => resolve({ builders: builders ?? [], nRows }));
    createReadStream(file, { highWaterMark: 1 << 20 })
      .on('error', reject)
      .pipe(parser);
  });
}

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function templateCsv(dir: string, name: string): string {
  // The package's entry is <pkg>/build/index.js; its data/ folder sits beside build/.
  const dataDir = join(dirname(dirname(fileURLToPath(import.meta.resolve('vega-datasets')))), 'data');
  const records = JSON.parse(readFileSync(join(dataDir, `${name}.json`), 'utf8')) as Record<
    string,
    unknown
  >[];
  const columns = Object.keys(records[0] ?? {});
  const lines = [columns.map(csvCell).join(',')];
  for (const r of records) lines.push(columns.map((c) => csvCell(r[c])).join(','));
  const file = join(dir, `${name}.csv`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

function generatedCsv(dir: string, rows: number): string {
  // A fixed linear congruential sequence, so every run reads the same file.
  let seed = 12345;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const categories = ['alpha', 'beta', 'gamma', 'delta'];
  const parts: string[] = ['\uFEFFid,x,y,name,note,category\r\n'];
  for (let i = 0; i < rows; i++) {
    const x = rand() < 0.05 ? '' : (rand() * 1000).toFixed(3);
    const y = rand() < 0.05 ? '' : String(Math.floor(rand() * 100));
    const name = `"Smith, J. ""${i % 997}"""`;
    const note = rand() < 0.1 ? `"line one\r\nline ${i % 13}"` : rand() < 0.5 ? '' : `note ${i % 101}`;
    parts.push(`${i},${x},${y},${name},${note},${categories[i % 4]}\r\n`);
  }
  const file = join(dir, 'generated.csv');
  writeFileSync(file, parts.join(''));
  return file;
}

function sameDataset(a: Dataset, b: Dataset): string | null {
  if (a.frame.nRows !== b.frame.nRows) return `rows ${a.frame.nRows} vs ${b.frame.nRows}`;
  if (a.columnTypes.join() !== b.columnTypes.join()) return `types ${a.columnTypes} vs ${b.columnTypes}`;
  for (let j = 0; j < a.frame.columns.length; j++) {
    const ca = a.frame.columns[j] as (typeof a.frame.columns)[number];
    const cb = b.frame.columns[j] as (typeof b.frame.columns)[number];
    if (ca.name !== cb.name) return `column ${j}: ${ca.name} vs ${cb.name}`;
    for (let i = 0; i < a.frame.nRows; i++) {
      const va = ca.values[i];
      const vb = cb.values[i];
      if (!(va === vb || (Number.isNaN(va) && Number.isNaN(vb)))) return `${ca.name}[${i}]: ${va} vs ${vb}`;
    }
  }
  return null;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((p, q) => p - q);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

async function timeRead(
  read: (file: string) => Promise<Dataset>,
  file: string,
  times: number,
): Promise<{ wall: number; cpu: number }> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let k = 0; k < times; k++) await read(file);
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { wall, cpu: (cpu.user + cpu.system) / 1e6 };
}

async function benchCase(name: string, file: string, readsPerTiming: number): Promise<void> {
  const loadStart = loadavg()[0] as number;
  const ours = await readCsvDataset(file);
  const theirs = await readWithCsvParse(file);
  const difference = sameDataset(ours, theirs);
  if (difference) throw new Error(`${name}: the readers disagree (${difference})`);
  const walls = { handwritten: [] as number[], csvParse: [] as number[] };
  const cpu = { handwritten: [] as number[], csvParse: [] as number[] };
  for (let round = 0; round < repeats; round++) {
    const a = await timeRead(readCsvDataset, file, readsPerTiming);
    const b = await timeRead(readWithCsvParse, file, readsPerTiming);
    walls.handwritten.push(a.wall);
    cpu.handwritten.push(a.cpu);
    walls.csvParse.push(b.wall);
    cpu.csvParse.push(b.cpu);
  }
  const round3 = (x: number) => Math.round(x * 1000) / 1000;
  console.log(
    JSON.stringify({
      bench: 'csv',
      case: name,
      rows: ours.frame.nRows,
      columns: ours.frame.columns.length,
      reads_per_timing: readsPerTiming,
      repeats,
      handwritten_wall_s: round3(median(walls.handwritten)),
      csv_parse_wall_s: round3(median(walls.csvParse)),
      handwritten_cpu_s: round3(median(cpu.handwritten)),
      csv_parse_cpu_s: round3(median(cpu.csvParse)),
      csv_parse_over_handwritten_wall: round3(median(walls.csvParse) / median(walls.handwritten)),
      load_avg_1m_at_start: loadStart,
      load_avg_1m_at_end: loadavg()[0],
      cpus: cpus().length,
      node: process.version,
      date: new Date().toISOString(),
    }),
  );
}

const dir = mkdtempSync(join(tmpdir(), 'mlrecipe-bench-csv-'));
try {
  await benchCase('template-cars', templateCsv(dir, 'cars'), 200);
  await benchCase('template-penguins', templateCsv(dir, 'penguins'), 200);
  await benchCase('generated-quoted', generatedCsv(dir, generatedRows), 1);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
