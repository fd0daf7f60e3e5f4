/**
 * Artifacts under an `s3://bucket/prefix` root, with MLflow 2.12's S3ArtifactRepository semantics
 * (mlflow/store/artifact/s3_artifact_repo.py), through `@aws-sdk/client-s3`:
 *
 * - the endpoint is `MLFLOW_S3_ENDPOINT_URL` when set (MinIO, Ceph, a local test server), else
 *   AWS; addressing is path-style (`<endpoint>/<bucket>/<key>`), MLflow's default, which every
 *   S3-compatible server on a plain host name accepts;
 * - credentials come from the AWS chain as boto3 walks it: `AWS_ACCESS_KEY_ID` /
 *   `AWS_SECRET_ACCESS_KEY` / `AWS_SESSION_TOKEN`, then `AWS_PROFILE` and the shared
 *   `~/.aws/credentials` and `config` files, SSO, web identity, then the ECS or EC2 instance role;
 * - the region is `AWS_REGION`, else `AWS_DEFAULT_REGION`, else us-east-1 (S3 answers for every
 *   region there, and local servers ignore it);
 * - `MLFLOW_S3_IGNORE_TLS=true` skips certificate checks; `MLFLOW_S3_UPLOAD_EXTRA_ARGS` (JSON,
 *   e.g. `{"ServerSideEncryption": "aws:kms"}`) is added to every upload;
 * - an empty directory logged with logArtifacts is kept as a `dir/` marker object, as MLflow does.
 *
 * A request that fails on the network (a reset or refused connection, a timeout, a 5xx) is
 * retried by the SDK with backoff (`AWS_MAX_ATTEMPTS`, default 3). A file up to 16 MiB is sent
 * from memory in one PutObject; a larger one through `@aws-sdk/lib-storage` in buffered 5 MiB
 * parts; either way a retried request is re-sent whole rather than from a half-consumed stream. A download whose body breaks off after the headers is
 * retried here, from the start, into the same temporary file.
 *
 * Every downloaded file is streamed into a temporary sibling and renamed into place, so a reader
 * never sees half a file; every listed key must lie under the root and each name must be a plain
 * path segment, so a broken or hostile listing cannot place a download outside its destination.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { lstat, mkdir, readdir, readFile, realpath, stat, writeFile } from 'node:fs/promises';
import { basename, join, relative, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ListObjectsV2CommandOutput, S3Client } from '@aws-sdk/client-s3';
import { replaceAtomicallyAsync } from '../atomic-write.js';
import { StoreError } from '../errors.js';
import { type FileInfo, normaliseArtifactPath } from './artifact-repo.js';

export interface S3ArtifactRepositoryOptions {
  /** MLFLOW_S3_*, AWS_* settings; default `process.env`. */
  env?: Record<string, string | undefined>;
}

/** Requests at once per logArtifacts / downloadArtifacts / deleteArtifacts. */
const TRANSFER_CONCURRENCY = 4;
/** Files up to this size go up in one PutObject from memory; larger ones in 5 MiB parts. */
const SINGLE_PUT_MAX_BYTES = 16 * 1024 * 1024;
/** Attempts for a download whose body breaks off (the SDK retries failures before the body). */
const BODY_ATTEMPTS = 3;

/** The bucket and key prefix of an `s3://bucket/prefix` URI (MLflow's parse_s3_compliant_uri). */
export function parseS3Uri(uri: string): { bucket: string; prefix: string } {
  const match = /^s3:\/\/([^/]+)(\/.*)?$/i.exec(uri);
  if (match === null) {
    throw new StoreError('INVALID_PARAMETER_VALUE', `"${uri}" is not an S3 URI`, {
      hint: 'write it as s3://<bucket>/<prefix>',
    });
  }
  const prefix = (match[2] ?? '').replace(/^\/+/, '').replace(/\/+$/, '');
  return { bucket: match[1] as string, prefix };
}

export class S3ArtifactRepository {
  readonly artifactUri: string;
  readonly bucket: string;
  /** The root's key prefix, without leading or trailing `/` ('' for the bucket's root). */
  readonly prefix: string;
  private readonly env: Record<string, string | undefined>;
  private client: Promise<S3Client> | undefined;

  constructor(artifactUri: string, options: S3ArtifactRepositoryOptions = {}) {
    const { bucket, prefix } = parseS3Uri(artifactUri);
    this.artifactUri = artifactUri;
    this.bucket = bucket;
    this.prefix = prefix;
    this.env = options.env ?? process.env;
    // Read now, so a malformed setting fails before any transfer starts.
    uploadExtraArgs(this.env);
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
    await this.upload(source, this.key(dir ? `${dir}/${basename(source)}` : basename(source)));
  }

  /** Uploads the files under `localDir` (recursively) below `artifactPath`. */
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
    const { files, emptyDirs } = await treeInside(source);
    const tasks: Array<() => Promise<void>> = [
      ...files.map((file) => () => {
        const rel = file.rel.split(sep).join('/');
        return this.upload(file.path, this.key(dir ? `${dir}/${rel}` : rel));
      }),
      ...emptyDirs.map((rel) => () => {
        const relPosix = rel.split(sep).join('/');
        return this.putMarker(`${this.key(dir ? `${dir}/${relPosix}` : relPosix)}/`);
      }),
    ];
    await runConcurrently(tasks, TRANSFER_CONCURRENCY);
  }

  /** The direct children of `path` (the root when omitted), paths relative to the root, sorted. */
  async listArtifacts(path?: string): Promise<FileInfo[]> {
    const rel = normaliseArtifactPath(path);
    const dirKey = this.key(rel);
    const listPrefix = dirKey === '' ? '' : `${dirKey}/`;
    const infos: FileInfo[] = [];
    for await (const page of this.listPages(listPrefix, '/')) {
      for (const common of page.CommonPrefixes ?? []) {
        const name = this.childName(common.Prefix ?? '', listPrefix);
        infos.push({ path: rel ? `${rel}/${name}` : name, is_dir: true });
      }
      for (const object of page.Contents ?? []) {
        // The directory's own marker (`dir/`) is not a child of it.
        if (object.Key === listPrefix) continue;
        const name = this.childName(object.Key ?? '', listPrefix);
        infos.push({
          path: rel ? `${rel}/${name}` : name,
          is_dir: false,
          file_size: Number(object.Size ?? 0),
        });
      }
    }
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
    const keys = await this.keysUnder(rel);
    if (rel !== '' && keys.length === 0) {
      // No object below `rel/`: a file, or nothing (the GET says which).
      const target = join(dst, ...rel.split('/'));
      await mkdir(join(target, '..'), { recursive: true });
      await this.download(this.key(rel), target);
      return target;
    }
    const destRoot = rel === '' ? dst : join(dst, ...rel.split('/'));
    await mkdir(destRoot, { recursive: true });
    const base = this.key(rel);
    const under = base === '' ? '' : `${base}/`;
    await runConcurrently(
      keys.map((key) => async () => {
        const inner = key.slice(under.length);
        const parts = inner.split('/');
        for (const part of parts.slice(0, -1)) this.checkSegment(part, key);
        if (key.endsWith('/')) {
          await mkdir(join(destRoot, ...parts.filter((p) => p !== '')), { recursive: true });
          return;
        }
        this.checkSegment(parts[parts.length - 1] as string, key);
        const target = join(destRoot, ...parts);
        await mkdir(join(target, '..'), { recursive: true });
        await this.download(key, target);
      }),
      TRANSFER_CONCURRENCY,
    );
    return destRoot;
  }

  /**
   * Deletes the artifact file or directory `path` (everything when omitted). Unlike MLflow 2.12,
   * which deletes every key starting with the path's text, `a/b` never takes `a/bc` with it.
   */
  async deleteArtifacts(path?: string): Promise<void> {
    const rel = normaliseArtifactPath(path);
    const keys = [...(await this.keysUnder(rel))];
    if (rel !== '') keys.push(this.key(rel));
    const { DeleteObjectCommand } = await import('@aws-sdk/client-s3');
    const client = await this.s3();
    await runConcurrently(
      keys.map((key) => async () => {
        await this.call(
          `delete s3://${this.bucket}/${key}`,
          client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key })),
        );
      }),
      TRANSFER_CONCURRENCY,
    );
  }

  /** The full key of the artifact path `rel` ('' for the root). */
  private key(rel: string): string {
    return this.prefix === '' ? rel : rel === '' ? this.prefix : `${this.prefix}/${rel}`;
  }

  /** Every key strictly below the artifact directory `rel`. */
  private async keysUnder(rel: string): Promise<string[]> {
    const base = this.key(rel);
    const listPrefix = base === '' ? '' : `${base}/`;
    const keys: string[] = [];
    for await (const page of this.listPages(listPrefix)) {
      for (const object of page.Contents ?? []) {
        const key = object.Key ?? '';
        if (!key.startsWith(listPrefix)) this.refuseListed(key, listPrefix);
        if (key !== listPrefix) keys.push(key);
      }
    }
    return keys.sort();
  }

  /**
   * The pages of ListObjectsV2 below `listPrefix`, following continuation tokens; with a
   * `delimiter`, keys below the next one are rolled up into CommonPrefixes.
   */
  private async *listPages(
    listPrefix: string,
    delimiter?: string,
  ): AsyncGenerator<ListObjectsV2CommandOutput> {
    const { ListObjectsV2Command } = await import('@aws-sdk/client-s3');
    const client = await this.s3();
    let token: string | undefined;
    do {
      const page = await this.call(
        `list s3://${this.bucket}/${listPrefix}`,
        client.send(
          new ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: listPrefix,
            ...(delimiter === undefined ? {} : { Delimiter: delimiter }),
            ...(token ? { ContinuationToken: token } : {}),
          }),
        ),
      );
      yield page;
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
  }

  private childName(key: string, listPrefix: string): string {
    if (!key.startsWith(listPrefix)) this.refuseListed(key, listPrefix);
    const name = key.slice(listPrefix.length).replace(/\/$/, '');
    this.checkSegment(name, key);
    return name;
  }

  private refuseListed(key: string, listPrefix: string): never {
    throw new StoreError(
      'INTERNAL_ERROR',
      `the S3 listing of s3://${this.bucket}/${listPrefix} returned the key "${key}", which does not lie under it`,
      { hint: 'check MLFLOW_S3_ENDPOINT_URL: the server does not behave like S3' },
    );
  }

  /** A name from a listing must be one plain segment: anything else would place a file elsewhere. */
  private checkSegment(name: string, key: string): void {
    if (name === '' || name === '.' || name === '..' || name.includes('\\') || name.includes('\0')) {
      throw new StoreError(
        'INVALID_PARAMETER_VALUE',
        `the S3 key s3://${this.bucket}/${key} has a path segment ${JSON.stringify(name)} that cannot be written as a local file`,
        { hint: 'rename or delete that object; mlrecipe only downloads keys made of plain path segments' },
      );
    }
  }

  private async upload(localFile: string, key: string): Promise<void> {
    const client = await this.s3();
    const what = `upload ${localFile} to s3://${this.bucket}/${key}`;
    const size = (await stat(localFile)).size;
    if (size <= SINGLE_PUT_MAX_BYTES) {
      // A buffer, not a stream: the SDK can re-send it whole when it retries.
      const { PutObjectCommand } = await import('@aws-sdk/client-s3');
      const body = await readFile(localFile);
      await this.call(
        what,
        client.send(
          new PutObjectCommand({ ...uploadExtraArgs(this.env), Bucket: this.bucket, Key: key, Body: body }),
        ),
      );
      return;
    }
    const { Upload } = await import('@aws-sdk/lib-storage');
    const upload = new Upload({
      client,
      params: {
        ...uploadExtraArgs(this.env),
        Bucket: this.bucket,
        Key: key,
        Body: createReadStream(localFile),
      },
      queueSize: 2,
    });
    await this.call(what, upload.done());
  }

  private async putMarker(key: string): Promise<void> {
    const { PutObjectCommand } = await import('@aws-sdk/client-s3');
    const client = await this.s3();
    await this.call(
      `put s3://${this.bucket}/${key}`,
      client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: '' })),
    );
  }

  /** Streams one object into `target` through a temporary sibling: never half a file in place. */
  private async download(key: string, target: string): Promise<void> {
    const { GetObjectCommand } = await import('@aws-sdk/client-s3');
    const client = await this.s3();
    await replaceAtomicallyAsync(
      target,
      async (temp) => {
        for (let attempt = 1; ; attempt++) {
          let response;
          try {
            response = await client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
          } catch (error) {
            if (errorName(error) === 'NoSuchKey' || httpStatus(error) === 404) {
              throw new StoreError(
                'RESOURCE_DOES_NOT_EXIST',
                `no artifact s3://${this.bucket}/${key} under ${this.artifactUri}`,
                {
                  cause: error,
                  hint: 'list what exists with listArtifacts (or `recipe runs show <run_id>`)',
                },
              );
            }
            throw s3Error(error, `download s3://${this.bucket}/${key}`);
          }
          try {
            const body = response.Body as Readable | undefined;
            if (body === undefined) await writeFile(temp, '');
            else await pipeline(body, createWriteStream(temp));
            return;
          } catch (error) {
            // The connection broke off mid-body: the SDK cannot retry what it already handed over.
            if (attempt >= BODY_ATTEMPTS) throw s3Error(error, `download s3://${this.bucket}/${key}`);
          }
        }
      },
      { tempPrefix: '.tmp-artifact-' },
    );
  }

  private async call<T>(what: string, request: Promise<T>): Promise<T> {
    try {
      return await request;
    } catch (error) {
      throw s3Error(error, what);
    }
  }

  private s3(): Promise<S3Client> {
    this.client ??= makeS3Client(this.env);
    return this.client;
  }
}

/** An S3 client configured from `env` as MLflow configures boto3 (see the module comment). */
export async function makeS3Client(env: Record<string, string | undefined> = process.env): Promise<S3Client> {
  // The SDK warns on Node 20 about versions not yet published; package.json keeps the major
  // that supports Node 20, so the warning only clutters the CLI's stderr.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const { S3Client } = await import('@aws-sdk/client-s3');
  const endpoint = env.MLFLOW_S3_ENDPOINT_URL?.trim();
  if (endpoint) {
    try {
      new URL(endpoint);
    } catch {
      throw new StoreError('INVALID_PARAMETER_VALUE', `MLFLOW_S3_ENDPOINT_URL "${endpoint}" is not a URL`, {
        hint: 'set it to the S3 server, e.g. http://127.0.0.1:9000, or unset it for AWS',
      });
    }
  }
  const keyId = env.AWS_ACCESS_KEY_ID;
  const secret = env.AWS_SECRET_ACCESS_KEY;
  const ignoreTls = /^(true|1)$/i.test(env.MLFLOW_S3_IGNORE_TLS ?? '');
  const attempts = Number(env.AWS_MAX_ATTEMPTS ?? '');
  // node:https (with http and tls) loads only here: every `recipe run` reaches this module
  // (artifact-repository.ts), and loading them cost a no-op run several ms.
  const HttpsAgent = ignoreTls ? (await import('node:https')).Agent : undefined;
  return new S3Client({
    region: env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1',
    forcePathStyle: true,
    ...(endpoint ? { endpoint } : {}),
    // Explicit keys in `env` win (tests pass their own env); otherwise the SDK walks the chain.
    ...(keyId && secret
      ? {
          credentials: {
            accessKeyId: keyId,
            secretAccessKey: secret,
            ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
          },
        }
      : {}),
    ...(Number.isInteger(attempts) && attempts > 0 ? { maxAttempts: attempts } : {}),
    ...(HttpsAgent ? { requestHandler: { httpsAgent: new HttpsAgent({ rejectUnauthorized: false }) } } : {}),
  });
}

function uploadExtraArgs(env: Record<string, string | undefined>): Record<string, string> {
  const text = env.MLFLOW_S3_UPLOAD_EXTRA_ARGS;
  if (text === undefined || text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (
    parsed === null ||
    typeof parsed !== 'object' ||
    Array.isArray(parsed) ||
    Object.entries(parsed).some(
      ([key, value]) => typeof value !== 'string' || ['Bucket', 'Key', 'Body'].includes(key),
    )
  ) {
    throw new StoreError(
      'INVALID_PARAMETER_VALUE',
      `MLFLOW_S3_UPLOAD_EXTRA_ARGS must be a JSON object of string upload arguments, not ${JSON.stringify(text)}`,
      { hint: 'e.g. MLFLOW_S3_UPLOAD_EXTRA_ARGS=\'{"ServerSideEncryption": "aws:kms"}\'' },
    );
  }
  return parsed as Record<string, string>;
}

function errorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}

function httpStatus(error: unknown): number | undefined {
  const meta = (error as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata;
  return meta?.httpStatusCode;
}

/** An S3 failure as a StoreError saying what was being done and what to check. */
function s3Error(error: unknown, what: string): StoreError {
  if (error instanceof StoreError) return error;
  const name = errorName(error) ?? 'Error';
  const message = error instanceof Error ? error.message : String(error);
  const denied = name === 'AccessDenied' || name === 'InvalidAccessKeyId' || name === 'SignatureDoesNotMatch';
  const noBucket = name === 'NoSuchBucket';
  return new StoreError(
    denied ? 'PERMISSION_DENIED' : noBucket ? 'RESOURCE_DOES_NOT_EXIST' : 'INTERNAL_ERROR',
    `S3 ${what} failed: ${name}: ${message}`,
    {
      cause: error,
      hint: denied
        ? 'check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (or AWS_PROFILE) for this bucket'
        : noBucket
          ? 'create the bucket, or fix the artifact root'
          : 'check MLFLOW_S3_ENDPOINT_URL and that the S3 server is reachable; failed requests were already retried (AWS_MAX_ATTEMPTS)',
    },
  );
}

async function runConcurrently(tasks: Array<() => Promise<void>>, limit: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const task = tasks[next++] as () => Promise<void>;
      await task();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
}

/**
 * The files under `dir` and its empty directories (relative paths). A symbolic link is followed
 * when it stays inside `dir`; one that leads out is refused before anything is sent, as the
 * other repositories refuse it.
 */
async function treeInside(
  dir: string,
): Promise<{ files: Array<{ rel: string; path: string }>; emptyDirs: string[] }> {
  const realDir = await realpath(dir);
  const files: Array<{ rel: string; path: string }> = [];
  const emptyDirs: string[] = [];
  const visit = async (sub: string, prefix: string, seen: Set<string>): Promise<void> => {
    const real = await realpath(sub);
    if (seen.has(real)) return;
    seen.add(real);
    const entries = await readdir(sub, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    let count = 0;
    for (const entry of entries) {
      if (entry.name.startsWith('.tmp-artifact-')) continue;
      const full = join(sub, entry.name);
      const rel = prefix ? join(prefix, entry.name) : entry.name;
      const link = (await lstat(full)).isSymbolicLink();
      const resolved = await realpath(full).catch(() => null);
      if (resolved === null) continue; // a dangling link is not an artifact
      const inside = relative(realDir, resolved);
      if (
        link &&
        (inside === '..' || inside.startsWith(`..${sep}`) || resolve(realDir, inside) !== resolved)
      ) {
        throw new StoreError(
          'INVALID_PARAMETER_VALUE',
          `${full} is a symbolic link to ${resolved}, outside ${dir}; mlrecipe does not upload what lies outside the directory being logged`,
          { hint: `log ${resolved} on its own, or replace the link with a copy of the files it points to` },
        );
      }
      const info = await stat(full);
      if (info.isDirectory()) {
        count++;
        await visit(full, rel, seen);
      } else if (info.isFile()) {
        count++;
        files.push({ rel, path: full });
      }
    }
    if (count === 0 && prefix !== '') emptyDirs.push(prefix);
  };
  await visit(dir, '', new Set());
  return { files, emptyDirs };
}
