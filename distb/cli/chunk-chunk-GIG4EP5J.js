import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  validateDatasetInputs,
  validateExperimentName,
  validateExperimentTag,
  validateLogBatch,
  validateMaxResults,
  validateRunId,
  validateRunName,
  validateRunStatus,
  validateTag,
  validateTimestamp,
  validateUserId
} from "./chunk-chunk-T77SP7Q2.js";
import {
  DATASET_CONTEXT_TAG,
  DEFAULT_EXPERIMENT_ID,
  DEFAULT_EXPERIMENT_NAME,
  TAGS
} from "./chunk-chunk-5AC5CY3N.js";
import {
  StoreError
} from "./chunk-chunk-FHTLSLDU.js";

// src/tracking/sql-fragment.ts
var SqlFragment = class {
  constructor(strings, values) {
    this.strings = strings;
    this.values = values;
  }
  strings;
  values;
};
function sql(strings, ...values) {
  return new SqlFragment([...strings], values);
}
function rawSql(text) {
  return new SqlFragment([text], []);
}
function joinSql(parts, separator) {
  if (parts.length === 0) return rawSql("");
  const strings = ["", ...parts.slice(1).map(() => separator), ""];
  return new SqlFragment(strings, parts);
}
function sqlList(values) {
  return sql`(${joinSql(
    values.map((value) => sql`${value}`),
    ", "
  )})`;
}
function renderSql(fragment, dialect) {
  const values = [];
  let text = "";
  const walk = (node) => {
    node.strings.forEach((part, index) => {
      text += part;
      if (index >= node.values.length) return;
      const value = node.values[index];
      if (value instanceof SqlFragment) {
        walk(value);
        return;
      }
      if (typeof value === "boolean") {
        values.push(dialect === "sqlite" ? value ? 1 : 0 : value);
      } else {
        values.push(value);
      }
      text += dialect === "sqlite" ? "?" : `$${values.length}`;
    });
  };
  walk(fragment);
  return { text, values };
}

// src/tracking/page-token.ts
function encodePageToken(offset) {
  return Buffer.from(JSON.stringify({ offset }), "utf8").toString("base64");
}
function decodePageToken(token) {
  if (token === void 0 || token === "") return 0;
  let parsed;
  try {
    parsed = JSON.parse(Buffer.from(token, "base64").toString("utf8"));
  } catch {
    throw new StoreError(
      "INVALID_PARAMETER_VALUE",
      `Invalid page token ${JSON.stringify(token)}, could not decode it.`,
      {
        hint: "pass back the next_page_token of a previous search unchanged"
      }
    );
  }
  const offset = parsed?.offset;
  if (typeof offset !== "number" || !Number.isSafeInteger(offset) || offset < 0) {
    throw new StoreError(
      "INVALID_PARAMETER_VALUE",
      `Invalid page token ${JSON.stringify(token)}: it has no non-negative integer 'offset'.`,
      { hint: "pass back the next_page_token of a previous search unchanged" }
    );
  }
  return offset;
}

// src/tracking/sql-tracking-store.ts
import { randomUUID } from "node:crypto";
import { isAbsolute, resolve } from "node:path";

// src/tracking/filter-parser.ts
var ENTITY_ALIASES = {
  metric: "metric",
  metrics: "metric",
  param: "param",
  params: "param",
  parameter: "param",
  parameters: "param",
  tag: "tag",
  tags: "tag",
  attribute: "attribute",
  attributes: "attribute",
  attr: "attribute",
  run: "attribute",
  dataset: "dataset",
  datasets: "dataset"
};
function filterSyntaxError(what, source, position, message) {
  const column = Math.min(Math.max(position, 0), source.length);
  return new StoreError(
    "INVALID_PARAMETER_VALUE",
    `Invalid ${what} '${source}': ${message} (at character ${column + 1})
  ${source}
  ${" ".repeat(column)}^`,
    {
      hint: what === "filter" ? "example: metrics.rmse < 0.5 and params.alpha = '0.1' and tags.`my tag` LIKE 'a%'" : "example: metrics.rmse ASC"
    }
  );
}
var IDENTIFIER_START = /[A-Za-z_]/;
var IDENTIFIER_PART = /[\w.\-/:]/;
var NUMBER_AT = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?/;
function tokenize(source, what = "filter", options = {}) {
  const unescape = options.unescapeStrings === true;
  const tokens = [];
  let i = 0;
  while (i < source.length) {
    const ch = source[i];
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const start = i;
    if (ch === "'" || ch === '"' || ch === "`") {
      let text = "";
      i++;
      let closed = false;
      while (i < source.length) {
        const c = source[i];
        if (c === "\\" && ch !== "`" && (source[i + 1] === ch || source[i + 1] === "\\")) {
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
      if (ch === "`") tokens.push({ kind: "backtick", text, start, end: i });
      else tokens.push({ kind: "string", text, quote: ch, start, end: i });
      continue;
    }
    const number = NUMBER_AT.exec(source.slice(i));
    if (number && (/[\d.]/.test(ch) || /[\d.]/.test(source[i + 1] ?? ""))) {
      i += number[0].length;
      tokens.push({ kind: "number", text: number[0], start, end: i });
      continue;
    }
    if (IDENTIFIER_START.test(ch)) {
      i++;
      while (i < source.length && IDENTIFIER_PART.test(source[i])) i++;
      tokens.push({ kind: "identifier", text: source.slice(start, i), start, end: i });
      continue;
    }
    const two = source.slice(i, i + 2);
    if (two === "!=" || two === "<=" || two === ">=" || two === "<>" || two === "==") {
      i += 2;
      tokens.push({ kind: "operator", text: two === "<>" ? "!=" : two === "==" ? "=" : two, start, end: i });
      continue;
    }
    if (ch === "=" || ch === "<" || ch === ">") {
      i++;
      tokens.push({ kind: "operator", text: ch, start, end: i });
      continue;
    }
    if (ch === "(" || ch === ")" || ch === ",") {
      i++;
      tokens.push({ kind: ch === "(" ? "lparen" : ch === ")" ? "rparen" : "comma", text: ch, start, end: i });
      continue;
    }
    throw filterSyntaxError(what, source, i, `unexpected character '${ch}'`);
  }
  tokens.push({ kind: "end", text: "", start: source.length, end: source.length });
  return tokens;
}
function isWord(token, word) {
  return token.kind === "identifier" && token.text.toUpperCase() === word;
}
function describe(token) {
  switch (token.kind) {
    case "end":
      return "the end of the text";
    case "string":
      return `string ${token.quote}${token.text}${token.quote}`;
    case "backtick":
      return `\`${token.text}\``;
    default:
      return `'${token.text}'`;
  }
}
var TokenCursor = class {
  constructor(source, tokens, what) {
    this.source = source;
    this.tokens = tokens;
    this.what = what;
  }
  source;
  tokens;
  what;
  index = 0;
  peek(offset = 0) {
    return this.tokens[Math.min(this.index + offset, this.tokens.length - 1)];
  }
  next() {
    const token = this.peek();
    if (this.index < this.tokens.length - 1) this.index++;
    return token;
  }
  fail(token, message) {
    return filterSyntaxError(this.what, this.source, token.start, message);
  }
  unexpected(token, expected) {
    return this.fail(token, `expected ${expected} but found ${describe(token)}`);
  }
  /** identifier := [entity '.'] key — see the grammar at the top of this file. */
  identifier() {
    const token = this.next();
    if (token.kind === "backtick" || token.kind === "string" && token.quote === '"') {
      if (!token.text.includes(".") && token.text !== "") {
        return { entity: "attribute", key: token.text, position: token.start };
      }
      throw this.fail(token, 'quote only the key, after its entity: metrics."my metric" or tags.`my tag`');
    }
    if (token.kind !== "identifier") {
      throw this.unexpected(token, "an identifier such as metrics.rmse, params.alpha, tags.name or status");
    }
    const dot = token.text.indexOf(".");
    if (dot < 0) return { entity: "attribute", key: token.text, position: token.start };
    const prefix = token.text.slice(0, dot);
    const entity = Object.hasOwn(ENTITY_ALIASES, prefix) ? ENTITY_ALIASES[prefix] : void 0;
    if (entity === void 0) {
      throw this.fail(
        token,
        `invalid entity type '${prefix}'; use one of metrics, params, tags, attributes, datasets (e.g. metrics.${token.text.slice(dot + 1) || "rmse"})`
      );
    }
    let key = token.text.slice(dot + 1);
    if (key === "") {
      const quoted = this.peek();
      const adjacent = quoted.start === token.end;
      if (adjacent && (quoted.kind === "backtick" || quoted.kind === "string" && quoted.quote === '"')) {
        this.next();
        key = quoted.text;
      } else {
        throw this.unexpected(
          quoted,
          `a key right after '${token.text}' (quote keys with spaces: ${prefix}."my key")`
        );
      }
      if (key === "") throw this.fail(quoted, "the key is empty");
    }
    return { entity, key, position: token.start };
  }
};
function parseComparator(cursor) {
  const token = cursor.next();
  if (token.kind === "operator") return { comparator: token.text, position: token.start };
  if (isWord(token, "LIKE")) return { comparator: "LIKE", position: token.start };
  if (isWord(token, "ILIKE")) return { comparator: "ILIKE", position: token.start };
  if (isWord(token, "IN")) return { comparator: "IN", position: token.start };
  if (isWord(token, "NOT")) {
    const following = cursor.next();
    if (isWord(following, "IN")) return { comparator: "NOT IN", position: token.start };
    throw cursor.unexpected(following, "IN after NOT (NOT LIKE is not part of MLflow's grammar)");
  }
  throw cursor.unexpected(token, "a comparison operator (=, !=, <, <=, >, >=, LIKE, ILIKE, IN, NOT IN)");
}
function parseValue(cursor, comparator) {
  const token = cursor.next();
  if (comparator === "IN" || comparator === "NOT IN") {
    if (token.kind !== "lparen")
      throw cursor.unexpected(token, `a parenthesised list of strings after ${comparator}`);
    const values = [];
    for (; ; ) {
      const item = cursor.next();
      if (item.kind !== "string") throw cursor.unexpected(item, "a quoted string in the list");
      values.push(item.text);
      const separator = cursor.next();
      if (separator.kind === "rparen") break;
      if (separator.kind !== "comma") throw cursor.unexpected(separator, "',' or ')'");
    }
    return { value: { kind: "list", values }, position: token.start };
  }
  if (token.kind === "string") return { value: { kind: "string", value: token.text }, position: token.start };
  if (token.kind === "number") {
    const value = Number(token.text);
    if (!Number.isFinite(value)) throw cursor.fail(token, `the number ${token.text} is out of range`);
    return { value: { kind: "number", value }, position: token.start };
  }
  if (token.kind === "identifier") {
    throw cursor.fail(token, `expected a value but found ${describe(token)}; quote strings: '${token.text}'`);
  }
  throw cursor.unexpected(token, `a value (a number, or a string in 'single' or "double" quotes)`);
}
function parseFilter(source, options = {}) {
  const cursor = new TokenCursor(source, tokenize(source, "filter", options), "filter");
  const clauses = [];
  for (; ; ) {
    while (isWord(cursor.peek(), "AND")) cursor.next();
    const token = cursor.peek();
    if (token.kind === "end") break;
    if (isWord(token, "OR"))
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
      valuePosition
    });
  }
  return { source, clauses };
}

// src/tracking/order-by.ts
function parseOrderBy(source) {
  const cursor = new TokenCursor(
    source,
    tokenize(source, "order_by clause", { unescapeStrings: true }),
    "order_by clause"
  );
  const identifier = cursor.identifier();
  let ascending = true;
  const direction = cursor.next();
  if (direction.kind === "identifier" && /^(ASC|DESC)$/i.test(direction.text)) {
    ascending = direction.text.toUpperCase() === "ASC";
    const end = cursor.next();
    if (end.kind !== "end") throw cursor.unexpected(end, "the end of the clause");
  } else if (direction.kind !== "end") {
    throw cursor.unexpected(direction, "ASC, DESC or the end of the clause");
  }
  return {
    entity: identifier.entity,
    key: identifier.key,
    ascending,
    source,
    keyPosition: identifier.position
  };
}

// src/tracking/run-name.ts
import { randomInt } from "node:crypto";
var ADJECTIVES = "agile amber bold brave bright calm clever crisp curious daring dapper eager fast fierce gentle glad golden grand happy honest humble jolly keen kind lively loyal lucky merry mighty nimble noble patient placid polite proud quick quiet rapid rare sharp shiny silent sleek smooth snug steady stellar sunny swift tidy vivid warm wise witty zesty".split(" ");
var ANIMALS = "albatross antelope badger bat bear beaver bison camel cat crane crow deer dolphin donkey eagle eel elk falcon ferret finch fox frog gecko goat goose hare hawk heron horse ibis jackal koala lark lemur lion lynx mole moose newt otter owl panda pony quail rabbit raven seal shrew sloth snail stork swan tapir tiger toad trout turtle vole whale wolf wren yak zebra".split(" ");
function generateRunName() {
  const adjective = ADJECTIVES[randomInt(ADJECTIVES.length)];
  const animal = ANIMALS[randomInt(ANIMALS.length)];
  return `${adjective}-${animal}-${randomInt(1e3)}`;
}

// src/tracking/search-compiler.ts
var NUMERIC_COMPARATORS = ["=", "!=", "<", "<=", ">", ">="];
var STRING_COMPARATORS = ["=", "!=", "LIKE", "ILIKE", "IN", "NOT IN"];
var KEY_VALUE_COMPARATORS = ["=", "!=", "LIKE", "ILIKE"];
var RUN_ATTRIBUTES = {
  run_id: { column: "r.run_uuid", type: "string" },
  run_name: { column: "r.name", type: "string" },
  status: { column: "r.status", type: "string" },
  user_id: { column: "r.user_id", type: "string" },
  artifact_uri: { column: "r.artifact_uri", type: "string" },
  start_time: { column: "r.start_time", type: "number" },
  end_time: { column: "r.end_time", type: "number" },
  created: { column: "r.start_time", type: "number" },
  Created: { column: "r.start_time", type: "number" },
  "run name": { column: "r.name", type: "string" },
  "Run name": { column: "r.name", type: "string" },
  "Run Name": { column: "r.name", type: "string" }
};
var RUN_ORDER_ATTRIBUTES = [
  "run_id",
  "run_name",
  "status",
  "user_id",
  "artifact_uri",
  "start_time",
  "end_time",
  "created",
  "Created"
];
function canonicalAttribute(key) {
  if (key === "created" || key === "Created") return "start_time";
  if (key === "run name" || key === "Run name" || key === "Run Name") return "run_name";
  return key;
}
var EXPERIMENT_ATTRIBUTES = {
  name: { column: "e.name", type: "string" },
  creation_time: { column: "e.creation_time", type: "number" },
  last_update_time: { column: "e.last_update_time", type: "number" }
};
var EXPERIMENT_ORDER_ATTRIBUTES = {
  ...EXPERIMENT_ATTRIBUTES,
  experiment_id: { column: "e.experiment_id", type: "number" }
};
function lifecycleStagesFor(viewType) {
  switch (viewType ?? "ACTIVE_ONLY") {
    case "ACTIVE_ONLY":
      return ["active"];
    case "DELETED_ONLY":
      return ["deleted"];
    case "ALL":
      return ["active", "deleted"];
    default:
      throw new StoreError(
        "INVALID_PARAMETER_VALUE",
        `Invalid view type ${JSON.stringify(viewType)}; use ACTIVE_ONLY, DELETED_ONLY or ALL.`
      );
  }
}
function fail(filter, position, message) {
  return filterSyntaxError("filter", filter.source, position, message);
}
function checkComparator(filter, clause, allowed, what) {
  if (!allowed.includes(clause.comparator)) {
    throw fail(
      filter,
      clause.comparatorPosition,
      `'${clause.comparator}' cannot compare ${what}; use one of ${allowed.join(", ")}`
    );
  }
}
var ENTITY_PREFIX = {
  metric: "metrics.",
  param: "params.",
  tag: "tags.",
  attribute: "",
  dataset: "datasets."
};
function expectNumber(filter, clause, what) {
  if (clause.value.kind !== "number") {
    throw fail(
      filter,
      clause.valuePosition,
      `${what} compares with a number, e.g. ${ENTITY_PREFIX[clause.entity]}${clause.key} < 0.5 (no quotes)`
    );
  }
  return clause.value.value;
}
function expectStringValue(filter, clause, what) {
  if (clause.value.kind === "number") {
    throw fail(
      filter,
      clause.valuePosition,
      `${what} values are strings; quote the value: '${String(clause.value.value)}'`
    );
  }
}
function stringComparison(column, clause, dialect) {
  const { value } = clause;
  if (value.kind === "list") {
    if (value.values.length === 0) return rawSql(clause.comparator === "IN" ? "1 = 0" : "1 = 1");
    return sql`${column} ${rawSql(clause.comparator === "IN" ? "IN" : "NOT IN")} ${sqlList(value.values)}`;
  }
  const bound = value.kind === "string" ? value.value : String(value.value);
  switch (clause.comparator) {
    case "LIKE":
      return sql`${column} LIKE ${bound}`;
    case "ILIKE":
      return dialect === "postgres" ? sql`${column} ILIKE ${bound}` : sql`lower(${column}) LIKE lower(${bound})`;
    default:
      return sql`${column} ${rawSql(clause.comparator)} ${bound}`;
  }
}
function numericComparison(column, comparator, value, dialect) {
  const bound = dialect === "postgres" ? sql`CAST(${value} AS DOUBLE PRECISION)` : sql`${value}`;
  return sql`${column} ${rawSql(comparator)} ${bound}`;
}
var DATASET_COLUMNS = { name: "d.name", digest: "d.digest" };
function compileDatasetClause(filter, clause, dialect) {
  const column = Object.hasOwn(DATASET_COLUMNS, clause.key) ? DATASET_COLUMNS[clause.key] : void 0;
  if (column === void 0 && clause.key !== "context") {
    throw fail(
      filter,
      clause.keyPosition,
      `invalid dataset key '${clause.key}'; use datasets.name, datasets.digest or datasets.context`
    );
  }
  checkComparator(filter, clause, STRING_COMPARATORS, "datasets");
  expectStringValue(filter, clause, "dataset attributes");
  const uses = sql`FROM inputs i JOIN datasets d ON d.dataset_uuid = i.source_id
                   WHERE i.destination_type = ${"RUN"} AND i.destination_id = r.run_uuid`;
  if (column !== void 0) {
    return sql`EXISTS (SELECT 1 ${uses} AND ${stringComparison(rawSql(column), clause, dialect)})`;
  }
  return sql`EXISTS (SELECT 1 ${uses} AND EXISTS (SELECT 1 FROM input_tags t WHERE t.input_uuid = i.input_uuid
                 AND t.name = ${DATASET_CONTEXT_TAG} AND ${stringComparison(rawSql("t.value"), clause, dialect)}))`;
}
function compileRunClause(filter, clause, dialect) {
  switch (clause.entity) {
    case "metric": {
      checkComparator(filter, clause, NUMERIC_COMPARATORS, "metrics");
      const value = expectNumber(filter, clause, `metric '${clause.key}'`);
      const condition = numericComparison(rawSql("m.value"), clause.comparator, value, dialect);
      return sql`EXISTS (SELECT 1 FROM latest_metrics m WHERE m.run_uuid = r.run_uuid AND m.key = ${clause.key} AND ${condition})`;
    }
    case "param":
    case "tag": {
      const what = clause.entity === "param" ? "params" : "tags";
      checkComparator(filter, clause, KEY_VALUE_COMPARATORS, what);
      expectStringValue(filter, clause, what);
      const table = rawSql(clause.entity === "param" ? "params" : "tags");
      return sql`EXISTS (SELECT 1 FROM ${table} x WHERE x.run_uuid = r.run_uuid AND x.key = ${clause.key} AND ${stringComparison(rawSql("x.value"), clause, dialect)})`;
    }
    case "dataset":
      return compileDatasetClause(filter, clause, dialect);
    case "attribute": {
      const attribute = Object.hasOwn(RUN_ATTRIBUTES, clause.key) ? RUN_ATTRIBUTES[clause.key] : void 0;
      if (attribute === void 0) {
        throw fail(
          filter,
          clause.keyPosition,
          `invalid attribute key '${clause.key}'; searchable attributes: run_id, run_name, status, user_id, artifact_uri, start_time, end_time (did you mean metrics.${clause.key}, params.${clause.key} or tags.${clause.key}?)`
        );
      }
      if (attribute.type === "number") {
        checkComparator(filter, clause, NUMERIC_COMPARATORS, `attribute '${clause.key}'`);
        const value = expectNumber(filter, clause, `attribute '${clause.key}'`);
        return numericComparison(rawSql(attribute.column), clause.comparator, value, dialect);
      }
      checkComparator(filter, clause, STRING_COMPARATORS, `attribute '${clause.key}'`);
      expectStringValue(filter, clause, `attribute '${clause.key}'`);
      if (clause.value.kind === "list") {
        if (canonicalAttribute(clause.key) !== "run_id") {
          throw fail(
            filter,
            clause.valuePosition,
            "only the 'run_id' attribute supports comparison with a list of quoted string values (MLflow 2.12)"
          );
        }
        const ids = clause.value.values.filter((id) => id === id.toLowerCase());
        return stringComparison(
          rawSql(attribute.column),
          { ...clause, value: { kind: "list", values: ids } },
          dialect
        );
      }
      return stringComparison(rawSql(attribute.column), clause, dialect);
    }
  }
}
function binaryCollation(dialect) {
  return rawSql(dialect === "postgres" ? ' COLLATE "C"' : "");
}
function orderByError(clause, message) {
  return filterSyntaxError("order_by clause", clause.source, clause.keyPosition, message);
}
function compileRunSearch(query) {
  const { dialect } = query;
  const where = [
    query.experimentIds.length > 0 ? sql`r.experiment_id IN ${sqlList(query.experimentIds)}` : sql`1 = 0`,
    sql`r.lifecycle_stage IN ${sqlList(lifecycleStagesFor(query.viewType))}`,
    ...query.filter.clauses.map((clause) => compileRunClause(query.filter, clause, dialect))
  ];
  const joins = [];
  const order = [];
  const seen = /* @__PURE__ */ new Set();
  query.orderBy.forEach((clause, index) => {
    const key = clause.entity === "attribute" ? canonicalAttribute(clause.key) : clause.key;
    const field = `${clause.entity}\0${key}`;
    if (seen.has(field)) {
      throw new StoreError(
        "INTERNAL_ERROR",
        `\`order_by\` contains duplicate fields: [${query.orderBy.map((c) => `'${c.source}'`).join(", ")}]`,
        { hint: `order by '${clause.key}' once` }
      );
    }
    seen.add(field);
    const direction = rawSql(clause.ascending ? "ASC" : "DESC");
    const alias = rawSql(`o${index}`);
    switch (clause.entity) {
      case "dataset":
        throw orderByError(
          clause,
          "runs cannot be ordered by datasets; order by metrics, params, tags or attributes"
        );
      case "metric":
        joins.push(
          sql`LEFT JOIN latest_metrics ${alias} ON ${alias}.run_uuid = r.run_uuid AND ${alias}.key = ${clause.key}`
        );
        order.push(
          sql`CASE WHEN ${alias}.is_nan = ${true} THEN 1 WHEN ${alias}.run_uuid IS NULL THEN 2 ELSE 0 END`,
          sql`${alias}.value ${direction}`
        );
        break;
      case "param":
      case "tag": {
        const table = rawSql(clause.entity === "param" ? "params" : "tags");
        joins.push(
          sql`LEFT JOIN ${table} ${alias} ON ${alias}.run_uuid = r.run_uuid AND ${alias}.key = ${clause.key}`
        );
        order.push(
          sql`CASE WHEN ${alias}.run_uuid IS NULL THEN 1 ELSE 0 END`,
          sql`${alias}.value${binaryCollation(dialect)} ${direction}`
        );
        break;
      }
      case "attribute": {
        if (!RUN_ORDER_ATTRIBUTES.includes(clause.key)) {
          throw orderByError(
            clause,
            `invalid attribute key '${clause.key}'; sortable attributes: ${RUN_ORDER_ATTRIBUTES.join(", ")}`
          );
        }
        const attribute = RUN_ATTRIBUTES[clause.key];
        const collation = attribute.type === "string" ? binaryCollation(dialect) : rawSql("");
        order.push(sql`${rawSql(attribute.column)}${collation} ${direction}`);
        break;
      }
    }
  });
  if (!seen.has("attribute\0start_time")) order.push(sql`r.start_time DESC`);
  order.push(sql`r.run_uuid${binaryCollation(dialect)} ASC`);
  return sql`SELECT r.run_uuid FROM runs r ${joinSql(joins, " ")} WHERE ${joinSql(where, " AND ")} ORDER BY ${joinSql(order, ", ")} LIMIT ${query.limit} OFFSET ${query.offset}`;
}
function compileExperimentClause(filter, clause, dialect) {
  if (clause.entity === "tag") {
    checkComparator(filter, clause, STRING_COMPARATORS, "tags");
    expectStringValue(filter, clause, "tags");
    return sql`EXISTS (SELECT 1 FROM experiment_tags t WHERE t.experiment_id = e.experiment_id AND t.key = ${clause.key} AND ${stringComparison(rawSql("t.value"), clause, dialect)})`;
  }
  const attribute = clause.entity === "attribute" && Object.hasOwn(EXPERIMENT_ATTRIBUTES, clause.key) ? EXPERIMENT_ATTRIBUTES[clause.key] : void 0;
  if (attribute === void 0) {
    throw fail(
      filter,
      clause.keyPosition,
      `experiments can be searched by name, creation_time, last_update_time and tags.<key>, not '${clause.key}'`
    );
  }
  if (attribute.type === "number") {
    checkComparator(filter, clause, NUMERIC_COMPARATORS, `attribute '${clause.key}'`);
    return numericComparison(
      rawSql(attribute.column),
      clause.comparator,
      expectNumber(filter, clause, clause.key),
      dialect
    );
  }
  checkComparator(filter, clause, STRING_COMPARATORS, `attribute '${clause.key}'`);
  expectStringValue(filter, clause, `attribute '${clause.key}'`);
  return stringComparison(rawSql(attribute.column), clause, dialect);
}
function compileExperimentSearch(query) {
  const where = [
    sql`e.lifecycle_stage IN ${sqlList(lifecycleStagesFor(query.viewType))}`,
    ...query.filter.clauses.map((clause) => compileExperimentClause(query.filter, clause, query.dialect))
  ];
  const order = [];
  for (const clause of query.orderBy) {
    const attribute = clause.entity === "attribute" && Object.hasOwn(EXPERIMENT_ORDER_ATTRIBUTES, clause.key) ? EXPERIMENT_ORDER_ATTRIBUTES[clause.key] : void 0;
    if (attribute === void 0) {
      throw orderByError(
        clause,
        `experiments can be ordered by name, experiment_id, creation_time or last_update_time, not '${clause.key}'`
      );
    }
    const collation = attribute.type === "string" ? binaryCollation(query.dialect) : rawSql("");
    order.push(sql`${rawSql(attribute.column)}${collation} ${rawSql(clause.ascending ? "ASC" : "DESC")}`);
  }
  if (query.orderBy.length === 0) order.push(sql`e.creation_time DESC`, sql`e.experiment_id ASC`);
  else if (!query.orderBy.some((clause) => clause.key === "experiment_id"))
    order.push(sql`e.experiment_id DESC`);
  return sql`SELECT e.experiment_id FROM experiments e WHERE ${joinSql(where, " AND ")} ORDER BY ${joinSql(order, ", ")} LIMIT ${query.limit} OFFSET ${query.offset}`;
}

// src/tracking/mlflow-schema.ts
var MLFLOW_ALEMBIC_HEAD = "acf3f17fdcc7";
var MLFLOW_OLDER_REVISIONS = [
  "451aebb31d03",
  "90e64c465722",
  "181f10493468",
  "df50e92ffc5e",
  "7ac759974ad8",
  "89d4b8295536",
  "2b4d017a5e9b",
  "cfd24bdc0731",
  "0a8213491aaa",
  "728d730b5ebd",
  "27a6a02d2cf1",
  "84291f40a231",
  "a8c4a736bde6",
  "39d1c3be5f05",
  "c48cb773bb87",
  "bd07f7e963c5",
  "0c779009ac13",
  "cc1f77228345",
  "97727af70f4d",
  "3500859a5d39",
  "7f2a7d5fae7d",
  "2d6e25af4d3e"
];
var MLFLOW_TABLES = [
  "experiments",
  "experiment_tags",
  "runs",
  "tags",
  "params",
  "metrics",
  "latest_metrics",
  "registered_models",
  "registered_model_tags",
  "model_versions",
  "model_version_tags",
  "registered_model_aliases",
  "datasets",
  "inputs",
  "input_tags"
];
var MLFLOW_INFINITY_VALUE = 17976931348623157e292;
var WORDS = {
  sqlite: {
    experimentId: "INTEGER NOT NULL",
    double: "FLOAT",
    isNanCheck: ",\n    CHECK (is_nan IN (0, 1))"
  },
  postgres: { experimentId: "SERIAL NOT NULL", double: "DOUBLE PRECISION", isNanCheck: "" }
};
function ddl(words) {
  return [
    `CREATE TABLE experiments (
    experiment_id ${words.experimentId},
    name VARCHAR(256) NOT NULL,
    artifact_location VARCHAR(256),
    lifecycle_stage VARCHAR(32),
    creation_time BIGINT,
    last_update_time BIGINT,
    CONSTRAINT experiment_pk PRIMARY KEY (experiment_id),
    CONSTRAINT experiments_lifecycle_stage CHECK (lifecycle_stage IN ('active', 'deleted')),
    UNIQUE (name))`,
    `CREATE TABLE experiment_tags (
    key VARCHAR(250) NOT NULL,
    value VARCHAR(5000),
    experiment_id INTEGER NOT NULL,
    CONSTRAINT experiment_tag_pk PRIMARY KEY (key, experiment_id),
    FOREIGN KEY (experiment_id) REFERENCES experiments (experiment_id))`,
    `CREATE TABLE runs (
    run_uuid VARCHAR(32) NOT NULL,
    name VARCHAR(250),
    source_type VARCHAR(20),
    source_name VARCHAR(500),
    entry_point_name VARCHAR(50),
    user_id VARCHAR(256),
    status VARCHAR(9),
    start_time BIGINT,
    end_time BIGINT,
    source_version VARCHAR(50),
    lifecycle_stage VARCHAR(20),
    artifact_uri VARCHAR(200),
    experiment_id INTEGER,
    deleted_time BIGINT,
    CONSTRAINT run_pk PRIMARY KEY (run_uuid),
    CONSTRAINT source_type CHECK (source_type IN ('NOTEBOOK', 'JOB', 'LOCAL', 'UNKNOWN', 'PROJECT')),
    CONSTRAINT runs_lifecycle_stage CHECK (lifecycle_stage IN ('active', 'deleted')),
    CHECK (status IN ('SCHEDULED', 'FAILED', 'FINISHED', 'RUNNING', 'KILLED')),
    FOREIGN KEY (experiment_id) REFERENCES experiments (experiment_id))`,
    `CREATE TABLE tags (
    key VARCHAR(250) NOT NULL,
    value VARCHAR(5000),
    run_uuid VARCHAR(32) NOT NULL,
    CONSTRAINT tag_pk PRIMARY KEY (key, run_uuid),
    FOREIGN KEY (run_uuid) REFERENCES runs (run_uuid))`,
    "CREATE INDEX index_tags_run_uuid ON tags (run_uuid)",
    `CREATE TABLE params (
    key VARCHAR(250) NOT NULL,
    value VARCHAR(8000) NOT NULL,
    run_uuid VARCHAR(32) NOT NULL,
    CONSTRAINT param_pk PRIMARY KEY (key, run_uuid),
    FOREIGN KEY (run_uuid) REFERENCES runs (run_uuid))`,
    "CREATE INDEX index_params_run_uuid ON params (run_uuid)",
    `CREATE TABLE metrics (
    key VARCHAR(250) NOT NULL,
    value ${words.double} NOT NULL,
    timestamp BIGINT NOT NULL,
    run_uuid VARCHAR(32) NOT NULL,
    step BIGINT DEFAULT '0' NOT NULL,
    is_nan BOOLEAN DEFAULT '0' NOT NULL,
    CONSTRAINT metric_pk PRIMARY KEY (key, timestamp, step, run_uuid, value, is_nan)${words.isNanCheck},
    FOREIGN KEY (run_uuid) REFERENCES runs (run_uuid))`,
    "CREATE INDEX index_metrics_run_uuid ON metrics (run_uuid)",
    `CREATE TABLE latest_metrics (
    key VARCHAR(250) NOT NULL,
    value ${words.double} NOT NULL,
    timestamp BIGINT,
    step BIGINT NOT NULL,
    is_nan BOOLEAN NOT NULL,
    run_uuid VARCHAR(32) NOT NULL,
    CONSTRAINT latest_metric_pk PRIMARY KEY (key, run_uuid)${words.isNanCheck},
    FOREIGN KEY (run_uuid) REFERENCES runs (run_uuid))`,
    "CREATE INDEX index_latest_metrics_run_uuid ON latest_metrics (run_uuid)",
    `CREATE TABLE registered_models (
    name VARCHAR(256) NOT NULL,
    creation_time BIGINT,
    last_updated_time BIGINT,
    description VARCHAR(5000),
    CONSTRAINT registered_model_pk PRIMARY KEY (name),
    UNIQUE (name))`,
    `CREATE TABLE registered_model_tags (
    key VARCHAR(250) NOT NULL,
    value VARCHAR(5000),
    name VARCHAR(256) NOT NULL,
    CONSTRAINT registered_model_tag_pk PRIMARY KEY (key, name),
    FOREIGN KEY (name) REFERENCES registered_models (name) ON UPDATE CASCADE)`,
    `CREATE TABLE model_versions (
    name VARCHAR(256) NOT NULL,
    version INTEGER NOT NULL,
    creation_time BIGINT,
    last_updated_time BIGINT,
    description VARCHAR(5000),
    user_id VARCHAR(256),
    current_stage VARCHAR(20),
    source VARCHAR(500),
    run_id VARCHAR(32),
    status VARCHAR(20),
    status_message VARCHAR(500),
    run_link VARCHAR(500),
    storage_location VARCHAR(500),
    CONSTRAINT model_version_pk PRIMARY KEY (name, version),
    FOREIGN KEY (name) REFERENCES registered_models (name) ON UPDATE CASCADE)`,
    `CREATE TABLE model_version_tags (
    key VARCHAR(250) NOT NULL,
    value VARCHAR(5000),
    name VARCHAR(256) NOT NULL,
    version INTEGER NOT NULL,
    CONSTRAINT model_version_tag_pk PRIMARY KEY (key, name, version),
    FOREIGN KEY (name, version) REFERENCES model_versions (name, version) ON UPDATE CASCADE)`,
    `CREATE TABLE registered_model_aliases (
    alias VARCHAR(256) NOT NULL,
    version INTEGER NOT NULL,
    name VARCHAR(256) NOT NULL,
    CONSTRAINT registered_model_alias_pk PRIMARY KEY (name, alias),
    CONSTRAINT registered_model_alias_name_fkey FOREIGN KEY (name) REFERENCES registered_models (name)
      ON DELETE CASCADE ON UPDATE CASCADE)`,
    `CREATE TABLE datasets (
    dataset_uuid VARCHAR(36) NOT NULL,
    experiment_id INTEGER NOT NULL,
    name VARCHAR(500) NOT NULL,
    digest VARCHAR(36) NOT NULL,
    dataset_source_type VARCHAR(36) NOT NULL,
    dataset_source TEXT NOT NULL,
    dataset_schema TEXT,
    dataset_profile TEXT,
    CONSTRAINT dataset_pk PRIMARY KEY (experiment_id, name, digest),
    FOREIGN KEY (experiment_id) REFERENCES experiments (experiment_id))`,
    "CREATE INDEX index_datasets_dataset_uuid ON datasets (dataset_uuid)",
    "CREATE INDEX index_datasets_experiment_id_dataset_source_type ON datasets (experiment_id, dataset_source_type)",
    `CREATE TABLE inputs (
    input_uuid VARCHAR(36) NOT NULL,
    source_type VARCHAR(36) NOT NULL,
    source_id VARCHAR(36) NOT NULL,
    destination_type VARCHAR(36) NOT NULL,
    destination_id VARCHAR(36) NOT NULL,
    CONSTRAINT inputs_pk PRIMARY KEY (source_type, source_id, destination_type, destination_id))`,
    "CREATE INDEX index_inputs_input_uuid ON inputs (input_uuid)",
    "CREATE INDEX index_inputs_destination_type_destination_id_source_type ON inputs (destination_type, destination_id, source_type)",
    `CREATE TABLE input_tags (
    input_uuid VARCHAR(36) NOT NULL,
    name VARCHAR(255) NOT NULL,
    value VARCHAR(500) NOT NULL,
    CONSTRAINT input_tags_pk PRIMARY KEY (input_uuid, name))`,
    `CREATE TABLE alembic_version (
    version_num VARCHAR(32) NOT NULL,
    CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))`
  ];
}
function mlflowSchemaStatements(dialect) {
  return ddl(WORDS[dialect]);
}

// src/tracking/sql-tracking-store.ts
function databaseErrorCode(error) {
  const own = error?.code;
  const cause = error?.cause?.code;
  if (error instanceof StoreError) return typeof cause === "string" ? cause : void 0;
  return typeof own === "string" ? own : void 0;
}
function databaseError(error, where, hint) {
  if (error instanceof StoreError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new StoreError("INTERNAL_ERROR", `${where}: ${message}`, {
    cause: error,
    hint: hint ?? "see the database error above; rerun with --verbose for details"
  });
}
var CHUNK = 200;
function chunks(items, size = CHUNK) {
  const out = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
function notFound(message) {
  return new StoreError("RESOURCE_DOES_NOT_EXIST", message);
}
function parseExperimentId(experimentId) {
  const text = typeof experimentId === "number" ? String(experimentId) : experimentId;
  if (typeof text !== "string" || !/^\d{1,9}$/.test(text)) return void 0;
  return Number(text);
}
function normalizeArtifactLocation(location) {
  if (/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(location) && !/^[a-zA-Z]:[\\/]/.test(location)) return location;
  return isAbsolute(location) ? location : resolve(location);
}
function joinUri(base, ...parts) {
  return [base.replace(/\/+$/, ""), ...parts].join("/");
}
function storedMetric(metric) {
  const isNan = Number.isNaN(metric.value);
  let value = metric.value;
  if (isNan) value = 0;
  else if (value === Number.POSITIVE_INFINITY) value = MLFLOW_INFINITY_VALUE;
  else if (value === Number.NEGATIVE_INFINITY) value = -MLFLOW_INFINITY_VALUE;
  return { key: metric.key, value, isNan, timestamp: metric.timestamp, step: metric.step };
}
function isNewer(candidate, current) {
  if (candidate.step !== current.step) return candidate.step > current.step;
  if (candidate.timestamp !== current.timestamp) return candidate.timestamp > current.timestamp;
  return candidate.value > current.value;
}
function metricFromRow(row) {
  return {
    key: row.key,
    value: row.is_nan === true || row.is_nan === 1 ? Number.NaN : Number(row.value),
    timestamp: row.timestamp === null ? 0 : Number(row.timestamp),
    step: Number(row.step)
  };
}
function runInfoFromRow(row) {
  const info = {
    run_id: row.run_uuid,
    run_uuid: row.run_uuid,
    run_name: row.name ?? "",
    experiment_id: String(row.experiment_id),
    user_id: row.user_id ?? "",
    status: row.status,
    start_time: Number(row.start_time),
    artifact_uri: row.artifact_uri ?? "",
    lifecycle_stage: row.lifecycle_stage
  };
  if (row.end_time !== null) info.end_time = Number(row.end_time);
  return info;
}
var RUN_COLUMNS = rawSql(
  "r.run_uuid, r.name, r.user_id, r.status, r.start_time, r.end_time, r.lifecycle_stage, r.artifact_uri, r.experiment_id"
);
async function ensureDefaultExperiment(tx, defaultArtifactRoot) {
  const [any] = await tx.all(sql`SELECT experiment_id FROM experiments LIMIT 1`);
  if (any !== void 0) return;
  const now = Date.now();
  await tx.run(
    sql`INSERT INTO experiments (experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time)
        VALUES (${0}, ${DEFAULT_EXPERIMENT_NAME}, ${joinUri(defaultArtifactRoot, DEFAULT_EXPERIMENT_ID)}, ${"active"}, ${now}, ${now})`
  );
}
var SqlTrackingStore = class {
  uri;
  defaultArtifactRoot;
  driver;
  constructor(options) {
    this.driver = options.driver;
    this.uri = options.uri;
    this.defaultArtifactRoot = options.defaultArtifactRoot;
  }
  // ---- experiments -------------------------------------------------------------------------
  async createExperiment(name, givenLocation, tags = []) {
    const artifactLocation = givenLocation === "" ? void 0 : givenLocation;
    validateExperimentName(name);
    tags.forEach(validateExperimentTag);
    const now = Date.now();
    try {
      return await this.driver.transaction(async (tx) => {
        const existing = await tx.all(
          sql`SELECT experiment_id FROM experiments WHERE name = ${name}`
        );
        if (existing.length > 0) throw this.experimentExists(name);
        const [row] = await tx.all(
          sql`INSERT INTO experiments (name, artifact_location, lifecycle_stage, creation_time, last_update_time)
              VALUES (${name}, ${artifactLocation === void 0 ? null : normalizeArtifactLocation(artifactLocation)},
                      ${"active"}, ${now}, ${now})
              RETURNING experiment_id`
        );
        const id = String(row.experiment_id);
        if (artifactLocation === void 0) {
          await tx.run(
            sql`UPDATE experiments SET artifact_location = ${joinUri(this.defaultArtifactRoot, id)} WHERE experiment_id = ${row.experiment_id}`
          );
        }
        for (const tag of tags) {
          await tx.run(
            sql`INSERT INTO experiment_tags (key, value, experiment_id) VALUES (${tag.key}, ${tag.value}, ${row.experiment_id})
                ON CONFLICT (key, experiment_id) DO UPDATE SET value = excluded.value`
          );
        }
        return id;
      });
    } catch (error) {
      if (this.driver.isUniqueViolation(error)) throw this.experimentExists(name);
      throw error;
    }
  }
  experimentExists(name) {
    return new StoreError("RESOURCE_ALREADY_EXISTS", `Experiment(name=${name}) already exists.`, {
      hint: "choose another name, or use the existing experiment (getExperimentByName)"
    });
  }
  async getExperiment(experimentId) {
    const experiment = await this.findExperiment(this.driver, experimentId);
    if (experiment === void 0) throw notFound(`No Experiment with id=${experimentId} exists`);
    return experiment;
  }
  async getExperimentByName(name) {
    const rows = await this.driver.all(sql`SELECT * FROM experiments WHERE name = ${name}`);
    if (rows.length === 0) return null;
    const [experiment] = await this.experimentsFromRows(this.driver, rows);
    return experiment;
  }
  async searchExperiments(options = {}) {
    const maxResults = validateMaxResults(options.maxResults);
    const offset = decodePageToken(options.pageToken);
    const query = compileExperimentSearch({
      filter: parseFilter(options.filter ?? ""),
      orderBy: (options.orderBy ?? []).map(parseOrderBy),
      viewType: options.viewType,
      limit: maxResults + 1,
      offset,
      dialect: this.driver.dialect
    });
    const idRows = await this.driver.all(query);
    const page = idRows.slice(0, maxResults).map((row) => row.experiment_id);
    const experiments = await this.loadExperiments(this.driver, page);
    const result = { experiments };
    if (idRows.length > maxResults) result.next_page_token = encodePageToken(offset + maxResults);
    return result;
  }
  async deleteExperiment(experimentId) {
    await this.driver.transaction(async (tx) => {
      const experiment = await this.requireExperiment(tx, experimentId);
      if (experiment.lifecycle_stage !== "active") {
        throw new StoreError("INVALID_STATE", `Experiment ${experimentId} is already deleted.`, {
          hint: "restore it first with restoreExperiment"
        });
      }
      const now = Date.now();
      const id = Number(experimentId);
      await tx.run(
        sql`UPDATE experiments SET lifecycle_stage = ${"deleted"}, last_update_time = ${now} WHERE experiment_id = ${id}`
      );
      await tx.run(
        sql`UPDATE runs SET lifecycle_stage = ${"deleted"}, deleted_time = ${now} WHERE experiment_id = ${id} AND lifecycle_stage = ${"active"}`
      );
    });
  }
  async restoreExperiment(experimentId) {
    await this.driver.transaction(async (tx) => {
      const experiment = await this.requireExperiment(tx, experimentId);
      if (experiment.lifecycle_stage !== "deleted") {
        throw new StoreError(
          "INVALID_STATE",
          `Cannot restore experiment ${experimentId}: it is not deleted.`
        );
      }
      const id = Number(experimentId);
      await tx.run(
        sql`UPDATE experiments SET lifecycle_stage = ${"active"}, last_update_time = ${Date.now()} WHERE experiment_id = ${id}`
      );
      await tx.run(
        sql`UPDATE runs SET lifecycle_stage = ${"active"}, deleted_time = ${null} WHERE experiment_id = ${id} AND lifecycle_stage = ${"deleted"}`
      );
    });
  }
  async renameExperiment(experimentId, newName) {
    validateExperimentName(newName);
    try {
      await this.driver.transaction(async (tx) => {
        const experiment = await this.requireExperiment(tx, experimentId);
        if (experiment.lifecycle_stage !== "active") {
          throw new StoreError(
            "INVALID_STATE",
            `Cannot rename a non-active experiment (id=${experimentId}).`,
            {
              hint: "restore it first with restoreExperiment"
            }
          );
        }
        if (experiment.name === newName) return;
        const clash = await tx.all(
          sql`SELECT experiment_id FROM experiments WHERE name = ${newName}`
        );
        if (clash.length > 0) throw this.experimentExists(newName);
        await tx.run(
          sql`UPDATE experiments SET name = ${newName}, last_update_time = ${Date.now()} WHERE experiment_id = ${Number(experimentId)}`
        );
      });
    } catch (error) {
      if (this.driver.isUniqueViolation(error)) throw this.experimentExists(newName);
      throw error;
    }
  }
  async setExperimentTag(experimentId, tag) {
    validateExperimentTag(tag);
    await this.driver.transaction(async (tx) => {
      const experiment = await this.requireExperiment(tx, experimentId);
      if (experiment.lifecycle_stage !== "active") {
        throw new StoreError(
          "INVALID_STATE",
          `The experiment ${experimentId} must be in the 'active' state. Current state is ${experiment.lifecycle_stage}.`
        );
      }
      await tx.run(
        sql`INSERT INTO experiment_tags (key, value, experiment_id) VALUES (${tag.key}, ${tag.value}, ${Number(experimentId)})
            ON CONFLICT (key, experiment_id) DO UPDATE SET value = excluded.value`
      );
    });
  }
  async findExperiment(db, experimentId) {
    const id = parseExperimentId(experimentId);
    if (id === void 0) return void 0;
    const rows = await db.all(sql`SELECT * FROM experiments WHERE experiment_id = ${id}`);
    if (rows.length === 0) return void 0;
    const [experiment] = await this.experimentsFromRows(db, rows);
    return experiment;
  }
  async requireExperiment(db, experimentId) {
    const id = parseExperimentId(experimentId);
    const rows = id === void 0 ? [] : await db.all(sql`SELECT * FROM experiments WHERE experiment_id = ${id}`);
    if (rows.length === 0) throw notFound(`No Experiment with id=${experimentId} exists`);
    return rows[0];
  }
  async loadExperiments(db, ids) {
    const byId = /* @__PURE__ */ new Map();
    for (const part of chunks(ids)) {
      for (const row of await db.all(
        sql`SELECT * FROM experiments WHERE experiment_id IN ${sqlList(part)}`
      )) {
        byId.set(Number(row.experiment_id), row);
      }
    }
    const rows = ids.map((id) => byId.get(id)).filter((row) => row !== void 0);
    return this.experimentsFromRows(db, rows);
  }
  async experimentsFromRows(db, rows) {
    const tags = /* @__PURE__ */ new Map();
    for (const part of chunks(rows.map((row) => Number(row.experiment_id)))) {
      if (part.length === 0) continue;
      for (const tag of await db.all(
        sql`SELECT experiment_id, key, value FROM experiment_tags WHERE experiment_id IN ${sqlList(part)} ORDER BY key`
      )) {
        const list = tags.get(Number(tag.experiment_id)) ?? [];
        list.push({ key: tag.key, value: tag.value ?? "" });
        tags.set(Number(tag.experiment_id), list);
      }
    }
    return rows.map((row) => ({
      experiment_id: String(row.experiment_id),
      name: row.name,
      artifact_location: row.artifact_location ?? "",
      lifecycle_stage: row.lifecycle_stage,
      creation_time: Number(row.creation_time ?? 0),
      last_update_time: Number(row.last_update_time ?? 0),
      tags: tags.get(Number(row.experiment_id)) ?? []
    }));
  }
  // ---- runs ----------------------------------------------------------------------------------
  async createRun(options) {
    const tags = options.tags ?? [];
    tags.forEach(validateTag);
    if (options.userId !== void 0) validateUserId(options.userId);
    if (options.runName !== void 0) validateRunName(options.runName);
    const startTime = options.startTime ?? Date.now();
    validateTimestamp(startTime, "start_time");
    const tagName = tags.find((tag) => tag.key === TAGS.runName)?.value;
    if (options.runName && tagName && tagName !== options.runName) {
      throw new StoreError(
        "INVALID_PARAMETER_VALUE",
        `Both 'run_name' argument and '${TAGS.runName}' tag are specified, but with different values (run_name='${options.runName}', ${TAGS.runName}='${tagName}').`,
        { hint: "give the name once, or the same value in both" }
      );
    }
    const runName = options.runName || tagName || generateRunName();
    const userId = options.userId ?? "";
    const runId = randomUUID().replaceAll("-", "");
    return this.driver.transaction(async (tx) => {
      const experiment = await this.requireExperiment(tx, options.experimentId);
      if (experiment.lifecycle_stage !== "active") {
        throw new StoreError(
          "INVALID_STATE",
          `The experiment ${options.experimentId} must be in the 'active' state to create runs in it. Current state is ${experiment.lifecycle_stage}.`,
          { hint: "restore the experiment (restoreExperiment) or log to another one" }
        );
      }
      const artifactUri = joinUri(
        experiment.artifact_location ?? this.defaultArtifactRoot,
        runId,
        "artifacts"
      );
      await tx.run(
        sql`INSERT INTO runs (run_uuid, name, source_type, source_name, entry_point_name, user_id, status, start_time,
                              end_time, deleted_time, source_version, lifecycle_stage, artifact_uri, experiment_id)
            VALUES (${runId}, ${runName}, ${"UNKNOWN"}, ${""}, ${""}, ${userId}, ${"RUNNING"}, ${startTime},
                    ${null}, ${null}, ${""}, ${"active"}, ${artifactUri}, ${Number(experiment.experiment_id)})`
      );
      const allTags = /* @__PURE__ */ new Map();
      for (const tag of tags) allTags.set(tag.key, tag.value);
      allTags.set(TAGS.runName, runName);
      if (options.userId !== void 0 && !allTags.has(TAGS.user)) allTags.set(TAGS.user, options.userId);
      await this.upsertRunTags(
        tx,
        runId,
        [...allTags].map(([key, value]) => ({ key, value }))
      );
      return this.loadRunOrThrow(tx, runId);
    });
  }
  async getRun(runId) {
    validateRunId(runId);
    return this.loadRunOrThrow(this.driver, runId);
  }
  async updateRun(runId, options) {
    validateRunId(runId);
    if (options.status !== void 0) validateRunStatus(options.status);
    if (options.endTime !== void 0) validateTimestamp(options.endTime, "end_time");
    if (options.runName !== void 0) validateTag({ key: TAGS.runName, value: options.runName });
    return this.driver.transaction(async (tx) => {
      await this.requireActiveRun(tx, runId);
      const sets = [];
      if (options.status !== void 0) sets.push(sql`status = ${options.status}`);
      if (options.endTime !== void 0) sets.push(sql`end_time = ${options.endTime}`);
      if (options.runName !== void 0 && options.runName !== "") sets.push(sql`name = ${options.runName}`);
      if (sets.length > 0)
        await tx.run(sql`UPDATE runs SET ${joinSql(sets, ", ")} WHERE run_uuid = ${runId}`);
      if (options.runName !== void 0 && options.runName !== "") {
        await this.upsertRunTags(tx, runId, [{ key: TAGS.runName, value: options.runName }]);
      }
      return (await this.loadRunOrThrow(tx, runId)).info;
    });
  }
  async deleteRun(runId) {
    validateRunId(runId);
    await this.driver.transaction(async (tx) => {
      await this.requireRun(tx, runId);
      await tx.run(
        sql`UPDATE runs SET lifecycle_stage = ${"deleted"}, deleted_time = ${Date.now()} WHERE run_uuid = ${runId}`
      );
    });
  }
  async restoreRun(runId) {
    validateRunId(runId);
    await this.driver.transaction(async (tx) => {
      await this.requireRun(tx, runId);
      await tx.run(
        sql`UPDATE runs SET lifecycle_stage = ${"active"}, deleted_time = ${null} WHERE run_uuid = ${runId}`
      );
    });
  }
  async logMetric(runId, metric) {
    await this.logBatch(runId, { metrics: [metric] });
  }
  async logParam(runId, param) {
    await this.logBatch(runId, { params: [param] });
  }
  async setTag(runId, tag) {
    await this.logBatch(runId, { tags: [tag] });
  }
  async deleteTag(runId, key) {
    validateRunId(runId);
    await this.driver.transaction(async (tx) => {
      await this.requireActiveRun(tx, runId);
      const changed = await tx.run(sql`DELETE FROM tags WHERE run_uuid = ${runId} AND key = ${key}`);
      if (changed === 0) throw notFound(`No tag with name: ${key} in run with id ${runId}`);
    });
  }
  async logBatch(runId, batch) {
    validateRunId(runId);
    validateLogBatch(batch);
    const metrics = batch.metrics ?? [];
    const params = batch.params ?? [];
    const tags = batch.tags ?? [];
    if (metrics.length + params.length + tags.length === 0) {
      await this.requireRun(this.driver, runId);
      return;
    }
    await this.driver.transaction(async (tx) => {
      await this.lockRun(tx, runId);
      await this.requireActiveRun(tx, runId);
      if (tags.length > 0) await this.upsertRunTags(tx, runId, tags);
      if (metrics.length > 0) await this.insertMetrics(tx, runId, metrics);
      if (params.length > 0) await this.insertParams(tx, runId, params);
    });
  }
  async getMetricHistory(runId, key) {
    validateRunId(runId);
    await this.requireRun(this.driver, runId);
    const rows = await this.driver.all(
      sql`SELECT run_uuid, key, value, timestamp, step, is_nan FROM metrics WHERE run_uuid = ${runId} AND key = ${key}
          ORDER BY step, timestamp, value`
    );
    return rows.map(metricFromRow);
  }
  async logInputs(runId, datasets) {
    validateRunId(runId);
    validateDatasetInputs(datasets);
    const unique = /* @__PURE__ */ new Map();
    for (const input of datasets) {
      const key = JSON.stringify([input.dataset.name, input.dataset.digest]);
      if (!unique.has(key)) unique.set(key, input);
    }
    await this.driver.transaction(async (tx) => {
      await this.lockRun(tx, runId);
      const run = await this.requireActiveRun(tx, runId);
      if (unique.size === 0) return;
      for (const input of unique.values()) {
        const datasetUuid = await this.datasetUuid(tx, Number(run.experiment_id), input.dataset);
        const [existing] = await tx.all(
          sql`SELECT input_uuid FROM inputs WHERE source_type = ${"DATASET"} AND source_id = ${datasetUuid}
              AND destination_type = ${"RUN"} AND destination_id = ${runId}`
        );
        if (existing !== void 0) continue;
        const inputUuid = randomUUID().replaceAll("-", "");
        await tx.run(
          sql`INSERT INTO inputs (input_uuid, source_type, source_id, destination_type, destination_id)
              VALUES (${inputUuid}, ${"DATASET"}, ${datasetUuid}, ${"RUN"}, ${runId})`
        );
        const tags = new Map(input.tags.map((tag) => [tag.key, tag.value]));
        for (const [name, value] of tags) {
          await tx.run(
            sql`INSERT INTO input_tags (input_uuid, name, value) VALUES (${inputUuid}, ${name}, ${value})`
          );
        }
      }
    });
  }
  /**
   * The uuid of the dataset with this name and digest, created in the run's experiment when there
   * is none. Like MLflow 2.12, an existing dataset of that name and digest is reused even when it
   * was first logged in another experiment; one in the run's own experiment is preferred.
   */
  async datasetUuid(tx, experimentId, dataset) {
    const found = await tx.all(
      sql`SELECT dataset_uuid, experiment_id FROM datasets WHERE name = ${dataset.name} AND digest = ${dataset.digest}
          ORDER BY CASE WHEN experiment_id = ${experimentId} THEN 0 ELSE 1 END, experiment_id`
    );
    if (found.length > 0) return found[0].dataset_uuid;
    const uuid = randomUUID().replaceAll("-", "");
    await tx.run(
      sql`INSERT INTO datasets (dataset_uuid, experiment_id, name, digest, dataset_source_type, dataset_source,
                                dataset_schema, dataset_profile)
          VALUES (${uuid}, ${experimentId}, ${dataset.name}, ${dataset.digest}, ${dataset.source_type},
                  ${dataset.source}, ${dataset.schema ?? null}, ${dataset.profile ?? null})`
    );
    return uuid;
  }
  async searchRuns(options) {
    const maxResults = validateMaxResults(options.maxResults, { allowZero: true });
    const offset = decodePageToken(options.pageToken);
    const experimentIds = (options.experimentIds ?? []).map(parseExperimentId).filter((id) => id !== void 0);
    const query = compileRunSearch({
      experimentIds,
      filter: parseFilter(options.filter ?? ""),
      orderBy: (options.orderBy ?? []).map(parseOrderBy),
      viewType: options.runViewType,
      limit: maxResults,
      offset,
      dialect: this.driver.dialect
    });
    const idRows = await this.driver.all(query);
    const runs = await this.loadRuns(
      this.driver,
      idRows.map((row) => row.run_uuid)
    );
    const result = { runs };
    if (idRows.length === maxResults) result.next_page_token = encodePageToken(offset + maxResults);
    return result;
  }
  /**
   * The connection this store runs on, for modules that keep their own tables in the same
   * database (the model registry, src/registry/sql-registry.ts), so both share one pool and lock.
   */
  get sqlDriver() {
    return this.driver;
  }
  async close() {
    await this.driver.close();
  }
  // ---- internals -----------------------------------------------------------------------------
  /**
   * Makes concurrent writers to one run take turns, so the params check and the latest_metrics
   * comparison see each other's results. SQLite needs nothing: BEGIN IMMEDIATE already holds the
   * database's single write lock.
   */
  async lockRun(_tx, _runId) {
  }
  async requireRun(db, runId) {
    const rows = await db.all(sql`SELECT ${RUN_COLUMNS} FROM runs r WHERE r.run_uuid = ${runId}`);
    if (rows.length === 0) throw notFound(`Run with id=${runId} not found`);
    return rows[0];
  }
  async requireActiveRun(db, runId) {
    const row = await this.requireRun(db, runId);
    if (row.lifecycle_stage !== "active") {
      throw new StoreError(
        "INVALID_PARAMETER_VALUE",
        `The run ${runId} must be in the 'active' state. Current state is ${row.lifecycle_stage}.`,
        { hint: "restore the run first (restoreRun)" }
      );
    }
    return row;
  }
  async insertParams(tx, runId, params) {
    const unique = /* @__PURE__ */ new Map();
    for (const param of params) unique.set(param.key, param.value);
    const keys = [...unique.keys()];
    for (const part of chunks(keys)) {
      const existing = await tx.all(
        sql`SELECT key, value FROM params WHERE run_uuid = ${runId} AND key IN ${sqlList(part)}`
      );
      for (const row of existing) {
        const wanted = unique.get(row.key);
        if (wanted !== void 0 && wanted !== row.value) {
          throw new StoreError(
            "INVALID_PARAMETER_VALUE",
            `Changing param values is not allowed. Param with key='${row.key}' was already logged with value='${row.value}' for run ID='${runId}'. Attempted logging new value '${wanted}'.`,
            { hint: "params are immutable: log the new value under another key or in a new run" }
          );
        }
        unique.delete(row.key);
      }
    }
    for (const part of chunks([...unique])) {
      const rows = part.map(([key, value]) => sql`(${key}, ${value}, ${runId})`);
      await tx.run(
        sql`INSERT INTO params (key, value, run_uuid) VALUES ${joinSql(rows, ", ")} ON CONFLICT (key, run_uuid) DO NOTHING`
      );
    }
  }
  async upsertRunTags(tx, runId, tags) {
    const unique = /* @__PURE__ */ new Map();
    for (const tag of tags) unique.set(tag.key, tag.value);
    for (const part of chunks([...unique])) {
      const rows = part.map(([key, value]) => sql`(${key}, ${value}, ${runId})`);
      await tx.run(
        sql`INSERT INTO tags (key, value, run_uuid) VALUES ${joinSql(rows, ", ")}
            ON CONFLICT (key, run_uuid) DO UPDATE SET value = excluded.value`
      );
    }
    const runName = unique.get(TAGS.runName);
    if (runName !== void 0 && runName !== "") {
      await tx.run(sql`UPDATE runs SET name = ${runName} WHERE run_uuid = ${runId}`);
    }
  }
  async insertMetrics(tx, runId, metrics) {
    const stored = metrics.map(storedMetric);
    for (const part of chunks(stored)) {
      const rows = part.map(
        (metric) => sql`(${metric.key}, ${metric.value}, ${metric.timestamp}, ${runId}, ${metric.step}, ${metric.isNan})`
      );
      await tx.run(
        sql`INSERT INTO metrics (key, value, timestamp, run_uuid, step, is_nan) VALUES ${joinSql(rows, ", ")}
            ON CONFLICT DO NOTHING`
      );
    }
    const newest = /* @__PURE__ */ new Map();
    for (const metric of stored) {
      const current = newest.get(metric.key);
      if (current === void 0 || isNewer(metric, current)) newest.set(metric.key, metric);
    }
    for (const part of chunks([...newest.keys()])) {
      const existing = await tx.all(
        sql`SELECT run_uuid, key, value, timestamp, step, is_nan FROM latest_metrics
            WHERE run_uuid = ${runId} AND key IN ${sqlList(part)}`
      );
      for (const row of existing) {
        const candidate = newest.get(row.key);
        const current = {
          step: Number(row.step),
          timestamp: Number(row.timestamp ?? 0),
          value: Number(row.value)
        };
        if (candidate !== void 0 && !isNewer(candidate, current)) newest.delete(row.key);
      }
    }
    for (const part of chunks([...newest.values()])) {
      const rows = part.map(
        (metric) => sql`(${metric.key}, ${metric.value}, ${metric.timestamp}, ${metric.step}, ${metric.isNan}, ${runId})`
      );
      await tx.run(
        sql`INSERT INTO latest_metrics (key, value, timestamp, step, is_nan, run_uuid) VALUES ${joinSql(rows, ", ")}
            ON CONFLICT (key, run_uuid) DO UPDATE SET value = excluded.value, timestamp = excluded.timestamp,
              step = excluded.step, is_nan = excluded.is_nan`
      );
    }
  }
  /** Each run's dataset inputs with their tags, datasets by name then digest, tags by key. */
  async loadInputs(db, ids, runs) {
    const rows = await db.all(
      sql`SELECT i.input_uuid, i.destination_id AS run_uuid, d.name, d.digest, d.dataset_source_type,
                 d.dataset_source, d.dataset_schema, d.dataset_profile
          FROM inputs i JOIN datasets d ON d.dataset_uuid = i.source_id
          WHERE i.destination_type = ${"RUN"} AND i.destination_id IN ${ids}
          ORDER BY i.destination_id, d.name, d.digest`
    );
    if (rows.length === 0) return;
    const tags = /* @__PURE__ */ new Map();
    for (const part of chunks(rows.map((row) => row.input_uuid))) {
      for (const tag of await db.all(
        sql`SELECT input_uuid, name, value FROM input_tags WHERE input_uuid IN ${sqlList(part)} ORDER BY name`
      )) {
        const list = tags.get(tag.input_uuid) ?? [];
        list.push({ key: tag.name, value: tag.value });
        tags.set(tag.input_uuid, list);
      }
    }
    for (const row of rows) {
      const dataset = {
        name: row.name,
        digest: row.digest,
        source_type: row.dataset_source_type,
        source: row.dataset_source
      };
      if (row.dataset_schema !== null) dataset.schema = row.dataset_schema;
      if (row.dataset_profile !== null) dataset.profile = row.dataset_profile;
      runs.get(row.run_uuid)?.inputs?.dataset_inputs.push({ tags: tags.get(row.input_uuid) ?? [], dataset });
    }
  }
  async loadRunOrThrow(db, runId) {
    const [run] = await this.loadRuns(db, [runId]);
    if (run === void 0) throw notFound(`Run with id=${runId} not found`);
    return run;
  }
  /** Full runs (info + latest metrics, params, tags) in the order of `runIds`. */
  async loadRuns(db, runIds) {
    const runs = /* @__PURE__ */ new Map();
    for (const part of chunks(runIds)) {
      const ids = sqlList(part);
      for (const row of await db.all(
        sql`SELECT ${RUN_COLUMNS} FROM runs r WHERE r.run_uuid IN ${ids}`
      )) {
        runs.set(row.run_uuid, {
          info: runInfoFromRow(row),
          data: { metrics: [], params: [], tags: [] },
          inputs: { dataset_inputs: [] }
        });
      }
      for (const row of await db.all(
        sql`SELECT run_uuid, key, value, timestamp, step, is_nan FROM latest_metrics WHERE run_uuid IN ${ids} ORDER BY key`
      )) {
        runs.get(row.run_uuid)?.data.metrics.push(metricFromRow(row));
      }
      for (const row of await db.all(
        sql`SELECT run_uuid, key, value FROM params WHERE run_uuid IN ${ids} ORDER BY key`
      )) {
        runs.get(row.run_uuid)?.data.params.push({ key: row.key, value: row.value ?? "" });
      }
      for (const row of await db.all(
        sql`SELECT run_uuid, key, value FROM tags WHERE run_uuid IN ${ids} ORDER BY key`
      )) {
        runs.get(row.run_uuid)?.data.tags.push({ key: row.key, value: row.value ?? "" });
      }
      await this.loadInputs(db, ids, runs);
    }
    return runIds.map((id) => runs.get(id)).filter((run) => run !== void 0);
  }
};

export {
  sql,
  rawSql,
  joinSql,
  sqlList,
  renderSql,
  filterSyntaxError,
  parseFilter,
  parseOrderBy,
  encodePageToken,
  decodePageToken,
  MLFLOW_ALEMBIC_HEAD,
  MLFLOW_OLDER_REVISIONS,
  MLFLOW_TABLES,
  MLFLOW_INFINITY_VALUE,
  mlflowSchemaStatements,
  databaseErrorCode,
  databaseError,
  normalizeArtifactLocation,
  ensureDefaultExperiment,
  SqlTrackingStore
};
