import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { isCi, postgresProblemForCi } from './helpers/postgres-ci.js';

/** A port on 127.0.0.1 that nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('PostgreSQL suites under CI', () => {
  it('outside CI a missing database only skips them', async () => {
    expect(isCi({})).toBe(false);
    expect(isCi({ CI: 'false' })).toBe(false);
    expect(await postgresProblemForCi({})).toBeUndefined();
  });

  it('under CI=true a missing RECIPE_TEST_POSTGRES_URL fails the run', async () => {
    expect(await postgresProblemForCi({ CI: 'true' })).toMatch(/RECIPE_TEST_POSTGRES_URL is not set/);
  });

  it('under CI=true an unreachable server fails the run, naming the URL without its password', async () => {
    const url = `postgresql://postgres:secret@127.0.0.1:${await closedPort()}/mlrecipe_test`;
    const problem = await postgresProblemForCi({ CI: 'true', RECIPE_TEST_POSTGRES_URL: url });
    expect(problem).toMatch(/is not reachable: .*ECONNREFUSED/);
    expect(problem).toContain('127.0.0.1');
    expect(problem).not.toContain('secret');
  });

  it.runIf(process.env.RECIPE_TEST_POSTGRES_URL)('under CI=true a reachable server passes', async () => {
    expect(
      await postgresProblemForCi({
        CI: 'true',
        RECIPE_TEST_POSTGRES_URL: process.env.RECIPE_TEST_POSTGRES_URL,
      }),
    ).toBeUndefined();
  });
});
