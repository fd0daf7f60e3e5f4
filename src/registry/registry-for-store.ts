/**
 * The registry that goes with an open tracking store: the SQL stores (SQLite, PostgreSQL) keep it
 * in their own database, over the same connection; a tracking server (`http(s)://`) serves it over
 * MLflow's REST API, through the same client (credentials, retries) as the tracking calls.
 */
import { UsageError } from '../errors.js';
// Not the tracking index: register opens the registry on every `recipe run`, and the index brings
// the export/import code and the YAML parser.
import { RestTrackingStore } from '../tracking/rest-store.js';
import type { TrackingStore } from '../tracking/types.js';
import { SqlTrackingStore } from '../tracking/sql-tracking-store.js';
import { RestModelRegistryStore } from './rest-registry.js';
import { SqlModelRegistryStore } from './sql-registry.js';

/** Either registry; `instanceof` tells them apart where registering differs (register-model.ts). */
export type OpenedModelRegistry = SqlModelRegistryStore | RestModelRegistryStore;

/**
 * The registry of an open tracking store, sharing its connection or client. Closing the registry
 * does nothing unless `closesStore` is set (then it closes the tracking store).
 */
export function registryForTrackingStore(
  store: SqlTrackingStore,
  options?: { closesStore?: boolean },
): SqlModelRegistryStore;
export function registryForTrackingStore(
  store: TrackingStore,
  options?: { closesStore?: boolean },
): OpenedModelRegistry;
export function registryForTrackingStore(
  store: TrackingStore,
  options: { closesStore?: boolean } = {},
): OpenedModelRegistry {
  const close = options.closesStore ? { close: () => store.close() } : {};
  if (store instanceof SqlTrackingStore) {
    return new SqlModelRegistryStore({
      driver: store.sqlDriver,
      artifactRoot: store.defaultArtifactRoot,
      ...close,
    });
  }
  if (store instanceof RestTrackingStore)
    return new RestModelRegistryStore({ client: store.client, ...close });
  throw new UsageError('this tracking store has no model registry mlrecipe can open', {
    hint: 'use a sqlite:///, postgresql:// or http(s):// tracking URI',
  });
}
