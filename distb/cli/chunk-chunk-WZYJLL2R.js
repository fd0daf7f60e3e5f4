import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  InvalidArgumentError,
  Option
} from "./chunk-chunk-UTGYEUUB.js";

// src/cli/store-option.ts
async function withTrackingStore(command, fn) {
  const { trackingUri } = command.optsWithGlobals();
  const { openTrackingStore, resolveTrackingUri } = await import("./chunk-tracking-RHGRVUZK.js");
  const resolved = resolveTrackingUri({ flag: trackingUri, cwd: process.cwd() });
  const store = await openTrackingStore(resolved.uri, { defaultArtifactRoot: resolved.defaultArtifactRoot });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}
function outputOption() {
  return new Option(
    "-o, --output <format>",
    'output format: "table" for people, "json" (MLflow field names) for scripts'
  ).choices(["table", "json"]).default("table");
}
var VIEWS = { active: "ACTIVE_ONLY", deleted: "DELETED_ONLY", all: "ALL" };
function viewOption(what) {
  return new Option("--view <view>", `which ${what} to show: active, deleted or all`).choices(Object.keys(VIEWS)).default("active");
}
function viewTypeOf(view) {
  return VIEWS[view ?? "active"] ?? "ACTIVE_ONLY";
}
function parsePositiveInt(value) {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n <= 0)
    throw new InvalidArgumentError(`expected a positive integer, not "${value}"`);
  return n;
}
function collect(value, previous) {
  return [...previous ?? [], value];
}

export {
  withTrackingStore,
  outputOption,
  viewOption,
  viewTypeOf,
  parsePositiveInt,
  collect
};
