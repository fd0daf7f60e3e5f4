/**
 * The web UI on a big experiment: time from navigation to the first rows of the runs table of a
 * 10,000-run experiment, in Debian's headless chromium against `recipe server` in this process,
 * and in the same run the same page for a 1-run experiment (the floor: page load, module load,
 * one API round trip). Median of BENCH_REPEATS fresh pages each. One JSON line per case.
 *
 *   npm run build && npx tsx bench/ui.ts
 *   BENCH_RUNS=10000 BENCH_REPEATS=7 npx tsx bench/ui.ts
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { startTrackingServer } from '../src/server/tracking/index.js';
import { openTrackingStore } from '../src/tracking/index.js';
import { sqliteUriForPath } from '../src/tracking/tracking-uri.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 10_000);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 7);
const CHROMIUM = process.env.RECIPE_TEST_CHROMIUM ?? '/usr/bin/chromium';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function main(): Promise<void> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium`);
  const dir = mkdtempSync(join(tmpdir(), 'mlrecipe-bench-ui-'));
  const uri = sqliteUriForPath(join(dir, 'tracking.db'));
  const store = await openTrackingStore(uri, { defaultArtifactRoot: join(dir, 'artifacts') });
  const big = await store.createExperiment('big');
  for (let i = 0; i < RUNS; i++) {
    const run = await store.createRun({
      experimentId: big,
      runName: `run-${i}`,
      startTime: 1_600_000_000_000 + i,
    });
    await store.logBatch(run.info.run_id, {
      params: [
        { key: 'alpha', value: String(i % 97) },
        { key: 'penalty', value: i % 2 ? 'l1' : 'l2' },
      ],
      metrics: ['rmse', 'mae', 'r2'].map((key, k) => ({
        key,
        value: (i * (k + 1)) % 1000,
        timestamp: 1,
        step: 0,
      })),
    });
  }
  const one = await store.createExperiment('one');
  await store.createRun({ experimentId: one, runName: 'only' });
  await store.close();

  const server = await startTrackingServer({
    backendStoreUri: uri,
    port: 0,
    defaultArtifactRoot: join(dir, 'artifacts'),
    log: () => undefined,
  });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  try {
    const measure = async (experimentId: string): Promise<number[]> => {
      const times: number[] = [];
      for (let i = 0; i < REPEATS + 1; i++) {
        const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
        const start = performance.now();
        await page.goto(`${server.url}/#/experiments/${experimentId}`);
        await page.waitForSelector('#runs-table .run-body .run-row');
        const ms = performance.now() - start;
        await page.close();
        if (i > 0) times.push(ms); // the first page warms the server's statement cache and chromium
      }
      return times;
    };
    const floor = await measure(one);
    const bigTimes = await measure(big);
    const common = {
      date: new Date().toISOString(),
      cpus: cpus().length,
      load1: Number(loadavg()[0].toFixed(2)),
      repeats: REPEATS,
    };
    console.log(
      JSON.stringify({
        case: 'ui-runs-table-first-rows',
        runs: 1,
        median_ms: Math.round(median(floor)),
        ...common,
      }),
    );
    console.log(
      JSON.stringify({
        case: 'ui-runs-table-first-rows',
        runs: RUNS,
        median_ms: Math.round(median(bigTimes)),
        floor_1_run_ms: Math.round(median(floor)),
        ...common,
      }),
    );
  } finally {
    await browser.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
