/**
 * The step cache: `.recipe/cache/<step>/<fingerprint>/` holds a step's outputs and `manifest.json`.
 *
 * Invariant: an entry directory is complete if and only if it contains `manifest.json`. An entry
 * is built in `.recipe/tmp/`, the manifest is the last file written there, and the directory is
 * renamed into place in one step; a crash at any point leaves either nothing or an entry without
 * a manifest, which lookups ignore and the next run removes.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../atomic-write.js';
import type { StepKind } from '../steps/types.js';
import { STEP_KINDS } from '../steps/types.js';
import type { FingerprintInputs } from './fingerprint.js';

export const RECIPE_STATE_DIR = '.recipe';
export const MANIFEST_FILE = 'manifest.json';

export interface CacheManifest {
  format: 1;
  step: StepKind;
  fingerprint: string;
  /** Everything the fingerprint was computed from, for `recipe status` explanations. */
  inputs: FingerprintInputs;
  /** Named outputs: name → path relative to the entry directory. */
  outputs: Record<string, string>;
  /** Copies of outputs outside the cache: absolute path → the output and its content hash. */
  externalOutputs?: Record<string, { output: string; sha256: string }>;
  metrics: Record<string, number>;
  params: Record<string, string>;
  tags: Record<string, string>;
  durationMs: number;
  /** ISO times. */
  startedAt: string;
  finishedAt: string;
  /** The tracking run of the `recipe run` that produced this entry. */
  runId?: string;
}

/** `.recipe/state/<step>.json`: the step's last successful fingerprint, for `recipe status`. */
export interface StepState {
  step: StepKind;
  fingerprint: string;
  inputs: FingerprintInputs;
  /**
   * When the step last ran, or was first reused from the cache after that; a later run that
   * reuses the same entry again leaves the file as it is (see `sameStepState`).
   */
  finishedAt: string;
  durationMs: number;
  /** 'ran' or 'cached' in the last run that reached this step. */
  outcome: 'ran' | 'cached';
  /** Why the step last ran: what changed since the run before (`recipe status` reasons). */
  why?: string[];
  runId?: string;
}

export interface CacheEntry {
  step: StepKind;
  fingerprint: string;
  dir: string;
  complete: boolean;
}

const FINGERPRINT = /^[0-9a-f]{64}$/;

export class StepCache {
  /** `<recipeDir>/.recipe` */
  readonly stateRoot: string;
  readonly cacheRoot: string;
  readonly tmpRoot: string;
  readonly stepStateRoot: string;

  constructor(recipeDir: string) {
    this.stateRoot = join(recipeDir, RECIPE_STATE_DIR);
    this.cacheRoot = join(this.stateRoot, 'cache');
    this.tmpRoot = join(this.stateRoot, 'tmp');
    this.stepStateRoot = join(this.stateRoot, 'state');
  }

  entryDir(step: StepKind, fingerprint: string): string {
    if (!FINGERPRINT.test(fingerprint)) throw new Error(`not a fingerprint: ${fingerprint}`);
    return join(this.cacheRoot, step, fingerprint);
  }

  /**
   * The manifest of a complete entry, or null when there is none, only an incomplete one, or one
   * whose outputs were deleted by hand since (then the step runs again and replaces it).
   */
  lookup(step: StepKind, fingerprint: string): CacheManifest | null {
    const dir = this.entryDir(step, fingerprint);
    let manifest: CacheManifest;
    try {
      manifest = JSON.parse(readFileSync(join(dir, MANIFEST_FILE), 'utf8')) as CacheManifest;
    } catch {
      return null;
    }
    if (manifest.fingerprint !== fingerprint) return null;
    for (const rel of Object.values(manifest.outputs ?? {})) if (!existsSync(join(dir, rel))) return null;
    return manifest;
  }

  /** A fresh, empty directory under `.recipe/tmp/` for a step to write its outputs into. */
  createTempDir(step: StepKind): string {
    const dir = join(this.tmpRoot, `${step}-${process.pid}-${randomBytes(6).toString('hex')}`);
    mkdirSync(dir, { recursive: true });
    return dir;
  }

  /**
   * Writes the manifest into `tmpDir` (last), then renames `tmpDir` into place. An existing entry
   * with the same fingerprint (a `--no-cache` re-run) is moved aside first and then removed.
   */
  commit(tmpDir: string, manifest: CacheManifest): string {
    writeFileAtomic(join(tmpDir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
    const target = this.entryDir(manifest.step, manifest.fingerprint);
    mkdirSync(join(this.cacheRoot, manifest.step), { recursive: true });
    let aside: string | undefined;
    if (existsSync(target)) {
      aside = join(
        this.tmpRoot,
        `replaced-${manifest.step}-${process.pid}-${randomBytes(6).toString('hex')}`,
      );
      renameSync(target, aside);
    }
    renameSync(tmpDir, target);
    if (aside) rmSync(aside, { recursive: true, force: true });
    return target;
  }

  /** Every entry directory in the cache, complete or not. */
  listEntries(): CacheEntry[] {
    const entries: CacheEntry[] = [];
    for (const step of STEP_KINDS) {
      const dir = join(this.cacheRoot, step);
      if (!existsSync(dir)) continue;
      for (const name of readdirSync(dir)) {
        if (!FINGERPRINT.test(name)) continue;
        const entry = join(dir, name);
        entries.push({
          step,
          fingerprint: name,
          dir: entry,
          complete: existsSync(join(entry, MANIFEST_FILE)),
        });
      }
    }
    return entries;
  }

  removeEntry(step: StepKind, fingerprint: string): void {
    // Rename first so that a concurrent reader never sees a half-deleted entry with its manifest.
    const dir = this.entryDir(step, fingerprint);
    const aside = join(this.tmpRoot, `removed-${step}-${process.pid}-${randomBytes(6).toString('hex')}`);
    mkdirSync(this.tmpRoot, { recursive: true });
    try {
      renameSync(dir, aside);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    rmSync(aside, { recursive: true, force: true });
  }

  /**
   * Removes what crashed runs left behind: everything in `.recipe/tmp/` and entries without a
   * manifest. Only call while holding the recipe lock. Returns how many were removed.
   */
  removeLeftovers(): number {
    let removed = 0;
    if (existsSync(this.tmpRoot)) {
      for (const name of readdirSync(this.tmpRoot)) {
        rmSync(join(this.tmpRoot, name), { recursive: true, force: true });
        removed++;
      }
    }
    for (const entry of this.listEntries()) {
      if (!entry.complete) {
        rmSync(entry.dir, { recursive: true, force: true });
        removed++;
      }
    }
    return removed;
  }

  readState(step: StepKind): StepState | null {
    try {
      return JSON.parse(readFileSync(join(this.stepStateRoot, `${step}.json`), 'utf8')) as StepState;
    } catch {
      return null;
    }
  }

  writeState(state: StepState): void {
    mkdirSync(this.stepStateRoot, { recursive: true });
    writeFileAtomic(join(this.stepStateRoot, `${state.step}.json`), `${JSON.stringify(state, null, 2)}\n`);
  }

  /**
   * Writes the state unless the file already says the same (`sameStepState`): a cached step that
   * was cached last time too changes nothing, and a no-op run should not rewrite every step's
   * file. Returns whether it wrote.
   */
  updateState(state: StepState, previous: StepState | null): boolean {
    if (previous !== null && sameStepState(previous, state)) return false;
    this.writeState(state);
    return true;
  }

  removeState(step: StepKind): void {
    rmSync(join(this.stepStateRoot, `${step}.json`), { force: true });
  }
}

/**
 * Whether two states say the same thing, apart from when they were written: same fingerprint,
 * inputs, outcome, reasons, run and duration.
 */
export function sameStepState(a: StepState, b: StepState): boolean {
  const { finishedAt: _a, ...restA } = a;
  const { finishedAt: _b, ...restB } = b;
  return canonicalJson(restA) === canonicalJson(restB);
}

/** JSON with object keys sorted, so key order read back from a file does not matter. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([x], [y]) => (x < y ? -1 : 1)))
      : v,
  );
}
