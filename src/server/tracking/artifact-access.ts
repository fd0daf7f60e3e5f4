/**
 * Where the server finds a run's artifacts. A root on the local file system (a path or `file:`
 * URI, as mlrecipe's stores record) is read in place. A proxied root — `mlflow-artifacts:/…`, or
 * an http(s) URL through `/api/2.0/mlflow-artifacts/artifacts/…`, what MLflow 2.x servers hand
 * out by default — lives under the server's `--artifacts-destination` directory, and only when
 * the server serves artifacts (MLflow's `_is_servable_proxied_run_artifact_root`).
 */
import { join } from 'node:path';
import { StoreError } from '../../errors.js';
import {
  type ArtifactRepository,
  artifactRepositoryForUri,
  LocalArtifactRepository,
  normaliseArtifactPath,
} from '../../tracking/index.js';

export interface ArtifactAccessOptions {
  /** `--serve-artifacts` (default on, as in MLflow 2.x). */
  serveArtifacts: boolean;
  /** Absolute directory behind `mlflow-artifacts:` URIs (`--artifacts-destination`). */
  destination: string;
}

const PROXY_ANCHOR = '/api/2.0/mlflow-artifacts/artifacts/';

export class ArtifactAccess {
  readonly serveArtifacts: boolean;
  readonly destination: string;

  constructor(options: ArtifactAccessOptions) {
    this.serveArtifacts = options.serveArtifacts;
    this.destination = options.destination;
  }

  /** The repository behind the proxy's own paths (`/mlflow-artifacts/artifacts/<path>`). */
  proxyRepository(): LocalArtifactRepository {
    return new LocalArtifactRepository(this.destination);
  }

  /**
   * What lists the artifacts under `rootUri`: an `s3://` root is listed in the bucket (MLflow's
   * server does the same with the credentials it runs with), any other as repositoryForRoot.
   */
  listingRepositoryForRoot(rootUri: string): ArtifactRepository {
    if (/^s3:/i.test(rootUri)) return artifactRepositoryForUri(rootUri);
    return this.repositoryForRoot(rootUri);
  }

  /** The repository holding the artifacts under `rootUri` (a run's artifact_uri or a model source). */
  repositoryForRoot(rootUri: string): LocalArtifactRepository {
    const proxiedPath = proxiedRootPath(rootUri);
    if (proxiedPath !== undefined) {
      if (!this.serveArtifacts) {
        throw new StoreError(
          'INVALID_PARAMETER_VALUE',
          `artifact root "${rootUri}" is served by an artifact proxy, and this server runs with --no-serve-artifacts`,
          { hint: 'start the server with --serve-artifacts (the default) and --artifacts-destination' },
        );
      }
      return new LocalArtifactRepository(
        join(this.destination, ...splitPath(normaliseArtifactPath(proxiedPath))),
      );
    }
    return new LocalArtifactRepository(rootUri);
  }
}

/** The path inside the proxy's destination a proxied root names, or undefined for other roots. */
export function proxiedRootPath(rootUri: string): string | undefined {
  if (/^mlflow-artifacts:/i.test(rootUri)) {
    const rest = rootUri.slice('mlflow-artifacts:'.length);
    // mlflow-artifacts://host:port/path carries a netloc; mlflow-artifacts:/path does not.
    const path = rest.startsWith('//') ? rest.slice(2).replace(/^[^/]*/, '') : rest;
    return decodeURIComponent(path.replace(/^\/+/, ''));
  }
  if (/^https?:\/\//i.test(rootUri)) {
    const url = new URL(rootUri);
    const at = url.pathname.indexOf(PROXY_ANCHOR);
    if (at >= 0) return decodeURIComponent(url.pathname.slice(at + PROXY_ANCHOR.length));
  }
  return undefined;
}

function splitPath(path: string): string[] {
  return path === '' ? [] : path.split('/');
}
