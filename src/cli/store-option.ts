import { type Command, InvalidArgumentError, Option } from 'commander';
import type { TrackingStore, ViewType } from '../tracking/index.js';
import type { OutputFormat } from './output.js';

/**
 * How a command reaches the tracking store: the root program's `--tracking-uri`, else the
 * environment, else the repository's `mlruns/tracking.db` (see `resolveTrackingUri`). The store
 * is closed when `fn` settles, so a command never leaves a connection pool open.
 */
export async function withTrackingStore<T>(
  command: Command,
  fn: (store: TrackingStore) => Promise<T>,
): Promise<T> {
  const { trackingUri } = command.optsWithGlobals<{ trackingUri?: string }>();
  // Loaded when a command runs, not when commands are registered (e.g. for `recipe --help`).
  const { openTrackingStore, resolveTrackingUri } = await import('../tracking/index.js');
  const resolved = resolveTrackingUri({ flag: trackingUri, cwd: process.cwd() });
  const store = await openTrackingStore(resolved.uri, { defaultArtifactRoot: resolved.defaultArtifactRoot });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** `-o, --output table|json`, validated by commander so a bad value exits 2. */
export function outputOption(): Option {
  return new Option(
    '-o, --output <format>',
    'output format: "table" for people, "json" (MLflow field names) for scripts',
  )
    .choices(['table', 'json'] satisfies OutputFormat[])
    .default('table');
}

const VIEWS: Record<string, ViewType> = { active: 'ACTIVE_ONLY', deleted: 'DELETED_ONLY', all: 'ALL' };

/** `--view active|deleted|all`, MLflow's ViewType. */
export function viewOption(what: string): Option {
  return new Option('--view <view>', `which ${what} to show: active, deleted or all`)
    .choices(Object.keys(VIEWS))
    .default('active');
}

export function viewTypeOf(view: string | undefined): ViewType {
  return VIEWS[view ?? 'active'] ?? 'ACTIVE_ONLY';
}

/** A positive integer option value, e.g. `--max-results`. */
export function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n <= 0)
    throw new InvalidArgumentError(`expected a positive integer, not "${value}"`);
  return n;
}

/** commander's collector for repeatable options such as `--order-by`. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
