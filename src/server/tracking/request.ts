/**
 * Reading an MLflow REST request: the arguments come from the query string (GET, as MLflow's
 * clients send them) or from a JSON body (everything else), are checked against the endpoint's
 * JSON Schema with ajv, and every failure becomes MLflow's error body with MLflow's status.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type MlflowErrorCode, StoreError } from '../../errors.js';

/** An endpoint's request schema: an object schema with `properties` (and maybe `required`). */
export interface RequestSchema {
  type: 'object';
  properties: Record<string, JsonSchema>;
  required?: string[];
}

export type JsonSchema = Record<string, unknown>;

/**
 * MLflow's status for each error code (mlflow/exceptions.py ERROR_CODE_TO_HTTP_STATUS, 2.12).
 * Note INVALID_STATE is a 500 there, and RESOURCE_ALREADY_EXISTS a 400.
 */
export function httpStatusForErrorCode(code: string): number {
  switch (code) {
    case 'INTERNAL_ERROR':
    case 'INVALID_STATE':
    case 'DATA_LOSS':
      return 500;
    case 'NOT_IMPLEMENTED':
      return 501;
    case 'TEMPORARILY_UNAVAILABLE':
      return 503;
    case 'REQUEST_LIMIT_EXCEEDED':
    case 'RESOURCE_EXHAUSTED':
      return 429;
    case 'ABORTED':
    case 'RESOURCE_CONFLICT':
    case 'ALREADY_EXISTS':
      return 409;
    case 'NOT_FOUND':
    case 'ENDPOINT_NOT_FOUND':
    case 'RESOURCE_DOES_NOT_EXIST':
      return 404;
    case 'PERMISSION_DENIED':
      return 403;
    case 'UNAUTHENTICATED':
    case 'CUSTOMER_UNAUTHORIZED':
      return 401;
    case 'BAD_REQUEST':
    case 'RESOURCE_ALREADY_EXISTS':
    case 'INVALID_PARAMETER_VALUE':
    case 'MALFORMED_REQUEST':
      return 400;
    default:
      return 500;
  }
}

/** Sends MLflow's error body `{"error_code", "message"}` with the status MLflow uses for it. */
export function sendMlflowError(
  reply: FastifyReply,
  code: MlflowErrorCode | string,
  message: string,
  status: number = httpStatusForErrorCode(code),
): FastifyReply {
  return reply
    .code(status)
    .type('application/json')
    .send(JSON.stringify({ error_code: code, message }));
}

/** Turns any error thrown by a handler into MLflow's error response. */
export function sendErrorFor(reply: FastifyReply, error: unknown): FastifyReply {
  if (error instanceof StoreError) {
    // The hint goes on a line of its own, as the CLI prints it; mlrecipe's REST client splits it
    // back off into StoreError.hint.
    const message = error.hint ? `${error.message}\nhint: ${error.hint}` : error.message;
    return sendMlflowError(reply, error.mlflowErrorCode, message);
  }
  const message = error instanceof Error ? error.message : String(error);
  return sendMlflowError(reply, 'INTERNAL_ERROR', message);
}

const ajv = new Ajv({ allErrors: false, strict: true, allowUnionTypes: true });
const compiled = new WeakMap<RequestSchema, ValidateFunction>();

function validatorFor(schema: RequestSchema): ValidateFunction {
  let validate = compiled.get(schema);
  if (validate === undefined) {
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  return validate;
}

/**
 * Parses a query string the way MLflow's server reads GET arguments: a repeated key gives a list,
 * and `key[]=v` / `key[0]=v` (what some HTTP clients write for lists) mean `key`. Fields the
 * schema declares as arrays are lists even when given once.
 */
export function parseQueryArguments(rawQuery: string, schema: RequestSchema): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [rawKey, value] of new URLSearchParams(rawQuery)) {
    const key = rawKey.replace(/\[\d*\]$/, '');
    const previous = out[key];
    if (previous === undefined) out[key] = value;
    else if (Array.isArray(previous)) previous.push(value);
    else out[key] = [previous, value];
  }
  for (const [key, property] of Object.entries(schema.properties)) {
    const value = out[key];
    if (value !== undefined && !Array.isArray(value) && property.type === 'array') out[key] = [value];
  }
  return out;
}

/** A malformed request: answered 400 INVALID_PARAMETER_VALUE (or the given code). */
export function invalidParameter(
  message: string,
  code: MlflowErrorCode = 'INVALID_PARAMETER_VALUE',
): StoreError {
  return new StoreError(code, message);
}

const API_DOCS_HINT = 'see the MLflow REST API documentation for the request parameters';

/**
 * The request's arguments as an object checked against `schema`. GET requests with a query
 * string read it; others read the JSON body (empty means `{}`; a body that is itself a JSON
 * string is decoded again, as MLflow does for old clients). POST and PUT must say
 * `Content-Type: application/json` — which also keeps a plain HTML form on another site from
 * posting to the API without a CORS preflight.
 */
export function readArguments(request: FastifyRequest, schema: RequestSchema): Record<string, unknown> {
  const queryStart = request.url.indexOf('?');
  const rawQuery = queryStart >= 0 ? request.url.slice(queryStart + 1) : '';
  const body = typeof request.body === 'string' ? request.body : '';
  let args: unknown;
  if ((request.method === 'GET' || body.trim() === '') && rawQuery !== '') {
    args = parseQueryArguments(rawQuery, schema);
  } else {
    if (request.method === 'POST' || request.method === 'PUT') checkJsonContentType(request);
    args = parseJsonBody(body);
  }
  if (args === null || typeof args !== 'object' || Array.isArray(args)) {
    throw invalidParameter('the request body must be a JSON object', 'MALFORMED_REQUEST');
  }
  const record = args as Record<string, unknown>;
  // MLflow accepts the deprecated run_uuid wherever run_id is expected.
  if (record.run_id === undefined && typeof record.run_uuid === 'string' && 'run_id' in schema.properties) {
    record.run_id = record.run_uuid;
  }
  const validate = validatorFor(schema);
  if (!validate(record)) throw invalidParameter(describeSchemaError(validate.errors?.[0], record));
  return record;
}

function checkJsonContentType(request: FastifyRequest): void {
  const header = request.headers['content-type'];
  if (header === undefined) {
    throw invalidParameter('Bad Request: the Content-Type header is missing; send application/json');
  }
  const media = header.split(';', 1)[0]?.trim().toLowerCase();
  if (media !== 'application/json') {
    throw invalidParameter(`Bad Request: Content-Type must be application/json, not "${media}"`);
  }
}

function parseJsonBody(body: string): unknown {
  if (body.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
    if (typeof parsed === 'string') parsed = JSON.parse(parsed);
  } catch (error) {
    throw invalidParameter(
      `the request body is not valid JSON: ${(error as Error).message}`,
      'MALFORMED_REQUEST',
    );
  }
  return parsed;
}

/** One readable sentence naming the parameter (with its path inside lists) and what is wrong. */
function describeSchemaError(error: ErrorObject | undefined, args: Record<string, unknown>): string {
  if (error === undefined) return `invalid request (${API_DOCS_HINT})`;
  const segments = error.instancePath.split('/').slice(1);
  let name = '';
  for (const segment of segments)
    name += /^\d+$/.test(segment) ? `[${segment}]` : name ? `.${segment}` : segment;
  if (error.keyword === 'required') {
    const missing = (error.params as { missingProperty: string }).missingProperty;
    return `Missing value for required parameter '${name ? `${name}.` : ''}${missing}' (${API_DOCS_HINT})`;
  }
  if (error.keyword === 'minLength' && (error.params as { limit: number }).limit === 1) {
    return `Missing value for required parameter '${name}' (${API_DOCS_HINT})`;
  }
  const value = valueAt(args, segments);
  const type = value === null ? 'null' : Array.isArray(value) ? 'list' : typeof value;
  const rule =
    error.keyword === 'enum'
      ? `; allowed: ${(error.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`
      : error.message
        ? `; it ${error.message}`
        : '';
  return `Invalid value ${JSON.stringify(value)} for parameter '${name}' supplied (a ${type}${rule}; ${API_DOCS_HINT})`;
}

function valueAt(root: unknown, segments: string[]): unknown {
  let current = root;
  for (const segment of segments) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}
