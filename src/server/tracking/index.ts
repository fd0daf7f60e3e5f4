/**
 * The tracking server: MLflow's REST API 2.0 and artifact proxy over mlrecipe's stores.
 */
export { buildTrackingApp, DEFAULT_ALLOWED_HOSTS, type TrackingAppOptions } from './app.js';
export { ArtifactAccess, type ArtifactAccessOptions, proxiedRootPath } from './artifact-access.js';
export { BasicAuth, hashPassword, loadAuthFile, type PermissionName, verifyPassword } from './auth.js';
export { toProtoJson } from './proto-json.js';
export {
  defaultAllowedHosts,
  startTrackingServer,
  type TrackingServerHandle,
  type TrackingServerOptions,
} from './start.js';
