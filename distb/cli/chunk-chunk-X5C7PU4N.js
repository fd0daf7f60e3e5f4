import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  modelVersionDirectory
} from "./chunk-chunk-MVFGL54S.js";
import {
  openTrackingStore
} from "./chunk-chunk-7Y5GNMMB.js";
import {
  registryForTrackingStore
} from "./chunk-chunk-YAYMH75N.js";
import {
  canonicalStage,
  parseVersion,
  validateAlias,
  validateModelName
} from "./chunk-chunk-EDN5TED2.js";
import {
  localPathFromArtifactUri,
  normaliseArtifactPath
} from "./chunk-chunk-BGKV5I2Y.js";
import {
  resolveTrackingUri
} from "./chunk-chunk-IPY3WFCW.js";
import {
  StoreError,
  UsageError
} from "./chunk-chunk-FHTLSLDU.js";

// src/registry/model-uri.ts
import { existsSync } from "node:fs";
import { join } from "node:path";
var MODELS_FORMS = "models:/<name>/<version>, models:/<name>/<stage>, models:/<name>/latest or models:/<name>@<alias>";
function badModelsUri(uri, why) {
  return new UsageError(`"${uri}" is not a valid models:/ URI: ${why}`, {
    hint: `write it as ${MODELS_FORMS}`
  });
}
function parseModelsUri(uri) {
  const match = /^models:(.*)$/i.exec(uri);
  if (match === null) throw badModelsUri(uri, "it does not start with models:/");
  const rest = match[1];
  if (rest.startsWith("//")) {
    throw badModelsUri(
      uri,
      "a registry host (models://<profile>/\u2026) is not supported; use models:/ with one slash"
    );
  }
  if (!rest.startsWith("/") || rest.length <= 1) throw badModelsUri(uri, "the model name is missing");
  const path = rest.slice(1);
  const slash = path.indexOf("/");
  if (slash >= 0) {
    const name2 = path.slice(0, slash);
    const suffix = path.slice(slash + 1);
    if (name2.trim() === "" || suffix === "" || suffix.includes("/")) {
      throw badModelsUri(uri, 'expected exactly a name and a version, stage or "latest"');
    }
    if (/^\d+$/.test(suffix)) return { kind: "version", name: name2, version: String(parseVersion(suffix)) };
    if (suffix.toLowerCase() === "latest") return { kind: "latest", name: name2 };
    try {
      return { kind: "stage", name: name2, stage: canonicalStage(suffix) };
    } catch {
      throw badModelsUri(
        uri,
        `"${suffix}" is neither a version number, a stage (None, Staging, Production, Archived) nor "latest"`
      );
    }
  }
  const at = path.lastIndexOf("@");
  if (at < 0) throw badModelsUri(uri, 'it names a model but no version, stage, "latest" or @alias');
  const name = path.slice(0, at);
  const alias = path.slice(at + 1);
  if (name.trim() === "" || alias === "") throw badModelsUri(uri, "expected <name>@<alias>");
  validateAlias(alias);
  return { kind: "alias", name, alias };
}
function parseRunsUri(uri) {
  const match = /^runs:\/([^/]+)(?:\/(.*))?$/i.exec(uri);
  if (match === null || uri.toLowerCase().startsWith("runs://")) {
    throw new UsageError(`"${uri}" is not a valid runs:/ URI`, {
      hint: "write it as runs:/<run_id>/<path inside the run's artifacts>, e.g. runs:/0123abcd/model"
    });
  }
  return { runId: match[1], path: normaliseArtifactPath(match[2] ?? "") };
}
async function getModelVersionForUri(store, parsed) {
  validateModelName(parsed.name);
  switch (parsed.kind) {
    case "version":
      return store.getModelVersion(parsed.name, parsed.version);
    case "alias":
      return store.getModelVersionByAlias(parsed.name, parsed.alias);
    case "stage": {
      const [version] = await store.getLatestVersions(parsed.name, [parsed.stage]);
      if (version === void 0) {
        throw new StoreError(
          "RESOURCE_DOES_NOT_EXIST",
          `Registered model ${parsed.name} has no version in stage ${parsed.stage}`,
          { hint: `\`recipe models transition ${parsed.name} <version> ${parsed.stage}\` puts one there` }
        );
      }
      return version;
    }
    case "latest": {
      const { model_versions } = await store.searchModelVersions({
        filter: `name = ${quoteFilterString(parsed.name)} AND status = 'READY'`,
        orderBy: ["version_number DESC"],
        maxResults: 1
      });
      if (model_versions.length === 0) {
        await store.getRegisteredModel(parsed.name);
        throw new StoreError(
          "RESOURCE_DOES_NOT_EXIST",
          `Registered model ${parsed.name} has no READY version`,
          {
            hint: "register one with `recipe models register -m <uri> -n <name>`"
          }
        );
      }
      return model_versions[0];
    }
  }
}
function quoteFilterString(value) {
  return `'${value.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;
}
async function withContextStore(context, fn) {
  const resolved = resolveTrackingUri({ flag: context.trackingUri, cwd: process.cwd() });
  const store = await openTrackingStore(resolved.uri, { defaultArtifactRoot: resolved.defaultArtifactRoot });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}
async function resolveRunsUri(store, uri) {
  const parsed = parseRunsUri(uri);
  const run = await store.getRun(parsed.runId);
  const root = localPathFromArtifactUri(run.info.artifact_uri);
  const dir = parsed.path === "" ? root : join(root, ...parsed.path.split("/"));
  if (!existsSync(dir)) {
    throw new StoreError(
      "RESOURCE_DOES_NOT_EXIST",
      `Run ${parsed.runId} has no artifact "${parsed.path}" (${dir})`,
      {
        hint: `\`recipe runs show ${parsed.runId}\` lists the run; models are usually logged under "model"`
      }
    );
  }
  return dir;
}
async function resolveModelsUri(store, uri) {
  const version = await getModelVersionForUri(registryForTrackingStore(store), parseModelsUri(uri));
  if (version.status === "READY" && /^runs:/i.test(version.source))
    return resolveRunsUri(store, version.source);
  return modelVersionDirectory(version);
}
function modelUriResolvers() {
  return {
    runs: (uri, context) => withContextStore(context, (store) => resolveRunsUri(store, uri)),
    models: (uri, context) => withContextStore(context, (store) => resolveModelsUri(store, uri))
  };
}
async function resolveModelDirectory(uri, context = {}) {
  const { resolveModelUri } = await import("./chunk-load-5HO6KQJG.js");
  return resolveModelUri(uri, { ...context, resolvers: modelUriResolvers() });
}
async function loadModelFromUri(uri, context = {}) {
  const { loadModel } = await import("./chunk-load-5HO6KQJG.js");
  return loadModel(uri, { ...context, resolvers: modelUriResolvers() });
}
var REJECTED_TAG = { key: "validation_status", value: "REJECTED" };
async function registeredModelToScore(store, options) {
  const { name, alias } = options;
  validateModelName(name);
  try {
    const version = await store.getModelVersionByAlias(name, alias);
    return { uri: `models:/${name}/${version.version}`, version, via: "alias" };
  } catch (error) {
    if (!(error instanceof StoreError && error.mlflowErrorCode === "RESOURCE_DOES_NOT_EXIST")) throw error;
  }
  let pageToken;
  do {
    const page = await store.searchModelVersions({
      filter: `name = ${quoteFilterString(name)} AND status = 'READY'`,
      orderBy: ["version_number DESC"],
      maxResults: 100,
      ...pageToken ? { pageToken } : {}
    });
    const usable = page.model_versions.find(
      (v) => !(v.tags ?? []).some((t) => t.key === REJECTED_TAG.key && t.value === REJECTED_TAG.value)
    );
    if (usable) return { uri: `models:/${name}/${usable.version}`, version: usable, via: "latest" };
    pageToken = page.next_page_token;
  } while (pageToken);
  throw new StoreError(
    "RESOURCE_DOES_NOT_EXIST",
    `Registered model ${name} has no version to score with: no @${alias} alias and no READY version that the gate did not reject`,
    { hint: "run the recipe through register first (recipe run), or set steps.predict.model_uri" }
  );
}

export {
  parseModelsUri,
  parseRunsUri,
  getModelVersionForUri,
  quoteFilterString,
  resolveRunsUri,
  resolveModelsUri,
  modelUriResolvers,
  resolveModelDirectory,
  loadModelFromUri,
  registeredModelToScore
};
