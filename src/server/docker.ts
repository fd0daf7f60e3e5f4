/**
 * `recipe models build-docker`: a Docker build context that serves a model with the same scoring
 * server (`recipe models serve`) on port 8080, as `mlflow models build-docker` does.
 *
 * The context holds the model directory (`model/`), this mlrecipe's built files with its
 * package.json and lock file (`mlrecipe/`, installed with `npm ci` so the image gets exactly the
 * locked dependencies) and the Dockerfile. Without `dockerfileOnly` it is built with
 * `docker build`; with it, it is only written, for building elsewhere (CI, another machine).
 */
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { replaceAtomically } from '../atomic-write.js';
import { DataError, UsageError } from '../errors.js';

export interface BuildDockerOptions {
  /** The model to serve: a directory or any model URI (registry's resolveModelDirectory). */
  modelUri: string;
  /** Image name (and tag), e.g. `cars-model:1`. */
  image: string;
  /** Write the build context to this (new or empty) directory and do not build. */
  dockerfileOnly?: string;
  trackingUri?: string;
  /** The mlrecipe package to install in the image (default: the one running this code). */
  projectRoot?: string;
  /** `docker` executable (tests point it at a missing one). */
  dockerCommand?: string;
}

export interface BuiltDockerContext {
  /** The build context directory (under the OS temp dir when the image was built). */
  contextDir: string;
  dockerfile: string;
  /** True when `docker build` ran and succeeded. */
  built: boolean;
}

/** Where the model sits in the image and the port the server listens on (MLflow's). */
export const IMAGE_MODEL_DIR = '/opt/ml/model';
export const IMAGE_PORT = 8080;

const IMAGE_NAME =
  /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?::[0-9]+)?(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?$/;

/** The Dockerfile of a build context laid out as `writeBuildContext` lays it out. */
export function dockerfileText(): string {
  return [
    "# Serves an mlrecipe model with MLflow's scoring protocol (written by `recipe models build-docker`).",
    'FROM node:20-slim',
    'ENV NODE_ENV=production',
    'WORKDIR /opt/mlrecipe',
    'COPY mlrecipe/package.json mlrecipe/package-lock.json ./',
    // Scripts off: the package's own `prepare` (a TypeScript build) needs dev tools the image
    // does not have; the one native dependency is then built or fetched by its own install script.
    'RUN npm ci --omit=dev --ignore-scripts && npm rebuild better-sqlite3 && npm cache clean --force',
    'COPY mlrecipe/ ./',
    'RUN chmod +x dist/cli/main.js && ln -s /opt/mlrecipe/dist/cli/main.js /usr/local/bin/recipe',
    `COPY model/ ${IMAGE_MODEL_DIR}/`,
    'USER node',
    `EXPOSE ${IMAGE_PORT}`,
    `CMD ["recipe", "models", "serve", "-m", "${IMAGE_MODEL_DIR}", "--host", "0.0.0.0", "--port", "${IMAGE_PORT}"]`,
    '',
  ].join('\n');
}

/** The installed mlrecipe package root (two levels above this file, in src/ or dist/). */
function defaultProjectRoot(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
}

/** Copies what `npm pack` would ship (package.json `files`) plus the lock file. */
function copyPackage(root: string, dest: string): void {
  const pkgPath = join(root, 'package.json');
  const lockPath = join(root, 'package-lock.json');
  if (!existsSync(pkgPath) || !existsSync(lockPath)) {
    throw new DataError(`${root} has no package.json and package-lock.json to install mlrecipe from`);
  }
  if (!existsSync(join(root, 'dist', 'cli', 'main.js'))) {
    throw new DataError(`${root}/dist/cli/main.js is missing: mlrecipe is not built`, {
      hint: 'run `npm run build` first',
    });
  }
  const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as { files?: string[] };
  mkdirSync(dest, { recursive: true });
  cpSync(pkgPath, join(dest, 'package.json'));
  cpSync(lockPath, join(dest, 'package-lock.json'));
  for (const entry of pkg.files ?? ['dist']) {
    const from = join(root, entry);
    if (existsSync(from)) cpSync(from, join(dest, entry), { recursive: true });
  }
}

/**
 * Writes a complete build context into `dir` (which must not exist, or be empty): model/,
 * mlrecipe/ and Dockerfile. Written beside `dir` first and renamed, so a failure leaves no half
 * context.
 */
export function writeBuildContext(options: { modelDir: string; dir: string; projectRoot?: string }): string {
  const dir = resolve(options.dir);
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    throw new UsageError(`${dir} is not empty`, {
      hint: 'name a new or empty directory for the build context',
    });
  }
  mkdirSync(dirname(dir), { recursive: true });
  replaceAtomically(dir, (tmp) => {
    mkdirSync(tmp);
    cpSync(options.modelDir, join(tmp, 'model'), { recursive: true });
    copyPackage(options.projectRoot ?? defaultProjectRoot(), join(tmp, 'mlrecipe'));
    writeFileSync(join(tmp, 'Dockerfile'), dockerfileText());
    writeFileSync(join(tmp, '.dockerignore'), 'mlrecipe/node_modules\n');
    // The empty directory the user named goes only once the context is complete.
    if (existsSync(dir)) rmSync(dir, { recursive: true });
  });
  return dir;
}

/** Writes the build context and, unless `dockerfileOnly`, builds the image with `docker build`. */
export async function buildDocker(options: BuildDockerOptions): Promise<BuiltDockerContext> {
  if (!IMAGE_NAME.test(options.image)) {
    throw new UsageError(`"${options.image}" is not a valid Docker image name`, {
      hint: 'use lowercase letters, digits, ".", "_", "-" and "/", with an optional ":tag", e.g. cars-model:1',
    });
  }
  const { loadModelFromUri } = await import('../registry/model-uri.js');
  // Loading checks that the model is complete before anything is copied.
  const model = await loadModelFromUri(options.modelUri, {
    ...(options.trackingUri ? { trackingUri: options.trackingUri } : {}),
  });
  const projectRoot = options.projectRoot ?? defaultProjectRoot();
  if (options.dockerfileOnly !== undefined) {
    const contextDir = writeBuildContext({ modelDir: model.dir, dir: options.dockerfileOnly, projectRoot });
    return { contextDir, dockerfile: join(contextDir, 'Dockerfile'), built: false };
  }
  const docker = options.dockerCommand ?? 'docker';
  const noEngine = (detail: string) =>
    new DataError(`cannot build the image: no Docker engine answered (${detail})`, {
      hint: 'start Docker, or write the build context with --dockerfile-only DIR and build it elsewhere',
    });
  const probe = await execa(docker, ['version', '--format', '{{.Server.Version}}'], { reject: false });
  if (probe.failed) {
    const missing = (probe as { code?: string }).code === 'ENOENT';
    const firstLine = String(probe.stderr ?? '')
      .trim()
      .split('\n')[0];
    throw noEngine(
      missing ? `"${docker}" is not installed` : firstLine || (probe.shortMessage ?? 'docker failed'),
    );
  }
  const work = mkdtempSync(join(tmpdir(), 'mlrecipe-docker-'));
  const contextDir = writeBuildContext({ modelDir: model.dir, dir: join(work, 'context'), projectRoot });
  await execa(docker, ['build', '-t', options.image, contextDir], { stdout: 'inherit', stderr: 'inherit' });
  return { contextDir, dockerfile: join(contextDir, 'Dockerfile'), built: true };
}
