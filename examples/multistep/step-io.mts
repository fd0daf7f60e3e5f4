/**
 * What every step of this example shares: command-line flags, and the two hand-offs mlrecipe
 * gives a project command — files written to $RECIPE_ARTIFACTS_DIR become the run's artifacts,
 * and a JSON object written to $RECIPE_OUTPUTS_FILE becomes the run's named outputs, which
 * later workflow steps read as {{ steps.<step>.outputs.<name> }}.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function flags(): Record<string, string> {
  const args = process.argv.slice(2);
  const out: Record<string, string> = {};
  for (let i = 0; i < args.length; i += 2) {
    const key = args[i];
    const value = args[i + 1];
    if (!key?.startsWith('--') || value === undefined) throw new Error(`expected --name value pairs, got ${args.join(' ')}`);
    out[key.slice(2)] = value;
  }
  return out;
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run this script with \`recipe project run\``);
  return value;
}

/** Writes `name` into the run's artifacts; returns the URI it will have once the run ends. */
export function writeArtifact(name: string, content: string): string {
  writeFileSync(join(required('RECIPE_ARTIFACTS_DIR'), name), content);
  return join(required('RECIPE_ARTIFACT_URI'), name);
}

export function writeOutputs(outputs: Record<string, string | number>): void {
  writeFileSync(required('RECIPE_OUTPUTS_FILE'), JSON.stringify(outputs));
}

export type Row = Record<string, number | string | null>;

export function toCsv(rows: Row[], columns: string[]): string {
  const cell = (v: unknown) => (v === null || v === undefined ? '' : /[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));
  return `${[columns.join(','), ...rows.map((r) => columns.map((c) => cell(r[c])).join(','))].join('\n')}\n`;
}

/** Reads the numeric CSV this example writes (no quoted commas in numeric data). */
export function parseNumericCsv(text: string): { columns: string[]; rows: number[][] } {
  const [header, ...lines] = text.trim().split('\n');
  const columns = (header ?? '').split(',');
  const rows = lines.filter(Boolean).map((line) => line.split(',').map(Number));
  return { columns, rows };
}
