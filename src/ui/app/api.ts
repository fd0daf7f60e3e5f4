/**
 * Calls the tracking server's REST API under `/ajax-api/2.0/mlflow/` (the prefix MLflow's own UI
 * uses) and turns MLflow's error body (`error_code`, `message`) into an `ApiError`.
 */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

type Query = Record<string, string | number | boolean | string[] | undefined>;

function queryString(params: Query): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) search.append(key, v);
    else search.append(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

async function send<T>(url: string, init: RequestInit): Promise<T> {
  const response = await fetch(url, {
    ...init,
    headers: { 'Content-Type': 'application/json', ...init.headers },
  });
  const text = await response.text();
  let body: unknown = {};
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      body = { message: text };
    }
  }
  if (!response.ok) {
    const error = body as { error_code?: string; message?: string };
    throw new ApiError(
      response.status,
      error.error_code ?? 'INTERNAL_ERROR',
      error.message ?? response.statusText,
    );
  }
  return body as T;
}

const BASE = '/ajax-api/2.0/mlflow/';

export function get<T>(endpoint: string, params: Query = {}): Promise<T> {
  return send<T>(`${BASE}${endpoint}${queryString(params)}`, { method: 'GET' });
}

export function post<T>(endpoint: string, body: object): Promise<T> {
  return send<T>(`${BASE}${endpoint}`, { method: 'POST', body: JSON.stringify(body) });
}

export function patch<T>(endpoint: string, body: object): Promise<T> {
  return send<T>(`${BASE}${endpoint}`, { method: 'PATCH', body: JSON.stringify(body) });
}

export function del<T>(endpoint: string, body: object): Promise<T> {
  return send<T>(`${BASE}${endpoint}`, { method: 'DELETE', body: JSON.stringify(body) });
}

/** The URL that downloads one artifact of a run (MLflow's `get-artifact` route). */
export function artifactUrl(runId: string, path: string): string {
  return `/get-artifact${queryString({ path, run_uuid: runId })}`;
}

/** Fetches an artifact's bytes as text (for previews). */
export async function artifactText(runId: string, path: string): Promise<string> {
  const response = await fetch(artifactUrl(runId, path));
  if (!response.ok)
    throw new ApiError(response.status, 'RESOURCE_DOES_NOT_EXIST', `cannot read artifact ${path}`);
  return response.text();
}
