/**
 * Validation of a resolved recipe: the JSON Schema in `schema/recipe.schema.json` (ajv, all errors
 * at once) plus what a schema cannot say — ratios that must sum to 1 and `*_method` functions that
 * must exist in the recipe's `steps/` modules. Each problem becomes one ConfigIssue pointing at the
 * offending node.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Ajv as AjvClass, ErrorObject, ValidateFunction } from 'ajv';
import type { ConfigIssue, SourcePosition } from '../errors.js';
import { findUserModule, scanUserModuleExports, USER_MODULE_EXTENSIONS } from '../steps/user-module.js';
import { canonicalJson, sha256 } from './fingerprint.js';

export type ConfigPath = readonly (string | number)[];

/** Finds where a field of the resolved config is written. `key: true` points at the key itself. */
export type Locator = (path: ConfigPath, options?: { key?: boolean }) => SourcePosition & { hint?: string };

let compiled: ValidateFunction | undefined;
let schemaText: string | undefined;

function readSchemaText(): string {
  schemaText ??= readFileSync(new URL('../../schema/recipe.schema.json', import.meta.url), 'utf8');
  return schemaText;
}

/** The recipe JSON Schema as shipped in the package's `schema/` folder. */
export function recipeSchema(): Record<string, unknown> {
  return JSON.parse(readSchemaText()) as Record<string, unknown>;
}

function validator(): ValidateFunction {
  if (!compiled) {
    // Loaded on first use: loading ajv and compiling the schema costs about as much as the rest of
    // a cached `recipe run`, so a config that already passed is not checked again (see below).
    const { Ajv } = createRequire(import.meta.url)('ajv') as { Ajv: typeof AjvClass };
    const ajv = new Ajv({ allErrors: true, verbose: true, allowUnionTypes: true, strict: true });
    compiled = ajv.compile(recipeSchema());
  }
  return compiled;
}

/**
 * A file whose existence records that this exact config passed this exact schema. Schema
 * validation is a pure function of the two, so its result can be reused.
 */
function schemaCheckedMarker(stateDir: string, config: Record<string, unknown>): string {
  return join(stateDir, 'validated', sha256(`${readSchemaText()}\n${canonicalJson(config)}`));
}

export function validateRecipeConfig(options: {
  config: Record<string, unknown>;
  locate: Locator;
  recipeDir: string;
  /** Where to remember configs that passed the schema (`<recipeDir>/.recipe`); none → always check. */
  stateDir?: string;
}): ConfigIssue[] {
  const { config, locate, recipeDir } = options;
  const marker = options.stateDir ? schemaCheckedMarker(options.stateDir, config) : undefined;
  const issues: ConfigIssue[] = [];
  if (!marker || !existsSync(marker)) {
    const validate = validator();
    if (!validate(config)) issues.push(...schemaIssues(validate.errors ?? [], locate));
    else if (marker) {
      try {
        mkdirSync(dirname(marker), { recursive: true });
        writeFileSync(marker, '');
      } catch {
        // Only an optimisation (e.g. a read-only checkout): validate again next time.
      }
    }
  }
  // Semantic checks only make sense on a structurally valid recipe.
  if (issues.length === 0) issues.push(...semanticIssues(config, locate, recipeDir));
  // Report in reading order: file, then line, then column.
  return issues.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
}

function pathOf(instancePath: string): (string | number)[] {
  if (instancePath === '') return [];
  return instancePath
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function dotted(path: ConfigPath): string {
  return path
    .map((s) => (typeof s === 'number' ? `[${s}]` : s))
    .join('.')
    .replace(/\.\[/g, '[');
}

function issueAt(
  locate: Locator,
  path: ConfigPath,
  message: string,
  hint?: string,
  key = false,
): ConfigIssue {
  const pos = locate(path, { key });
  const hints = [hint, pos.hint].filter((h): h is string => Boolean(h));
  return {
    file: pos.file,
    line: pos.line,
    column: pos.column,
    path: dotted(path),
    message,
    hint: hints.length > 0 ? hints.join('; ') : undefined,
  };
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the string "${value}"`;
  return `${typeof value} ${String(value)}`;
}

function schemaIssues(errors: ErrorObject[], locate: Locator): ConfigIssue[] {
  // A failed oneOf reports every branch's error too; keep only the oneOf summary.
  const oneOfPaths = errors.filter((e) => e.keyword === 'oneOf').map((e) => e.schemaPath);
  const relevant = errors.filter((e) => !oneOfPaths.some((p) => e.schemaPath.startsWith(`${p}/`)));
  // `nam:` instead of `name:` is one typo, not also a missing field: drop a "required" error when
  // an unknown sibling key is its did-you-mean.
  const typoFor = new Set<string>();
  for (const e of relevant) {
    if (e.keyword !== 'additionalProperties') continue;
    const allowed = Object.keys((e.parentSchema?.properties as Record<string, unknown> | undefined) ?? {});
    const suggestion = didYouMean(
      String((e.params as { additionalProperty: string }).additionalProperty),
      allowed,
    );
    if (suggestion) typoFor.add(`${e.instancePath}/${suggestion}`);
  }
  const issues: ConfigIssue[] = [];
  const seen = new Set<string>();
  for (const error of relevant) {
    if (
      error.keyword === 'required' &&
      typoFor.has(`${error.instancePath}/${(error.params as { missingProperty: string }).missingProperty}`)
    ) {
      continue;
    }
    const path = pathOf(error.instancePath);
    let issue: ConfigIssue;
    switch (error.keyword) {
      case 'additionalProperties': {
        const name = String((error.params as { additionalProperty: string }).additionalProperty);
        const allowed = Object.keys(
          (error.parentSchema?.properties as Record<string, unknown> | undefined) ?? {},
        );
        const suggestion = didYouMean(name, allowed);
        issue = issueAt(
          locate,
          [...path, name],
          `unknown field "${name}"`,
          suggestion
            ? `did you mean \`${suggestion}\`?`
            : allowed.length > 0
              ? `expected one of: ${allowed.join(', ')}`
              : undefined,
          true,
        );
        break;
      }
      case 'required': {
        const name = String((error.params as { missingProperty: string }).missingProperty);
        issue = issueAt(locate, path, `missing required field "${name}"`, undefined, true);
        issue.path = dotted([...path, name]);
        break;
      }
      case 'enum': {
        const allowed = ((error.params as { allowedValues: unknown[] }).allowedValues ?? []).map(String);
        const suggestion = typeof error.data === 'string' ? didYouMean(error.data, allowed) : undefined;
        issue = issueAt(
          locate,
          path,
          `expected one of ${allowed.map((a) => `"${a}"`).join(', ')}, got ${describeType(error.data)}`,
          suggestion ? `did you mean \`${suggestion}\`?` : undefined,
        );
        break;
      }
      case 'type': {
        const expected = String((error.params as { type: string | string[] }).type).replace(/,/g, ' or ');
        issue = issueAt(locate, path, `expected ${expected}, got ${describeType(error.data)}`);
        break;
      }
      case 'oneOf': {
        const branches = ((error.schema as Array<{ type?: string }>) ?? []).map((b) =>
          b.type === 'array' ? 'a list' : (b.type ?? 'value'),
        );
        issue = issueAt(locate, path, `expected ${branches.join(' or ')}, got ${describeType(error.data)}`);
        break;
      }
      default:
        issue = issueAt(locate, path, `expected a value that ${error.message ?? 'matches the schema'}`);
    }
    const id = `${issue.path}|${issue.message}`;
    if (seen.has(id)) continue;
    seen.add(id);
    issues.push(issue);
  }
  return issues;
}

/** The closest allowed name when it is close enough to be a typo. */
export function didYouMean(name: string, allowed: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of allowed) {
    const d = levenshtein(name.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = candidate;
    }
  }
  const limit = Math.max(2, Math.floor(name.length / 3));
  return best !== undefined && bestDistance <= limit ? best : undefined;
}

export function levenshtein(a: string, b: string): number {
  if (a === b) return 0;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** Which user module (`steps/<module>.*`) holds the function a config field names. */
const METHOD_MODULES: ReadonlyArray<{ path: ConfigPath; module: string }> = [
  { path: ['steps', 'ingest', 'loader_method'], module: 'ingest' },
  { path: ['steps', 'split', 'split_method'], module: 'split' },
  { path: ['steps', 'split', 'post_split_filter_method'], module: 'split' },
  { path: ['steps', 'transform', 'transformer_method'], module: 'transform' },
  { path: ['steps', 'train', 'estimator_method'], module: 'train' },
  // MLflow Recipes loads the scoring loader from steps/ingest.py as well.
  { path: ['steps', 'ingest_scoring', 'loader_method'], module: 'ingest' },
];

const CUSTOM_REQUIRES: ReadonlyArray<{ step: string; field: string }> = [
  { step: 'ingest', field: 'loader_method' },
  { step: 'ingest_scoring', field: 'loader_method' },
  { step: 'split', field: 'split_method' },
  { step: 'transform', field: 'transformer_method' },
  { step: 'train', field: 'estimator_method' },
];

/** Fields of an ingest section that only `using: project` reads (src/projects/project-step.ts). */
const PROJECT_ONLY_FIELDS = ['uri', 'entry_point', 'parameters', 'version', 'format', 'output'];

function getIn(value: unknown, path: ConfigPath): unknown {
  let node = value;
  for (const segment of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[segment];
  }
  return node;
}

function semanticIssues(config: Record<string, unknown>, locate: Locator, recipeDir: string): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const ratios = getIn(config, ['steps', 'split', 'split_ratios']);
  if (Array.isArray(ratios)) {
    const sum = ratios.reduce((a: number, b) => a + Number(b), 0);
    if (Math.abs(sum - 1) > 1e-9) {
      issues.push(
        issueAt(
          locate,
          ['steps', 'split', 'split_ratios'],
          `split ratios must sum to 1, these sum to ${Number(sum.toFixed(12))}`,
          'give [train, validation, test] fractions such as [0.75, 0.125, 0.125]',
        ),
      );
    }
  }
  for (const step of ['ingest', 'ingest_scoring']) {
    const project = getIn(config, ['steps', step, 'using']) === 'project';
    for (const field of project ? ['uri', 'output'] : []) {
      if (getIn(config, ['steps', step, field]) !== undefined) continue;
      issues.push(
        issueAt(
          locate,
          ['steps', step, 'using'],
          `using: project needs ${field}`,
          field === 'uri'
            ? 'a project directory such as ./etl (relative to the recipe directory) or a git URI'
            : 'name the output the command writes to $RECIPE_OUTPUTS_FILE, e.g. output: dataset',
        ),
      );
    }
    const misplaced = project ? ['location', 'loader_method'] : PROJECT_ONLY_FIELDS;
    for (const field of misplaced) {
      if (getIn(config, ['steps', step, field]) === undefined) continue;
      issues.push(
        issueAt(
          locate,
          ['steps', step, field],
          project ? `${field} is not used with using: project` : `${field} applies to using: project only`,
          project
            ? 'the project writes the data; name its output with `output:`'
            : 'remove it, or set `using: project` to run an MLproject entry point',
          true,
        ),
      );
    }
  }
  for (const { step, field } of CUSTOM_REQUIRES) {
    if (
      getIn(config, ['steps', step, 'using']) === 'custom' &&
      getIn(config, ['steps', step, field]) === undefined
    ) {
      issues.push(
        issueAt(
          locate,
          ['steps', step, 'using'],
          `using: custom needs ${field}`,
          `name a function exported by steps/${step === 'ingest_scoring' ? 'ingest' : step}.ts`,
        ),
      );
    }
  }
  const references: Array<{ path: ConfigPath; module: string; name: string }> = [];
  for (const { path, module } of METHOD_MODULES) {
    const name = getIn(config, path);
    if (typeof name === 'string') references.push({ path, module, name });
  }
  const metrics = config.custom_metrics;
  if (Array.isArray(metrics)) {
    metrics.forEach((m, i) => {
      const fn = (m as { function?: unknown }).function;
      if (typeof fn === 'string')
        references.push({ path: ['custom_metrics', i, 'function'], module: 'custom_metrics', name: fn });
    });
  }
  for (const ref of references) {
    const file = findUserModule({ recipeDir, module: ref.module });
    if (file === undefined) {
      issues.push(
        issueAt(
          locate,
          ref.path,
          `function "${ref.name}" needs the module steps/${ref.module}.ts, which does not exist`,
          `create steps/${ref.module}.ts (or ${USER_MODULE_EXTENSIONS.filter((e) => e !== '.ts').join('/')}) exporting ${ref.name}`,
        ),
      );
      continue;
    }
    const exported = scanUserModuleExports(file);
    if (exported !== 'unknown' && !exported.has(ref.name)) {
      const suggestion = didYouMean(ref.name, [...exported]);
      issues.push(
        issueAt(
          locate,
          ref.path,
          `steps/${ref.module}${file.slice(file.lastIndexOf('.'))} does not export a function "${ref.name}"`,
          suggestion
            ? `did you mean \`${suggestion}\`?`
            : exported.size > 0
              ? `it exports: ${[...exported].join(', ')}`
              : `add \`export function ${ref.name}(...)\``,
        ),
      );
    }
  }
  return issues;
}
