/**
 * bench/python-exchange: the Python worker's start-up and the column exchange's throughput each
 * way, next to a CSV round trip of the same table in the same run (the baseline a worker without
 * a binary exchange would use). One JSON line per case on stdout.
 *
 *   npx tsx bench/python-exchange.ts      # BENCH_ROWS (default 1,000,000), BENCH_PYTHON
 *
 * Table: BENCH_ROWS rows x 10 float64 columns (80 MB at 1M rows) plus, for the mixed case, one
 * string column. `to_python` = Node writes the exchange directory + pandas reads it;
 * `to_node` = pandas writes + Node reads. CSV: Node writes (frameToCsv) + pandas.read_csv, and
 * pandas.to_csv + Node reads (readCsvFrame). Issue 19's target: >= 200 MB/s each way, numeric.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { frameToCsv, readCsvFrame } from '../src/data/index.js';
import type { Frame } from '../src/ml/types.js';
import { frameToExchange, PythonWorker } from '../src/python/index.js';

const rows = Number(process.env.BENCH_ROWS ?? 1_000_000);
const python = process.env.BENCH_PYTHON ?? '/usr/bin/python3';
const interpreter = { command: python, source: 'RECIPE_PYTHON' as const };

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

function emit(line: Record<string, unknown>): void {
  process.stdout.write(
    `${JSON.stringify({ bench: 'python-exchange', load_avg_1m: loadavg()[0], ...line })}\n`,
  );
}

function numericFrame(n: number, withStrings: boolean): Frame {
  let s = 12345;
  const next = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const columns: Frame['columns'] = [];
  for (let j = 0; j < 10; j++) {
    const values = new Float64Array(n);
    for (let i = 0; i < n; i++) values[i] = next() * 1000 - 500;
    columns.push({ name: `x${j}`, type: 'number', values });
  }
  if (withStrings) {
    const labels = ['alpha', 'beta', 'gamma', 'délta', null];
    columns.push({
      name: 'label',
      type: 'string',
      values: Array.from({ length: n }, (_, i) => labels[i % 5] ?? null),
    });
  }
  return { nRows: n, columns };
}

/** The old Node reader, for the baseline: each `.npy` file whole into a Buffer, viewed in place. */
function readWholeFiles(dir: string): number {
  let bytes = 0;
  for (const name of readdirSync(dir)) {
    if (!name.endsWith('.npy')) continue;
    const buf = readFileSync(join(dir, name));
    const headerLen = buf.readUInt16LE(8);
    const view = new Float64Array(
      buf.buffer,
      buf.byteOffset + 10 + headerLen,
      (buf.length - 10 - headerLen) / 8,
    );
    bytes += view.byteLength;
  }
  return bytes;
}

const CSV_MODULE = `import time
import pandas as pd


def read_csv(path):
    started = time.perf_counter()
    pd.read_csv(path)
    return time.perf_counter() - started


def write_csv(path):
    df = pd.read_csv(path)
    started = time.perf_counter()
    df.to_csv(path + ".out.csv", index=False)
    return time.perf_counter() - started
`;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-pyx-'));
  mkdirSync(join(dir, 'steps'));
  writeFileSync(join(dir, 'steps', 'csvbench.py'), CSV_MODULE);
  try {
    const starts: number[] = [];
    for (let i = 0; i < 3; i++) {
      const w = await PythonWorker.start({ interpreter });
      starts.push(w.startMs / 1000);
      await w.close();
    }
    emit({ case: 'worker_start', python, seconds: median(starts), samples: starts });

    const worker = await PythonWorker.start({ interpreter });
    for (const withStrings of [false, true]) {
      const frame = numericFrame(rows, withStrings);
      const table = frameToExchange(frame);
      const numericBytes = rows * 10 * 8;
      const samples = [];
      const baseline = [];
      // Interleaved, same run: the current path, then the one before 2026-12-08 (Python: np.load
      // per column + pandas' consolidation; Node: readFileSync of the whole file + a view).
      for (let i = 0; i < 5; i++) {
        samples.push((await worker.echoTableTimed(table)).seconds);
        let oldNodeRead = 0;
        const old = await worker.echoTableTimed(table, {
          perColumn: true,
          beforeRead: (out) => {
            const started = performance.now();
            readWholeFiles(out);
            oldNodeRead = (performance.now() - started) / 1000;
          },
        });
        baseline.push({ ...old.seconds, nodeRead: oldNodeRead });
      }
      const toPython = median(samples.map((s) => s.nodeWrite + s.pythonRead));
      const toNode = median(samples.map((s) => s.pythonWrite + s.nodeRead));
      const baseToPython = median(baseline.map((s) => s.nodeWrite + s.pythonRead));
      const baseToNode = median(baseline.map((s) => s.pythonWrite + s.nodeRead));

      // CSV baseline, same table, same run.
      const csvFile = join(dir, 'table.csv');
      let started = performance.now();
      writeFileSync(csvFile, frameToCsv(frame));
      const nodeCsvWrite = (performance.now() - started) / 1000;
      const call = (fn: string) =>
        worker.callFunction({
          module: join(dir, 'steps', 'csvbench.py'),
          function: fn,
          args: [{ json: csvFile }],
          shownFile: 'csvbench.py',
        });
      const pyCsvRead = (await call('read_csv')) as { value: number };
      const pyCsvWrite = (await call('write_csv')) as { value: number };
      started = performance.now();
      await readCsvFrame(`${csvFile}.out.csv`);
      const nodeCsvRead = (performance.now() - started) / 1000;
      const csvToPython = nodeCsvWrite + pyCsvRead.value;
      const csvToNode = pyCsvWrite.value + nodeCsvRead;
      emit({
        case: withStrings ? 'exchange_10_float_1_string' : 'exchange_10_float',
        rows,
        numeric_mb: numericBytes / 1e6,
        to_python_s: toPython,
        to_node_s: toNode,
        to_python_numeric_mb_s: numericBytes / 1e6 / toPython,
        to_node_numeric_mb_s: numericBytes / 1e6 / toNode,
        baseline_to_python_numeric_mb_s: numericBytes / 1e6 / baseToPython,
        baseline_to_node_numeric_mb_s: numericBytes / 1e6 / baseToNode,
        baseline_python_read_s: median(baseline.map((s) => s.pythonRead)),
        baseline_node_read_s: median(baseline.map((s) => s.nodeRead)),
        // Where the time goes (medians of each part).
        node_write_s: median(samples.map((s) => s.nodeWrite)),
        python_read_s: median(samples.map((s) => s.pythonRead)),
        python_write_s: median(samples.map((s) => s.pythonWrite)),
        node_read_s: median(samples.map((s) => s.nodeRead)),
        csv_to_python_s: csvToPython,
        csv_to_node_s: csvToNode,
        speedup_vs_csv_to_python: csvToPython / toPython,
        speedup_vs_csv_to_node: csvToNode / toNode,
        samples,
      });
    }
    await worker.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
