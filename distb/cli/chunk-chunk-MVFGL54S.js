import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  localPathFromArtifactUri
} from "./chunk-chunk-BGKV5I2Y.js";
import {
  StoreError
} from "./chunk-chunk-FHTLSLDU.js";

// src/registry/version-files.ts
import { existsSync } from "node:fs";
function modelVersionDirectory(version) {
  if (version.status !== "READY") {
    throw new StoreError(
      "INVALID_STATE",
      `Model version ${version.name}/${version.version} is ${version.status}${version.status_message ? ` (${version.status_message})` : ""}; it has no complete files to load`,
      { hint: "register the model again, or pick another version" }
    );
  }
  const dir = localPathFromArtifactUri(version.source);
  if (!existsSync(dir)) {
    throw new StoreError(
      "RESOURCE_DOES_NOT_EXIST",
      `The files of model version ${version.name}/${version.version} are missing: ${dir}`,
      { hint: "they were moved or deleted outside mlrecipe; register the model again" }
    );
  }
  return dir;
}

export {
  modelVersionDirectory
};
