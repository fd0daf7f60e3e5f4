import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  MLMODEL_FILE,
  readMLmodel
} from "./chunk-chunk-KDV6IQPO.js";

// src/models/content-digest.ts
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
var VOLATILE_MLMODEL_FIELDS = ["model_uuid", "run_id", "utc_time_created"];
function canonicalJson(value) {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value).filter(([, v]) => v !== void 0).sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0);
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}
function relativeFiles(dir, prefix = "") {
  const out = [];
  for (const entry of readdirSync(join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...relativeFiles(dir, rel));
    else out.push(rel);
  }
  return out;
}
function update(hash, rel, bytes) {
  const data = typeof bytes === "string" ? Buffer.from(bytes, "utf8") : bytes;
  hash.update(`${rel}\0${data.length}\0`);
  hash.update(data);
}
function modelContentDigest(dir) {
  const hash = createHash("sha256");
  const files = relativeFiles(dir).sort();
  for (const rel of files) {
    if (rel === MLMODEL_FILE) {
      const doc = { ...readMLmodel(dir) };
      for (const field of VOLATILE_MLMODEL_FIELDS) delete doc[field];
      update(hash, rel, canonicalJson(doc));
    } else {
      update(hash, rel, readFileSync(join(dir, rel)));
    }
  }
  return `sha256:${hash.digest("hex")}`;
}

export {
  modelContentDigest
};
