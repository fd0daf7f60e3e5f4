import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  ConfigError
} from "./chunk-chunk-FHTLSLDU.js";

// src/steps/user-module.ts
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

// src/display-path.ts
import { isAbsolute, relative } from "node:path";
function displayPath(file) {
  const rel = relative(process.cwd(), file);
  return rel === "" ? "." : rel.startsWith("..") || isAbsolute(rel) ? file : rel;
}

// src/steps/user-module.ts
var USER_MODULE_DIR = "steps";
var USER_MODULE_EXTENSIONS = [".ts", ".mts", ".js", ".mjs"];
var MODULE_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;
function findUserModule(options) {
  if (!MODULE_NAME.test(options.module)) return void 0;
  for (const ext of USER_MODULE_EXTENSIONS) {
    const file = join(options.recipeDir, USER_MODULE_DIR, `${options.module}${ext}`);
    if (existsSync(file)) return file;
  }
  return void 0;
}
function scanUserModuleExports(file) {
  const text = readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:])\/\/.*$/gm, "$1");
  if (/export\s*\*/.test(text) || /module\.exports|exports\./.test(text)) return "unknown";
  const names = /* @__PURE__ */ new Set();
  const declaration = /export\s+(?:declare\s+)?(?:async\s+)?(?:function\*?|const|let|var|class)\s+([A-Za-z_$][\w$]*)/g;
  for (const m of text.matchAll(declaration)) if (m[1]) names.add(m[1]);
  for (const m of text.matchAll(/export\s*(?:type\s+)?\{([^}]*)\}/g)) {
    for (const part of (m[1] ?? "").split(",")) {
      const alias = part.trim().split(/\s+as\s+/);
      const name = (alias[1] ?? alias[0] ?? "").trim();
      if (name) names.add(name);
    }
  }
  if (/export\s+default/.test(text)) names.add("default");
  return names;
}
async function loadUserFunction(options) {
  const { recipeDir, step, name } = options;
  const file = findUserModule({ recipeDir, module: step });
  if (file === void 0) {
    throw new ConfigError([
      {
        file: displayPath(join(recipeDir, USER_MODULE_DIR, `${step}.ts`)),
        line: 0,
        column: 0,
        path: "",
        message: `module steps/${step}.ts does not exist, but the recipe names its function "${name}"`,
        hint: `create steps/${step}.ts exporting ${name}`
      }
    ]);
  }
  const mod = await importUserModule(file);
  const fn = mod[name];
  if (typeof fn !== "function") {
    const functions = Object.keys(mod).filter((k) => typeof mod[k] === "function");
    throw new ConfigError([
      {
        file: displayPath(file),
        line: 0,
        column: 0,
        path: "",
        message: fn === void 0 ? `does not export "${name}"` : `exports "${name}", but it is not a function (${typeof fn})`,
        hint: functions.length > 0 ? `it exports: ${functions.join(", ")}` : `add \`export function ${name}(...)\``
      }
    ]);
  }
  return fn;
}
async function importUserModule(file) {
  const stat = statSync(file);
  const url = `${pathToFileURL(file).href}?v=${stat.mtimeMs}-${stat.size}`;
  if (file.endsWith(".ts") || file.endsWith(".mts")) {
    const { tsImport } = await import("tsx/esm/api");
    return await tsImport(url, import.meta.url);
  }
  return await import(url);
}

export {
  displayPath,
  USER_MODULE_DIR,
  USER_MODULE_EXTENSIONS,
  findUserModule,
  scanUserModuleExports,
  loadUserFunction,
  importUserModule
};
