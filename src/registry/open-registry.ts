/**
 * Opening the model registry from a tracking URI. The registry lives in the tracking store's
 * database (SQLite or PostgreSQL) or on the tracking server (`http(s)://`), so this opens the
 * tracking store and hands back the registry over the same connection or client; closing the
 * registry closes that store.
 *
 * A caller that already holds a tracking store uses `registryForTrackingStore(store)` instead
 * (sql-registry.ts): no second connection, and the caller keeps closing its own store.
 */
import { type OpenTrackingStoreOptions, openTrackingStore, resolveTrackingUri } from '../tracking/index.js';
import { type OpenedModelRegistry, registryForTrackingStore } from './registry-for-store.js';

export type OpenModelRegistryOptions = OpenTrackingStoreOptions;

/** Opens the registry `uri` names (`sqlite:///…`, `postgresql://…`, `http(s)://…`). */
export async function openModelRegistry(
  uri: string,
  options: OpenModelRegistryOptions = {},
): Promise<OpenedModelRegistry> {
  const tracking = await openTrackingStore(uri, options);
  try {
    return registryForTrackingStore(tracking, { closesStore: true });
  } catch (error) {
    await tracking.close();
    throw error;
  }
}

/**
 * Opens the registry the way commands find the tracking store: `trackingUri` (a flag), else
 * `$RECIPE_TRACKING_URI`, `$MLFLOW_TRACKING_URI`, else the repository's `mlruns/tracking.db`.
 */
export async function openModelRegistryFor(
  options: { trackingUri?: string; cwd?: string } = {},
): Promise<OpenedModelRegistry> {
  const resolved = resolveTrackingUri({ flag: options.trackingUri, cwd: options.cwd ?? process.cwd() });
  return openModelRegistry(resolved.uri, { defaultArtifactRoot: resolved.defaultArtifactRoot });
}
