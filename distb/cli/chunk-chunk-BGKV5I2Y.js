import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  replaceAtomicallyAsync
} from "./chunk-chunk-NOK55ACX.js";
import {
  StoreError
} from "./chunk-chunk-FHTLSLDU.js";

// src/tracking/artifact-repo.ts
import { createWriteStream } from "node:fs";
import { copyFile, lstat, mkdir, readdir, realpath, rm, stat, symlink } from "node:fs/promises";
import { pipeline } from "node:stream/promises";
import { basename, dirname, isAbsolute, join, posix, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
var LocalArtifactRepository = class {
  /** Absolute directory holding the artifacts. */
  rootDir;
  constructor(artifactUri) {
    this.rootDir = localPathFromArtifactUri(artifactUri);
  }
  /** Copies one local file to `<artifactPath>/<basename(localFile)>`. */
  async logArtifact(localFile, artifactPath) {
    const source = resolve(localFile);
    const info = await statOrNull(source);
    if (!info?.isFile()) {
      throw new StoreError(
        "INVALID_PARAMETER_VALUE",
        info ? `${source} is not a regular file` : `local file ${source} does not exist`,
        { hint: info?.isDirectory() ? "use logArtifacts to log a directory" : void 0 }
      );
    }
    const root = await this.ensureRoot();
    const relDir = normaliseArtifactPath(artifactPath);
    const destDir = await ensureDirInside(root, relDir);
    await copyFileAtomic(source, join(destDir, basename(source)));
  }
  /** Copies the contents of `localDir` (recursively) under `artifactPath`. */
  async logArtifacts(localDir, artifactPath) {
    const source = resolve(localDir);
    const info = await statOrNull(source);
    if (!info?.isDirectory()) {
      throw new StoreError(
        "INVALID_PARAMETER_VALUE",
        info ? `${source} is not a directory` : `local directory ${source} does not exist`,
        { hint: info ? "use logArtifact to log a single file" : void 0 }
      );
    }
    const relDir = normaliseArtifactPath(artifactPath);
    const entries = await sourceEntries(source);
    const root = await this.ensureRoot();
    await ensureDirInside(root, relDir);
    for (const entry of entries) {
      const relPosix = entry.rel.split(sep).join("/");
      const target = relDir ? `${relDir}/${relPosix}` : relPosix;
      const destDir = await ensureDirInside(root, posix.dirname(target) === "." ? "" : posix.dirname(target));
      const dest = join(destDir, posix.basename(target));
      if (entry.kind === "file") await copyFileAtomic(entry.path, dest);
      else await symlinkAtomic(entry.linkText, dest);
    }
  }
  /**
   * Lists the direct children of `path` (the root when omitted), sorted by path. Like MLflow, a
   * path that is a file or does not exist lists as empty.
   */
  async listArtifacts(path) {
    const relDir = normaliseArtifactPath(path);
    const root = await realpathOrNull(this.rootDir);
    if (root === null) return [];
    const dir = join(root, ...splitRel(relDir));
    const real = await realpathOrNull(dir);
    if (real === null) return [];
    assertInside(root, real, relDir);
    const dirInfo = await stat(real);
    if (!dirInfo.isDirectory()) return [];
    const entries = await readdir(real, { withFileTypes: true });
    const infos = [];
    for (const entry of entries) {
      if (isTempName(entry.name)) continue;
      const childRel = relDir ? `${relDir}/${entry.name}` : entry.name;
      const childInfo = await statOrNull(join(real, entry.name));
      if (childInfo === null) continue;
      infos.push(
        childInfo.isDirectory() ? { path: childRel, is_dir: true } : { path: childRel, is_dir: false, file_size: childInfo.size }
      );
    }
    return infos.sort((a, b) => a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
  }
  /**
   * Copies the artifact file or directory `path` ('' for everything) into `dstDir`, keeping its
   * relative path (MLflow: `<dst>/<artifact_path>`), and returns the local path written.
   */
  async downloadArtifacts(path, dstDir) {
    const relPath = normaliseArtifactPath(path);
    const root = await realpathOrNull(this.rootDir);
    const sourcePath = root === null ? null : await realpathOrNull(join(root, ...splitRel(relPath)));
    if (root === null || sourcePath === null) {
      throw new StoreError("RESOURCE_DOES_NOT_EXIST", `no artifact "${relPath}" under ${this.rootDir}`, {
        hint: "list what exists with listArtifacts (or `recipe runs show <run_id>`)"
      });
    }
    assertInside(root, sourcePath, relPath);
    await mkdir(resolve(dstDir), { recursive: true });
    const dst = await realpath(resolve(dstDir));
    const info = await stat(sourcePath);
    if (!info.isDirectory()) {
      const destDir = await ensureDirInside(
        dst,
        posix.dirname(relPath) === "." ? "" : posix.dirname(relPath)
      );
      const target = join(destDir, posix.basename(relPath));
      await copyFileAtomic(sourcePath, target);
      return target;
    }
    const destRoot = await ensureDirInside(dst, relPath);
    for await (const rel of walkFiles(sourcePath)) {
      const from = join(sourcePath, rel);
      assertInside(root, await realpath(from), relPath);
      const relPosix = rel.split(sep).join("/");
      const destDir = await ensureDirInside(
        destRoot,
        posix.dirname(relPosix) === "." ? "" : posix.dirname(relPosix)
      );
      await copyFileAtomic(from, join(destDir, posix.basename(relPosix)));
    }
    return destRoot;
  }
  /**
   * The real path of the artifact file `path`, checked to lie inside the root (a symlink out of
   * the tree is refused). RESOURCE_DOES_NOT_EXIST when there is no such file (a directory is
   * not a file).
   */
  async resolveArtifactFile(path) {
    const relPath = normaliseArtifactPath(path);
    const root = await realpathOrNull(this.rootDir);
    const real = root === null || relPath === "" ? null : await realpathOrNull(join(root, ...splitRel(relPath)));
    if (root === null || real === null) {
      throw new StoreError("RESOURCE_DOES_NOT_EXIST", `no artifact "${relPath}" under ${this.rootDir}`);
    }
    assertInside(root, real, relPath);
    if (!(await stat(real)).isFile()) {
      throw new StoreError("RESOURCE_DOES_NOT_EXIST", `artifact "${relPath}" is a directory, not a file`, {
        hint: "list its contents instead"
      });
    }
    return real;
  }
  /**
   * Writes `data` to the artifact file `path` (parent directories created), through a temporary
   * sibling renamed into place: a reader never sees half an upload, and a failed upload leaves
   * the previous file as it was.
   */
  async writeArtifact(path, data) {
    const relPath = normaliseArtifactPath(path);
    if (relPath === "") throw unsafePath(path, "it names the artifact root, not a file");
    const root = await this.ensureRoot();
    const parent = posix.dirname(relPath);
    const destDir = await ensureDirInside(root, parent === "." ? "" : parent);
    const target = join(destDir, posix.basename(relPath));
    await replaceAtomicallyAsync(target, (temp) => pipeline(data, createWriteStream(temp, { flags: "wx" })), {
      tempPrefix: TEMP_PREFIX
    });
  }
  /** Deletes the artifact file or directory `path` (MLflow's delete_artifacts); absent is fine. */
  async deleteArtifacts(path) {
    const relPath = normaliseArtifactPath(path);
    const root = await realpathOrNull(this.rootDir);
    if (root === null) return;
    const target = join(root, ...splitRel(relPath));
    const info = await lstatOrNull(target);
    if (info === null) return;
    const parentReal = await realpath(dirname(target));
    assertInside(root, parentReal, relPath);
    if (relPath === "") {
      for (const entry of await readdir(root)) await rm(join(root, entry), { recursive: true, force: true });
      return;
    }
    await rm(target, { recursive: true, force: true });
  }
  async ensureRoot() {
    await mkdir(this.rootDir, { recursive: true });
    return realpath(this.rootDir);
  }
};
function logArtifact(runArtifactUri, localFile, artifactPath) {
  return new LocalArtifactRepository(runArtifactUri).logArtifact(localFile, artifactPath);
}
function logArtifacts(runArtifactUri, localDir, artifactPath) {
  return new LocalArtifactRepository(runArtifactUri).logArtifacts(localDir, artifactPath);
}
function listArtifacts(runArtifactUri, path) {
  return new LocalArtifactRepository(runArtifactUri).listArtifacts(path);
}
function downloadArtifacts(runArtifactUri, path, dstDir) {
  return new LocalArtifactRepository(runArtifactUri).downloadArtifacts(path, dstDir);
}
function localPathFromArtifactUri(artifactUri) {
  if (artifactUri.startsWith("file:")) {
    try {
      return fileURLToPath(artifactUri);
    } catch (error) {
      throw new StoreError(
        "INVALID_PARAMETER_VALUE",
        `artifact URI "${artifactUri}" is not a valid file:// URI`,
        {
          cause: error,
          hint: "write it as file:///absolute/path"
        }
      );
    }
  }
  if (isAbsolute(artifactUri)) return resolve(artifactUri);
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(artifactUri)?.[1];
  throw new StoreError(
    "INVALID_PARAMETER_VALUE",
    scheme ? `artifact URI "${artifactUri}" uses the "${scheme}:" scheme; mlrecipe stores artifacts only on the local file system` : `artifact URI "${artifactUri}" is relative; an artifact location must be an absolute path or file:// URI`,
    {
      hint: "create the experiment with an absolute --artifact-location, e.g. file:///data/mlruns/artifacts"
    }
  );
}
function normaliseArtifactPath(path) {
  if (path === void 0 || path === "" || path === "." || path === "/") {
    if (path === "/") throw unsafePath(path, "it is absolute");
    return "";
  }
  if (path.includes("\0")) throw unsafePath(path, "it contains a NUL byte");
  if (path.includes("\\")) throw unsafePath(path, "it contains a backslash; use / as the separator");
  if (posix.isAbsolute(path) || /^[a-zA-Z]:/.test(path)) throw unsafePath(path, "it is absolute");
  const normal = posix.normalize(path).replace(/\/+$/, "");
  if (normal === ".." || normal.startsWith("../"))
    throw unsafePath(path, "it escapes the run\u2019s artifact root");
  return normal === "." ? "" : normal;
}
function unsafePath(path, why) {
  return new StoreError("INVALID_PARAMETER_VALUE", `invalid artifact path "${path}": ${why}`, {
    hint: 'give a path relative to the run\u2019s artifact root, such as "model" or "plots/residuals"'
  });
}
function splitRel(rel) {
  return rel === "" ? [] : rel.split("/");
}
function assertInside(realRoot, realTarget, userPath) {
  if (isInside(realRoot, realTarget)) return;
  throw new StoreError(
    "INVALID_PARAMETER_VALUE",
    `invalid artifact path "${userPath}": it resolves through a symbolic link to ${realTarget}, outside the artifact root ${realRoot}`,
    { hint: "remove the symbolic link from the artifact directory" }
  );
}
async function ensureDirInside(realRoot, rel) {
  let current = realRoot;
  for (const part of splitRel(rel)) {
    const next = join(current, part);
    const info = await lstatOrNull(next);
    if (info === null) {
      await mkdir(next).catch((error) => {
        if (error.code !== "EEXIST") throw error;
      });
    }
    const real = await realpath(next);
    assertInside(realRoot, real, rel);
    if (!(await stat(real)).isDirectory()) {
      throw new StoreError(
        "INVALID_PARAMETER_VALUE",
        `invalid artifact path "${rel}": ${part} is a file, not a directory`
      );
    }
    current = real;
  }
  return current;
}
async function copyFileAtomic(source, target) {
  await replaceAtomicallyAsync(target, (temp) => copyFile(source, temp), { tempPrefix: TEMP_PREFIX });
}
var TEMP_PREFIX = ".tmp-artifact-";
function isTempName(name) {
  return name.startsWith(TEMP_PREFIX);
}
async function sourceEntries(dir) {
  const realDir = await realpath(dir);
  const entries = [];
  const visit = async (realSub, prefix) => {
    const children = await readdir(realSub, { withFileTypes: true });
    children.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
    for (const child of children) {
      if (isTempName(child.name)) continue;
      const full = join(realSub, child.name);
      const rel = prefix ? join(prefix, child.name) : child.name;
      if (child.isDirectory()) await visit(full, rel);
      else if (child.isFile()) entries.push({ kind: "file", rel, path: full });
      else if (child.isSymbolicLink()) {
        const resolved = await realpathOrNull(full);
        if (resolved === null) continue;
        if (!isInside(realDir, resolved)) {
          throw new StoreError(
            "INVALID_PARAMETER_VALUE",
            `${join(dir, rel)} is a symbolic link to ${resolved}, outside ${dir}; mlrecipe does not copy what lies outside the directory being logged`,
            {
              hint: `log ${resolved} on its own with logArtifact/logArtifacts, or replace the link with a copy of the files it points to`
            }
          );
        }
        entries.push({ kind: "link", rel, linkText: relative(realSub, resolved) || "." });
      }
    }
  };
  await visit(realDir, "");
  return entries;
}
function isInside(realRoot, realTarget) {
  const rel = relative(realRoot, realTarget);
  return rel === "" || !rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel);
}
async function symlinkAtomic(linkText, target) {
  await replaceAtomicallyAsync(target, (temp) => symlink(linkText, temp), { tempPrefix: TEMP_PREFIX });
}
async function* walkFiles(dir, prefix = "", seen = /* @__PURE__ */ new Set()) {
  const real = await realpath(dir);
  if (seen.has(real)) return;
  seen.add(real);
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  for (const entry of entries) {
    if (isTempName(entry.name)) continue;
    const full = join(dir, entry.name);
    const rel = prefix ? join(prefix, entry.name) : entry.name;
    const info = await statOrNull(full);
    if (info === null) continue;
    if (info.isDirectory()) yield* walkFiles(full, rel, seen);
    else if (info.isFile()) yield rel;
  }
}
async function statOrNull(path) {
  try {
    return await stat(path);
  } catch {
    return null;
  }
}
async function lstatOrNull(path) {
  try {
    return await lstat(path);
  } catch {
    return null;
  }
}
async function realpathOrNull(path) {
  try {
    return await realpath(path);
  } catch {
    return null;
  }
}

export {
  LocalArtifactRepository,
  logArtifact,
  logArtifacts,
  listArtifacts,
  downloadArtifacts,
  localPathFromArtifactUri,
  normaliseArtifactPath
};
