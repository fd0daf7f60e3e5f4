/**
 * The data formats `steps.ingest.using` names, apart from their readers (read-dataset.ts), so that
 * planning a recipe can check a format without loading the CSV, JSON and Parquet readers.
 */

/** The built-in formats of `steps.ingest.using` (besides `custom`). */
export const BUILTIN_FORMATS = ['csv', 'parquet', 'json', 'arrow'] as const;
export type BuiltinFormat = (typeof BUILTIN_FORMATS)[number];

export function isBuiltinFormat(value: unknown): value is BuiltinFormat {
  return typeof value === 'string' && (BUILTIN_FORMATS as readonly string[]).includes(value);
}
