/**
 * The ingest step's custom loader, the counterpart of MLflow Recipes' steps/ingest.py.
 *
 * mlrecipe calls `load_file_as_dataframe(location, format)` once per file that `location` names,
 * with the file's absolute path and its extension, and stacks the results. Return an array of
 * row objects (column types are inferred from the values) or a Frame of typed columns.
 */
import { readFileSync } from 'node:fs';

type Row = Record<string, string | number | boolean | null>;

export function load_file_as_dataframe(location: string, format: string): Row[] {
  if (format !== 'json') throw new Error(`expected a .json file, got ${location}`);
  const cars = JSON.parse(readFileSync(location, 'utf8')) as Row[];
  return cars.map(({ Name: _name, Year, ...rest }) => ({
    ...rest,
    // "1970-01-01" → 1970: the model year as a number, so the model sees its trend.
    Year: typeof Year === 'string' ? Number(Year.slice(0, 4)) : Year,
  }));
}
