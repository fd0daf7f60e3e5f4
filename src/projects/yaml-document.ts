import { readFileSync } from 'node:fs';
import type { ErrorObject } from 'ajv';
import { isMap, isPair, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import { ConfigError, type ConfigIssue } from '../errors.js';

/**
 * A YAML file parsed with source positions, so every config error can name file:line:column.
 * Shared by the MLproject and workflow loaders.
 */
export interface PositionedYaml {
  file: string;
  /** The plain JavaScript value of the document. */
  value: unknown;
  /** Position of the node at `path` (or of its nearest existing ancestor); key=true points at a map key. */
  positionOf(
    path: ReadonlyArray<string | number>,
    options?: { key?: boolean },
  ): { line: number; column: number };
  /** A ConfigIssue located at `path`. */
  issue(path: ReadonlyArray<string | number>, message: string, hint?: string): ConfigIssue;
}

/** Reads and parses `file`; YAML syntax errors become a ConfigError with positions. */
export function readPositionedYaml(file: string): PositionedYaml {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError([
      { file, line: 0, column: 0, path: '', message: `cannot read file: ${(error as Error).message}` },
    ]);
  }
  return parsePositionedYaml(text, file);
}

export function parsePositionedYaml(text: string, file: string): PositionedYaml {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((e) => {
        const pos = lineCounter.linePos(e.pos[0]);
        return {
          file,
          line: pos.line,
          column: pos.col,
          path: '',
          message: `YAML syntax error: ${firstLine(e.message)}`,
        };
      }),
    );
  }
  const positionOf = (path: ReadonlyArray<string | number>, options: { key?: boolean } = {}) => {
    let node: unknown = doc.contents;
    let keyNode: unknown;
    for (const segment of path) {
      const next = childOf(node, segment);
      if (!next) break;
      node = next.value;
      keyNode = next.key;
    }
    const target = (options.key && keyNode ? keyNode : node) as Node | undefined;
    const offset = target?.range?.[0];
    if (offset === undefined) return { line: 1, column: 1 };
    const pos = lineCounter.linePos(offset);
    return { line: pos.line, column: pos.col };
  };
  return {
    file,
    value: doc.toJS({ maxAliasCount: 100 }),
    positionOf,
    issue(path, message, hint) {
      const pos = positionOf(path);
      return { file, ...pos, path: path.join('.'), message, ...(hint ? { hint } : {}) };
    },
  };
}

function childOf(node: unknown, segment: string | number): { key?: unknown; value: unknown } | undefined {
  if (isMap(node)) {
    for (const item of node.items) {
      if (isPair(item) && isScalar(item.key) && String(item.key.value) === String(segment)) {
        return { key: item.key, value: item.value ?? item.key };
      }
    }
    return undefined;
  }
  if (isSeq(node) && typeof segment === 'number') {
    const value = node.items[segment];
    return value ? { value } : undefined;
  }
  return undefined;
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}

/** Turns ajv errors into ConfigIssues located in the YAML source. */
export function schemaIssues(doc: PositionedYaml, errors: ErrorObject[]): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    // oneOf/anyOf produce a summary error plus one per branch; the branch errors say more.
    if (error.keyword === 'oneOf' || error.keyword === 'anyOf' || error.keyword === 'if') continue;
    const path = error.instancePath
      .split('/')
      .slice(1)
      .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    let message = error.message ?? 'is invalid';
    let key = false;
    if (error.keyword === 'additionalProperties') {
      const extra = String((error.params as { additionalProperty: string }).additionalProperty);
      path.push(extra);
      message = `unknown field "${extra}"`;
      key = true;
    } else if (error.keyword === 'required') {
      message = `missing required field "${(error.params as { missingProperty: string }).missingProperty}"`;
    } else if (error.keyword === 'enum') {
      message = `must be one of ${(error.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
    }
    const pos = doc.positionOf(path, { key });
    const issue: ConfigIssue = { file: doc.file, ...pos, path: path.join('.'), message };
    const dedupe = `${issue.path}|${issue.message}`;
    if (seen.has(dedupe)) continue;
    seen.add(dedupe);
    issues.push(issue);
  }
  return issues;
}
