/**
 * recipe.yaml + profiles/<profile>.yaml → a resolved, validated RecipeConfig that remembers where
 * every field came from (file, line, column), so every later error can point at the source.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Document, LineCounter, Node } from 'yaml';
import { ConfigError, type ConfigIssue } from '../errors.js';
import type { RecipeConfig } from './config.js';
import { displayPath } from '../display-path.js';
import {
  type LoadedProfile,
  mapRenderedPosition,
  once,
  type ParsedYaml,
  parseRecipeYaml,
  readProfile,
  renderPlaceholders,
  type PositionMap,
  type RenderResult,
  yamlSyntaxHint,
} from './profiles.js';
import { renderJinja, stripLineComments, usesJinja } from './jinja.js';
import { type ConfigPath, type Locator, validateRecipeConfig } from './validate.js';
import { cachedYamlValue, rememberYamlValue, yamlParser } from './yaml-cache.js';

export const RECIPE_FILE = 'recipe.yaml';
export const DEFAULT_PROFILE = 'local';

// Declared where validation uses them, so validate.ts does not import this file back.
export type { ConfigPath, Locator };

export interface LoadedRecipe {
  /** Absolute recipe directory. */
  recipeDir: string;
  profile: string;
  /** Absolute path of recipe.yaml. */
  recipeFile: string;
  /** Absolute path of the profile file, when there is one. */
  profileFile?: string;
  config: RecipeConfig;
  locate: Locator;
}

export interface LoadRecipeOptions {
  recipeDir: string;
  /** Profile name (a file in profiles/); defaults to `local`. */
  profile?: string;
  /** Skip schema and semantic validation (only for tools that show a broken recipe). */
  validate?: boolean;
}

/** Profile keys written in UPPER_CASE are template variables, not recipe fields. */
const TEMPLATE_VARIABLE = /^[A-Z][A-Z0-9_]*$/;

/**
 * Loads and validates a recipe. Every problem found (YAML syntax, undefined placeholders, schema,
 * semantics) is collected and thrown together as one ConfigError (exit 2), so nothing runs on a
 * broken recipe.
 */
export function loadRecipe(options: LoadRecipeOptions): LoadedRecipe {
  const recipeDir = resolve(options.recipeDir);
  const recipeFile = join(recipeDir, RECIPE_FILE);
  if (!existsSync(recipeFile)) {
    throw new ConfigError([
      {
        file: displayPath(recipeFile),
        line: 0,
        column: 0,
        path: '',
        message: 'no recipe.yaml here',
        hint: 'run inside a recipe directory, pass --recipe-dir, or create one with `recipe init --template regression <dir>`',
      },
    ]);
  }
  // MLflow Recipes reads MLFLOW_RECIPES_PROFILE when no profile is given.
  const fromEnv = process.env.MLFLOW_RECIPES_PROFILE?.trim() || undefined;
  const profileName = options.profile ?? fromEnv ?? DEFAULT_PROFILE;
  // Parsed YAML is remembered here by content (yaml-cache.ts), as passed schema checks are.
  const stateDir = join(recipeDir, '.recipe');
  const profile = readProfile({
    recipeDir,
    name: profileName,
    explicit: options.profile !== undefined || fromEnv !== undefined,
    stateDir,
  });
  const shownRecipe = displayPath(recipeFile);
  const shownProfile = profile.file ? displayPath(profile.file) : undefined;

  const recipeText = readFileSync(recipeFile, 'utf8');
  const renderOptions = {
    text: recipeText,
    values: profile.values,
    templateFile: shownRecipe,
    profileFile: shownProfile,
    profileName,
  };
  // Plain `{{ NAME }}` placeholders keep their exact columns through the fast path; anything more
  // of Jinja (`{% if %}`, filters such as `default`) goes through nunjucks (jinja.ts).
  const rendered = usesJinja(recipeText)
    ? renderRecipeJinja({ ...renderOptions, recipeDir })
    : renderPlaceholders(renderOptions);
  if (rendered.issues.length > 0) throw new ConfigError(rendered.issues);

  // Source positions are parsed on first use: only an error needs them.
  const source = once(() => parseRecipeYaml(rendered.text));
  const cached = cachedYamlValue(stateDir, rendered.text);
  const raw = ((cached
    ? cached.value
    : parseRecipeValue(source(), rendered, shownRecipe, shownProfile, stateDir)) ?? {}) as unknown;
  const issues: ConfigIssue[] = [];
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError([
      {
        file: shownRecipe,
        line: 1,
        column: 1,
        path: '',
        message: 'recipe.yaml must be a mapping of fields',
        hint: 'start from `recipe: regression/v1`, `target_col: <column>` and `steps:` (see `recipe init`)',
      },
    ]);
  }
  const config = raw as Record<string, unknown>;
  emptySectionsAsDefaults(config);

  // MLflow merges the profile's own fields (experiment, model_registry, ...) into the recipe and
  // refuses a key defined in both (merge_dicts with raise_on_duplicates).
  const fromProfile = new Set<string>();
  for (const [key, value] of Object.entries(profile.values)) {
    if (TEMPLATE_VARIABLE.test(key) || rendered.used.has(key)) continue;
    if (Object.hasOwn(config, key)) {
      const { doc, lineCounter } = source();
      const at = locateIn(doc, lineCounter, [key], true);
      issues.push({
        file: shownRecipe,
        ...mapPos(rendered.substitutions, at),
        path: key,
        message: `"${key}" is defined both here and in ${shownProfile}`,
        hint: 'keep it in one of the two files (MLflow Recipes refuses duplicated keys too)',
      });
      continue;
    }
    config[key] = value;
    fromProfile.add(key);
  }

  const locate = makeLocator({
    source,
    substitutions: rendered.substitutions,
    recipeFile: shownRecipe,
    profile,
    profileFile: shownProfile,
    fromProfile,
  });
  if (issues.length > 0) throw new ConfigError(issues);
  if (options.validate !== false) {
    const found = validateRecipeConfig({ config, locate, recipeDir, stateDir: join(recipeDir, '.recipe') });
    if (found.length > 0) throw new ConfigError(found);
  }
  return {
    recipeDir,
    profile: profileName,
    recipeFile,
    profileFile: profile.file,
    config: config as unknown as RecipeConfig,
    locate,
  };
}

/** The parsed recipe's value; its syntax errors as one ConfigError. Remembers a good parse. */
function parseRecipeValue(
  { doc, lineCounter }: ParsedYaml,
  rendered: { text: string; substitutions: PositionMap },
  shownRecipe: string,
  shownProfile: string | undefined,
  stateDir: string,
): unknown {
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((e) => {
        const pos = lineCounter.linePos(e.pos[0]);
        const mapped = mapRenderedPosition(rendered.substitutions, pos.line, pos.col);
        return {
          file: shownRecipe,
          line: mapped.line,
          column: mapped.column,
          path: '',
          message: e.message.split('\n')[0] ?? e.message,
          hint: mapped.placeholder
            ? `in the value of {{ ${mapped.placeholder.name} }} from ${shownProfile}: ${yamlSyntaxHint(e.code)}`
            : yamlSyntaxHint(e.code),
        };
      }),
    );
  }
  const value = doc.toJS() as unknown;
  rememberYamlValue(stateDir, rendered.text, value);
  return value;
}

/**
 * `transform:` with nothing under it is YAML null; MLflow Recipes reads it as "this step with its
 * defaults" (`step_config = recipe_config.get("steps", {}).get(name) or {}`), and so do we, for
 * `steps:` itself and for every section under it.
 */
function emptySectionsAsDefaults(config: Record<string, unknown>): void {
  if (config.steps === null) config.steps = {};
  const steps = config.steps;
  if (typeof steps !== 'object' || steps === null || Array.isArray(steps)) return;
  for (const [name, section] of Object.entries(steps)) {
    if (section === null) (steps as Record<string, unknown>)[name] = {};
  }
}

/** A dotted issue path (`custom_metrics[0].name`) back into segments. */
export function parseIssuePath(path: string): ConfigPath {
  const segments: (string | number)[] = [];
  for (const part of path.split('.')) {
    const match = /^([^[]*)((?:\[\d+\])*)$/.exec(part);
    if (!match) {
      segments.push(part);
      continue;
    }
    if (match[1]) segments.push(match[1]);
    for (const index of match[2]?.matchAll(/\[(\d+)\]/g) ?? []) segments.push(Number(index[1]));
  }
  return segments.filter((s) => s !== '');
}

/**
 * Gives every issue of a ConfigError raised while a step ran (positions unknown, see
 * `configFieldError`) the file, line and column of its field in this recipe, or of the nearest
 * enclosing section when the field is not written at all.
 */
export function locateConfigError(error: ConfigError, locate: Locator): ConfigError {
  if (error.issues.every((issue) => issue.line > 0)) return error;
  const issues = error.issues.map((issue): ConfigIssue => {
    if (issue.line > 0) return issue;
    const pos = locate(parseIssuePath(issue.path));
    const hints = [issue.hint, pos.hint].filter((h): h is string => Boolean(h));
    return {
      ...issue,
      file: pos.file,
      line: pos.line,
      column: pos.column,
      ...(hints.length > 0 ? { hint: hints.join('; ') } : {}),
    };
  });
  return new ConfigError(issues, { ...(error.hint ? { hint: error.hint } : {}), cause: error });
}

function mapPos(substitutions: PositionMap, at: NodeAt): { line: number; column: number } {
  if (!at.found) return { line: 1, column: 1 };
  const m = mapRenderedPosition(substitutions, at.line, at.column);
  return { line: m.line, column: m.column };
}

interface NodeAt {
  found: boolean;
  line: number;
  column: number;
  /** How many path segments were resolved. */
  depth: number;
  offset: number;
}

/** Walks a YAML document along `path` as far as it goes; returns the deepest node's position. */
function locateIn(doc: Document.Parsed, lineCounter: LineCounter, path: ConfigPath, key: boolean): NodeAt {
  const { isMap, isPair, isScalar, isSeq } = yamlParser();
  let node: unknown = doc.contents;
  let at: Node | null = doc.contents;
  let depth = 0;
  for (const [i, segment] of path.entries()) {
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find(
        (p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment),
      );
      if (!pair) break;
      depth++;
      if (last && key && isScalar(pair.key)) {
        at = pair.key;
        break;
      }
      node = pair.value;
      if (pair.value && (isMap(pair.value) || isSeq(pair.value) || isScalar(pair.value))) at = pair.value;
      else if (isScalar(pair.key)) at = pair.key;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment];
      if (!item) break;
      depth++;
      node = item;
      if (isMap(item) || isSeq(item) || isScalar(item)) at = item;
    } else {
      break;
    }
  }
  const offset = at?.range?.[0];
  if (offset === undefined) return { found: false, line: 0, column: 0, depth, offset: -1 };
  const pos = lineCounter.linePos(offset);
  return { found: true, line: pos.line, column: pos.col, depth, offset };
}

function makeLocator(ctx: {
  source: () => ParsedYaml;
  substitutions: PositionMap;
  recipeFile: string;
  profile: LoadedProfile;
  profileFile?: string;
  fromProfile: ReadonlySet<string>;
}): Locator {
  return (path, options = {}) => {
    const key = options.key === true;
    const top = path[0];
    const { doc, lineCounter } = ctx.source();
    const profile = ctx.profile.source?.();
    if (typeof top === 'string' && ctx.fromProfile.has(top) && profile) {
      const at = locateIn(profile.doc, profile.lineCounter, path, key);
      return { file: ctx.profileFile ?? '', line: at.found ? at.line : 1, column: at.found ? at.column : 1 };
    }
    // Walk one segment at a time to notice where the path enters a substituted placeholder value:
    // the rest of the path then lives in the profile file.
    for (let depth = 0; depth <= path.length; depth++) {
      const at = locateIn(doc, lineCounter, path.slice(0, depth), key && depth === path.length);
      if (!at.found) continue;
      if (at.depth < depth) break;
      const mapped = mapRenderedPosition(ctx.substitutions, at.line, at.column);
      const sub = mapped.placeholder;
      if (sub && sub.renderedStart === at.column && profile) {
        const rest = path.slice(depth);
        const inProfile = locateIn(profile.doc, profile.lineCounter, [sub.name, ...rest], key);
        if (inProfile.found) {
          return {
            file: ctx.profileFile ?? '',
            line: inProfile.line,
            column: inProfile.column,
            hint: `value of {{ ${sub.name} }} used at ${ctx.recipeFile}:${sub.line}:${sub.templateStart}`,
          };
        }
      }
    }
    const at = locateIn(doc, lineCounter, path, key);
    // An empty document has no node at all: its first line is still the place to look.
    if (!at.found) return { file: ctx.recipeFile, line: 1, column: 1 };
    const mapped = mapRenderedPosition(ctx.substitutions, at.line, at.column);
    return { file: ctx.recipeFile, line: mapped.line, column: mapped.column };
  };
}

/**
 * recipe.yaml through Jinja with the profile's values (MLflow's render_and_merge_yaml). The
 * profile's names that the template mentions count as used template variables, as the
 * placeholders of the fast path do, so they are not merged into the recipe as fields.
 */
function renderRecipeJinja(options: {
  text: string;
  values: Record<string, unknown>;
  templateFile: string;
  profileFile?: string;
  profileName: string;
  recipeDir: string;
}): RenderResult {
  const { profileFile, profileName } = options;
  const rendered = renderJinja({
    text: options.text,
    values: options.values,
    file: options.templateFile,
    baseDir: options.recipeDir,
    undefinedHint: (name) =>
      profileFile
        ? `add ${name}: <value> to ${profileFile}`
        : `create profiles/${profileName}.yaml with ${name}: <value>`,
  });
  const tags = [...stripLineComments(options.text).matchAll(/\{[{%][\s\S]*?[}%]\}/g)]
    .map((m) => m[0])
    .join('\n');
  const used = new Set(
    Object.keys(options.values).filter((key) =>
      new RegExp(`(^|[^A-Za-z0-9_])${key}($|[^A-Za-z0-9_])`).test(tags),
    ),
  );
  return {
    text: rendered.text,
    substitutions: Object.assign([], { sourceLines: rendered.sourceLines }),
    used,
    issues: [],
  };
}
