/**
 * What one REST endpoint is: its MLflow path (without the `/api/2.0` or `/ajax-api/2.0` prefix),
 * method, request schema, the permission basic auth asks of the caller, and the handler that turns
 * validated arguments into the response object.
 */
import type { FastifyRequest } from 'fastify';
import type { ModelRegistryStore } from '../../registry/index.js';
import type { Tag, TrackingStore } from '../../tracking/index.js';
import type { ArtifactAccess } from './artifact-access.js';
import type { RequestSchema } from './request.js';

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT';

export type Args = Record<string, unknown>;

export interface HandlerContext {
  store: TrackingStore;
  registry: ModelRegistryStore;
  artifacts: ArtifactAccess;
  request: FastifyRequest;
  /** The authenticated user when basic auth is on. */
  username?: string;
}

/**
 * Which resource an endpoint touches and how, for basic auth's per-resource permissions
 * (MLflow's auth app: READ to read, EDIT to write, MANAGE to delete or change permissions).
 */
export type PermissionNeed =
  | {
      resource: 'experiment';
      from: 'experiment_id' | 'run_id' | 'experiment_name';
      level: 'read' | 'update' | 'delete';
    }
  | { resource: 'model'; from: 'name'; level: 'read' | 'update' | 'delete' }
  | { resource: 'none' }
  | { resource: 'create' };

export interface Endpoint {
  method: HttpMethod;
  /** e.g. `/mlflow/experiments/create` */
  path: string;
  schema: RequestSchema;
  permission: PermissionNeed;
  handle(args: Args, ctx: HandlerContext): Promise<object>;
}

/** Validated string argument (the schema has checked its type). */
export function str(args: Args, key: string): string | undefined {
  const value = args[key];
  return typeof value === 'string' ? value : undefined;
}

export function required(args: Args, key: string): string {
  return args[key] as string;
}

/** Validated int64 argument (number or decimal string). */
export function int(args: Args, key: string): number | undefined {
  const value = args[key];
  if (value === undefined) return undefined;
  return typeof value === 'number' ? value : Number(value);
}

export function strings(args: Args, key: string): string[] | undefined {
  const value = args[key];
  return Array.isArray(value) ? value.map((each) => String(each)) : undefined;
}

/** A validated list of `{key, value}` tags (a missing value is MLflow's empty string). */
export function tagsOf(args: Args, key = 'tags'): Tag[] {
  const list = args[key] as Array<{ key: string; value?: string }> | undefined;
  return (list ?? []).map((each) => ({ key: each.key, value: each.value ?? '' }));
}
