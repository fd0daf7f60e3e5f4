/**
 * A step's fingerprint: sha256 over a canonical JSON of everything that decides its outputs. The
 * inputs are kept next to the fingerprint (in the cache manifest and the step's state file) so
 * that `recipe status` can say *why* a step is stale by diffing them, as `dvc status` does.
 */
import { createHash } from 'node:crypto';
import type { StepKind } from '../steps/types.js';

export interface FingerprintInputs {
  /** Bumped when the fingerprint recipe itself changes, so old cache entries stop matching. */
  format: 1;
  kind: StepKind;
  /** The step's own section plus the top-level recipe keys it reads (STEP_RECIPE_KEYS). */
  config: { step: unknown; recipe: Record<string, unknown> };
  code: {
    mlrecipe: string;
    /** Path relative to the recipe dir (or absolute outside it) → sha256, or 'missing'. */
    files: Record<string, string>;
  };
  /** Upstream step kind → its fingerprint. */
  upstream: Record<string, string>;
  /** External input file → sha256. */
  inputs: Record<string, string>;
  /** Step.fingerprintExtras (absent for most steps, so their fingerprints are unchanged). */
  extras?: Record<string, string>;
}

/** JSON with object keys sorted at every level and `undefined` members dropped. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : sortKeys(v)));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v);
    }
    return out;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return value;
}

export function sha256(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

export function fingerprintStep(inputs: FingerprintInputs): string {
  return sha256(canonicalJson(inputs));
}

/**
 * Human reasons why `now` differs from `before` (both for the same step), most specific first:
 * which config key, which code file, which input file, which upstream step.
 */
export function explainChange(before: FingerprintInputs, now: FingerprintInputs): string[] {
  const reasons: string[] = [];
  if (before.format !== now.format) reasons.push('the cache format changed');
  for (const key of diffKeys(before.config.step, now.config.step, `steps.${now.kind}`)) {
    reasons.push(`config ${key} changed`);
  }
  for (const key of diffKeys(before.config.recipe, now.config.recipe, ''))
    reasons.push(`config ${key} changed`);
  if (before.code.mlrecipe !== now.code.mlrecipe) {
    reasons.push(`mlrecipe version changed (${before.code.mlrecipe} → ${now.code.mlrecipe})`);
  }
  for (const file of diffRecord(before.code.files, now.code.files)) reasons.push(`code ${file}`);
  for (const file of diffRecord(before.inputs, now.inputs)) reasons.push(`input ${file}`);
  for (const key of diffKeys(before.extras ?? {}, now.extras ?? {}, '')) {
    const was = before.extras?.[key];
    const is = now.extras?.[key];
    // Versions and paths say more with both values: "python package sklearn changed (1.2.1 → 1.3.0)".
    reasons.push(
      key.startsWith('python ') && was !== undefined && is !== undefined
        ? `${key} changed (${was} → ${is})`
        : `${key} changed`,
    );
  }
  for (const [step, fp] of Object.entries(now.upstream)) {
    if (before.upstream[step] !== fp) reasons.push(`upstream ${step} changed`);
  }
  return reasons;
}

function diffRecord(before: Record<string, string>, now: Record<string, string>): string[] {
  const out: string[] = [];
  for (const [file, hash] of Object.entries(now)) {
    if (!(file in before)) out.push(`${file} added`);
    else if (before[file] !== hash) out.push(`${file} ${hash === 'missing' ? 'removed' : 'modified'}`);
  }
  for (const file of Object.keys(before)) if (!(file in now)) out.push(`${file} no longer used`);
  return out;
}

/** Dotted paths whose values differ (leaves and added/removed keys), e.g. `steps.split.split_ratios`. */
export function diffKeys(before: unknown, now: unknown, prefix: string): string[] {
  const isObj = (v: unknown): v is Record<string, unknown> =>
    v !== null && typeof v === 'object' && !Array.isArray(v);
  if (isObj(before) && isObj(now)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(now)])].sort();
    return keys.flatMap((k) => diffKeys(before[k], now[k], prefix ? `${prefix}.${k}` : k));
  }
  return canonicalJson(before) === canonicalJson(now) ? [] : [prefix || '(root)'];
}
