/**
 * Artifacts behind a tracking server's artifact proxy (`/api/2.0/mlflow-artifacts/artifacts/…`,
 * MLflow 2.x's HttpArtifactRepository): what a run's `mlflow-artifacts:` artifact URI means, so a
 * client logs to and loads from the server with no shared file system.
 *
 * - upload: `PUT <proxy>/<root>/<path>`, the file streamed from disk (re-opened on a retry);
 * - list: `GET <proxy>?path=<root>/<path>`, one level, names relative to the directory asked;
 * - download: `GET <proxy>/<root>/<path>`, streamed to a temporary sibling and renamed into place;
 * - delete: `DELETE <proxy>/<root>/<path>`.
 *
 * Paths are checked on both sides: a path given here must stay inside the root
 * (normaliseArtifactPath), and a name a server lists must be one plain path segment, so a hostile
 * or broken server cannot make a download write outside its destination directory.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { lstat, mkdir, readdir, realpath, stat, writeFile } from 'node:fs/promises';
import { basename, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { pipeline } from 'node:stream/promises';
import { replaceAtomicallyAsync } from '../atomic-write.js';
import { StoreError } from '../errors.js';
import type { FileInfo } from './artifact-repo.js';
import { normaliseArtifactPath } from './artifact-repo.js';
import { errorFromResponse, RestClient } from './rest-client.js';

export const ARTIFACT_PROXY_PATH = '/api/2.0/mlflow-artifacts/artifacts';

export interface HttpArtifactRepositoryOptions {
  /** The server's base URL, `http(s)://host:port[/prefix]`. */
  baseUrl: string;
  /** The repository's root inside the proxy ('' for the proxy's own root), `a/b/c`. */
  rootPath: string;
  /** Credentials and retry settings (MLFLOW_TRACKING_*); default `process.env`. */
  env?: Record<string, string | undefined>;
  /** Overrides for tests. */
  maxRetries?: number;
}

/** Uploads at once per logArtifacts: enough to hide round trips, few enough for a small server. */
const UPLOAD_CONCURRENCY = 4;

export class HttpArtifactRepository {
  readonly baseUrl: string;
  readonly rootPath: string;
  private readonly client: RestClient;

  constructor(options: HttpArtifactRepositoryOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.rootPath = normaliseArtifactPath(options.rootPath);
    this.client = new RestClient({
      baseUrl: this.baseUrl,
      ...(options.env ? { env: options.env } : {}),
      ...(options.maxRetries !== undefined ? { maxRetries: options.maxRetries } : {}),
    });
  }

  /** The URI of this root as MLflow writes it for a proxied artifact location. */
  get artifactUri(): string {
    return `${this.baseUrl}${ARTIFACT_PROXY_PATH}/${encodePath(this.rootPath)}`.replace(/\/$/, '');
  }

  /** Uploads one local file to `<artifactPath>/<basename(localFile)>`. */
  async logArtifact(localFile: string, artifactPath?: string): Promise<void> {
    const source = resolve(localFile);
    const info = await stat(source).catch(() => null);
    if (!info?.isFile()) {
      throw new StoreError(
        'INVALID_PARAMETER_VALUE',
        info ? `${source} is not a regular file` : `local file ${source} does not exist`,
        { hint: info?.isDirectory() ? 'use logArtifacts to log a directory' : undefined },
      );
    }
    const dir = normaliseArtifactPath(artifactPath);
    await this.upload(source, dir ? `${dir}/${basename(source)}` : basename(source));
  }

  /**
   * Uploads the files under `localDir` (recursively) below `artifactPath`. A symbolic link is
   * uploaded as the file it points to when that lies inside `localDir`; one that leads out is
   * refused before anything is sent, as LocalArtifactRepository refuses it.
   */
  async logArtifacts(localDir: string, artifactPath?: string): Promise<void> {
    const source = resolve(localDir);
    const info = await stat(source).catch(() => null);
    if (!info?.isDirectory()) {
      throw new StoreError(
        'INVALID_PARAMETER_VALUE',
        info ? `${source} is not a directory` : `local directory ${source} does not exist`,
        { hint: info ? 'use logArtifact to log a single file' : undefined },
      );
    }
    const dir = normaliseArtifactPath(artifactPath);
    const files = await filesInside(source);
    let next = 0;
    const worker = async () => {
      while (next < files.length) {
        const file = files[next++];
        const rel = file.rel.split(sep).join('/');
        await this.upload(file.path, dir ? `${dir}/${rel}` : rel);
      }
    };
    await Promise.all(Array.from({ length: Math.min(UPLOAD_CONCURRENCY, files.length) }, worker));
  }

  /** The direct children of `path` (the root when omitted), paths relative to the root, sorted. */
  async listArtifacts(path?: string): Promise<FileInfo[]> {
    const rel = normaliseArtifactPath(path);
    const full = joinRel(this.rootPath, rel);
    const url = `${this.baseUrl}${ARTIFACT_PROXY_PATH}${full === '' ? '' : `?path=${encodeURIComponent(full)}`}`;
    const response = await this.client.send(url, { method: 'GET' });
    const text = await response.text();
    if (!response.ok) throw errorFromResponse(response.status, text, `GET ${url}`);
    const body = (text.trim() === '' ? {} : JSON.parse(text)) as {
      files?: Array<{ path: string; is_dir?: boolean; file_size?: number | string }>;
    };
    const infos = (body.files ?? []).map((file): FileInfo => {
      const name = checkedName(file.path, url);
      const childRel = rel ? `${rel}/${name}` : name;
      return file.is_dir === true
        ? { path: childRel, is_dir: true }
        : { path: childRel, is_dir: false, file_size: Number(file.file_size ?? 0) };
    });
    return infos.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  /**
   * Downloads the artifact file or directory `path` ('' for everything) into `dstDir`, keeping
   * its relative path, and returns the local path written (LocalArtifactRepository's contract).
   */
  async downloadArtifacts(path: string, dstDir: string): Promise<string> {
    const rel = normaliseArtifactPath(path);
    await mkdir(resolve(dstDir), { recursive: true });
    const dst = await realpath(resolve(dstDir));
    const children = await this.listArtifacts(rel);
    if (rel !== '' && children.length === 0) {
      // A file (the proxy lists a file as empty), or nothing: the GET tells which.
      const target = join(dst, ...rel.split('/'));
      await mkdir(join(target, '..'), { recursive: true });
      await this.download(rel, target);
      return target;
    }
    const destRoot = rel === '' ? dst : join(dst, ...rel.split('/'));
    await mkdir(destRoot, { recursive: true });
    const pending = [...children];
    while (pending.length > 0) {
      const child = pending.shift() as FileInfo;
      const target = join(dst, ...child.path.split('/'));
      if (child.is_dir) {
        await mkdir(target, { recursive: true });
        pending.push(...(await this.listArtifacts(child.path)));
      } else {
        await this.download(child.path, target);
      }
    }
    return destRoot;
  }

  /** Deletes the artifact file or directory `path` (MLflow's delete_artifacts). */
  async deleteArtifacts(path?: string): Promise<void> {
    const full = joinRel(this.rootPath, normaliseArtifactPath(path));
    const url = `${this.baseUrl}${ARTIFACT_PROXY_PATH}/${encodePath(full)}`;
    const response = await this.client.send(url, { method: 'DELETE' });
    const text = await response.text();
    if (!response.ok) throw errorFromResponse(response.status, text, `DELETE ${url}`);
  }

  private async upload(localFile: string, rel: string): Promise<void> {
    const url = `${this.baseUrl}${ARTIFACT_PROXY_PATH}/${encodePath(joinRel(this.rootPath, rel))}`;
    const response = await this.client.send(url, {
      method: 'PUT',
      body: () => createReadStream(localFile),
      headers: { 'Content-Type': 'application/octet-stream' },
    });
    const text = await response.text();
    if (!response.ok) throw errorFromResponse(response.status, text, `PUT ${url}`);
  }

  /** Streams one file into `target` through a temporary sibling: never half a file in place. */
  private async download(rel: string, target: string): Promise<void> {
    const url = `${this.baseUrl}${ARTIFACT_PROXY_PATH}/${encodePath(joinRel(this.rootPath, rel))}`;
    const response = await this.client.send(url, { method: 'GET' });
    if (!response.ok) {
      const error = errorFromResponse(response.status, await response.text(), `GET ${url}`);
      if (response.status === 404) {
        throw new StoreError('RESOURCE_DOES_NOT_EXIST', `no artifact "${rel}" under ${this.artifactUri}`, {
          cause: error,
          hint: 'list what exists with listArtifacts (or `recipe runs show <run_id>`)',
        });
      }
      throw error;
    }
    const body = response.body;
    await replaceAtomicallyAsync(
      target,
      async (temp) => {
        if (body === null) await writeFile(temp, '', { flag: 'wx' });
        else
          await pipeline(
            Readable.fromWeb(body as WebReadableStream<Uint8Array>),
            createWriteStream(temp, { flags: 'wx' }),
          );
      },
      { tempPrefix: '.tmp-artifact-' },
    );
  }
}

function joinRel(root: string, rel: string): string {
  return root === '' ? rel : rel === '' ? root : `${root}/${rel}`;
}

function encodePath(path: string): string {
  return path === '' ? '' : path.split('/').map(encodeURIComponent).join('/');
}

/** A listed name must be one plain segment: anything else would place a download elsewhere. */
function checkedName(name: string, url: string): string {
  const last = name.includes('/') ? name.slice(name.lastIndexOf('/') + 1) : name;
  if (last === '' || last === '.' || last === '..' || last.includes('\\') || last.includes('\0')) {
    throw new StoreError(
      'INVALID_PARAMETER_VALUE',
      `the artifact server listed an unsafe name ${JSON.stringify(name)} (GET ${url})`,
      { hint: 'the server is not a trustworthy MLflow artifact proxy; check the tracking URI' },
    );
  }
  return last;
}

/** The files under `dir` (following links that stay inside it); a link that leaves is refused. */
async function filesInside(dir: string): Promise<Array<{ rel: string; path: string }>> {
  const realDir = await realpath(dir);
  const out: Array<{ rel: string; path: string }> = [];
  const visit = async (sub: string, prefix: string, seen: Set<string>): Promise<void> => {
    const real = await realpath(sub);
    if (seen.has(real)) return;
    seen.add(real);
    const entries = await readdir(sub, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (entry.name.startsWith('.tmp-artifact-')) continue;
      const full = join(sub, entry.name);
      const rel = prefix ? join(prefix, entry.name) : entry.name;
      const link = (await lstat(full)).isSymbolicLink();
      const resolved = await realpath(full).catch(() => null);
      if (resolved === null) continue; // a dangling link is not an artifact
      const inside = relative(realDir, resolved);
      if (link && (inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside))) {
        throw new StoreError(
          'INVALID_PARAMETER_VALUE',
          `${full} is a symbolic link to ${resolved}, outside ${dir}; mlrecipe does not upload what lies outside the directory being logged`,
          { hint: `log ${resolved} on its own, or replace the link with a copy of the files it points to` },
        );
      }
      const info = await stat(full);
      if (info.isDirectory()) await visit(full, rel, seen);
      else if (info.isFile()) out.push({ rel, path: full });
    }
  };
  await visit(dir, '', new Set());
  return out;
}
