/**
 * bench/score: whole-process batch scoring (issue 22), one JSON line per case on stdout.
 *
 * For each case — 1M rows × 10 numeric columns (`numeric`), and the same plus 3 string columns
 * of 10, 50 and 200 levels (`categorical`) — it writes a training CSV (100k rows) and a scoring
 * CSV (BENCH_ROWS, default 1,000,000), fits the default transformer + ridge on the training rows
 * with mlrecipe's own classes and saves the model, then times
 *
 *   recipe models predict -m <model> -i score.csv -o out.csv
 *
 * as a user runs it (`/usr/bin/time`: wall, CPU = user + system, peak RSS), next to the same
 * pipeline in scikit-learn (bench/score/sklearn_score.py, Debian's /usr/bin/python3): pandas
 * `read_csv` + `Pipeline.predict` + `to_csv`, timed inside the Python process (its import and fit
 * not counted, which favours the reference). `wall_ratio` / `cpu_ratio` are ours ÷ the
 * reference's; the target is ≤ 1.0. `max_abs_diff_first_rows` compares the first 20 predictions
 * of both files: ~1e-10 for the numeric case; with string columns scikit-learn's ColumnTransformer
 * output is sparse and its Ridge then solves iteratively (sparse_cg, tol 1e-3), so there the two
 * differ by that solver's tolerance.
 *
 *   npm run build && npx tsx bench/score.ts
 *   BENCH_ROWS=200000 BENCH_CASES=numeric npx tsx bench/score.ts
 *   BENCH_KEEP=1 npx tsx bench/score.ts      # keep the model and CSVs (to profile)
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readCsvDataset } from '../src/data/csv.js';
import { ColumnTransformer } from '../src/ml/column-transformer.js';
import { Ridge } from '../src/ml/ridge.js';
import { ModelPipeline, saveModel, selectColumns } from '../src/models/index.js';

const cli = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const sklearnScript = fileURLToPath(new URL('./score/sklearn_score.py', import.meta.url));
const python = process.env.BENCH_PYTHON ?? '/usr/bin/python3';
const scoreRows = Number(process.env.BENCH_ROWS ?? 1_000_000);
const TRAIN_ROWS = 100_000;
const NUMERIC = 10;
const CASES = { numeric: [] as number[], categorical: [10, 50, 200] };
type CaseName = keyof typeof CASES;

function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

async function writeCsv(path: string, rows: number, levels: number[], seed: number): Promise<void> {
  const random = lcg(seed);
  const out = createWriteStream(path);
  const header = [...Array.from({ length: NUMERIC }, (_, j) => `x${j}`), ...levels.map((_, k) => `c${k}`), 'y'];
  const lines: string[] = [header.join(',')];
  for (let i = 0; i < rows; i++) {
    const cells: string[] = [];
    let y = 0;
    for (let j = 0; j < NUMERIC; j++) {
      const x = (random() - 0.5) * 20;
      y += (j - 4) * x;
      cells.push(random() < 0.005 ? '' : x.toFixed(4));
    }
    for (let k = 0; k < levels.length; k++) {
      const level = Math.floor(random() * levels[k]);
      y += (level % 7) - 3;
      cells.push(`c${k}_${level}`);
    }
    cells.push((y + (random() - 0.5) * 4).toFixed(4));
    lines.push(cells.join(','));
    if (lines.length === 10_000) {
      if (!out.write(`${lines.join('\n')}\n`)) await new Promise<void>((done) => out.once('drain', () => done()));
      lines.length = 0;
    }
  }
  out.write(lines.length > 0 ? `${lines.join('\n')}\n` : '');
  await new Promise<void>((done, fail) => {
    out.on('error', fail);
    out.end(() => done());
  });
}

/** Fits the default transformer + ridge on the training CSV with mlrecipe's classes; saves the model. */
async function trainModel(trainCsv: string, dir: string): Promise<void> {
  const dataset = await readCsvDataset(trainCsv);
  const inputColumns = dataset.frame.columns.map((c) => c.name).filter((name) => name !== 'y');
  const frame = selectColumns(dataset.frame, inputColumns);
  const transformer = new ColumnTransformer().fit(frame);
  const ridge = new Ridge({ alpha: 1 });
  ridge.fit(transformer.transform(frame), dataset.frame.columns.find((c) => c.name === 'y')?.values as Float64Array);
  const pipeline = new ModelPipeline({
    problemType: 'regression',
    targetCol: 'y',
    inputColumns,
    transformer,
    estimator: ridge,
  });
  saveModel({ dir, pipeline, inputExample: dataset.frame, columnTypes: dataset.columnTypes });
}

interface Timed {
  wall_s: number;
  cpu_s: number;
  peak_rss_mb: number;
  stdout: string;
}

function timed(command: string, args: string[]): Timed {
  const start = process.hrtime.bigint();
  const result = spawnSync('/usr/bin/time', ['-f', 'maxrss_kb=%M cpu_user_s=%U cpu_sys_s=%S', command, ...args], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status}):\n${result.stderr}`);
  const m = /maxrss_kb=(\d+) cpu_user_s=([\d.]+) cpu_sys_s=([\d.]+)/.exec(result.stderr);
  if (!m) throw new Error(`no /usr/bin/time figures in:\n${result.stderr}`);
  return {
    wall_s: wall,
    cpu_s: Number(m[2]) + Number(m[3]),
    peak_rss_mb: Math.round(Number(m[1]) / 1024),
    stdout: result.stdout,
  };
}

/** The `prediction` column of the first rows of a CSV written by either side. */
function firstPredictions(path: string, rows: number): number[] {
  const text = readFileSync(path, 'utf8').slice(0, 1 << 16).split('\n');
  const column = text[0].split(',').indexOf('prediction');
  return text.slice(1, rows + 1).map((line) => Number(line.split(',')[column]));
}

const round = (v: number, digits = 3): number => Math.round(v * 10 ** digits) / 10 ** digits;

if (!existsSync(cli)) throw new Error(`${cli} is missing: run \`npm run build\` first`);
const wanted = (process.env.BENCH_CASES ?? 'numeric,categorical').split(',') as CaseName[];
for (const name of wanted) {
  const levels = CASES[name];
  if (!levels) throw new Error(`BENCH_CASES: unknown case "${name}" (numeric, categorical)`);
  const root = mkdtempSync(join(tmpdir(), 'mlrecipe-bench-score-'));
  try {
    const trainCsv = join(root, 'train.csv');
    const scoreCsv = join(root, 'score.csv');
    process.stderr.write(`bench/score ${name}: writing ${scoreRows} rows …\n`);
    await writeCsv(trainCsv, TRAIN_ROWS, levels, 1);
    await writeCsv(scoreCsv, scoreRows, levels, 2);
    await trainModel(trainCsv, join(root, 'model'));

    const load = loadavg()[0];
    const ours = timed(process.execPath, [
      cli,
      'models',
      'predict',
      '-m',
      join(root, 'model'),
      '-i',
      scoreCsv,
      '-o',
      join(root, 'out.csv'),
    ]);
    const reference = timed(python, [sklearnScript, trainCsv, scoreCsv, join(root, 'out-sklearn.csv')]);
    const inner = JSON.parse(reference.stdout.trim().split('\n').pop() as string) as {
      read_s: number;
      predict_s: number;
      write_s: number;
      total_s: number;
      total_cpu_s: number;
    };
    const a = firstPredictions(join(root, 'out.csv'), 20);
    const b = firstPredictions(join(root, 'out-sklearn.csv'), 20);
    const worst = Math.max(...a.map((v, i) => Math.abs(v - b[i])));
    console.log(
      JSON.stringify({
        bench: 'score',
        case: name,
        rows: scoreRows,
        columns: NUMERIC + levels.length,
        wall_s: round(ours.wall_s),
        cpu_s: round(ours.cpu_s),
        peak_rss_mb: ours.peak_rss_mb,
        sklearn_wall_s: round(inner.total_s),
        sklearn_cpu_s: round(inner.total_cpu_s),
        sklearn_read_s: round(inner.read_s),
        sklearn_predict_s: round(inner.predict_s),
        sklearn_write_s: round(inner.write_s),
        sklearn_process_peak_rss_mb: reference.peak_rss_mb,
        wall_ratio: round(ours.wall_s / inner.total_s),
        cpu_ratio: round(ours.cpu_s / inner.total_cpu_s),
        max_abs_diff_first_rows: worst,
        load_avg_1m: round(load, 1),
      }),
    );
  } finally {
    if (process.env.BENCH_KEEP === '1') process.stderr.write(`bench/score: kept ${root}\n`);
    else rmSync(root, { recursive: true, force: true });
  }
}
