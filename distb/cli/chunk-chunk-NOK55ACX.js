import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);

// src/atomic-write.ts
import { randomBytes } from "node:crypto";
import { copyFileSync, existsSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
function tempPathBeside(target, options = {}) {
  const name = `${options.tempPrefix ?? "."}${basename(target)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  return join(dirname(target), name);
}
function replaceAtomically(target, fill, options = {}) {
  const temp = tempPathBeside(target, options);
  let result;
  try {
    result = fill(temp);
  } catch (error) {
    rmSync(temp, { recursive: true, force: true });
    throw error;
  }
  try {
    renameSync(temp, target);
  } catch (error) {
    rmSync(temp, { recursive: true, force: true });
    if (!(options.keepExisting && existsSync(target) && isRenameCollision(error))) throw error;
  }
  return result;
}
async function replaceAtomicallyAsync(target, fill, options = {}) {
  const temp = tempPathBeside(target, options);
  let result;
  try {
    result = await fill(temp);
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  }
  try {
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    if (!(options.keepExisting && existsSync(target) && isRenameCollision(error))) throw error;
  }
  return result;
}
function writeFileAtomic(file, data, options = {}) {
  replaceAtomically(file, (temp) => writeFileSync(temp, data), options);
}
function copyFileAtomic(source, target, options = {}) {
  replaceAtomically(target, (temp) => copyFileSync(source, temp), options);
}
function isRenameCollision(error) {
  const code = error?.code;
  return code === "ENOTEMPTY" || code === "EEXIST" || code === "EISDIR" || code === "ENOTDIR";
}

export {
  replaceAtomically,
  replaceAtomicallyAsync,
  writeFileAtomic,
  copyFileAtomic
};
