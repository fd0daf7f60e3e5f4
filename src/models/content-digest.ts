/**
 * A model's identity by content: sha256 over every file of the model directory, with the MLmodel
 * fields that differ between two savings of the same model left out (`model_uuid`, `run_id`,
 * `utc_time_created`). Two trainings that produce the same pipeline, signature and input example
 * therefore have the same digest, while any change in what the model computes changes it. The
 * registry's copy of a model has the same digest as the directory it was copied from.
 */
import { createHash, type Hash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MLMODEL_FILE, readMLmodel } from './mlmodel.js';

/** MLmodel fields that name a saving, not the model: a new uuid, run and time each time. */
const VOLATILE_MLMODEL_FIELDS = ['model_uuid', 'run_id', 'utc_time_created'] as const;

/** Canonical JSON: object keys sorted, so the digest does not depend on field order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function relativeFiles(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...relativeFiles(dir, rel));
    else out.push(rel);
  }
  return out;
}

function update(hash: Hash, rel: string, bytes: Buffer | string): void {
  const data = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
  // Name and length before the bytes, so no two different trees feed the same stream.
  hash.update(`${rel}\0${data.length}\0`);
  hash.update(data);
}

/** `sha256:<hex>` of the model directory's content (see the module comment). */
export function modelContentDigest(dir: string): string {
  const hash = createHash('sha256');
  const files = relativeFiles(dir).sort();
  for (const rel of files) {
    if (rel === MLMODEL_FILE) {
      const doc: Record<string, unknown> = { ...readMLmodel(dir) };
      for (const field of VOLATILE_MLMODEL_FIELDS) delete doc[field];
      update(hash, rel, canonicalJson(doc));
    } else {
      update(hash, rel, readFileSync(join(dir, rel)));
    }
  }
  return `sha256:${hash.digest('hex')}`;
}
