import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);

// src/cli/io.ts
import { AsyncLocalStorage } from "node:async_hooks";
var current = new AsyncLocalStorage();
function withCliIo(io, fn) {
  return current.run(io, fn);
}
function cliStdout() {
  return current.getStore()?.stdout ?? process.stdout;
}
function cliStderr() {
  return current.getStore()?.stderr ?? process.stderr;
}

export {
  withCliIo,
  cliStdout,
  cliStderr
};
