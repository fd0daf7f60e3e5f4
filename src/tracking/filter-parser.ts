/**
 * MLflow's search filter grammar, parsed by a real tokenizer and a recursive-descent parser
 * into an AST. Compiling the AST to SQL is search-compiler.ts's job; this file knows no SQL.
 *
 *   filter     := ( AND* comparison )* AND*     (AND keywords are skipped, as MLflow does)
 *   comparison := identifier comparator value
 *   identifier := [entity '.'] key          entity: metrics|params|tags|attributes|datasets (+ aliases)
 *   key        := bare-word (dots allowed: tags.mlflow.runName) | "double quoted" | `backticked`
 *   comparator := = | != | < | <= | > | >= | LIKE | ILIKE | IN | NOT IN
 *   value      := 'string' | "string" | number | ( 'string' [, 'string']* )
 *
 * An identifier without an entity (`status`, `run_name`, `name`) is an attribute, as in MLflow.
 * Errors are StoreError INVALID_PARAMETER_VALUE whose message quotes the filter and puts a caret
 * under the offending token.
 */
import { StoreError } from '../errors.js';

export type FilterEntity = 'metric' | 'param' | 'tag' | 'attribute' | 'dataset';
export type Comparator = '=' | '!=' | '<' | '<=' | '>' | '>=' | 'LIKE' | 'ILIKE' | 'IN' | 'NOT IN';

export type FilterValue =
  { kind: 'number'; value: number } | { kind: 'string'; value: string } | { kind: 'list'; values: string[] };

export interface FilterComparison {
  entity: FilterEntity;
  key: string;
  comparator: Comparator;
  value: FilterValue;
  /** 0-based offsets into the filter text, for error messages. */
  keyPosition: number;
  comparatorPosition: number;
  valuePosition: number;
}

export interface ParsedFilter {
  source: string;
  /** Joined by AND; MLflow's grammar has no OR. */
  clauses: FilterComparison[];
}

export type TokenKind =
  'identifier' | 'string' | 'backtick' | 'number' | 'operator' | 'lparen' | 'rparen' | 'comma' | 'end';

export interface Token {
  kind: TokenKind;
  /** Raw text for identifiers/operators/numbers; the unescaped content for quoted tokens. */
  text: string;
  /** Quote character of a string token. */
  quote?: '"' | "'";
  start: number;
  end: number;
}

const ENTITY_ALIASES: Record<string, FilterEntity> = {
  metric: 'metric',
  metrics: 'metric',
  param: 'param',
  params: 'param',
  parameter: 'param',
  parameters: 'param',
  tag: 'tag',
  tags: 'tag',
  attribute: 'attribute',
  attributes: 'attribute',
  attr: 'attribute',
  run: 'attribute',
  dataset: 'dataset',
  datasets: 'dataset',
};

/** Builds the error every filter/order-by problem turns into: message, the text, a caret. */
export function filterSyntaxError(
  what: string,
  source: string,
  position: number,
  message: string,
): StoreError {
  const column = Math.min(Math.max(position, 0), source.length);
  return new StoreError(
    'INVALID_PARAMETER_VALUE',
    `Invalid ${what} '${source}': ${message} (at character ${column + 1})\n  ${source}\n  ${' '.repeat(column)}^`,
    {
      hint:
        what === 'filter'
          ? "example: metrics.rmse < 0.5 and params.alpha = '0.1' and tags.`my tag` LIKE 'a%'"
          : 'example: metrics.rmse ASC',
    },
  );
}

const IDENTIFIER_START = /[A-Za-z_]/;
// Keys may hold MLflow's key characters (`/ - .` besides word characters) unquoted, as long as
// they start like an identifier; spaces need quoting.
const IDENTIFIER_PART = /[\w.\-/:]/;
const NUMBER_AT = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?/;

/** Splits filter or order-by text into tokens; `what` names the text in error messages. */
export interface TokenizeOptions {
  /**
   * Turn `\'`, `\"`, `\\` and doubled quotes inside strings into the character they stand for.
   * Off for run search (MLflow keeps string values as written); the registry's filters use it.
   */
  unescapeStrings?: boolean;
}

export function tokenize(source: string, what = 'filter', options: TokenizeOptions = {}): Token[] {
  const unescape = options.unescapeStrings === true;
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const ch = source[i];
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const start = i;
    if (ch === "'" || ch === '"' || ch === '`') {
      let text = '';
      i++;
      let closed = false;
      while (i < source.length) {
        const c = source[i];
        // MLflow 2.12 (sqlparse, then SearchUtils._strip_quotes) keeps everything between the
        // quotes as written: a backslash-escaped or doubled quote does not end the string, and
        // stays in the value as typed, backslash included. So LIKE patterns reach the database
        // verbatim (PostgreSQL's LIKE takes `\` as its escape character; SQLite's has none).
        if (c === '\\' && ch !== '`' && (source[i + 1] === ch || source[i + 1] === '\\')) {
          text += unescape ? source[i + 1] : c + source[i + 1];
          i += 2;
          continue;
        }
        if (c === ch) {
          if (source[i + 1] === ch) {
            text += unescape ? ch : ch + ch;
            i += 2;
            continue;
          }
          closed = true;
          i++;
          break;
        }
        text += c;
        i++;
      }
      if (!closed) throw filterSyntaxError(what, source, start, `unterminated ${ch} quote`);
      if (ch === '`') tokens.push({ kind: 'backtick', text, start, end: i });
      else tokens.push({ kind: 'string', text, quote: ch as '"' | "'", start, end: i });
      continue;
    }
    const number = NUMBER_AT.exec(source.slice(i));
    if (number && (/[\d.]/.test(ch) || /[\d.]/.test(source[i + 1] ?? ''))) {
      i += number[0].length;
      tokens.push({ kind: 'number', text: number[0], start, end: i });
      continue;
    }
    if (IDENTIFIER_START.test(ch)) {
      i++;
      while (i < source.length && IDENTIFIER_PART.test(source[i])) i++;
      tokens.push({ kind: 'identifier', text: source.slice(start, i), start, end: i });
      continue;
    }
    const two = source.slice(i, i + 2);
    if (two === '!=' || two === '<=' || two === '>=' || two === '<>' || two === '==') {
      i += 2;
      tokens.push({ kind: 'operator', text: two === '<>' ? '!=' : two === '==' ? '=' : two, start, end: i });
      continue;
    }
    if (ch === '=' || ch === '<' || ch === '>') {
      i++;
      tokens.push({ kind: 'operator', text: ch, start, end: i });
      continue;
    }
    if (ch === '(' || ch === ')' || ch === ',') {
      i++;
      tokens.push({ kind: ch === '(' ? 'lparen' : ch === ')' ? 'rparen' : 'comma', text: ch, start, end: i });
      continue;
    }
    throw filterSyntaxError(what, source, i, `unexpected character '${ch}'`);
  }
  tokens.push({ kind: 'end', text: '', start: source.length, end: source.length });
  return tokens;
}

function isWord(token: Token, word: string): boolean {
  return token.kind === 'identifier' && token.text.toUpperCase() === word;
}

function describe(token: Token): string {
  switch (token.kind) {
    case 'end':
      return 'the end of the text';
    case 'string':
      return `string ${token.quote}${token.text}${token.quote}`;
    case 'backtick':
      return `\`${token.text}\``;
    default:
      return `'${token.text}'`;
  }
}

/** Cursor over tokens shared by the filter and order-by parsers. */
export class TokenCursor {
  private index = 0;
  constructor(
    readonly source: string,
    readonly tokens: Token[],
    readonly what: string,
  ) {}

  peek(offset = 0): Token {
    return this.tokens[Math.min(this.index + offset, this.tokens.length - 1)];
  }
  next(): Token {
    const token = this.peek();
    if (this.index < this.tokens.length - 1) this.index++;
    return token;
  }
  fail(token: Token, message: string): StoreError {
    return filterSyntaxError(this.what, this.source, token.start, message);
  }
  unexpected(token: Token, expected: string): StoreError {
    return this.fail(token, `expected ${expected} but found ${describe(token)}`);
  }

  /** identifier := [entity '.'] key — see the grammar at the top of this file. */
  identifier(): { entity: FilterEntity; key: string; position: number } {
    const token = this.next();
    if (token.kind === 'backtick' || (token.kind === 'string' && token.quote === '"')) {
      // A quoted name without an entity is an attribute (MLflow accepts `Run name` = 'x');
      // an entity inside the quotes is not recognised.
      if (!token.text.includes('.') && token.text !== '') {
        return { entity: 'attribute', key: token.text, position: token.start };
      }
      throw this.fail(token, 'quote only the key, after its entity: metrics."my metric" or tags.`my tag`');
    }
    if (token.kind !== 'identifier') {
      throw this.unexpected(token, 'an identifier such as metrics.rmse, params.alpha, tags.name or status');
    }
    const dot = token.text.indexOf('.');
    if (dot < 0) return { entity: 'attribute', key: token.text, position: token.start };
    const prefix = token.text.slice(0, dot);
    // Case matters, as in MLflow: `metrics.` is an entity, `METRICS.` is refused.
    const entity = Object.hasOwn(ENTITY_ALIASES, prefix) ? ENTITY_ALIASES[prefix] : undefined;
    if (entity === undefined) {
      throw this.fail(
        token,
        `invalid entity type '${prefix}'; use one of metrics, params, tags, attributes, datasets (e.g. metrics.${token.text.slice(dot + 1) || 'rmse'})`,
      );
    }
    let key = token.text.slice(dot + 1);
    if (key === '') {
      const quoted = this.peek();
      const adjacent = quoted.start === token.end;
      if (adjacent && (quoted.kind === 'backtick' || (quoted.kind === 'string' && quoted.quote === '"'))) {
        this.next();
        key = quoted.text;
      } else {
        throw this.unexpected(
          quoted,
          `a key right after '${token.text}' (quote keys with spaces: ${prefix}."my key")`,
        );
      }
      if (key === '') throw this.fail(quoted, 'the key is empty');
    }
    return { entity, key, position: token.start };
  }
}

function parseComparator(cursor: TokenCursor): { comparator: Comparator; position: number } {
  const token = cursor.next();
  if (token.kind === 'operator') return { comparator: token.text as Comparator, position: token.start };
  if (isWord(token, 'LIKE')) return { comparator: 'LIKE', position: token.start };
  if (isWord(token, 'ILIKE')) return { comparator: 'ILIKE', position: token.start };
  if (isWord(token, 'IN')) return { comparator: 'IN', position: token.start };
  if (isWord(token, 'NOT')) {
    const following = cursor.next();
    if (isWord(following, 'IN')) return { comparator: 'NOT IN', position: token.start };
    throw cursor.unexpected(following, "IN after NOT (NOT LIKE is not part of MLflow's grammar)");
  }
  throw cursor.unexpected(token, 'a comparison operator (=, !=, <, <=, >, >=, LIKE, ILIKE, IN, NOT IN)');
}

function parseValue(cursor: TokenCursor, comparator: Comparator): { value: FilterValue; position: number } {
  const token = cursor.next();
  if (comparator === 'IN' || comparator === 'NOT IN') {
    if (token.kind !== 'lparen')
      throw cursor.unexpected(token, `a parenthesised list of strings after ${comparator}`);
    const values: string[] = [];
    for (;;) {
      const item = cursor.next();
      if (item.kind !== 'string') throw cursor.unexpected(item, 'a quoted string in the list');
      values.push(item.text);
      const separator = cursor.next();
      if (separator.kind === 'rparen') break;
      if (separator.kind !== 'comma') throw cursor.unexpected(separator, "',' or ')'");
    }
    return { value: { kind: 'list', values }, position: token.start };
  }
  if (token.kind === 'string') return { value: { kind: 'string', value: token.text }, position: token.start };
  if (token.kind === 'number') {
    const value = Number(token.text);
    if (!Number.isFinite(value)) throw cursor.fail(token, `the number ${token.text} is out of range`);
    return { value: { kind: 'number', value }, position: token.start };
  }
  if (token.kind === 'identifier') {
    throw cursor.fail(token, `expected a value but found ${describe(token)}; quote strings: '${token.text}'`);
  }
  throw cursor.unexpected(token, 'a value (a number, or a string in \'single\' or "double" quotes)');
}

/** Parses an MLflow search filter. Empty or blank text means no conditions. */
export function parseFilter(source: string, options: TokenizeOptions = {}): ParsedFilter {
  const cursor = new TokenCursor(source, tokenize(source, 'filter', options), 'filter');
  const clauses: FilterComparison[] = [];
  // MLflow 2.12 keeps the comparisons sqlparse finds and skips every AND keyword, so a leading,
  // trailing or doubled AND is accepted, as are two comparisons side by side.
  for (;;) {
    while (isWord(cursor.peek(), 'AND')) cursor.next();
    const token = cursor.peek();
    if (token.kind === 'end') break;
    if (isWord(token, 'OR'))
      throw cursor.fail(token, "OR is not supported (MLflow's grammar joins clauses with AND only)");
    const identifier = cursor.identifier();
    const { comparator, position: comparatorPosition } = parseComparator(cursor);
    const { value, position: valuePosition } = parseValue(cursor, comparator);
    clauses.push({
      entity: identifier.entity,
      key: identifier.key,
      comparator,
      value,
      keyPosition: identifier.position,
      comparatorPosition,
      valuePosition,
    });
  }
  return { source, clauses };
}
