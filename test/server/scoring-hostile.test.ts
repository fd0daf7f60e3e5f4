/**
 * Hostile and odd requests against a real scoring server on 127.0.0.1:0: every error answer is
 * MLflow's `{"error_code", "message"}` body — including the ones Node's HTTP parser produces
 * before fastify sees the request — and the server keeps serving.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../src/models/index.js';
import { createScoringServer } from '../../src/server/scoring-server.js';
import { carsRows } from '../steps/model-recipe-fixture.js';
import { pickColumns, saveCarsModel } from './served-model-fixture.js';

let work: string;
let app: FastifyInstance;
let port: number;
let row: Record<string, unknown>;
let numericColumn: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'mlrecipe-hostile-'));
  const model = await loadModel(saveCarsModel(work));
  const columns = model.signature.inputs.map((s) => s.name as string);
  row = pickColumns(carsRows().slice(0, 1), columns)[0] as Record<string, unknown>;
  numericColumn = model.signature.inputs.find((s) => s.type === 'long' || s.type === 'double')
    ?.name as string;
  // A short timeout so that the slow-body case ends quickly.
  app = createScoringServer({ model, requestTimeoutMs: 400 });
  await app.listen({ host: '127.0.0.1', port: 0 });
  port = (app.server.address() as { port: number }).port;
});

afterAll(async () => {
  await app?.close();
  rmSync(work, { recursive: true, force: true });
});

interface RawAnswer {
  status: number;
  headers: string;
  body: string;
}

/** Sends raw bytes, optionally more later, and resolves with what the server answered once it closes. */
function raw(chunks: string[]): Promise<RawAnswer> {
  return new Promise((done, fail) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    socket.on('data', (d) => {
      text += d.toString('utf8');
    });
    socket.on('error', fail);
    socket.on('close', () => {
      const [head = '', body = ''] = text.split('\r\n\r\n', 2);
      done({ status: Number(/^HTTP\/1\.1 (\d+)/.exec(head)?.[1]), headers: head, body });
    });
    for (const chunk of chunks) socket.write(chunk);
  });
}

async function invoke(
  body: string,
  contentType = 'application/json',
): Promise<{ status: number; json: unknown }> {
  const response = await fetch(`http://127.0.0.1:${port}/invocations`, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body,
  });
  return { status: response.status, json: await response.json() };
}

function expectMlflowError(json: unknown, code: string, message: RegExp): void {
  expect(Object.keys(json as object).sort()).toEqual(['error_code', 'message']);
  expect((json as { error_code: string }).error_code).toBe(code);
  expect((json as { message: string }).message).toMatch(message);
}

async function stillServes(): Promise<void> {
  const answer = await invoke(JSON.stringify({ dataframe_records: [row] }));
  expect(answer.status).toBe(200);
  expect((answer.json as { predictions: number[] }).predictions).toHaveLength(1);
}

describe('errors from the HTTP layer come in MLflow shape', () => {
  it('431 for headers beyond 16 KiB', async () => {
    const answer = await raw([
      `POST /invocations HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: ${'a'.repeat(20_000)}\r\nContent-Length: 2\r\n\r\n{}`,
    ]);
    expect(answer.status).toBe(431);
    expect(answer.headers).toMatch(/content-type: application\/json/i);
    expectMlflowError(JSON.parse(answer.body), 'BAD_REQUEST', /headers are larger than the server accepts/);
    await stillServes();
  });

  it('400 BAD_REQUEST for bytes that are not HTTP', async () => {
    const answer = await raw(['NOT HTTP AT ALL\r\n\r\n']);
    expect(answer.status).toBe(400);
    expectMlflowError(JSON.parse(answer.body), 'BAD_REQUEST', /not valid HTTP/);
    await stillServes();
  });

  it('a body that arrives slower than the request timeout gets 408 and the connection is dropped', async () => {
    // Headers promise 100 bytes; 10 arrive, then nothing: the server must not wait forever.
    const answer = await raw([
      'POST /invocations HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n',
      '{"datafram',
    ]);
    expect(answer.status).toBe(408);
    expectMlflowError(JSON.parse(answer.body), 'BAD_REQUEST', /did not arrive in full within/);
    await stillServes();
  });
});

describe('payload checks', () => {
  it('a boolean in a numeric column is a 400 naming the column', async () => {
    const answer = await invoke(JSON.stringify({ dataframe_records: [{ ...row, [numericColumn]: true }] }));
    expect(answer.status).toBe(400);
    expectMlflowError(
      answer.json,
      'BAD_REQUEST',
      new RegExp(
        `column "${numericColumn}" holds the boolean true, but the model's signature says (long|double)`,
      ),
    );
    const split = await invoke(
      JSON.stringify({ dataframe_split: { columns: [numericColumn], data: [[false]] } }),
    );
    expect(split.status).toBe(400);
    await stillServes();
  });

  it('a charset other than UTF-8 is a 400; utf-8 (any case) is accepted', async () => {
    const body = JSON.stringify({ dataframe_records: [row] });
    const latin1 = await invoke(body, 'application/json; charset=ISO-8859-1');
    expect(latin1.status).toBe(400);
    expectMlflowError(latin1.json, 'BAD_REQUEST', /only supports UTF-8 bodies, not charset=iso-8859-1/);
    const csv = await invoke('a\n1\n', 'text/csv; charset=utf-16');
    expect(csv.status).toBe(400);
    expect((await invoke(body, 'application/json; charset=UTF-8')).status).toBe(200);
  });

  it('{"dataframe_records": []} answers {"predictions": []}', async () => {
    expect(await invoke('{"dataframe_records": []}')).toEqual({ status: 200, json: { predictions: [] } });
    expect(await invoke(JSON.stringify({ dataframe_split: { columns: [numericColumn], data: [] } }))).toEqual(
      {
        status: 200,
        json: { predictions: [] },
      },
    );
  });
});
