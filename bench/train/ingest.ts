/**
 * Ingest throughput: rows per second from CSV and Parquet files into an Arrow IPC dataset (what the
 * ingest step does: read + infer types + write dataset.arrow), one JSON line per case:
 *
 *   - csv_synthetic: a generated CSV, BENCH_ROWS rows (default 1,000,000) × 10 columns
 *     (7 doubles with 1% missing, 1 integer, 1 boolean, 1 categorical), with pandas.read_csv on
 *     the same file as a reference (Debian's /usr/bin/python3, when it has pandas);
 *   - csv_flights_3m: vega-datasets' flights-3m.parquet written out as CSV (3M rows × 5), → Arrow;
 *   - parquet_flights_3m: flights-3m.parquet (hyparquet, 11 row groups) → Arrow.
 *
 * Each case runs in its own child process, so `peak_rss_mb` is that case's own peak.
 *
 *   npx tsx bench/train/ingest.ts
 *   BENCH_ROWS=200000 npx tsx bench/train/ingest.ts     # smaller synthetic CSV
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { readCsvDataset, readParquetDataset, writeFrameArrow } from '../../src/data/index.js';
import type { Frame } from '../../src/ml/types.js';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const FLIGHTS = join(
  dirname(fileURLToPath(import.meta.resolve('vega-datasets'))),
  '..',
  'data',
  'flights-3m.parquet',
);

interface CaseFigures {
  case: string;
  rows: number;
  columns: number;
  file_mb: number;
  read_s: number;
  write_arrow_s: number;
  total_s: number;
  rows_per_s: number;
  mb_per_s: number;
  arrow_mb: number;
  peak_rss_mb: number;
  cpu_s: number;
  read_cpu_s: number;
  load_avg_1m: number;
  column_types: string[];
  [key: string]: unknown;
}

function round(value: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Writes the synthetic CSV in 64k-row chunks (a deterministic LCG, so every run reads the same file). */
function writeSyntheticCsv(path: string, rows: number): void {
  const fd = openSync(path, 'w');
  let seed = 42;
  const rand = () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed / 4294967296;
  };
  const cities = ['Lisbon', 'Oslo', 'Quito', 'Lagos', 'Perth', 'Osaka', 'Lima', 'Bern', '"Rio, BR"', 'Cairo'];
  writeSync(fd, 'f0,f1,f2,f3,f4,f5,f6,count,flag,city\n');
  let chunk: string[] = [];
  for (let i = 0; i < rows; i++) {
    const cells: string[] = [];
    for (let j = 0; j < 7; j++) cells.push(rand() < 0.01 ? '' : (rand() * 200 - 100).toFixed(4));
    cells.push(String(Math.floor(rand() * 1000)));
    cells.push(rand() < 0.5 ? 'true' : 'false');
    cells.push(cities[Math.floor(rand() * cities.length)] as string);
    chunk.push(cells.join(','));
    if (chunk.length === 65536) {
      writeSync(fd, `${chunk.join('\n')}\n`);
      chunk = [];
    }
  }
  if (chunk.length > 0) writeSync(fd, `${chunk.join('\n')}\n`);
  closeSync(fd);
}

/** Writes a frame as CSV in chunks (flights-3m as text, for the CSV case). */
function writeFrameCsvChunked(path: string, frame: Frame): void {
  const fd = openSync(path, 'w');
  writeSync(fd, `${frame.columns.map((c) => c.name).join(',')}\n`);
  let chunk: string[] = [];
  for (let i = 0; i < frame.nRows; i++) {
    const cells = frame.columns.map((c) => {
      const v = c.values[i];
      return v === null || (typeof v === 'number' && Number.isNaN(v)) ? '' : String(v);
    });
    chunk.push(cells.join(','));
    if (chunk.length === 65536) {
      writeSync(fd, `${chunk.join('\n')}\n`);
      chunk = [];
    }
  }
  if (chunk.length > 0) writeSync(fd, `${chunk.join('\n')}\n`);
  closeSync(fd);
}

async function measure(
  name: string,
  file: string,
  read: () => Promise<{ frame: Frame; columnTypes: string[] }>,
  workDir: string,
): Promise<CaseFigures> {
  const load = loadavg()[0] as number;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const { frame, columnTypes } = await read();
  const t1 = performance.now();
  const cpuRead = process.cpuUsage(cpu0);
  const out = join(workDir, `${name}.arrow`);
  writeFrameArrow(out, frame, { columnTypes: columnTypes as never });
  const t2 = performance.now();
  const cpu = process.cpuUsage(cpu0);
  const fileMb = statSync(file).size / 1e6;
  const total = (t2 - t0) / 1000;
  return {
    case: name,
    rows: frame.nRows,
    columns: frame.columns.length,
    file_mb: round(fileMb, 1),
    read_s: round((t1 - t0) / 1000),
    write_arrow_s: round((t2 - t1) / 1000),
    total_s: round(total),
    rows_per_s: Math.round(frame.nRows / total),
    mb_per_s: round(fileMb / total, 1),
    arrow_mb: round(statSync(out).size / 1e6, 1),
    peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
    // CPU time (user + system, all threads) is steadier than wall time on a shared machine.
    cpu_s: round((cpu.user + cpu.system) / 1e6),
    read_cpu_s: round((cpuRead.user + cpuRead.system) / 1e6),
    load_avg_1m: round(load, 1),
    column_types: columnTypes,
  };
}

function pandasReadCsv(
  file: string,
): { pandas_read_csv_s: number; pandas_read_csv_cpu_s: number; pandas_version: string } | { pandas: string } {
  const script = [
    'import sys, time',
    'import pandas as pd',
    't = time.perf_counter()',
    'c = time.process_time()',
    'df = pd.read_csv(sys.argv[1])',
    'print(time.perf_counter() - t, pd.__version__, time.process_time() - c)',
  ].join('\n');
  const result = spawnSync('/usr/bin/python3', ['-c', script, file], { encoding: 'utf8' });
  if (result.status !== 0)
    return {
      pandas: `unavailable (${(result.stderr || result.error?.message || '').trim().split('\n').pop()})`,
    };
  const [seconds, version, cpuSeconds] = result.stdout.trim().split(' ');
  return {
    pandas_read_csv_s: round(Number(seconds)),
    pandas_read_csv_cpu_s: round(Number(cpuSeconds)),
    pandas_version: version as string,
  };
}

async function runCase(name: string, workDir: string): Promise<CaseFigures> {
  if (name === 'csv_synthetic') {
    const file = join(workDir, 'synthetic.csv');
    writeSyntheticCsv(file, ROWS);
    const figures = await measure(name, file, () => readCsvDataset(file), workDir);
    return { ...figures, ...pandasReadCsv(file) };
  }
  if (name === 'csv_flights_3m') {
    const file = join(workDir, 'flights-3m.csv');
    writeFrameCsvChunked(file, (await readParquetDataset(FLIGHTS)).frame);
    // The conversion above is setup; measure in a fresh process so its memory does not count.
    const child = spawnSync(
      process.execPath,
      [...process.execArgv, fileURLToPath(import.meta.url), '--measure-csv', file, workDir],
      {
        encoding: 'utf8',
        maxBuffer: 1 << 24,
      },
    );
    if (child.status !== 0) throw new Error(child.stderr);
    const figures = JSON.parse(child.stdout.trim().split('\n').pop() as string) as CaseFigures;
    return { ...figures, case: name, ...pandasReadCsv(file) };
  }
  if (name === 'parquet_flights_3m') {
    if (!existsSync(FLIGHTS)) throw new Error(`${FLIGHTS} is missing`);
    return measure(name, FLIGHTS, () => readParquetDataset(FLIGHTS), workDir);
  }
  throw new Error(`unknown case ${name}`);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--measure-csv') {
    const [, file, workDir] = args as [string, string, string];
    process.stdout.write(
      `${JSON.stringify(await measure('csv', file, () => readCsvDataset(file), workDir))}\n`,
    );
    return;
  }
  if (args[0] === '--case') {
    const workDir = mkdtempSync(join(tmpdir(), 'mlrecipe-bench-ingest-'));
    try {
      // `bench: 'train'` as the estimator lines carry, so bench/train.ts's output is one stream
      process.stdout.write(
        `${JSON.stringify({ bench: 'train', ...(await runCase(args[1] as string, workDir)) })}\n`,
      );
    } finally {
      rmSync(workDir, { recursive: true, force: true });
    }
    return;
  }
  for (const name of ['csv_synthetic', 'csv_flights_3m', 'parquet_flights_3m']) {
    const child = spawnSync(
      process.execPath,
      [...process.execArgv, fileURLToPath(import.meta.url), '--case', name],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
        maxBuffer: 1 << 24,
      },
    );
    if (child.status !== 0) {
      process.stdout.write(
        `${JSON.stringify({ bench: 'train', case: name, error: `exit ${child.status}` })}\n`,
      );
      continue;
    }
    process.stdout.write(`${child.stdout.trim().split('\n').pop()}\n`);
  }
}

await main();
