/**
 * Progress inside a long step: throttled by a clock passed in (no real time), live lines on a
 * terminal, plain `[step]` log lines otherwise, nothing for a step shorter than the plain interval.
 */
import { describe, expect, it } from 'vitest';
import { formatCount, rowProgress } from '../../src/steps/row-progress.js';

function clock() {
  let t = 0;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('rowProgress', () => {
  it('logs a plain line at most every 5 s, with rows done and rows/s', () => {
    const logs: string[] = [];
    const c = clock();
    const progress = rowProgress({ log: (m) => logs.push(m) }, 'read', { now: c.now });
    c.advance(1000);
    progress.update(100_000);
    expect(logs).toEqual([]);
    c.advance(4000);
    progress.update(500_000);
    c.advance(1000);
    progress.update(600_000);
    c.advance(4000);
    progress.update(1_000_000, { total: 2_000_000 });
    progress.end();
    expect(logs).toEqual(['read: 500.0k rows, 100.0k rows/s', 'read: 1.00M of 2.00M rows, 100.0k rows/s']);
  });

  it('replaces a live line on a terminal, resets the rate for a new phase, and clears it at the end', () => {
    const live: (readonly string[])[] = [];
    const c = clock();
    const progress = rowProgress({ log: () => {}, liveStatus: (lines) => live.push(lines) }, 'read', {
      now: c.now,
    });
    c.advance(500);
    progress.update(1000);
    c.advance(500);
    progress.update(1500, { phase: 'again' });
    c.advance(1000);
    progress.update(2000, { phase: 'again' });
    progress.end();
    expect(live).toEqual([
      ['read: 1.00k rows, 2.00k rows/s'],
      ['read again: 1.50k rows'],
      ['read again: 2.00k rows, 2.00k rows/s'],
      [],
    ]);
  });

  it('formats counts short', () => {
    expect([formatCount(950), formatCount(1234), formatCount(123_456), formatCount(2_500_000)]).toEqual([
      '950',
      '1.23k',
      '123.5k',
      '2.50M',
    ]);
  });
});
