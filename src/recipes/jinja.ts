/**
 * Jinja templates in recipe.yaml and profiles, rendered as MLflow Recipes renders them (2.12,
 * mlflow/utils/file_utils.py `render_and_merge_yaml`: Jinja2's SandboxedEnvironment with
 * StrictUndefined, `line_comment_prefix="#"` and a `from_json` filter), through nunjucks, the
 * npm port of Jinja2. Where nunjucks differs from Jinja2 this file closes the gap:
 *
 * - Line comments: Jinja2 drops everything from a `#` outside a tag to the end of the line (the
 *   whitespace before it too), so a commented-out `{{ X }}` needs no value; nunjucks has no line
 *   comments, so they are removed here first, keeping the line breaks.
 * - Output: every `{{ expr }}` is rewritten to pass through `__yaml`, which writes lists and
 *   mappings as JSON flow collections (YAML reads them as Jinja's Python reprs would be read; a
 *   JS array would print as `a,b`), and raises on an undefined value naming the expression
 *   (StrictUndefined; nunjucks' throwOnUndefined names nothing).
 * - `True`, `False`, `None` are Jinja literals; nunjucks knows only lowercase, so they are
 *   provided as variables.
 *
 * Known differences left: Jinja2's StrictUndefined also raises when an undefined name is only
 * tested (`{% if X %}`) or passed through a filter other than `default` (`{{ X | upper }}`);
 * nunjucks treats it as false or empty. `None` prints as `null` (Jinja2 prints `None`, which YAML
 * reads as the string "None").
 *
 * Line numbers: a rendered line can come from any template line once `{% if %}` blocks drop
 * lines, so each template line gets an invisible marker (a private-use character pair holding its
 * number) before rendering; the markers are read off the output (`sourceLines`) and removed.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, resolve } from 'node:path';
import { ConfigError } from '../errors.js';

type Nunjucks = typeof import('nunjucks');
let nunjucksModule: Nunjucks | undefined;

/** nunjucks, loaded on first use: a recipe without Jinja (and a cached run) never loads it. */
function nunjucks(): Nunjucks {
  nunjucksModule ??= createRequire(import.meta.url)('nunjucks') as Nunjucks;
  return nunjucksModule;
}

const MARK_OPEN = '\uE000';
const MARK_CLOSE = '\uE001';
const MARKER = /\uE000(\d+)\uE001/g;

/** Whether a text uses Jinja beyond plain `{{ NAME }}` placeholders (which the fast path renders). */
export function usesJinja(text: string): boolean {
  if (text.includes('{%') || text.includes('{#')) return true;
  for (const m of text.matchAll(/\{\{([\s\S]*?)\}\}/g)) {
    if (!/^\s*[A-Za-z_][A-Za-z0-9_]*\s*$/.test(m[1] ?? '')) return true;
  }
  return false;
}

export interface JinjaRendered {
  text: string;
  /** For each rendered line (index = line - 1), the template line it came from. */
  sourceLines: number[];
}

interface Expression {
  text: string;
  line: number;
  column: number;
}

/**
 * Removes Jinja2 line comments (`#` outside `{{ }}`, `{% %}` and `{# #}`, to the end of the line,
 * with the whitespace before it), keeping every line break.
 */
export function stripLineComments(text: string): string {
  let depth: '' | '}}' | '%}' | '#}' = '';
  return text
    .split('\n')
    .map((line) => {
      let out = '';
      for (let i = 0; i < line.length; i++) {
        const two = line.slice(i, i + 2);
        if (depth === '') {
          if (two === '{{' || two === '{%' || two === '{#') {
            depth = two === '{{' ? '}}' : two === '{%' ? '%}' : '#}';
            out += two;
            i++;
            continue;
          }
          if (line[i] === '#') return out.replace(/[^\S\r\n]+$/, '');
          out += line[i];
        } else {
          if (two === depth) {
            depth = '';
            out += two;
            i++;
            continue;
          }
          out += line[i];
        }
      }
      return out;
    })
    .join('\n');
}

/** Writes a value as YAML reads it back: collections as JSON flow, scalars as they print. */
function yamlValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value) || (typeof value === 'object' && !(value instanceof Date)))
    return JSON.stringify(value);
  if (value instanceof Date) return value.toISOString();
  return String(value);
}

/**
 * Renders a template with `values`. Errors are ConfigErrors at the template's file and line:
 * syntax errors, undefined variables (naming the expression and the profile to define it in),
 * and failures inside filters.
 */
export function renderJinja(options: {
  text: string;
  values: Record<string, unknown>;
  /** The template file as shown to the user. */
  file: string;
  /** Where `from_json` resolves relative paths (MLflow: the recipe root, its working directory). */
  baseDir: string;
  /** How to define a missing variable, e.g. `add NAME: <value> to profiles/local.yaml`. */
  undefinedHint: (name: string) => string;
}): JinjaRendered {
  const { file } = options;
  const expressions: Expression[] = [];
  let depth = 0;
  const lines = stripLineComments(options.text).split('\n');
  const prepared = lines.map((line, index) => {
    const rewritten = line.replace(
      /\{\{(-?)([\s\S]*?)(-?)\}\}/g,
      (_whole, open: string, expr: string, close: string, offset: number) => {
        expressions.push({ text: expr.trim(), line: index + 1, column: offset + 1 });
        return `{{${open} (${expr}) | __yaml(${expressions.length - 1}) ${close}}}`;
      },
    );
    // A marker inside a tag that spans lines would become part of the tag: mark only lines that
    // start outside one.
    const marked = depth === 0 ? `${MARK_OPEN}${index + 1}${MARK_CLOSE}${rewritten}` : rewritten;
    depth += (line.match(/\{[{%#]/g)?.length ?? 0) - (line.match(/[}%#]\}/g)?.length ?? 0);
    if (depth < 0) depth = 0;
    return marked;
  });

  const env = new (nunjucks().Environment)(null, { autoescape: false, throwOnUndefined: false });
  // nunjucks re-wraps errors thrown in filters, so the undefined one is remembered here.
  let undefinedHit: UndefinedVariable | undefined;
  env.addFilter('__yaml', (value: unknown, index: number) => {
    const expr = expressions[index] as Expression;
    if (value === undefined) {
      const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(expr.text)?.[0] ?? expr.text;
      undefinedHit = new UndefinedVariable(expr, name);
      throw undefinedHit;
    }
    return yamlValue(value);
  });
  env.addFilter('from_json', (path: unknown) => {
    const target = isAbsolute(String(path)) ? String(path) : resolve(options.baseDir, String(path));
    return JSON.parse(readFileSync(target, 'utf8')) as unknown;
  });
  let output: string;
  try {
    output = env.renderString(prepared.join('\n'), {
      True: true,
      False: false,
      None: null,
      ...options.values,
    });
  } catch (error) {
    throw jinjaError(undefinedHit ?? error, file, options.undefinedHint, prepared);
  }
  const sourceLines: number[] = [];
  let last = 1;
  const text = output
    .split('\n')
    .map((line) => {
      const first = MARKER.exec(line);
      MARKER.lastIndex = 0;
      if (first) last = Number(first[1]);
      sourceLines.push(last);
      return line.replace(MARKER, '');
    })
    .join('\n');
  return { text, sourceLines };
}

class UndefinedVariable extends Error {
  constructor(
    readonly expr: Expression,
    readonly variable: string,
  ) {
    super(`"${variable}" is undefined`);
  }
}

function jinjaError(
  error: unknown,
  file: string,
  undefinedHint: (name: string) => string,
  prepared: readonly string[],
): ConfigError {
  const undefinedVar = error instanceof UndefinedVariable ? error : undefined;
  if (undefinedVar) {
    return new ConfigError([
      {
        file,
        line: undefinedVar.expr.line,
        column: undefinedVar.expr.column,
        path: '',
        message: `{{ ${undefinedVar.expr.text} }}: "${undefinedVar.variable}" is undefined (Jinja's StrictUndefined, as MLflow renders recipes)`,
        hint: `${undefinedHint(undefinedVar.variable)}, or give it a fallback: {{ ${undefinedVar.variable}|default(...) }}`,
      },
    ]);
  }
  const message = (error as Error)?.message ?? String(error);
  const at = /\[Line (\d+), Column (\d+)\]/.exec(message);
  const line = at ? Number(at[1]) : 0;
  const lineText = line > 0 ? (prepared[line - 1] ?? '') : '';
  const markerLength = /^\uE000\d+\uE001/.exec(lineText)?.[0].length ?? 0;
  const detail = message
    .replace(/^\(unknown path\)\s*(\[Line \d+, Column \d+\])?\s*/, '')
    .replace(/^Template render error:\s*/i, '')
    .replace(/\s+/g, ' ')
    .trim();
  return new ConfigError([
    {
      file,
      line,
      column: at ? Math.max(1, Number(at[2]) - markerLength) : 0,
      path: '',
      message: `Jinja template error: ${detail.replace(/__yaml\(\d+\)/g, '')}`,
      hint: 'check the {{ }} and {% %} tags on this line: every {% if %} / {% for %} needs its {% endif %} / {% endfor %}',
    },
  ]);
}
