/**
 * YAML text → its JavaScript value, remembered by content in the recipe's state directory
 * (`.recipe/parsed/<sha256>.json`). Parsing recipe.yaml and the profile with `yaml` is a fixed
 * cost of every command that loads a recipe (tens of milliseconds of a cached `recipe run`,
 * most of it the parser's first, unoptimised run); the result is a pure function of the text, so
 * an unchanged file is read back as JSON instead.
 *
 * Only values JSON keeps exactly are remembered (no `.inf`/`.nan`, no -0, plain objects and
 * arrays), and only for documents without errors: everything else is parsed every time. The
 * source positions used in error messages are not cached: whoever needs them parses the text
 * again, which only happens when there is an error to point at.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../atomic-write.js';
import { sha256 } from './fingerprint.js';

type YamlPackage = typeof import('yaml');
let yamlPackage: YamlPackage | undefined;

/**
 * The `yaml` package, required on first use (as recipes/validate.ts requires ajv): with the
 * parsed value remembered here, a recipe whose files did not change is loaded without it, and
 * only a changed file or an error to point at (source positions) needs the parser.
 */
export function yamlParser(): YamlPackage {
  yamlPackage ??= createRequire(import.meta.url)('yaml') as YamlPackage;
  return yamlPackage;
}

/** Part of the key: bump it when what is stored for a text changes (parse options, shape). */
const FORMAT = 'yaml-to-js/1 core uniqueKeys';

function entryPath(stateDir: string, text: string): string {
  return join(stateDir, 'parsed', `${sha256(`${FORMAT}\n${text}`)}.json`);
}

/** The remembered value of `text`, or undefined when there is none (or it cannot be read). */
export function cachedYamlValue(stateDir: string, text: string): { value: unknown } | undefined {
  let stored: string;
  try {
    stored = readFileSync(entryPath(stateDir, text), 'utf8');
  } catch {
    return undefined;
  }
  try {
    return { value: JSON.parse(stored) as unknown };
  } catch {
    return undefined; // a damaged entry: parse the YAML instead (and the entry is rewritten)
  }
}

/** Remembers `value` as the parse of `text` when JSON keeps it exactly; best effort. */
export function rememberYamlValue(stateDir: string, text: string, value: unknown): void {
  if (!isExactJson(value)) return;
  const path = entryPath(stateDir, text);
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileAtomic(path, JSON.stringify(value));
  } catch {
    // Only an optimisation (e.g. a read-only checkout): parse again next time.
  }
}

/** Whether JSON.parse(JSON.stringify(value)) gives back an equal value. */
export function isExactJson(value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value) && !Object.is(value, -0);
  if (Array.isArray(value)) return value.every(isExactJson);
  if (typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return false;
  return Object.entries(value).every(([key, item]) => key !== '__proto__' && isExactJson(item));
}
