import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  UsageError
} from "./chunk-chunk-FHTLSLDU.js";

// src/tracking/tracking-uri.ts
import { existsSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
function resolveTrackingUri(options) {
  const env = options.env ?? process.env;
  const cwd = resolve(options.cwd);
  const candidates = [
    ["flag", options.flag],
    ["RECIPE_TRACKING_URI", env.RECIPE_TRACKING_URI],
    ["MLFLOW_TRACKING_URI", env.MLFLOW_TRACKING_URI]
  ];
  for (const [source, raw] of candidates) {
    const value = raw?.trim();
    if (value) return classifyTrackingUri({ value, source, cwd });
  }
  const root = findRepoRoot(cwd);
  const dbPath = join(root, "mlruns", "tracking.db");
  return {
    uri: sqliteUriForPath(dbPath),
    backend: "sqlite",
    source: "default",
    defaultArtifactRoot: join(root, "mlruns", "artifacts")
  };
}
function findRepoRoot(cwd) {
  let dir = resolve(cwd);
  for (; ; ) {
    if (existsSync(join(dir, ".git"))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return resolve(cwd);
    dir = parent;
  }
}
function sqliteUriForPath(absPath) {
  return `sqlite:///${absPath}`;
}
function sqlitePathFromUri(uri, cwd = process.cwd()) {
  const match = /^sqlite:\/\/(\/.*)$/.exec(uri);
  if (!match?.[1] || match[1] === "/") {
    throw new UsageError(`tracking URI "${uri}" names no database file`, {
      hint: "write it as sqlite:///path/to/tracking.db (relative) or sqlite:////abs/path/tracking.db"
    });
  }
  const rest = decodeURIComponent(match[1].replace(/\?.*$/, ""));
  if (rest === "/:memory:") {
    throw new UsageError("an in-memory SQLite tracking store would lose every run when the command ends", {
      hint: "use a file: sqlite:///mlruns/tracking.db"
    });
  }
  const path = rest.slice(1);
  return isAbsolute(path) ? path : resolve(cwd, path);
}
function classifyTrackingUri(args) {
  const { value, source, cwd } = args;
  const where = source === "flag" ? "--tracking-uri" : `$${source}`;
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(value)?.[1]?.toLowerCase();
  if (scheme === "sqlite") {
    const dbPath = /^sqlite:\/\//i.test(value) ? sqlitePathFromUri(value, cwd) : shortSqlitePath(value, cwd);
    return {
      uri: sqliteUriForPath(dbPath),
      backend: "sqlite",
      source,
      defaultArtifactRoot: join(dirname(dbPath), "artifacts")
    };
  }
  if (scheme === "postgresql" || scheme === "postgres" || scheme?.startsWith("postgresql+")) {
    return {
      uri: value,
      backend: "postgresql",
      source,
      defaultArtifactRoot: join(findRepoRoot(cwd), "mlruns", "artifacts")
    };
  }
  if (scheme === "http" || scheme === "https") {
    return { uri: value, backend: "http", source };
  }
  if (scheme === void 0 || scheme === "file" || scheme.length === 1) {
    const dir = scheme === "file" ? safeFileUrlToPath(value) : resolve(cwd, value);
    const looksLikeFileStore = dir !== void 0 && existsSync(dir) && statSync(dir).isDirectory();
    const suggestion = sqliteUriForPath(
      dir !== void 0 && looksLikeFileStore ? join(dir, "tracking.db") : join(findRepoRoot(cwd), "mlruns", "tracking.db")
    );
    throw new UsageError(
      `${where} is "${value}", a local directory (MLflow's file store); mlrecipe does not support the file store`,
      { hint: `use a SQLite database instead, e.g. --tracking-uri ${suggestion}` }
    );
  }
  throw new UsageError(`${where} is "${value}": unsupported tracking URI scheme "${scheme}:"`, {
    hint: "use sqlite:///path/to/tracking.db, postgresql://user@host/db or http(s)://tracking-server"
  });
}
function shortSqlitePath(value, cwd) {
  const path = decodeURIComponent(value.slice("sqlite:".length).replace(/\?.*$/, ""));
  if (path === "" || path === ":memory:") return sqlitePathFromUri(`sqlite:///${path}`, cwd);
  return isAbsolute(path) ? path : resolve(cwd, path);
}
function safeFileUrlToPath(value) {
  try {
    return fileURLToPath(value);
  } catch {
    return void 0;
  }
}
function fileUriForPath(absPath) {
  return pathToFileURL(absPath).href;
}

export {
  resolveTrackingUri,
  findRepoRoot,
  sqliteUriForPath,
  sqlitePathFromUri,
  fileUriForPath
};
