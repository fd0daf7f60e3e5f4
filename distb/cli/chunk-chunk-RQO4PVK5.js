import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  openTrackingStore
} from "./chunk-chunk-7Y5GNMMB.js";
import {
  registryForTrackingStore
} from "./chunk-chunk-YAYMH75N.js";
import {
  resolveTrackingUri
} from "./chunk-chunk-IPY3WFCW.js";

// src/registry/open-registry.ts
async function openModelRegistry(uri, options = {}) {
  const tracking = await openTrackingStore(uri, options);
  try {
    return registryForTrackingStore(tracking, { closesStore: true });
  } catch (error) {
    await tracking.close();
    throw error;
  }
}
async function openModelRegistryFor(options = {}) {
  const resolved = resolveTrackingUri({ flag: options.trackingUri, cwd: options.cwd ?? process.cwd() });
  return openModelRegistry(resolved.uri, { defaultArtifactRoot: resolved.defaultArtifactRoot });
}

export {
  openModelRegistry,
  openModelRegistryFor
};
