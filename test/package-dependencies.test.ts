// Every runtime dependency in package.json is used by the code that ships (src/, schema/, scripts
// the package runs): an unused one only costs install time and audit noise.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return files(path);
    return /\.(ts|mts|js|mjs)$/.test(entry.name) ? [path] : [];
  });
}

describe('package.json dependencies', () => {
  it('each one is imported or resolved somewhere in src/', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    const text = files(join(root, 'src'))
      .map((file) => readFileSync(file, 'utf8'))
      .join('\n');
    const unused = Object.keys(pkg.dependencies).filter((name) => {
      const quoted = name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
      // import … from 'name' / 'name/sub', import('name'), require('name'), import.meta.resolve('name').
      return !new RegExp(`['"]${quoted}(/[^'"]*)?['"]`).test(text);
    });
    expect(unused).toEqual([]);
  });
});
