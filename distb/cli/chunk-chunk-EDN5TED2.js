import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  validateTag
} from "./chunk-chunk-T77SP7Q2.js";
import {
  StoreError
} from "./chunk-chunk-FHTLSLDU.js";

// src/registry/types.ts
var MODEL_STAGES = ["None", "Staging", "Production", "Archived"];

// src/registry/registry-validation.ts
var MAX_MODEL_NAME_LENGTH = 256;
var MAX_ALIAS_LENGTH = 255;
var MAX_DESCRIPTION_LENGTH = 5e3;
var ALIAS_PATTERN = /^[\w-]+$/;
function invalid(message, hint) {
  return new StoreError("INVALID_PARAMETER_VALUE", message, hint === void 0 ? {} : { hint });
}
function validateModelName(name, what = "name") {
  if (typeof name !== "string" || name.trim() === "") {
    throw invalid(`Registered model ${what} cannot be empty.`, "give the model a name, e.g. -n my-model");
  }
  if (name.length > MAX_MODEL_NAME_LENGTH) {
    throw invalid(
      `Registered model ${what} '${name.slice(0, 40)}\u2026' is ${name.length} characters long; the limit is ${MAX_MODEL_NAME_LENGTH}.`
    );
  }
  if (name.includes("/")) {
    throw invalid(
      `Registered model ${what} '${name}' contains '/', which model URIs (models:/<name>/<version>) cannot carry.`,
      "use letters, digits, spaces, dots, dashes or underscores"
    );
  }
  if (/[\u0000-\u001f\u007f]/.test(name)) {
    throw invalid(`Registered model ${what} ${JSON.stringify(name)} contains control characters.`);
  }
}
function parseVersion(version) {
  const text = typeof version === "number" ? String(version) : version;
  if (typeof text !== "string" || !/^\d{1,9}$/.test(text) || Number(text) < 1) {
    throw invalid(
      `Parameter 'version' must be a positive integer, got '${String(version)}'.`,
      "versions are numbered from 1 per model; `recipe models show <name>` lists them"
    );
  }
  return Number(text);
}
function canonicalStage(stage) {
  if (typeof stage === "string") {
    const found = MODEL_STAGES.find((each) => each.toLowerCase() === stage.trim().toLowerCase());
    if (found !== void 0) return found;
  }
  throw invalid(
    `Invalid Model Version stage: ${String(stage)}. Value must be one of ${MODEL_STAGES.join(", ")}.`
  );
}
function validateAlias(alias) {
  if (typeof alias !== "string" || alias === "") {
    throw invalid("Registered model alias name cannot be empty.", "e.g. champion, challenger");
  }
  if (alias.length > MAX_ALIAS_LENGTH) {
    throw invalid(`Registered model alias '${alias.slice(0, 40)}\u2026' exceeds ${MAX_ALIAS_LENGTH} characters.`);
  }
  if (!ALIAS_PATTERN.test(alias)) {
    throw invalid(
      `Invalid alias name: '${alias}'. Names may only contain alphanumerics, underscores (_), and dashes (-).`
    );
  }
  if (alias.toLowerCase() === "latest") {
    throw invalid(
      "'latest' alias name (case insensitive) is reserved.",
      "models:/<name>/latest already means the newest version"
    );
  }
  if (/^v\d+$/i.test(alias)) {
    throw invalid(
      `Version alias name '${alias}' is reserved.`,
      "an alias that reads like a version number would be confused with one; pick a word"
    );
  }
}
function validateDescription(description) {
  if (typeof description !== "string") throw invalid("description must be a string.");
  if (description.length > MAX_DESCRIPTION_LENGTH) {
    throw invalid(
      `description is ${description.length} characters long; the limit is ${MAX_DESCRIPTION_LENGTH}.`
    );
  }
}
var MAX_REGISTRY_TAG_VALUE_LENGTH = 5e3;
function validateRegistryTag(tag) {
  validateTag(tag);
  if (tag.value.length > MAX_REGISTRY_TAG_VALUE_LENGTH) {
    throw invalid(
      `Tag value '${tag.value.slice(0, 40)}\u2026' had length ${tag.value.length}, which exceeded length limit of ${MAX_REGISTRY_TAG_VALUE_LENGTH}`
    );
  }
}

export {
  MODEL_STAGES,
  validateModelName,
  parseVersion,
  canonicalStage,
  validateAlias,
  validateDescription,
  validateRegistryTag
};
