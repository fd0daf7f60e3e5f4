import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);

// src/projects/code-paths.ts
var NOT_CODE = /* @__PURE__ */ new Set([
  "mlruns",
  ".recipe",
  "node_modules",
  ".git",
  "__pycache__",
  ".venv",
  ".pytest_cache"
]);
function isCodePath(relPath) {
  return !relPath.split("/").some((segment) => NOT_CODE.has(segment));
}

export {
  NOT_CODE,
  isCodePath
};
