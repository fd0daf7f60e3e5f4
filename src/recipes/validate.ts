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
import { catalogNames, ESTIMATOR_CATALOG, paramTypesOf } from '../ml/estimator-catalog.js';
import {
  ALL_BUILTIN_METRIC_DIRECTIONS,
  BUILTIN_METRIC_DIRECTIONS,
  type MetricProblemType,
} from '../ml/metrics/directions.js';
import {
  locateUserFunction,
  scanPythonDefinitions,
  scanUserModuleExports,
  USER_MODULE_EXTENSIONS,
} from '../steps/user-module.js';
import { canonicalJson, sha256 } from './fingerprint.js';
import { isDatabricksUri, mlflowFieldRefusal, mlflowValueRefusal } from './mlflow-refusals.js';
import { tuningIssues } from './validate-tuning.js';

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
        const refusal = mlflowFieldRefusal(path, name);
        if (refusal) {
          issue = issueAt(locate, [...path, name], refusal.message, refusal.hint, true);
          break;
        }
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
        issue = issueAt(
          locate,
          path,
          `missing required field "${name}"`,
          `add \`${name}:\` ${path.length > 0 ? `under ${dotted(path)}` : 'at the top level'}`,
          true,
        );
        issue.path = dotted([...path, name]);
        break;
      }
      case 'enum': {
        const allowed = ((error.params as { allowedValues: unknown[] }).allowedValues ?? []).map(String);
        const suggestion = typeof error.data === 'string' ? didYouMean(error.data, allowed) : undefined;
        const refusal = mlflowValueRefusal(path, error.data);
        if (refusal) {
          issue = issueAt(locate, path, refusal.message, refusal.hint);
          break;
        }
        issue = issueAt(
          locate,
          path,
          `expected one of ${allowed.map((a) => `"${a}"`).join(', ')}, got ${describeType(error.data)}`,
          suggestion ? `did you mean \`${suggestion}\`?` : `use one of: ${allowed.join(', ')}`,
        );
        break;
      }
      case 'type': {
        const expected = String((error.params as { type: string | string[] }).type).replace(/,/g, ' or ');
        issue = issueAt(
          locate,
          path,
          `expected ${expected}, got ${describeType(error.data)}`,
          `write ${article(expected)} here${error.data === null ? ' (an empty value is null)' : ''}`,
        );
        break;
      }
      case 'oneOf': {
        const branches = ((error.schema as Array<{ type?: string }>) ?? []).map((b) =>
          b.type === 'array' ? 'a list' : (b.type ?? 'value'),
        );
        issue = issueAt(
          locate,
          path,
          `expected ${branches.join(' or ')}, got ${describeType(error.data)}`,
          `write ${branches.map(article).join(' or ')} here`,
        );
        break;
      }
      default:
        issue = issueAt(
          locate,
          path,
          `expected a value that ${error.message ?? 'matches the schema'}`,
          limitHint(error),
        );
    }
    const id = `${issue.path}|${issue.message}`;
    if (seen.has(id)) continue;
    seen.add(id);
    issues.push(issue);
  }
  return issues;
}

function article(type: string): string {
  if (type === 'a list' || type === 'value') return type === 'value' ? 'a value' : type;
  if (type === 'object') return 'a mapping';
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

/** What to write instead, for the schema's range and size keywords. */
function limitHint(error: ErrorObject): string {
  const params = error.params as { limit?: number };
  switch (error.keyword) {
    case 'minimum':
      return `use a number ≥ ${params.limit}`;
    case 'maximum':
      return `use a number ≤ ${params.limit}`;
    case 'minItems':
    case 'maxItems':
      return error.instancePath.endsWith('split_ratios')
        ? 'give three fractions [train, validation, test], e.g. [0.75, 0.125, 0.125]'
        : `give ${error.keyword === 'minItems' ? 'at least' : 'at most'} ${params.limit} item${params.limit === 1 ? '' : 's'}`;
    case 'minLength':
      return 'give a non-empty value, or remove the field for its default';
    default:
      return 'see schema/recipe.schema.json for what this field takes';
  }
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

function problemTypeOf(config: Record<string, unknown>): MetricProblemType {
  return config.recipe === 'classification/v1' ? 'classification' : 'regression';
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function typeOfParam(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'list';
  return typeof value;
}

/**
 * `estimator: {name, params}` against the estimator catalog: a known name of the recipe's kind
 * (regressor or classifier), parameters it takes (a typo would otherwise train silently with the
 * default) and values of the default's type. Value ranges are the estimator's own business: the
 * train step reports those, with the field's position.
 */
function estimatorIssues(config: Record<string, unknown>, locate: Locator): ConfigIssue[] {
  const train = getIn(config, ['steps', 'train']);
  if (!isMapping(train) || train.using === 'custom') return [];
  const issues: ConfigIssue[] = [];
  const kind = problemTypeOf(config) === 'regression' ? 'regressor' : 'classifier';
  const names = catalogNames(kind);
  const estimator = train.estimator;
  const name = isMapping(estimator) && typeof estimator.name === 'string' ? estimator.name : undefined;
  if (name !== undefined) {
    const spec = ESTIMATOR_CATALOG[name];
    if (!spec || spec.kind !== kind) {
      const suggestion = didYouMean(name, names);
      issues.push(
        issueAt(
          locate,
          ['steps', 'train', 'estimator', 'name'],
          spec
            ? `estimator "${name}" is a ${spec.kind}, but a ${config.recipe} recipe needs a ${kind}`
            : `unknown estimator "${name}"`,
          suggestion ? `did you mean \`${suggestion}\`?` : `use one of: ${names.join(', ')}`,
        ),
      );
      return issues;
    }
  }
  const spec = ESTIMATOR_CATALOG[name ?? DEFAULT_ESTIMATOR[kind]];
  const fromEstimator = isMapping(estimator) && estimator.params !== undefined;
  const paramsPath: ConfigPath = fromEstimator
    ? ['steps', 'train', 'estimator', 'params']
    : ['steps', 'train', 'estimator_params'];
  const params = getIn(config, paramsPath);
  if (!spec || !isMapping(params)) return issues;
  const known = Object.keys(spec.params);
  for (const [param, value] of Object.entries(params)) {
    if (!Object.hasOwn(spec.params, param)) {
      const suggestion = didYouMean(param, known);
      issues.push(
        issueAt(
          locate,
          [...paramsPath, param],
          `estimator "${name ?? DEFAULT_ESTIMATOR[kind]}" has no parameter "${param}"`,
          suggestion
            ? `did you mean \`${suggestion}\`?`
            : known.length > 0
              ? `its parameters are ${known.join(', ')}`
              : 'it takes no parameters: remove them',
          true,
        ),
      );
      continue;
    }
    const fallback = spec.params[param];
    // null means "none" for any parameter (scikit-learn's None); a null default (max_depth,
    // random_state) otherwise takes a number; some take several types (max_features).
    const expected: readonly string[] = paramTypesOf(spec, param);
    const actual = typeOfParam(value);
    if (!expected.includes(actual) && actual !== 'null') {
      const wanted = expected.map((t) => `a ${t}`).join(' or ');
      issues.push(
        issueAt(
          locate,
          [...paramsPath, param],
          `expected ${fallback === null && expected.length === 1 ? `${wanted} or null` : wanted} for ${param}, got ${describeType(value)}`,
          `the default is ${JSON.stringify(fallback)}`,
        ),
      );
    }
  }
  return issues;
}

/** Short names people type for MLflow's metric names (suggested, never accepted: MLflow does not). */
const METRIC_ALIASES: Readonly<Record<string, string>> = {
  rmse: 'root_mean_squared_error',
  mse: 'mean_squared_error',
  mae: 'mean_absolute_error',
  mape: 'mean_absolute_percentage_error',
  r2: 'r2_score',
  f1: 'f1_score',
  accuracy: 'accuracy_score',
  precision: 'precision_score',
  recall: 'recall_score',
  auc: 'roc_auc',
};

/** The estimator the train step uses when the recipe names none (src/steps/train.ts). */
const DEFAULT_ESTIMATOR = { regressor: 'linear_regression', classifier: 'logistic_regression' } as const;

/**
 * `primary_metric`, `validation_criteria` and `custom_metrics` against the metrics of the recipe's
 * problem type (MLflow Recipes refuses an unknown primary metric too, but only when the step that
 * uses it runs).
 */
function metricIssues(config: Record<string, unknown>, locate: Locator): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const problemType = problemTypeOf(config);
  const builtin = Object.keys(BUILTIN_METRIC_DIRECTIONS[problemType]);
  const custom: string[] = [];
  const metrics = config.custom_metrics;
  if (Array.isArray(metrics)) {
    const seen = new Set<string>();
    metrics.forEach((metric, i) => {
      const name = isMapping(metric) ? metric.name : undefined;
      if (typeof name !== 'string') return;
      if (Object.hasOwn(ALL_BUILTIN_METRIC_DIRECTIONS, name)) {
        issues.push(
          issueAt(
            locate,
            ['custom_metrics', i, 'name'],
            `"${name}" is a built-in metric`,
            'give the custom metric a name of its own, e.g. my_' + name,
          ),
        );
      } else if (seen.has(name)) {
        issues.push(
          issueAt(
            locate,
            ['custom_metrics', i, 'name'],
            `custom metric "${name}" is defined twice`,
            'rename or remove one of the two',
          ),
        );
      }
      seen.add(name);
      custom.push(name);
    });
  }
  const allowed = [...builtin, ...custom];
  const other = problemType === 'regression' ? 'classification' : 'regression';
  const unknown = (name: string): string => {
    if (Object.hasOwn(BUILTIN_METRIC_DIRECTIONS[other], name)) {
      return `${name} is a ${other} metric; a ${problemType} recipe has ${builtin.join(', ')}`;
    }
    const suggestion = didYouMean(name, [...allowed, ...Object.keys(METRIC_ALIASES)]);
    const full = suggestion === undefined ? undefined : (METRIC_ALIASES[suggestion] ?? suggestion);
    return full !== undefined && allowed.includes(full)
      ? `did you mean \`${full}\`?`
      : `a ${problemType} recipe has ${builtin.join(', ')}${custom.length > 0 ? `, and the custom metrics ${custom.join(', ')}` : ''}`;
  };
  const primary = config.primary_metric;
  if (typeof primary === 'string' && !allowed.includes(primary)) {
    issues.push(
      issueAt(
        locate,
        ['primary_metric'],
        `unknown metric "${primary}" for a ${problemType} recipe`,
        unknown(primary),
      ),
    );
  }
  const criteria = getIn(config, ['steps', 'evaluate', 'validation_criteria']);
  if (Array.isArray(criteria)) {
    criteria.forEach((criterion, i) => {
      const metric = isMapping(criterion) ? criterion.metric : undefined;
      if (typeof metric !== 'string' || allowed.includes(metric)) return;
      issues.push(
        issueAt(
          locate,
          ['steps', 'evaluate', 'validation_criteria', i, 'metric'],
          `unknown metric "${metric}" for a ${problemType} recipe`,
          unknown(metric),
        ),
      );
    });
  }
  return issues;
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
    } else if (ratios[0] === 0) {
      issues.push(
        issueAt(
          locate,
          ['steps', 'split', 'split_ratios', 0],
          'the train ratio is 0: there would be nothing to train on',
          'give the training split most of the rows, e.g. [0.75, 0.125, 0.125]',
        ),
      );
    }
  }
  for (const step of ['ingest', 'ingest_scoring']) {
    const using = getIn(config, ['steps', step, 'using']);
    if (typeof using !== 'string' || using === 'custom' || using === 'project') continue;
    if (getIn(config, ['steps', step, 'location']) !== undefined) continue;
    issues.push(
      issueAt(
        locate,
        ['steps', step, 'using'],
        `using: ${using} needs a location`,
        'add `location:` with a path, a list of paths or a glob such as data/*.csv (relative to the recipe directory)',
      ),
    );
  }
  issues.push(...mlflowSemanticIssues(config, locate));
  if (getIn(config, ['steps', 'predict', 'save_mode']) === 'append') {
    issues.push(
      issueAt(
        locate,
        ['steps', 'predict', 'save_mode'],
        'save_mode: append is not supported for files',
        'use overwrite, ignore or error',
      ),
    );
  }
  issues.push(...estimatorIssues(config, locate), ...metricIssues(config, locate));
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
          `name a function defined in steps/${step === 'ingest_scoring' ? 'ingest' : step}.py (or exported by steps/${step === 'ingest_scoring' ? 'ingest' : step}.ts)`,
        ),
      );
    }
  }
  issues.push(
    ...tuningIssues({
      config,
      recipeDir,
      issueAt: (path, message, hint, key) => issueAt(locate, path, message, hint, key),
      didYouMean,
    }),
  );
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
    const location = locateUserFunction({ recipeDir, module: ref.module, name: ref.name });
    if (location === undefined) {
      issues.push(
        issueAt(
          locate,
          ref.path,
          `function "${ref.name}" needs the module steps/${ref.module}.py or steps/${ref.module}.ts, and neither exists`,
          `create steps/${ref.module}.py defining ${ref.name} (or steps/${ref.module}.ts, ${USER_MODULE_EXTENSIONS.filter((e) => e !== '.ts').join('/')}, exporting it)`,
        ),
      );
      continue;
    }
    if (location.language === 'python') {
      if (location.defined) continue;
      const defined = [...scanPythonDefinitions(location.file)];
      const suggestion = didYouMean(ref.name, defined);
      issues.push(
        issueAt(
          locate,
          ref.path,
          `steps/${ref.module}.py does not define a function "${ref.name}"`,
          suggestion
            ? `did you mean \`${suggestion}\`?`
            : defined.length > 0
              ? `it defines: ${defined.join(', ')}`
              : `add \`def ${ref.name}(...):\``,
        ),
      );
      continue;
    }
    const file = location.file;
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
  issues.push(...mixingIssues(config, recipeDir, locate));
  return issues;
}

/**
 * A scikit-learn transformer (steps/transform.py) with an mlrecipe estimator, or the reverse, is
 * refused before any step runs: the model must be one sklearn Pipeline that MLflow's pyfunc loads
 * (so mlrecipe's own transformers, written in TypeScript, cannot be part of it), and mlrecipe's
 * estimators take the typed-array features that only mlrecipe's transformers make.
 */
function mixingIssues(config: Record<string, unknown>, recipeDir: string, locate: Locator): ConfigIssue[] {
  const pythonMethod = (step: 'transform' | 'train', field: string): boolean => {
    const name = getIn(config, ['steps', step, field]);
    if (getIn(config, ['steps', step, 'using']) !== 'custom' || typeof name !== 'string') return false;
    return locateUserFunction({ recipeDir, module: step, name })?.language === 'python';
  };
  const transformPython = pythonMethod('transform', 'transformer_method');
  const trainPython = pythonMethod('train', 'estimator_method');
  if (transformPython === trainPython) return [];
  if (
    getIn(config, ['steps', 'train']) === undefined ||
    getIn(config, ['steps', 'transform']) === undefined
  ) {
    // Without a train (or transform) step there is nothing to mix.
    return trainPython && getIn(config, ['steps', 'transform']) === undefined
      ? [
          issueAt(
            locate,
            ['steps', 'train', 'estimator_method'],
            "the estimator comes from steps/train.py (scikit-learn), but without a transform step the transformer would be mlrecipe's own, which scikit-learn cannot run",
            'add `transform: {using: custom, transformer_method: ...}` with a function in steps/transform.py returning a scikit-learn transformer, or None for none (as MLflow Recipes requires)',
          ),
        ]
      : [];
  }
  if (trainPython) {
    const using = getIn(config, ['steps', 'transform', 'using']);
    return [
      issueAt(
        locate,
        using === undefined ? ['steps', 'transform'] : ['steps', 'transform', 'using'],
        `the estimator comes from steps/train.py (scikit-learn), but the transformer is mlrecipe's own (${using === 'custom' ? 'a TypeScript/JavaScript transformer_method' : `using: ${String(using ?? 'default')}`}), which cannot be part of a scikit-learn model`,
        'set `using: custom` with a transformer_method in steps/transform.py returning a scikit-learn transformer (e.g. a ColumnTransformer), or None for none',
      ),
    ];
  }
  const using = getIn(config, ['steps', 'train', 'using']);
  return [
    issueAt(
      locate,
      using === undefined ? ['steps', 'train'] : ['steps', 'train', 'using'],
      `the transformer comes from steps/transform.py (scikit-learn), but the estimator is mlrecipe's own (${using === 'custom' ? 'a TypeScript/JavaScript estimator_method' : 'steps.train.estimator'}), which takes only mlrecipe's features`,
      'set `using: custom` and `estimator_method`, a function in steps/train.py returning an unfitted scikit-learn estimator; or transform with mlrecipe (using: default)',
    ),
  ];
}

/**
 * MLflow Recipes fields whose value (not name) decides whether mlrecipe can honour them
 * (docs/migrating-from-mlflow.md): a loader next to `using: parquet`, which MLflow never calls;
 * Databricks URIs; remote data locations, which MLflow downloads.
 */
function mlflowSemanticIssues(config: Record<string, unknown>, locate: Locator): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const step of ['ingest', 'ingest_scoring']) {
    if (
      getIn(config, ['steps', step, 'using']) === 'parquet' &&
      getIn(config, ['steps', step, 'loader_method']) !== undefined
    ) {
      issues.push(
        issueAt(
          locate,
          ['steps', step, 'loader_method'],
          'loader_method is never called with using: parquet (MLflow Recipes reads parquet itself and ignores it)',
          'remove loader_method, or set `using:` to the format your loader reads (e.g. csv) so that it is called',
          true,
        ),
      );
    }
    const location = getIn(config, ['steps', step, 'location']);
    (Array.isArray(location) ? location : [location]).forEach((value, i) => {
      if (typeof value !== 'string' || !/^[a-z][a-z0-9+.-]+:\/\//i.test(value) || /^file:/i.test(value))
        return;
      issues.push(
        issueAt(
          locate,
          Array.isArray(location) ? ['steps', step, 'location', i] : ['steps', step, 'location'],
          `location ${value} is remote: MLflow Recipes downloads it, mlrecipe reads local files only`,
          'download the data into the recipe directory (e.g. data/) and point `location:` at the local file, or read it in a `loader_method`',
        ),
      );
    });
  }
  const uris: ConfigPath[] = [
    ['experiment', 'tracking_uri'],
    ['experiment', 'artifact_location'],
    ['model_registry', 'registry_uri'],
    ['steps', 'register', 'registry_uri'],
    ['steps', 'predict', 'model_uri'],
  ];
  for (const path of uris) {
    const value = getIn(config, path);
    if (typeof value !== 'string' || !isDatabricksUri(value)) continue;
    issues.push(
      issueAt(
        locate,
        path,
        `${value} is a Databricks URI; mlrecipe cannot reach Databricks workspaces or DBFS`,
        'use a local path, sqlite:/postgresql:// store or an http(s):// tracking server (docs/tracking-stores.md) in this profile',
      ),
    );
  }
  return issues;
}
