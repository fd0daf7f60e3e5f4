/// <reference lib="dom" />
/**
 * The web UI end to end in a real headless Chromium (Debian's `chromium`, driven by
 * playwright-core with `executablePath`) against a real `recipe server` on 127.0.0.1 over a real
 * recipe repository's SQLite store. What the pages show is checked against the store.
 *
 * Without /usr/bin/chromium the suite is skipped locally and fails in CI (`CI=true`), where
 * .ci/run installs it.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openModelRegistry } from '../../src/registry/index.js';
import { openTrackingStore } from '../../src/tracking/index.js';
import { cleanEnv } from '../helpers/cli.js';
import { createUiFixture, SWEEP_TRIALS, type UiFixture } from './fixture.js';
import { startServerProcess, type ServerProcess } from './server-process.js';

const CHROMIUM = process.env.RECIPE_TEST_CHROMIUM ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && process.env.CI === 'true') {
  throw new Error(`CI=true but ${CHROMIUM} is missing: .ci/run must install Debian's chromium`);
}
const SCREENSHOTS = process.env.RECIPE_UI_SCREENSHOTS;

describe.skipIf(!haveChromium)('web UI in headless Chromium', () => {
  const root = mkdtempSync(join(tmpdir(), 'mlrecipe-ui-'));
  const env = cleanEnv(root);
  let fixture: UiFixture;
  let server: ServerProcess;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    fixture = await createUiFixture(root, env);
    server = await startServerProcess({
      cwd: fixture.repo,
      env,
      args: ['--backend-store-uri', fixture.trackingUri, '--default-artifact-root', fixture.artifactRoot],
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.on(
      'dialog',
      (dialog) => void dialog.accept(dialog.type() === 'prompt' ? 'renamed-in-ui' : undefined),
    );
    if (SCREENSHOTS) mkdirSync(SCREENSHOTS, { recursive: true });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  async function shot(name: string): Promise<void> {
    if (SCREENSHOTS) await page.evaluate(() => window.scrollTo(0, 0));
    if (SCREENSHOTS) await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: false });
  }

  async function open(hash: string): Promise<void> {
    await page.goto(`${server.url}/#${hash}`);
    await page.waitForSelector('main[aria-busy="false"]');
  }

  it('lists the experiments and opens one into its runs table', async () => {
    await open('/experiments');
    const names = await page.locator('#experiments-table .experiment-link').allTextContents();
    expect(names).toEqual(expect.arrayContaining(['sweep-demo', 'big']));
    await shot('experiments');
    await page.locator('#experiments-table .experiment-link', { hasText: 'sweep-demo' }).click();
    await page.waitForSelector('#runs-table .run-row[data-run-id]');
    // The sweep's children are folded under their parent: one top-level row with a fold button.
    const rows = page.locator('#runs-table .run-body .run-row');
    expect(await rows.count()).toBe(1);
    await page.locator('button.fold').click();
    expect(await rows.count()).toBe(SWEEP_TRIALS + 1);
    await shot('runs-table-sweep');
  });

  it('filters runs with the search grammar, as the store does', async () => {
    const filter = 'metrics.rmse < 5.5';
    const store = await openTrackingStore(fixture.trackingUri, { defaultArtifactRoot: fixture.artifactRoot });
    const expected = await store.searchRuns({ experimentIds: [fixture.sweepExperimentId], filter });
    await store.close();
    expect(expected.runs.length).toBeGreaterThan(0);
    expect(expected.runs.length).toBeLessThan(SWEEP_TRIALS);
    await open(`/experiments/${fixture.sweepExperimentId}`);
    await page.fill('#run-filter', filter);
    await page.press('#run-filter', 'Enter');
    await page.waitForFunction(
      (f) => document.querySelector('#runs-status')?.textContent?.includes(f) ?? false,
      filter,
    );
    const shown = await page
      .locator('#runs-table .run-body .run-row')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-run-id')));
    expect(shown.sort()).toEqual(expected.runs.map((r) => r.info.run_id).sort());
    // A malformed filter shows the server's error, with its code.
    await page.fill('#run-filter', 'metrics.rmse <<< 1');
    await page.press('#run-filter', 'Enter');
    await expect
      .poll(() => page.locator('.error').first().textContent())
      .toContain('INVALID_PARAMETER_VALUE');
  });

  it('sorts by a metric column on the server', async () => {
    await open(`/experiments/${fixture.bigExperimentId}?sort=metrics.score`);
    await page.waitForSelector('#runs-table .run-body .run-row');
    const first = await page.locator('#runs-table .run-body .run-row').first().getAttribute('data-run-id');
    const store = await openTrackingStore(fixture.trackingUri, { defaultArtifactRoot: fixture.artifactRoot });
    const top = await store.searchRuns({
      experimentIds: [fixture.bigExperimentId],
      orderBy: ['metrics.score DESC'],
      maxResults: 1,
    });
    await store.close();
    expect(first).toBe(top.runs[0].info.run_id);
  });

  it('renders a 10k-run experiment with virtualised rows and pages on scroll', async () => {
    await open(`/experiments/${fixture.bigExperimentId}`);
    await page.waitForSelector('#runs-table .run-body .run-row');
    const domRows = await page.locator('#runs-table .run-body .run-row').count();
    expect(domRows).toBeGreaterThan(10);
    expect(domRows).toBeLessThan(100);
    const status = await page.locator('#runs-status').textContent();
    expect(status).toMatch(/^500 runs loaded \(scroll for more\)/);
    await page.locator('#runs-table').evaluate((el) => {
      el.scrollTop = el.scrollHeight;
    });
    await expect.poll(() => page.locator('#runs-status').textContent()).toMatch(/^1000 runs loaded/);
    await shot('runs-table-10k');
  });

  it('shows a recipe run: params, metrics, the DAG, artifacts with previews, and its model version', async () => {
    const store = await openTrackingStore(fixture.trackingUri, { defaultArtifactRoot: fixture.artifactRoot });
    const run = await store.getRun(fixture.recipeRunId);
    await store.close();
    await open(`/runs/${fixture.recipeRunId}`);
    expect(await page.locator('#run-name').textContent()).toBe(run.info.run_name);
    const paramRows = await page.locator('#params-table tbody tr').count();
    expect(paramRows).toBe(run.data.params.length);
    const metricText = await page.locator('#metrics-table').textContent();
    for (const m of run.data.metrics) expect(metricText).toContain(m.key);
    const commit = run.data.tags.find((t) => t.key === 'mlflow.source.git.commit')?.value;
    expect(commit).toBeTruthy();
    expect(await page.locator('#git-commit').textContent()).toBe(commit);
    // The recipe's DAG: every step the run recorded, with its state.
    const nodes = await page
      .locator('#recipe-dag .dag-node')
      .evaluateAll((els) => els.map((e) => `${e.getAttribute('data-step')}:${e.getAttribute('data-state')}`));
    const recorded = run.data.tags
      .filter((t) => /^mlrecipe\.step\.[a-z_]+\.state$/.test(t.key))
      .map((t) => `${t.key.split('.')[2]}:${t.value}`);
    expect(nodes.sort()).toEqual(recorded.sort());
    expect(nodes).toContain('train:ran');
    // Each step shows its duration, from the run's step.<step>.duration_s metric.
    const trainSeconds = run.data.metrics.find((m) => m.key === 'step.train.duration_s')?.value;
    expect(trainSeconds).toBeDefined();
    expect(await page.locator('#recipe-dag .dag-node[data-step="train"] .dag-state').textContent()).toBe(
      `ran · ${Number(trainSeconds).toFixed(2)} s`,
    );
    // Metric histories are drawn (uPlot), one chart per metric.
    await page.waitForSelector('#metric-charts .chart canvas');
    expect(await page.locator('#metric-charts .chart').count()).toBeGreaterThan(0);
    await shot('run');

    await page.locator('.artifact-dir[data-path="extras"]').click();
    await page.locator('.artifact-file[data-path="extras/summary.json"]').click();
    await expect.poll(() => page.locator('.preview-json').textContent()).toContain('"rmse": 3.99');
    await page.locator('.artifact-file[data-path="extras/table.csv"]').click();
    await expect.poll(() => page.locator('.preview-csv td').first().textContent()).toBe('a, quoted');
    await page.locator('.artifact-file[data-path="extras/notes.txt"]').click();
    await expect.poll(() => page.locator('.preview-text').textContent()).toContain('second line');
    await page.locator('.artifact-file[data-path="extras/pixel.png"]').click();
    await page.waitForSelector('img.preview-image');
    expect(
      await page.locator('img.preview-image').evaluate((img) => (img as HTMLImageElement).naturalWidth),
    ).toBe(1);
    await page.locator('.artifact-dir[data-path="cards"]').click();
    await page.locator('.artifact-dir[data-path="cards/train"]').click();
    await page.locator('.artifact-file[data-path="cards/train/card.html"]').click();
    const frame = page.frameLocator('iframe.preview-html');
    await expect.poll(() => frame.locator('body').textContent()).toContain('train');
    await shot('run-card-preview');

    // From the run to the model version it produced, and the gate's report there.
    await page.locator('#run-model-versions .version-link').first().click();
    await page.waitForSelector('#version-details');
    expect(await page.locator('#version-run').textContent()).toBe(fixture.recipeRunId);
    await page.waitForSelector('#gate-report p');
    expect(await page.locator('#gate-report').textContent()).toContain('Register step: PROMOTED');
    await shot('model-version');
  });

  it("draws an experiment's last recipe run on its recipe page, each step with its state and duration", async () => {
    const store = await openTrackingStore(fixture.trackingUri, { defaultArtifactRoot: fixture.artifactRoot });
    const run = await store.getRun(fixture.recipeRunId);
    await store.close();
    await open(`/experiments/${run.info.experiment_id}`);
    await page.click('#recipe-link');
    await page.waitForSelector('#recipe-steps tbody tr');
    expect(await page.locator('#recipe-last-run').getAttribute('href')).toBe(`#/runs/${fixture.recipeRunId}`);
    const shown = await page
      .locator('#recipe-steps tbody tr')
      .evaluateAll((rows) =>
        rows.map((row) => Array.from(row.querySelectorAll('td'), (td) => td.textContent).join('|')),
      );
    const recorded = run.data.tags
      .filter((t) => /^mlrecipe\.step\.[a-z_]+\.state$/.test(t.key))
      .map((t) => {
        const step = t.key.split('.')[2] as string;
        const seconds = run.data.metrics.find((m) => m.key === `step.${step}.duration_s`)?.value;
        return `${step}|${t.value}|${seconds === undefined ? '' : `${Number(seconds).toFixed(2)} s`}`;
      });
    expect(shown.sort()).toEqual(recorded.sort());
    expect(await page.locator('#recipe-dag .dag-node').count()).toBe(recorded.length);
  });

  it('opens the compare view of a sweep: parallel coordinates, one chart, the diff table', async () => {
    await open(`/runs/${fixture.sweepParentId}`);
    await page.locator('#compare-children').click();
    await page.waitForSelector('#parallel-coordinates svg');
    expect(await page.locator('#parallel-coordinates .pc-line').count()).toBe(SWEEP_TRIALS);
    const axes = await page.locator('#parallel-coordinates .pc-axis').allTextContents();
    expect(axes).toEqual(['alpha', 'penalty', 'rmse']);
    await page.waitForSelector('#compare-chart .chart canvas');
    expect(await page.locator('#diff-table thead th').count()).toBe(SWEEP_TRIALS + 1);
    await shot('compare-sweep');
    await page.check('#only-differences');
    const keys = await page
      .locator('#diff-table tbody tr')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-key')));
    expect(keys).toEqual(['param.alpha', 'param.penalty', 'metric.rmse']);
  });

  it('edits a run: rename, tag, note, delete and restore, each visible in the store', async () => {
    const runId = fixture.sweepChildIds[0];
    await open(`/runs/${runId}`);
    await page.click('#rename-run');
    await expect.poll(() => page.locator('#run-name').textContent()).toBe('renamed-in-ui');
    await page.fill('#tag-key', 'reviewed');
    await page.fill('#tag-value', 'yes');
    await page.click('#add-tag');
    await page.waitForSelector('#tags-table .delete-tag[data-key="reviewed"]');
    await page.fill('#run-note', 'looks good');
    await page.click('#save-note');
    await expect.poll(() => page.locator('#run-note').inputValue()).toBe('looks good');
    const store = await openTrackingStore(fixture.trackingUri, { defaultArtifactRoot: fixture.artifactRoot });
    try {
      await expect.poll(async () => (await store.getRun(runId)).info.run_name).toBe('renamed-in-ui');
      const tags = Object.fromEntries((await store.getRun(runId)).data.tags.map((t) => [t.key, t.value]));
      expect(tags.reviewed).toBe('yes');
      expect(tags['mlflow.note.content']).toBe('looks good');
      await page.click('#delete-run');
      await page.waitForSelector('#restore-run');
      expect((await store.getRun(runId)).info.lifecycle_stage).toBe('deleted');
      await page.click('#restore-run');
      await page.waitForSelector('#delete-run');
      expect((await store.getRun(runId)).info.lifecycle_stage).toBe('active');
    } finally {
      await store.close();
    }
  });

  it('shows the registry and sets an alias from the model page', async () => {
    await open('/models');
    await page.locator('#models-table .model-link', { hasText: 'cars-mpg' }).click();
    await page.waitForSelector('#versions-table');
    await shot('model');
    await page.fill('#alias-name', 'staging-ui');
    await page.selectOption('#alias-version', '1');
    await page.click('#set-alias');
    await page.waitForSelector('#aliases-table .delete-alias[data-alias="staging-ui"]');
    // The versions table shows each version's aliases from the model (search results carry none).
    const versionOne = page.locator('#versions-table tr', {
      has: page.locator('.version-link', { hasText: /^version 1$/ }),
    });
    await expect.poll(() => versionOne.innerText()).toContain('@staging-ui');
    const registry = await openModelRegistry(fixture.trackingUri, {
      defaultArtifactRoot: fixture.artifactRoot,
    });
    try {
      const model = await registry.getRegisteredModel('cars-mpg');
      expect(model.aliases).toEqual(expect.arrayContaining([{ alias: 'staging-ui', version: '1' }]));
    } finally {
      await registry.close();
    }
  });
});
