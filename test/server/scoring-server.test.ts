import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LoadedModel, loadModel, mlrecipeVersion } from '../../src/models/index.js';
import { createScoringServer } from '../../src/server/scoring-server.js';
import { carsRows, penguinRows } from '../steps/model-recipe-fixture.js';
import { csvText, pickColumns, saveCarsModel, savePenguinsModel } from './served-model-fixture.js';

const run = promisify(execFile);
const CLI = resolve(import.meta.dirname, '../../dist/cli/main.js');

interface Served {
  model: LoadedModel;
  app: FastifyInstance;
  url: string;
  columns: string[];
  rows: Record<string, unknown>[];
  /** `recipe models predict` on the same rows, as a child process. */
  batch: unknown[];
}

let work: string;
let cars: Served;
let penguins: Served;
const MAX_BODY = 64 * 1024;

async function serve(modelDir: string, rows: Record<string, unknown>[], name: string): Promise<Served> {
  const model = await loadModel(modelDir);
  const columns = model.signature.inputs.map((s) => s.name as string);
  const picked = pickColumns(rows, columns);
  const csvPath = join(work, `${name}.csv`);
  writeFileSync(csvPath, csvText(picked, columns));
  const { stdout } = await run(process.execPath, [CLI, 'models', 'predict', '-m', modelDir, '-i', csvPath]);
  const batch = (JSON.parse(stdout) as { predictions: unknown[] }).predictions;
  const app = createScoringServer({ model, maxBodyBytes: MAX_BODY });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('not listening');
  return { model, app, url: `http://127.0.0.1:${address.port}`, columns, rows: picked, batch };
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'mlrecipe-scoring-'));
  // Rows with missing values (Horsepower, Sex, measurements) and every category.
  cars = await serve(saveCarsModel(work), carsRows().slice(0, 40), 'cars');
  penguins = await serve(
    savePenguinsModel(work),
    penguinRows().filter((_, i) => i % 7 === 3),
    'penguins',
  );
});

afterAll(async () => {
  await cars?.app.close();
  await penguins?.app.close();
  rmSync(work, { recursive: true, force: true });
});

async function invoke(
  served: Served,
  body: string,
  contentType = 'application/json',
): Promise<{ status: number; json: unknown }> {
  const response = await fetch(`${served.url}/invocations`, {
    method: 'POST',
    // Bytes (not a string) so that fetch adds no content type of its own when none is given.
    headers: contentType ? { 'content-type': contentType } : {},
    body: new TextEncoder().encode(body),
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : undefined };
}

function bodies(served: Served): Record<string, [string, string]> {
  const { columns, rows } = served;
  const data = rows.map((r) => columns.map((c) => r[c]));
  return {
    dataframe_split: [
      JSON.stringify({ dataframe_split: { columns, data, index: rows.map((_, i) => i) } }),
      'application/json',
    ],
    dataframe_records: [JSON.stringify({ dataframe_records: rows }), 'application/json'],
    'instances (records)': [JSON.stringify({ instances: rows }), 'application/json'],
    'instances (lists)': [JSON.stringify({ instances: data }), 'application/json'],
    'inputs (columns)': [
      JSON.stringify({ inputs: Object.fromEntries(columns.map((c) => [c, rows.map((r) => r[c])])) }),
      'application/json; charset=utf-8',
    ],
    'inputs (records)': [JSON.stringify({ inputs: rows }), 'application/json'],
    csv: [csvText(rows, columns), 'text/csv'],
    // Excel's way: a BOM, CRLF line ends, every field quoted, and a blank line at the end.
    'csv (BOM, CRLF, quoted)': [
      `\uFEFF${[columns, ...rows.map((r) => columns.map((c) => r[c] ?? ''))]
        .map((cells) => cells.map((v) => `"${String(v).replaceAll('"', '""')}"`).join(','))
        .join('\r\n')}\r\n\r\n`,
      'text/csv; charset=utf-8',
    ],
  };
}

describe.each([
  ['regression (cars)', () => cars],
  ['classification (penguins)', () => penguins],
])('POST /invocations, %s', (_name, served) => {
  it('answers every JSON format and CSV with the predictions of `recipe models predict`', async () => {
    const s = served();
    expect(s.batch.length).toBe(s.rows.length);
    for (const [format, [body, type]] of Object.entries(bodies(s))) {
      const { status, json } = await invoke(s, body, type);
      expect({ format, status }).toEqual({ format, status: 200 });
      expect({ format, json }).toEqual({ format, json: { predictions: s.batch } });
    }
  });

  it('scores a single row as batch scoring scores it', async () => {
    const s = served();
    for (const i of [0, s.rows.length - 1]) {
      const { json } = await invoke(s, JSON.stringify({ dataframe_records: [s.rows[i]] }));
      expect(json).toEqual({ predictions: [s.batch[i]] });
    }
  });
});

describe("errors in MLflow's shape, and the server keeps serving", () => {
  const good = () => JSON.stringify({ dataframe_records: cars.rows.slice(0, 2) });

  it.each([
    [
      'malformed JSON',
      '{"dataframe_split": {"columns": [',
      'application/json',
      400,
      'BAD_REQUEST',
      /not valid JSON/,
    ],
    [
      'an unknown format key',
      '{"records": []}',
      'application/json',
      400,
      'BAD_REQUEST',
      /names no input format/,
    ],
    [
      'a missing column',
      JSON.stringify({ dataframe_split: { columns: ['Cylinders'], data: [[4]] } }),
      'application/json',
      400,
      'BAD_REQUEST',
      /missing required columns? .*"Displacement"/,
    ],
    [
      'a wrong type',
      JSON.stringify({ dataframe_records: [{ ...carsRows()[0], Weight_in_lbs: 'heavy' }] }),
      'application/json',
      400,
      'BAD_REQUEST',
      /column "Weight_in_lbs": expected \w+, got string/,
    ],
    [
      'a ragged CSV',
      'Cylinders,Displacement\n4,100,7\n',
      'text/csv',
      400,
      'BAD_REQUEST',
      /CSV body cannot be parsed: request body:2: row has 3 fields but the header has 2 \(extra field after column "Displacement"\)/,
    ],
    ['an unsupported content type', 'x', 'text/plain', 415, 'BAD_REQUEST', /application\/json or text\/csv/],
    ['no content type', '{"inputs": {}}', '', 415, 'BAD_REQUEST', /not a request without one/],
    ['an empty CSV body', '', 'text/csv', 400, 'BAD_REQUEST', /CSV body is empty/],
  ])('%s', async (_name, body, type, status, code, message) => {
    const answer = await invoke(cars, body, type);
    expect(answer.status).toBe(status);
    const json = answer.json as { error_code: string; message: string };
    expect(json.error_code).toBe(code);
    expect(json.message).toMatch(message);
    const next = await invoke(cars, good());
    expect(next).toEqual({ status: 200, json: { predictions: cars.batch.slice(0, 2) } });
  });

  it('an oversized body gets 413', async () => {
    const rows = Array.from({ length: 2000 }, () => cars.rows[0]);
    const body = JSON.stringify({ dataframe_records: rows });
    expect(body.length).toBeGreaterThan(MAX_BODY);
    const answer = await invoke(cars, body);
    expect(answer.status).toBe(413);
    expect((answer.json as { error_code: string }).error_code).toBe('INVALID_PARAMETER_VALUE');
    expect(await invoke(cars, good())).toEqual({
      status: 200,
      json: { predictions: cars.batch.slice(0, 2) },
    });
  });

  it('an unknown endpoint gets 404 ENDPOINT_NOT_FOUND', async () => {
    const response = await fetch(`${cars.url}/predict`);
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error_code: string }).error_code).toBe('ENDPOINT_NOT_FOUND');
  });
});

describe('health and version', () => {
  it('/ping and /health answer 200, /version the mlrecipe version', async () => {
    for (const path of ['/ping', '/health']) {
      const response = await fetch(`${cars.url}${path}`);
      expect({ path, status: response.status }).toEqual({ path, status: 200 });
    }
    const version = await fetch(`${cars.url}/version`);
    expect(version.status).toBe(200);
    expect(await version.text()).toBe(mlrecipeVersion());
  });
});

describe('the direct node:http path for POST /invocations (application/json)', () => {
  it('answers exactly what the fastify route answers, for good and bad bodies alike', async () => {
    const { columns, rows } = cars;
    const data = rows.map((r) => columns.map((c) => r[c]));
    const cases = [
      JSON.stringify({ dataframe_split: { columns, data } }),
      JSON.stringify({ dataframe_records: rows.slice(0, 1) }),
      JSON.stringify({ inputs: rows.slice(0, 3) }),
      JSON.stringify({ dataframe_records: [] }),
      '{"dataframe_split": {"columns": ["nope"], "data": [[1]]}}',
      '{"dataframe_split": ',
      '',
      '[1, 2]',
      JSON.stringify({ instances: [{ ...rows[0], [columns[0] as string]: 'not a number' }] }),
    ];
    for (const body of cases) {
      // Over the socket: taken by the direct path (exact content type, a Content-Length).
      const response = await fetch(`${cars.url}/invocations`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: new TextEncoder().encode(body),
      });
      // inject() never goes through the socket server: fastify's route and error handler.
      const injected = await cars.app.inject({
        method: 'POST',
        url: '/invocations',
        headers: { 'content-type': 'application/json' },
        payload: body,
      });
      expect({ body, status: response.status, text: await response.text() }).toEqual({
        body,
        status: injected.statusCode,
        text: injected.body,
      });
      expect(response.headers.get('content-type')).toBe(injected.headers['content-type']);
    }
  });

  it('leaves a body over the limit to fastify: 413 in MLflow error shape', async () => {
    const response = await fetch(`${cars.url}/invocations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: new TextEncoder().encode(`{"inputs": "${'x'.repeat(MAX_BODY)}"}`),
    });
    expect(response.status).toBe(413);
    expect(((await response.json()) as { error_code: string }).error_code).toBe('INVALID_PARAMETER_VALUE');
  });
});
