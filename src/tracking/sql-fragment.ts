/**
 * A tiny parameterised-SQL builder shared by both SQL stores and the search compiler. SQL text
 * and bound values travel separately from the moment a fragment is written until the driver
 * receives them, so no user-supplied key or value can ever become SQL text. Identifiers that
 * vary (column names picked by the search compiler) come only from fixed maps via `rawSql`.
 */

export type SqlDialect = 'sqlite' | 'postgres';

export type SqlValue = string | number | boolean | null;

/** A piece of SQL: literal text parts interleaved with bound values (or nested fragments). */
export class SqlFragment {
  constructor(
    readonly strings: readonly string[],
    readonly values: readonly (SqlValue | SqlFragment)[],
  ) {}
}

/** Tagged template: interpolated values become placeholders, interpolated fragments are inlined. */
export function sql(strings: TemplateStringsArray, ...values: (SqlValue | SqlFragment)[]): SqlFragment {
  return new SqlFragment([...strings], values);
}

/** Trusted SQL text. Only ever pass constants written in this code base, never user input. */
export function rawSql(text: string): SqlFragment {
  return new SqlFragment([text], []);
}

export function joinSql(parts: readonly SqlFragment[], separator: string): SqlFragment {
  if (parts.length === 0) return rawSql('');
  // n parts need n + 1 literal strings: '', separator × (n − 1), ''.
  const strings = ['', ...parts.slice(1).map(() => separator), ''];
  return new SqlFragment(strings, parts);
}

/** `(?, ?, ?)` for a list of values; callers guarantee the list is non-empty. */
export function sqlList(values: readonly SqlValue[]): SqlFragment {
  return sql`(${joinSql(
    values.map((value) => sql`${value}`),
    ', ',
  )})`;
}

export interface RenderedSql {
  text: string;
  values: (string | number | boolean | null)[];
}

/**
 * Renders a fragment for one dialect: `?` placeholders for SQLite, `$1…$n` for PostgreSQL.
 * Booleans become 1/0 for SQLite (better-sqlite3 cannot bind booleans); PostgreSQL's boolean
 * columns take them as they are.
 */
export function renderSql(fragment: SqlFragment, dialect: SqlDialect): RenderedSql {
  const values: (string | number | boolean | null)[] = [];
  let text = '';
  const walk = (node: SqlFragment): void => {
    node.strings.forEach((part, index) => {
      text += part;
      if (index >= node.values.length) return;
      const value = node.values[index];
      if (value instanceof SqlFragment) {
        walk(value);
        return;
      }
      if (typeof value === 'boolean') {
        values.push(dialect === 'sqlite' ? (value ? 1 : 0) : value);
      } else {
        values.push(value);
      }
      text += dialect === 'sqlite' ? '?' : `$${values.length}`;
    });
  };
  walk(fragment);
  return { text, values };
}
