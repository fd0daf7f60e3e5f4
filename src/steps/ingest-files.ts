/**
 * The plan-time side of the ingest steps: which data files a config names, after checking the
 * fields that decide it. Planning fingerprints every step on every `recipe run`, cached or not,
 * so this module stays light: it imports data/locations.ts and data/formats.ts, not the data
 * module's readers (CSV, JSON, Parquet, Arrow), which load only when ingest actually runs.
 */
import { isBuiltinFormat } from '../data/formats.js';
import { resolveLocation } from '../data/locations.js';
import { ConfigError } from '../errors.js';
import { userModuleFiles } from './user-module.js';
import type { IngestConfig } from './recipe-config.js';
import type { StepKind } from './types.js';

function configField(kind: StepKind, key: string): string {
  return `steps.${kind}.${key}`;
}

function checkConfig(cfg: IngestConfig, kind: StepKind): void {
  // The engine hands a step `{}` when the recipe has no section for it.
  if (cfg === null || typeof cfg !== 'object' || cfg.using === undefined) {
    throw new ConfigError([
      {
        file: 'recipe.yaml',
        line: 0,
        column: 0,
        path: `steps.${kind}`,
        message: 'is missing: nothing says where the data is',
        hint: 'add e.g. `using: csv` and `location: data/train.csv`',
      },
    ]);
  }
  if (cfg.using === 'custom') {
    if (!cfg.loader_method) {
      throw new ConfigError([
        {
          file: 'recipe.yaml',
          line: 0,
          column: 0,
          path: configField(kind, 'using'),
          message: 'using: custom needs loader_method',
          hint: 'name a function exported by steps/ingest.ts',
        },
      ]);
    }
    return;
  }
  if (!isBuiltinFormat(cfg.using)) {
    throw new ConfigError([
      {
        file: 'recipe.yaml',
        line: 0,
        column: 0,
        path: configField(kind, 'using'),
        message: `unknown format ${JSON.stringify(cfg.using)}`,
        hint: 'use csv, parquet, json, arrow or custom',
      },
    ]);
  }
  if (cfg.location === undefined) {
    throw new ConfigError([
      {
        file: 'recipe.yaml',
        line: 0,
        column: 0,
        path: configField(kind, 'location'),
        message: `using: ${cfg.using} needs a location`,
        hint: 'a path, a list of paths or a glob such as data/*.csv, relative to the recipe directory',
      },
    ]);
  }
}

/** The data files a config names (none for a custom loader without a location). */
export function resolveIngestFiles(
  cfg: IngestConfig,
  recipeDir: string,
  kind: StepKind = 'ingest',
): string[] {
  checkConfig(cfg, kind);
  if (cfg.location === undefined) return [];
  return resolveLocation({
    location: cfg.location,
    baseDir: recipeDir,
    format: cfg.using === 'custom' ? undefined : cfg.using,
    field: configField(kind, 'location'),
  });
}

/** ingest's code identity: `steps/ingest.*` (and `steps/ingest.py`) when a custom loader reads the data. */
export function ingestCodeFiles(cfg: IngestConfig | undefined, recipeDir: string): string[] {
  if (cfg?.using !== 'custom' && cfg?.loader_method === undefined) return [];
  return userModuleFiles({ recipeDir, module: 'ingest' });
}
