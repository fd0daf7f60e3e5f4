import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  parseRunsUri,
  resolveModelDirectory,
  resolveRunsUri
} from "./chunk-chunk-X5C7PU4N.js";
import {
  validateModelName
} from "./chunk-chunk-EDN5TED2.js";
import {
  localPathFromArtifactUri
} from "./chunk-chunk-BGKV5I2Y.js";
import {
  replaceAtomicallyAsync
} from "./chunk-chunk-NOK55ACX.js";
import {
  MlrecipeError,
  StoreError,
  UsageError
} from "./chunk-chunk-FHTLSLDU.js";

// src/registry/register-model.ts
import { randomBytes } from "node:crypto";
import { existsSync, statSync } from "node:fs";
import { cp, mkdir, rm } from "node:fs/promises";
import { isAbsolute, join, relative, resolve, sep } from "node:path";
async function copyTree(from, to) {
  await cp(from, to, { recursive: true, dereference: true, errorOnExist: true, force: false });
}
function modelDirectoryName(name) {
  const encoded = encodeURIComponent(name);
  return encoded === "." || encoded === ".." ? encoded.replaceAll(".", "%2E") : encoded;
}
function registryModelsRoot(artifactRoot) {
  return join(localPathFromArtifactUri(artifactRoot), "models");
}
async function resolveSourceDir(options) {
  if (options.modelUri === void 0 === (options.localDir === void 0)) {
    throw new UsageError("registerModel needs exactly one of modelUri and localDir", {
      hint: "pass the model as a URI (runs:/<run_id>/model) or as a local directory"
    });
  }
  let dir;
  let runId = options.runId;
  const source = options.modelUri ?? resolve(options.localDir);
  if (options.modelUri !== void 0 && /^runs:/i.test(options.modelUri)) {
    runId ??= parseRunsUri(options.modelUri).runId;
    dir = options.trackingStore ? await resolveRunsUri(options.trackingStore, options.modelUri) : await resolveModelDirectory(options.modelUri, { trackingUri: options.trackingUri });
  } else if (options.modelUri !== void 0) {
    dir = await resolveModelDirectory(options.modelUri, { trackingUri: options.trackingUri });
  } else {
    dir = source;
  }
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new UsageError(`cannot register "${source}": ${dir} is not a directory`, {
      hint: "point -m at a model directory (one holding an MLmodel file) or a runs:/<run_id>/model URI"
    });
  }
  if (!existsSync(join(dir, "MLmodel"))) {
    throw new UsageError(
      `cannot register "${source}": ${dir} holds no MLmodel file, so it is not a model directory`,
      {
        hint: "point -m at the directory the train step saved the model to (it holds MLmodel)"
      }
    );
  }
  return runId === void 0 ? { dir, source } : { dir, source, runId };
}
async function registerModel(options) {
  validateModelName(options.name);
  const { store, name } = options;
  const { dir, runId } = await resolveSourceDir(options);
  const modelsRoot = registryModelsRoot(store.artifactRoot);
  try {
    await store.createRegisteredModel(name);
  } catch (error) {
    if (!(error instanceof StoreError && error.mlflowErrorCode === "RESOURCE_ALREADY_EXISTS")) throw error;
  }
  const pending = await store.createModelVersion({
    name,
    source: options.modelUri ?? dir,
    ...runId === void 0 ? {} : { runId },
    ...options.tags === void 0 ? {} : { tags: options.tags },
    ...options.description === void 0 ? {} : { description: options.description },
    status: "PENDING_REGISTRATION"
  });
  const modelDir = join(modelsRoot, modelDirectoryName(name));
  const random = randomBytes(6).toString("hex");
  const final = existsSync(join(modelDir, pending.version)) ? join(modelDir, `${pending.version}-${random}`) : join(modelDir, pending.version);
  let renamed = false;
  try {
    await mkdir(modelDir, { recursive: true });
    const copy = options.copyDirectory ?? copyTree;
    await replaceAtomicallyAsync(final, (temp) => copy(dir, temp), { tempPrefix: ".tmp-" });
    renamed = true;
    return await store.updateModelVersionStatus(name, pending.version, { status: "READY", source: final });
  } catch (error) {
    if (renamed) await rm(final, { recursive: true, force: true }).catch(() => void 0);
    const reason = error instanceof Error ? error.message : String(error);
    await store.updateModelVersionStatus(name, pending.version, {
      status: "FAILED_REGISTRATION",
      statusMessage: reason.slice(0, 480)
    }).catch(() => void 0);
    if (error instanceof MlrecipeError) throw error;
    throw new StoreError(
      "INTERNAL_ERROR",
      `registering ${name} version ${pending.version} failed while copying ${dir} into ${modelDir}: ${reason}`,
      { cause: error, hint: "check free space and permissions under the artifact root, then register again" }
    );
  }
}
async function removeRegisteredFiles(artifactRoot, versions) {
  let modelsRoot;
  try {
    modelsRoot = registryModelsRoot(artifactRoot);
  } catch {
    return;
  }
  for (const version of versions) {
    let dir;
    try {
      dir = localPathFromArtifactUri(version.source);
    } catch {
      continue;
    }
    const rel = relative(modelsRoot, dir);
    if (rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel) || rel.split(sep).length !== 2)
      continue;
    await rm(dir, { recursive: true, force: true });
  }
}

export {
  modelDirectoryName,
  registryModelsRoot,
  registerModel,
  removeRegisteredFiles
};
