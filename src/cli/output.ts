/** Human and machine output for listing commands: an aligned table, or `--output json`. */
import { UsageError } from '../errors.js';
import { cliStdout } from './io.js';

export type OutputFormat = 'table' | 'json';

export function parseOutputFormat(value: string): OutputFormat {
  if (value === 'table' || value === 'json') return value;
  throw new Error(`--output must be "table" or "json", not "${value}"`);
}

/** Prints rows as an aligned table with a header line; empty input prints `(none)`. */
export function formatTable(headers: string[], rows: string[][]): string {
  if (rows.length === 0) return '(none)';
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/**
 * Refuses a user-named output path inside .git/ or .recipe/ (a UsageError, exit 2) before the
 * command does any work. The data module is imported here, on use: commands that write output
 * load it anyway, and the others keep a fast start.
 */
export async function refuseProtectedOutput(option: string, path: string): Promise<void> {
  const { PROTECTED_OUTPUT_HINT, protectedOutputReason } = await import('../data/index.js');
  const reason = protectedOutputReason(path);
  if (reason) throw new UsageError(`${option} ${path}: ${reason}`, { hint: PROTECTED_OUTPUT_HINT });
}

export function printJson(value: unknown): void {
  cliStdout().write(`${JSON.stringify(value, jsonReplacer, 2)}\n`);
}

/** JSON has no NaN/Infinity; MLflow's REST API sends them as the strings "NaN", "Infinity". */
export function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) {
    return Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
  }
  return value;
}

export function formatTime(ms: number | undefined): string {
  if (ms === undefined || ms === null) return '';
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
}
