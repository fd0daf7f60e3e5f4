/**
 * CI must run the PostgreSQL suites: under `CI=true` a missing or unreachable
 * RECIPE_TEST_POSTGRES_URL fails the test run (test/global-setup.ts) instead of letting every
 * PostgreSQL suite skip, which would turn CI green without testing PostgreSQL at all. Outside CI
 * the suites still skip with a notice when the variable is not set.
 */
import pg from 'pg';

/** True when the environment says it is CI (`CI=true`, as GitHub Actions and .ci/run set it). */
export function isCi(env: NodeJS.ProcessEnv): boolean {
  const value = env.CI?.toLowerCase();
  return value !== undefined && value !== '' && value !== 'false' && value !== '0';
}

/**
 * Why the PostgreSQL suites cannot run under CI, or undefined when they can (or when this is not
 * CI). Connects once with a short timeout, so an unreachable server fails in seconds.
 */
export async function postgresProblemForCi(env: NodeJS.ProcessEnv): Promise<string | undefined> {
  if (!isCi(env)) return undefined;
  const url = env.RECIPE_TEST_POSTGRES_URL;
  if (url === undefined || url === '') {
    return 'CI=true but RECIPE_TEST_POSTGRES_URL is not set, so the PostgreSQL suites would be skipped; set it to a reachable test database (.ci/run starts one)';
  }
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    const reason = error instanceof Error ? error.message || error.name : String(error);
    return `CI=true but PostgreSQL at RECIPE_TEST_POSTGRES_URL (${redact(url)}) is not reachable: ${reason}`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(not a URL)';
  }
}
