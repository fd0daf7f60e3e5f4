/**
 * Profiles: `profiles/<name>.yaml` supplies the values of `{{ NAME }}` placeholders in recipe.yaml,
 * as MLflow Recipes does with Jinja2 (mlflow/recipes/utils: render_and_merge_yaml). We render on
 * the text, before YAML parsing, because a placeholder may stand for a whole mapping
 * (`ingest: {{ INGEST_CONFIG }}`). Every substitution is a single line (mappings and lists are
 * written as JSON flow collections, which YAML accepts), so line numbers in the rendered text
 * equal those in recipe.yaml; columns are mapped back through the recorded substitutions.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Document, LineCounter } from 'yaml';
import { ConfigError, type ConfigIssue } from '../errors.js';
import { displayPath } from '../display-path.js';
import { renderJinja, usesJinja } from './jinja.js';
import { cachedYamlValue, rememberYamlValue, yamlParser } from './yaml-cache.js';

export const PROFILE_DIR = 'profiles';

export interface LoadedProfile {
  name: string;
  /** Absolute path of the profile file; undefined when the recipe has no profiles at all. */
  file?: string;
  values: Record<string, unknown>;
  /** The parsed file with source positions (parsed on first call: only errors need it). */
  source?: () => ParsedYaml;
}

/** A YAML document with the line counter that maps its offsets to lines and columns. */
export interface ParsedYaml {
  doc: Document.Parsed;
  lineCounter: LineCounter;
}

/** Parses YAML as recipes and profiles are read: duplicate keys are errors. */
export function parseRecipeYaml(text: string): ParsedYaml {
  const { LineCounter: Counter, parseDocument } = yamlParser();
  const lineCounter = new Counter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  return { doc, lineCounter };
}

/** `parse`, called once on first use. */
export function once<T>(parse: () => T): () => T {
  let parsed: { value: T } | undefined;
  return () => (parsed ??= { value: parse() }).value;
}

/** Profile names (file names without `.yaml`/`.yml`) in `<recipeDir>/profiles/`, sorted. */
export function listProfiles(recipeDir: string): string[] {
  const dir = join(recipeDir, PROFILE_DIR);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
    .map((f) => f.replace(/\.ya?ml$/, ''))
    .sort();
}

/**
 * Reads `profiles/<name>.yaml`. A missing profile is a ConfigError listing the profiles that exist.
 * When the recipe has no `profiles/` folder and the caller did not ask for a profile explicitly,
 * the recipe is used as is (no placeholders can be filled).
 */
export function readProfile(options: {
  recipeDir: string;
  name: string;
  explicit: boolean;
  /** Where parsed YAML is remembered (see yaml-cache.ts); none → always parse. */
  stateDir?: string;
}): LoadedProfile {
  const { recipeDir, name, explicit, stateDir } = options;
  const candidates = ['.yaml', '.yml'].map((ext) => join(recipeDir, PROFILE_DIR, `${name}${ext}`));
  const file = candidates.find((f) => existsSync(f));
  if (file === undefined) {
    const available = listProfiles(recipeDir);
    if (available.length === 0 && !explicit) return { name, values: {} };
    if (!/^[A-Za-z0-9_.-]+$/.test(name) || name.includes('..')) {
      throw new ConfigError([
        {
          file: displayPath(join(recipeDir, PROFILE_DIR)),
          line: 0,
          column: 0,
          path: '',
          message: `invalid profile name "${name}"`,
          hint: 'a profile is a file name in profiles/ without .yaml',
        },
      ]);
    }
    throw new ConfigError([
      {
        file: displayPath(candidates[0] ?? name),
        line: 0,
        column: 0,
        path: '',
        message: `profile "${name}" does not exist`,
        hint:
          available.length > 0
            ? `profiles in ${PROFILE_DIR}/: ${available.join(', ')}`
            : `create ${PROFILE_DIR}/${name}.yaml or run without --profile`,
      },
    ]);
  }
  const raw = readFileSync(file, 'utf8');
  // MLflow renders the profile through Jinja first, with no variables (for `from_json` and tags).
  const text = usesJinja(raw)
    ? renderJinja({
        text: raw,
        values: {},
        file: displayPath(file),
        baseDir: recipeDir,
        undefinedHint: (variable) =>
          `a profile is rendered without variables: define ${variable} with {% set %} or remove it`,
      }).text
    : raw;
  const source = once(() => parseRecipeYaml(text));
  const cached = stateDir ? cachedYamlValue(stateDir, text) : undefined;
  const values = cached ? cached.value : parseProfileValues(file, source(), stateDir, text);
  if (values === null || values === undefined) return { name, file, values: {}, source };
  if (typeof values !== 'object' || Array.isArray(values)) {
    throw new ConfigError([
      {
        file: displayPath(file),
        line: 1,
        column: 1,
        path: '',
        message: 'a profile must be a mapping of NAME: value',
        hint: 'write one `NAME: value` per line, e.g. `TARGET: price`',
      },
    ]);
  }
  return { name, file, values: values as Record<string, unknown>, source };
}

/** A parsed profile's value; its syntax errors as one ConfigError. Remembers a good parse. */
function parseProfileValues(
  file: string,
  { doc, lineCounter }: ParsedYaml,
  stateDir: string | undefined,
  text: string,
): unknown {
  const issues: ConfigIssue[] = doc.errors.map((e) => {
    const pos = lineCounter.linePos(e.pos[0]);
    return {
      file: displayPath(file),
      line: pos.line,
      column: pos.col,
      path: '',
      message: firstLine(e.message),
      hint: yamlSyntaxHint(e.code),
    };
  });
  if (issues.length > 0) throw new ConfigError(issues);
  const values = doc.toJS() as unknown;
  if (stateDir) rememberYamlValue(stateDir, text, values);
  return values;
}

export interface Substitution {
  /** 1-based line (the same in the template and the rendered text). */
  line: number;
  /** 1-based columns in the template: the placeholder spans [templateStart, templateEnd). */
  templateStart: number;
  templateEnd: number;
  /** 1-based columns in the rendered text. */
  renderedStart: number;
  renderedEnd: number;
  name: string;
}

/**
 * Where rendered positions come from: the placeholder substitutions (line-preserving), plus, for
 * a text rendered through Jinja (jinja.ts), the template line of each rendered line.
 */
export type PositionMap = readonly Substitution[] & { readonly sourceLines?: readonly number[] };

export interface RenderResult {
  text: string;
  substitutions: PositionMap;
  /** Placeholder names that were used. */
  used: Set<string>;
  /** Undefined placeholders (one issue each). */
  issues: ConfigIssue[];
}

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/** How a profile value is written into the template: scalars raw (as Jinja does), collections as JSON flow. */
export function renderValue(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return value.includes('\n') ? JSON.stringify(value) : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) return value.toISOString();
  return JSON.stringify(value);
}

/**
 * Replaces `{{ NAME }}` / `{{NAME}}` in `text` with the profile's values. Comment lines are left
 * alone so that a commented-out placeholder does not demand a value.
 */
export function renderPlaceholders(options: {
  text: string;
  values: Record<string, unknown>;
  templateFile: string;
  profileFile?: string;
  profileName: string;
}): RenderResult {
  const { text, values, templateFile, profileFile, profileName } = options;
  const substitutions: Substitution[] = [];
  const used = new Set<string>();
  const issues: ConfigIssue[] = [];
  const lines = text.split('\n');
  const out = lines.map((lineText, index) => {
    if (lineText.trimStart().startsWith('#') || !lineText.includes('{{')) return lineText;
    let rendered = '';
    let last = 0;
    for (const match of lineText.matchAll(PLACEHOLDER)) {
      const name = match[1] ?? '';
      const start = match.index ?? 0;
      rendered += lineText.slice(last, start);
      last = start + match[0].length;
      if (!Object.hasOwn(values, name)) {
        issues.push({
          file: templateFile,
          line: index + 1,
          column: start + 1,
          path: '',
          message: `placeholder {{ ${name} }} is not defined in profile "${profileName}"`,
          hint: profileFile
            ? `add ${name}: <value> to ${profileFile}`
            : `create profiles/${profileName}.yaml with ${name}: <value>`,
        });
        rendered += match[0];
        continue;
      }
      used.add(name);
      const value = renderValue(values[name]);
      substitutions.push({
        line: index + 1,
        templateStart: start + 1,
        templateEnd: start + match[0].length + 1,
        renderedStart: rendered.length + 1,
        renderedEnd: rendered.length + value.length + 1,
        name,
      });
      rendered += value;
    }
    return rendered + lineText.slice(last);
  });
  return { text: out.join('\n'), substitutions, used, issues };
}

/**
 * Maps a 1-based (line, column) of the rendered text back to recipe.yaml. A position inside a
 * substituted value maps to the placeholder's start and names the placeholder.
 */
export function mapRenderedPosition(
  substitutions: PositionMap,
  line: number,
  column: number,
): { line: number; column: number; placeholder?: Substitution } {
  // Jinja-rendered: lines map through the markers; columns are the rendered line's.
  if (substitutions.sourceLines) return { line: substitutions.sourceLines[line - 1] ?? line, column };
  let delta = 0;
  for (const sub of substitutions) {
    if (sub.line !== line) continue;
    if (column >= sub.renderedEnd) {
      delta += sub.templateEnd - sub.templateStart - (sub.renderedEnd - sub.renderedStart);
    } else if (column >= sub.renderedStart) {
      return { line, column: sub.templateStart, placeholder: sub };
    }
  }
  return { line, column: column + delta };
}

/** What to do about a YAML syntax error, by the `yaml` package's error code. */
export function yamlSyntaxHint(code: string): string {
  switch (code) {
    case 'DUPLICATE_KEY':
      return 'a key may appear once per mapping: keep one of the two';
    case 'TAB_AS_INDENT':
      return 'indent with spaces, not tabs';
    case 'BAD_INDENT':
    case 'MISSING_CHAR':
    case 'UNEXPECTED_TOKEN':
      return 'check the indentation and close every [ { and quote opened before this point';
    case 'MULTIPLE_DOCS':
      return 'keep one YAML document per file (remove the `---` separator)';
    default:
      return 'check the YAML syntax at this point (indentation, quotes, brackets, `key: value`)';
  }
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}
