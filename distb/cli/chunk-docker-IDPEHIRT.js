import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  replaceAtomically
} from "./chunk-chunk-NOK55ACX.js";
import {
  DataError,
  UsageError
} from "./chunk-chunk-FHTLSLDU.js";
import "./chunk-chunk-ZGLOIRZZ.js";

// src/server/docker.ts
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
var IMAGE_MODEL_DIR = "/opt/ml/model";
var IMAGE_PORT = 8080;
var IMAGE_NAME = /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?::[0-9]+)?(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?$/;
function dockerfileText() {
  return [
    "# Serves an mlrecipe model with MLflow's scoring protocol (written by `recipe models build-docker`).",
    "FROM node:20-slim",
    "ENV NODE_ENV=production",
    "WORKDIR /opt/mlrecipe",
    "COPY mlrecipe/package.json mlrecipe/package-lock.json ./",
    // Scripts off: the package's own `prepare` (a TypeScript build) needs dev tools the image
    // does not have; the one native dependency is then built or fetched by its own install script.
    "RUN npm ci --omit=dev --ignore-scripts && npm rebuild better-sqlite3 && npm cache clean --force",
    "COPY mlrecipe/ ./",
    "RUN chmod +x dist/cli/main.js && ln -s /opt/mlrecipe/dist/cli/main.js /usr/local/bin/recipe",
    `COPY model/ ${IMAGE_MODEL_DIR}/`,
    "USER node",
    `EXPOSE ${IMAGE_PORT}`,
    `CMD ["recipe", "models", "serve", "-m", "${IMAGE_MODEL_DIR}", "--host", "0.0.0.0", "--port", "${IMAGE_PORT}"]`,
    ""
  ].join("\n");
}
function defaultProjectRoot() {
  return resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
}
function copyPackage(root, dest) {
  const pkgPath = join(root, "package.json");
  const lockPath = join(root, "package-lock.json");
  if (!existsSync(pkgPath) || !existsSync(lockPath)) {
    throw new DataError(`${root} has no package.json and package-lock.json to install mlrecipe from`);
  }
  if (!existsSync(join(root, "dist", "cli", "main.js"))) {
    throw new DataError(`${root}/dist/cli/main.js is missing: mlrecipe is not built`, {
      hint: "run `npm run build` first"
    });
  }
  const pkg = JSON.parse(readFileSync(pkgPath, "utf8"));
  mkdirSync(dest, { recursive: true });
  cpSync(pkgPath, join(dest, "package.json"));
  cpSync(lockPath, join(dest, "package-lock.json"));
  for (const entry of pkg.files ?? ["dist"]) {
    const from = join(root, entry);
    if (existsSync(from)) cpSync(from, join(dest, entry), { recursive: true });
  }
}
function writeBuildContext(options) {
  const dir = resolve(options.dir);
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    throw new UsageError(`${dir} is not empty`, {
      hint: "name a new or empty directory for the build context"
    });
  }
  mkdirSync(dirname(dir), { recursive: true });
  replaceAtomically(dir, (tmp) => {
    mkdirSync(tmp);
    cpSync(options.modelDir, join(tmp, "model"), { recursive: true });
    copyPackage(options.projectRoot ?? defaultProjectRoot(), join(tmp, "mlrecipe"));
    writeFileSync(join(tmp, "Dockerfile"), dockerfileText());
    writeFileSync(join(tmp, ".dockerignore"), "mlrecipe/node_modules\n");
    if (existsSync(dir)) rmSync(dir, { recursive: true });
  });
  return dir;
}
async function buildDocker(options) {
  if (!IMAGE_NAME.test(options.image)) {
    throw new UsageError(`"${options.image}" is not a valid Docker image name`, {
      hint: 'use lowercase letters, digits, ".", "_", "-" and "/", with an optional ":tag", e.g. cars-model:1'
    });
  }
  const { loadModelFromUri } = await import("./chunk-model-uri-5S4GTC2Q.js");
  const model = await loadModelFromUri(options.modelUri, {
    ...options.trackingUri ? { trackingUri: options.trackingUri } : {}
  });
  const projectRoot = options.projectRoot ?? defaultProjectRoot();
  if (options.dockerfileOnly !== void 0) {
    const contextDir2 = writeBuildContext({ modelDir: model.dir, dir: options.dockerfileOnly, projectRoot });
    return { contextDir: contextDir2, dockerfile: join(contextDir2, "Dockerfile"), built: false };
  }
  const docker = options.dockerCommand ?? "docker";
  const noEngine = (detail) => new DataError(`cannot build the image: no Docker engine answered (${detail})`, {
    hint: "start Docker, or write the build context with --dockerfile-only DIR and build it elsewhere"
  });
  const probe = await execa(docker, ["version", "--format", "{{.Server.Version}}"], { reject: false });
  if (probe.failed) {
    const missing = probe.code === "ENOENT";
    const firstLine = String(probe.stderr ?? "").trim().split("\n")[0];
    throw noEngine(
      missing ? `"${docker}" is not installed` : firstLine || (probe.shortMessage ?? "docker failed")
    );
  }
  const work = mkdtempSync(join(tmpdir(), "mlrecipe-docker-"));
  const contextDir = writeBuildContext({ modelDir: model.dir, dir: join(work, "context"), projectRoot });
  await execa(docker, ["build", "-t", options.image, contextDir], { stdout: "inherit", stderr: "inherit" });
  return { contextDir, dockerfile: join(contextDir, "Dockerfile"), built: true };
}
export {
  IMAGE_MODEL_DIR,
  IMAGE_PORT,
  buildDocker,
  dockerfileText,
  writeBuildContext
};
