/** Formatting of values for display. */

export function formatTime(ms: number | undefined): string {
  if (!ms) return '';
  const date = new Date(Number(ms));
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

export function formatDuration(start: number | undefined, end: number | undefined): string {
  if (!start || !end) return '';
  const s = (Number(end) - Number(start)) / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  if (s < 3600) return `${(s / 60).toFixed(1)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

/** A metric value: NaN and ±Infinity come as strings or numbers from the API. */
export function formatMetric(value: number | string | undefined): string {
  if (value === undefined || value === '') return '';
  const n = Number(value);
  if (Number.isNaN(n)) return String(value);
  if (!Number.isFinite(n)) return n > 0 ? 'Infinity' : '-Infinity';
  if (Number.isInteger(n)) return String(n);
  return Math.abs(n) >= 1e-3 && Math.abs(n) < 1e6
    ? n.toPrecision(6).replace(/\.?0+$/, '')
    : n.toExponential(4);
}

export function formatBytes(size: number | string | undefined): string {
  if (size === undefined) return '';
  const n = Number(size);
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

/** Quotes a key for the search grammar (`metrics.\`my key\``) when it is not a plain identifier. */
export function quoteKey(key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_.]*$/.test(key) ? key : `\`${key.replace(/`/g, '')}\``;
}
