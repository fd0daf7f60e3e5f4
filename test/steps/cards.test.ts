import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  histogramBins,
  htmlHeatmapTable,
  svgBarChart,
  svgHistogram,
  svgLinePlot,
  svgScatterPlot,
  writeCard,
} from '../../src/steps/cards.js';
import { createProgressReporter } from '../../src/recipes/progress.js';

/** Self-contained: no scripts, no external references (the SVG namespace is not a fetch). */
function expectSelfContained(html: string): void {
  expect(html).not.toMatch(/<script|<link|<img|@import|url\(/i);
  expect(html.replace(/xmlns="http:\/\/www\.w3\.org\/2000\/svg"/g, '')).not.toMatch(/https?:\/\//);
}

describe('step cards', () => {
  it('writes card.json with the data and a self-contained card.html with charts', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlrecipe-card-'));
    try {
      const html = [
        svgHistogram({ values: [1, 2, 2, 3, 3, 3, Number.NaN], bins: 3, xLabel: 'x' }),
        svgLinePlot({ series: [{ name: 'ROC', x: [0, 0.2, 1], y: [0, 0.8, 1] }], diagonal: true }),
        svgScatterPlot({ x: [1, 2, 3], y: [1.1, 1.9, 3.2], diagonal: true }),
        svgBarChart({ labels: ['hp', 'weight'], values: [0.5, -1.25] }),
        htmlHeatmapTable({
          rowLabels: ['a', 'b'],
          colLabels: ['a', 'b'],
          values: [
            [5, 1],
            [0, 7],
          ],
        }),
      ].join('');
      const { json, html: page } = writeCard(dir, {
        step: 'evaluate',
        data: { metrics: { rmse: 1.5 }, curve: new Float64Array([0.25, 0.5]) },
        sections: [{ title: 'Plots <&>', html }],
      });
      const card = JSON.parse(readFileSync(json, 'utf8'));
      expect(card).toMatchObject({
        step: 'evaluate',
        sections: ['Plots <&>'],
        data: { metrics: { rmse: 1.5 }, curve: [0.25, 0.5] },
      });
      const text = readFileSync(page, 'utf8');
      expect(text).toContain('<h2>Plots &lt;&amp;&gt;</h2>');
      expect(text.match(/<svg /g)).toHaveLength(4);
      expect(text).toContain('<table class="heat">');
      expectSelfContained(text);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('bins a histogram over the finite values', () => {
    expect(histogramBins([0, 1, 2, 3, Number.NaN, Number.POSITIVE_INFINITY], 3)).toEqual({
      edges: [0, 1, 2, 3],
      counts: [1, 1, 2],
    });
  });

  it('escapes labels so data cannot inject markup', () => {
    const svg = svgBarChart({ labels: ['<script>alert(1)</script>'], values: [1] });
    expect(svg).not.toContain('<script>');
    expect(svg).toContain('&lt;script&gt;');
  });
});

describe('progress without a terminal', () => {
  it('prints one plain line per step event', () => {
    const stream = new PassThrough();
    let out = '';
    stream.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const progress = createProgressReporter({ stream, mode: 'plain' });
    progress.begin(['ingest', 'split']);
    progress.stepStarted('ingest');
    progress.stepFinished('ingest', { state: 'cached', durationMs: 1200 });
    progress.stepStarted('split');
    progress.stepFinished('split', { state: 'failed', durationMs: 50, error: new Error('boom') });
    progress.end();
    expect(out).toBe(
      '[ingest] started\n[ingest] done in 1.2s (cached)\n[split] started\n[split] failed after 0.05s: boom\n',
    );
  });

  it('redraws a live list on a terminal', () => {
    const stream = Object.assign(new PassThrough(), { isTTY: true, columns: 80 });
    let out = '';
    stream.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const progress = createProgressReporter({ stream, mode: 'tty' });
    progress.begin(['ingest']);
    progress.stepStarted('ingest');
    progress.stepFinished('ingest', { state: 'ran', durationMs: 300 });
    progress.end();
    expect(out).toContain('\x1b[1A\x1b[0J');
    expect(out).toMatch(/ingest\s+0\.30s\n$/);
  });
});
