import { ConfigError } from '../errors.js';

// Characters that never need quoting in a POSIX shell word (the set Python's shlex.quote keeps).
const SAFE_WORD = /^[\w@%+=:,./-]+$/;

/**
 * Quotes `value` as one POSIX shell word, the way Python's shlex.quote (and so MLflow) does:
 * safe words stay as they are, everything else goes in single quotes with each `'` written as
 * `'"'"'`. Inside single quotes the shell interprets nothing, so no value can inject a command.
 */
export function shellQuote(value: string): string {
  if (value === '') return "''";
  if (SAFE_WORD.test(value)) return value;
  return `'${value.replace(/'/g, `'"'"'`)}'`;
}

type Segment = { literal: string } | { field: string };

/**
 * Splits a command template written in Python's str.format syntax (what MLflow uses):
 * `{name}` is a field, `{{` and `}}` are literal braces. Conversions and format specs
 * (`{x!r}`, `{x:.2f}`) are rejected: MLflow commands do not use them, and they would make the
 * quoting rules unclear.
 */
function parseTemplate(template: string): Segment[] {
  const segments: Segment[] = [];
  let literal = '';
  for (let i = 0; i < template.length; i++) {
    const ch = template[i];
    if (ch === '{') {
      if (template[i + 1] === '{') {
        literal += '{';
        i++;
        continue;
      }
      const close = template.indexOf('}', i + 1);
      if (close < 0)
        throw new Error(`unclosed "{" at character ${i + 1} of the command (write {{ for a literal brace)`);
      const field = template.slice(i + 1, close).trim();
      if (!/^[A-Za-z_][\w.-]*$/.test(field)) {
        throw new Error(
          `"{${template.slice(i + 1, close)}}" is not a parameter placeholder (write {{ and }} for literal braces)`,
        );
      }
      if (literal) segments.push({ literal });
      literal = '';
      segments.push({ field });
      i = close;
    } else if (ch === '}') {
      if (template[i + 1] === '}') {
        literal += '}';
        i++;
        continue;
      }
      throw new Error(`single "}" at character ${i + 1} of the command (write }} for a literal brace)`);
    } else {
      literal += ch;
    }
  }
  if (literal) segments.push({ literal });
  return segments;
}

/** The parameter names a command template refers to, in order of first use. */
export function placeholdersOf(template: string): string[] {
  const names: string[] = [];
  for (const s of parseTemplate(template)) {
    if ('field' in s && !names.includes(s.field)) names.push(s.field);
  }
  return names;
}

export interface RenderCommandOptions {
  template: string;
  /** Values for `{name}` fields, unquoted; each is shell-quoted as it is substituted. */
  values: Record<string, string>;
  /** Undeclared parameters, appended as `--key value` (both quoted), as MLflow does. */
  extra?: Record<string, string>;
  /** For error messages: which entry point the template belongs to. */
  entryPoint?: string;
}

/** Renders an entry point's command for `/bin/bash -c`, quoting every substituted value. */
export function renderCommand(options: RenderCommandOptions): string {
  let segments: Segment[];
  try {
    segments = parseTemplate(options.template);
  } catch (error) {
    throw new ConfigError([
      {
        file: options.entryPoint ?? 'command',
        line: 0,
        column: 0,
        path: 'command',
        message: (error as Error).message,
      },
    ]);
  }
  const parts = segments.map((s) => {
    if ('literal' in s) return s.literal;
    const value = options.values[s.field];
    if (value === undefined) {
      throw new ConfigError([
        {
          file: options.entryPoint ?? 'command',
          line: 0,
          column: 0,
          path: 'command',
          message: `command uses {${s.field}}, which is not a parameter${options.entryPoint ? ` of entry point "${options.entryPoint}"` : ''}`,
        },
      ]);
    }
    return shellQuote(value);
  });
  const rendered = [parts.join('')];
  for (const [key, value] of Object.entries(options.extra ?? {})) {
    rendered.push(`${shellQuote(`--${key}`)} ${shellQuote(value)}`);
  }
  return rendered.join(' ');
}
