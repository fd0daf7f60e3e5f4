import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { serveModel } from '../../src/server/serve.js';
import { saveCarsModel } from './served-model-fixture.js';

let work: string;
let modelDir: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'mlrecipe-serve-'));
  modelDir = saveCarsModel(work);
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('serveModel', () => {
  it('listens on a free port, answers, and closes (no connection afterwards)', async () => {
    const handle = await serveModel({ modelUri: `file://${modelDir}`, port: 0 });
    expect(handle.url).toBe(`http://127.0.0.1:${handle.port}`);
    expect(handle.modelDir).toBe(modelDir);
    expect((await fetch(`${handle.url}/health`)).status).toBe(200);
    await handle.close();
    await handle.closed;
    await expect(fetch(`${handle.url}/health`)).rejects.toThrow();
  });

  it.each([
    [{ port: 70000 }, /--port must be a whole number from 0 to 65535/],
    [{ workers: 0 }, /--workers must be a whole number from 1 to 256/],
  ])('rejects %o before loading the model', async (options, message) => {
    const attempt = serveModel({ modelUri: join(work, 'missing'), ...options });
    await expect(attempt).rejects.toBeInstanceOf(UsageError);
    await expect(attempt).rejects.toThrow(message);
  });
});
