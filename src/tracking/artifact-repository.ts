/**
 * Which repository holds the artifacts under an artifact URI. The run's `artifact_uri`, as the
 * tracking store (or the server) hands it out, decides:
 *
 * - an absolute path or `file:` URI → LocalArtifactRepository (mlrecipe's SQL stores; a server
 *   run with a shared `--default-artifact-root`);
 * - `mlflow-artifacts:/<path>` → the tracking server's artifact proxy (what `recipe server` and
 *   MLflow 2.x servers hand out by default), on the host of the `http(s)://` tracking URI;
 *   `mlflow-artifacts://host:port/<path>` names the host itself (MLflow's rule);
 * - `http(s)://…/api/2.0/mlflow-artifacts/artifacts/<path>` → that proxy directly.
 *
 * - `s3://bucket/prefix` → S3ArtifactRepository (`MLFLOW_S3_ENDPOINT_URL` and the AWS credential
 *   chain, as MLflow honours them).
 *
 * Anything else (`gs://`, `wasbs://`, …) is refused with a clear error: mlrecipe has no client for it.
 */
import { StoreError } from '../errors.js';
import { type ArtifactLogOptions, type FileInfo, LocalArtifactRepository } from './artifact-repo.js';
import { ARTIFACT_PROXY_PATH, HttpArtifactRepository } from './http-artifact-repo.js';
import { S3ArtifactRepository } from './s3-artifact-repo.js';

/** What every artifact repository does (local, the server's proxy, S3). */
export interface ArtifactRepository {
  logArtifact(localFile: string, artifactPath?: string, options?: ArtifactLogOptions): Promise<void>;
  logArtifacts(localDir: string, artifactPath?: string, options?: ArtifactLogOptions): Promise<void>;
  listArtifacts(path?: string): Promise<FileInfo[]>;
  downloadArtifacts(path: string, dstDir: string): Promise<string>;
  deleteArtifacts(path?: string): Promise<void>;
}

export interface ArtifactRepositoryOptions {
  /** The tracking URI, which gives `mlflow-artifacts:/` URIs their server. */
  trackingUri?: string;
  /** Credentials and retry settings (MLFLOW_TRACKING_*, MLFLOW_S3_*, AWS_*); default `process.env`. */
  env?: Record<string, string | undefined>;
}

/** Whether `uri` lies on the local file system (a path or `file:` URI). */
export function isLocalArtifactUri(uri: string): boolean {
  return uri.startsWith('file:') || !/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(uri) || /^[a-zA-Z]:[\\/]/.test(uri);
}

/** The proxy's base URL and root path an `mlflow-artifacts:` or proxy URL names; undefined otherwise. */
export function proxiedArtifactLocation(
  uri: string,
  trackingUri: string | undefined,
): { baseUrl: string; rootPath: string } | undefined {
  if (/^mlflow-artifacts:/i.test(uri)) {
    const rest = uri.slice('mlflow-artifacts:'.length);
    const tracking =
      trackingUri !== undefined && /^https?:\/\//i.test(trackingUri) ? new URL(trackingUri) : undefined;
    let baseUrl: string;
    let path: string;
    if (rest.startsWith('//')) {
      const netloc = /^\/\/([^/]*)/.exec(rest)?.[1] ?? '';
      path = rest.slice(2 + netloc.length);
      baseUrl = `${tracking?.protocol ?? 'http:'}//${netloc}`;
    } else {
      if (tracking === undefined) {
        throw new StoreError(
          'INVALID_PARAMETER_VALUE',
          `artifact URI "${uri}" is served by a tracking server's artifact proxy, and the tracking URI${
            trackingUri ? ` "${trackingUri}"` : ''
          } names no http(s) server`,
          { hint: 'set MLFLOW_TRACKING_URI (or --tracking-uri) to the server, e.g. http://127.0.0.1:5000' },
        );
      }
      path = rest;
      baseUrl = `${tracking.protocol}//${tracking.host}${tracking.pathname.replace(/\/+$/, '')}`;
    }
    return { baseUrl, rootPath: decodeSegments(path) };
  }
  if (/^https?:\/\//i.test(uri)) {
    const url = new URL(uri);
    const at = url.pathname.indexOf(`${ARTIFACT_PROXY_PATH}/`);
    const bare = url.pathname.replace(/\/+$/, '').endsWith(ARTIFACT_PROXY_PATH);
    if (at < 0 && !bare) return undefined;
    const cut = at >= 0 ? at : url.pathname.replace(/\/+$/, '').length - ARTIFACT_PROXY_PATH.length;
    return {
      baseUrl: `${url.protocol}//${url.host}${url.pathname.slice(0, cut)}`,
      rootPath: at >= 0 ? decodeSegments(url.pathname.slice(at + ARTIFACT_PROXY_PATH.length + 1)) : '',
    };
  }
  return undefined;
}

function decodeSegments(path: string): string {
  return path
    .split('/')
    .filter((part) => part !== '')
    .map((part) => decodeURIComponent(part))
    .join('/');
}

/** The repository for the artifacts under `uri` (see the module comment). */
export function artifactRepositoryForUri(
  uri: string,
  options: ArtifactRepositoryOptions = {},
): ArtifactRepository {
  if (isLocalArtifactUri(uri)) return new LocalArtifactRepository(uri);
  if (/^s3:/i.test(uri)) return new S3ArtifactRepository(uri, options.env ? { env: options.env } : {});
  const proxied = proxiedArtifactLocation(uri, options.trackingUri);
  if (proxied !== undefined) {
    return new HttpArtifactRepository({
      baseUrl: proxied.baseUrl,
      rootPath: proxied.rootPath,
      ...(options.env ? { env: options.env } : {}),
    });
  }
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(uri)?.[1];
  throw new StoreError(
    'INVALID_PARAMETER_VALUE',
    `artifact URI "${uri}" uses the "${scheme}:" scheme; mlrecipe reads and writes artifacts on the local file system, in S3 (s3://) or through a tracking server's artifact proxy (mlflow-artifacts:)`,
    { hint: 'use an s3:// artifact root, or start the tracking server with --serve-artifacts so runs get mlflow-artifacts:/ locations' },
  );
}
