/**
 * One declaration of the recipe's shape: schema/recipe.schema.json. The TypeScript types the
 * engine and the steps use (src/steps/recipe-config.ts) are generated from it, and the committed
 * file must be exactly what the schema gives, so the two cannot drift apart again.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const script = fileURLToPath(new URL('../../scripts/recipe-config-types.mjs', import.meta.url));
const schema = fileURLToPath(new URL('../../schema/recipe.schema.json', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'mlrecipe-config-types-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function check(args: string[]): Promise<{ code: number; stderr: string }> {
  try {
    const { stderr } = await run(process.execPath, [script, '--check', ...args]);
    return { code: 0, stderr };
  } catch (error) {
    const e = error as { code: number; stderr: string };
    return { code: e.code, stderr: e.stderr };
  }
}

describe('recipe config types', () => {
  it('src/steps/recipe-config.ts is what schema/recipe.schema.json gives', async () => {
    const result = await check([]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  it('a schema field the types do not have is caught, with what to run', async () => {
    const changed = JSON.parse(readFileSync(schema, 'utf8')) as {
      properties: { steps: { properties: { transform: { properties: Record<string, unknown> } } } };
    };
    changed.properties.steps.properties.transform.properties.new_field = { type: 'string' };
    const file = join(dir, 'recipe.schema.json');
    writeFileSync(file, JSON.stringify(changed));
    const result = await check(['--schema', file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('hint: run `npm run gen:config-types`');
  });
});
