import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  require_dist
} from "./chunk-chunk-VDD6CXJ7.js";
import {
  ConfigError,
  UsageError
} from "./chunk-chunk-FHTLSLDU.js";
import {
  __toESM
} from "./chunk-chunk-ZGLOIRZZ.js";

// src/projects/mlproject.ts
import { accessSync, constants, existsSync as existsSync2, readdirSync, readFileSync as readFileSync2, statSync } from "node:fs";
import { delimiter, extname, isAbsolute as isAbsolute2, join, resolve as resolve2 } from "node:path";
import { Ajv } from "ajv";

// src/projects/command.ts
var SAFE_WORD = /^[\w@%+=:,./-]+$/;
function shellQuote(value) {
  if (value === "") return "''";
  if (SAFE_WORD.test(value)) return value;
  return `'${value.replace(/'/g, `'"'"'`)}'`;
}
function parseTemplate(template) {
  const segments = [];
  let literal = "";
  for (let i = 0; i < template.length; i++) {
    const ch = template[i];
    if (ch === "{") {
      if (template[i + 1] === "{") {
        literal += "{";
        i++;
        continue;
      }
      const close = template.indexOf("}", i + 1);
      if (close < 0)
        throw new Error(`unclosed "{" at character ${i + 1} of the command (write {{ for a literal brace)`);
      const field = template.slice(i + 1, close).trim();
      if (!/^[A-Za-z_][\w.-]*$/.test(field)) {
        throw new Error(
          `"{${template.slice(i + 1, close)}}" is not a parameter placeholder (write {{ and }} for literal braces)`
        );
      }
      if (literal) segments.push({ literal });
      literal = "";
      segments.push({ field });
      i = close;
    } else if (ch === "}") {
      if (template[i + 1] === "}") {
        literal += "}";
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
function placeholdersOf(template) {
  const names = [];
  for (const s of parseTemplate(template)) {
    if ("field" in s && !names.includes(s.field)) names.push(s.field);
  }
  return names;
}
function renderCommand(options) {
  let segments;
  try {
    segments = parseTemplate(options.template);
  } catch (error) {
    throw new ConfigError([
      {
        file: options.entryPoint ?? "command",
        line: 0,
        column: 0,
        path: "command",
        message: error.message
      }
    ]);
  }
  const parts = segments.map((s) => {
    if ("literal" in s) return s.literal;
    const value = options.values[s.field];
    if (value === void 0) {
      throw new ConfigError([
        {
          file: options.entryPoint ?? "command",
          line: 0,
          column: 0,
          path: "command",
          message: `command uses {${s.field}}, which is not a parameter${options.entryPoint ? ` of entry point "${options.entryPoint}"` : ""}`
        }
      ]);
    }
    return shellQuote(value);
  });
  const rendered = [parts.join("")];
  for (const [key, value] of Object.entries(options.extra ?? {})) {
    rendered.push(`${shellQuote(`--${key}`)} ${shellQuote(value)}`);
  }
  return rendered.join(" ");
}

// src/projects/params.ts
import { existsSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { fileURLToPath } from "node:url";
var PARAM_TYPES = ["float", "int", "string", "path", "uri"];
var FLOAT = /^[+-]?((\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|nan|inf|infinity)$/i;
var INT = /^[+-]?\d+$/;
var SCHEME = /^[a-zA-Z][a-zA-Z0-9+.-]*:/;
function checkParameterValue(spec, value) {
  switch (spec.type) {
    case "float":
      return FLOAT.test(value.trim()) ? void 0 : `must be a float, got ${JSON.stringify(value)}`;
    case "int":
      return INT.test(value.trim()) ? void 0 : `must be an int, got ${JSON.stringify(value)}`;
    case "uri":
      return SCHEME.test(value) ? void 0 : `must be a URI with a scheme (e.g. file:///data.csv), got ${JSON.stringify(value)}`;
    default:
      return void 0;
  }
}
function resolveParameters(options) {
  const { entryPoint, given, cwd } = options;
  const declared = {};
  const commandValues = {};
  const extra = {};
  const missing = entryPoint.parameters.filter((p) => given[p.name] === void 0 && p.default === void 0);
  if (missing.length > 0) {
    throw new UsageError(
      `entry point "${entryPoint.name}" needs ${missing.length === 1 ? "parameter" : "parameters"} ${missing.map((p) => `${p.name} (${p.type})`).join(", ")}, which ${missing.length === 1 ? "has" : "have"} no default`,
      { hint: `pass ${missing.map((p) => `-P ${p.name}=<${p.type}>`).join(" ")}` }
    );
  }
  const problems = [];
  for (const spec of entryPoint.parameters) {
    const value = given[spec.name] ?? spec.default;
    declared[spec.name] = value;
    const problem = checkParameterValue(spec, value);
    if (problem) {
      problems.push(`parameter ${spec.name} ${problem}`);
      continue;
    }
    if (spec.type === "path") {
      const resolved = resolvePathValue(spec, value, cwd);
      if (typeof resolved === "string") commandValues[spec.name] = resolved;
      else problems.push(resolved.problem);
    } else {
      commandValues[spec.name] = value;
    }
  }
  if (problems.length > 0) {
    throw new UsageError(`invalid parameters for entry point "${entryPoint.name}": ${problems.join("; ")}`, {
      hint: "fix the -P values (or the defaults in the MLproject file)"
    });
  }
  const declaredNames = new Set(entryPoint.parameters.map((p) => p.name));
  for (const [key, value] of Object.entries(given)) {
    if (!declaredNames.has(key)) extra[key] = value;
  }
  return { declared, commandValues, extra };
}
function resolvePathValue(spec, value, cwd) {
  let local;
  if (/^file:/i.test(value)) {
    try {
      local = fileURLToPath(value);
    } catch {
      return { problem: `parameter ${spec.name} is not a valid file: URI: ${JSON.stringify(value)}` };
    }
  } else if (SCHEME.test(value) && !/^[a-zA-Z]:[\\/]/.test(value)) {
    return {
      problem: `parameter ${spec.name} has type path but ${JSON.stringify(value)} is a remote URI; mlrecipe does not download path parameters (declare it as uri, or pass a local path)`
    };
  } else {
    local = isAbsolute(value) ? value : resolve(cwd, value);
  }
  if (!existsSync(local)) {
    return {
      problem: `parameter ${spec.name} is the path ${JSON.stringify(value)}, but no file or directory ${local} exists`
    };
  }
  return local;
}
function parseParameterAssignments(pairs) {
  const result = {};
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    if (eq <= 0) {
      throw new UsageError(`-P ${JSON.stringify(pair)} is not key=value`, { hint: "write -P alpha=0.5" });
    }
    result[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return result;
}

// src/projects/yaml-document.ts
var import_yaml = __toESM(require_dist(), 1);
import { readFileSync } from "node:fs";
function readPositionedYaml(file) {
  let text;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new ConfigError([
      { file, line: 0, column: 0, path: "", message: `cannot read file: ${error.message}` }
    ]);
  }
  return parsePositionedYaml(text, file);
}
function parsePositionedYaml(text, file) {
  const lineCounter = new import_yaml.LineCounter();
  const doc = (0, import_yaml.parseDocument)(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((e) => {
        const pos = lineCounter.linePos(e.pos[0]);
        return {
          file,
          line: pos.line,
          column: pos.col,
          path: "",
          message: `YAML syntax error: ${firstLine(e.message)}`
        };
      })
    );
  }
  const positionOf = (path, options = {}) => {
    let node = doc.contents;
    let keyNode;
    for (const segment of path) {
      const next = childOf(node, segment);
      if (!next) break;
      node = next.value;
      keyNode = next.key;
    }
    const target = options.key && keyNode ? keyNode : node;
    const offset = target?.range?.[0];
    if (offset === void 0) return { line: 1, column: 1 };
    const pos = lineCounter.linePos(offset);
    return { line: pos.line, column: pos.col };
  };
  return {
    file,
    value: doc.toJS({ maxAliasCount: 100 }),
    positionOf,
    issue(path, message, hint) {
      const pos = positionOf(path);
      return { file, ...pos, path: path.join("."), message, ...hint ? { hint } : {} };
    }
  };
}
function childOf(node, segment) {
  if ((0, import_yaml.isMap)(node)) {
    for (const item of node.items) {
      if ((0, import_yaml.isPair)(item) && (0, import_yaml.isScalar)(item.key) && String(item.key.value) === String(segment)) {
        return { key: item.key, value: item.value ?? item.key };
      }
    }
    return void 0;
  }
  if ((0, import_yaml.isSeq)(node) && typeof segment === "number") {
    const value = node.items[segment];
    return value ? { value } : void 0;
  }
  return void 0;
}
function firstLine(message) {
  return message.split("\n")[0] ?? message;
}
function schemaIssues(doc, errors) {
  const issues = [];
  const seen = /* @__PURE__ */ new Set();
  for (const error of errors) {
    if (error.keyword === "oneOf" || error.keyword === "anyOf" || error.keyword === "if") continue;
    const path = error.instancePath.split("/").slice(1).map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
    let message = error.message ?? "is invalid";
    let key = false;
    if (error.keyword === "additionalProperties") {
      const extra = String(error.params.additionalProperty);
      path.push(extra);
      message = `unknown field "${extra}"`;
      key = true;
    } else if (error.keyword === "required") {
      message = `missing required field "${error.params.missingProperty}"`;
    } else if (error.keyword === "enum") {
      message = `must be one of ${error.params.allowedValues.map((v) => JSON.stringify(v)).join(", ")}`;
    }
    const pos = doc.positionOf(path, { key });
    const issue = { file: doc.file, ...pos, path: path.join("."), message };
    const dedupe = `${issue.path}|${issue.message}`;
    if (seen.has(dedupe)) continue;
    seen.add(dedupe);
    issues.push(issue);
  }
  return issues;
}

// src/projects/mlproject.ts
var SCRIPT_RUNNERS = {
  ".py": "python",
  ".sh": "bash",
  ".js": "node",
  ".mjs": "node",
  ".cjs": "node",
  ".ts": "node + tsx",
  ".mts": "node + tsx"
};
var validator;
function mlprojectValidator() {
  if (!validator) {
    const schema = JSON.parse(
      readFileSync2(new URL("../../schema/mlproject.schema.json", import.meta.url), "utf8")
    );
    validator = new Ajv({ allErrors: true, strict: false }).compile(schema);
  }
  return validator;
}
function findMlprojectFile(dir) {
  const names = readdirSync(dir).filter((f) => f.toLowerCase() === "mlproject");
  return names.length > 0 ? join(dir, names[0]) : void 0;
}
function loadProject(dir) {
  const absDir = resolve2(dir);
  if (!existsSync2(absDir) || !statSync(absDir).isDirectory()) {
    throw new UsageError(`project directory ${absDir} does not exist`, {
      hint: "pass a project directory, a git URI (https://\u2026, git@\u2026, file://\u2026) or a path with #subdirectory"
    });
  }
  const file = findMlprojectFile(absDir);
  if (!file) return { dir: absDir, entryPoints: {}, environment: conventionEnvironment(absDir) };
  return parseMlproject(readPositionedYaml(file), absDir);
}
function conventionEnvironment(dir) {
  if (existsSync2(join(dir, "python_env.yaml")))
    return { kind: "python_env", file: join(dir, "python_env.yaml") };
  if (existsSync2(join(dir, "conda.yaml"))) return { kind: "conda_env", file: join(dir, "conda.yaml") };
  return { kind: "none" };
}
function parseMlproject(doc, dir) {
  const file = doc.file;
  const raw = doc.value ?? {};
  if (typeof raw !== "object" || Array.isArray(raw)) {
    throw new ConfigError([
      doc.issue([], "an MLproject file must be a YAML mapping (name, entry_points, \u2026)")
    ]);
  }
  const validate = mlprojectValidator();
  if (!validate(raw)) throw new ConfigError(schemaIssues(doc, validate.errors ?? []));
  const spec = raw;
  const issues = [];
  const envKeys = ["python_env", "conda_env", "docker_env", "node_env"].filter(
    (k) => spec[k] !== void 0
  );
  if (envKeys.length > 1) {
    issues.push(
      doc.issue(
        [envKeys[1]],
        `a project declares one environment, but this one declares ${envKeys.join(" and ")}`,
        "keep only one of python_env, conda_env, docker_env, node_env"
      )
    );
  }
  const entryPoints = {};
  for (const [name, ep] of Object.entries(spec.entry_points ?? {})) {
    const parameters = [];
    for (const [pname, pdef] of Object.entries(ep.parameters ?? {})) {
      const ppath = ["entry_points", name, "parameters", pname];
      const type = typeof pdef === "string" ? pdef : pdef.type ?? "string";
      const rawDefault = typeof pdef === "object" && pdef !== null ? pdef.default : void 0;
      const param = { name: pname, type };
      if (rawDefault !== void 0 && rawDefault !== null) {
        param.default = String(rawDefault);
        const problem = checkParameterValue(param, param.default);
        if (problem) issues.push(doc.issue([...ppath, "default"], `default ${problem}`));
      }
      parameters.push(param);
    }
    const declared = new Set(parameters.map((p) => p.name));
    try {
      for (const placeholder of placeholdersOf(ep.command)) {
        if (!declared.has(placeholder)) {
          issues.push(
            doc.issue(
              ["entry_points", name, "command"],
              `command uses {${placeholder}}, which is not a parameter of entry point "${name}"`,
              `declare it under entry_points.${name}.parameters, or write {{ and }} for literal braces`
            )
          );
        }
      }
    } catch (error) {
      issues.push(doc.issue(["entry_points", name, "command"], error.message));
    }
    entryPoints[name] = {
      name,
      parameters,
      command: ep.command,
      source: { file, ...doc.positionOf(["entry_points", name], { key: true }) }
    };
  }
  const environment = environmentOf(spec, dir, doc, issues);
  if (issues.length > 0) throw new ConfigError(issues);
  return { dir, file, ...spec.name !== void 0 ? { name: spec.name } : {}, entryPoints, environment };
}
function environmentOf(spec, dir, doc, issues) {
  const envFile = (key, rel) => {
    const path = isAbsolute2(rel) ? rel : join(dir, rel);
    if (!existsSync2(path)) {
      issues.push(doc.issue([key], `${key} file ${rel} does not exist in ${dir}`));
      return void 0;
    }
    return path;
  };
  if (spec.docker_env) {
    return {
      kind: "docker_env",
      image: spec.docker_env.image,
      volumes: spec.docker_env.volumes ?? [],
      environment: spec.docker_env.environment ?? []
    };
  }
  if (spec.conda_env !== void 0) {
    const file = envFile("conda_env", spec.conda_env);
    return file ? { kind: "conda_env", file } : { kind: "none" };
  }
  if (spec.python_env !== void 0) {
    const file = envFile("python_env", spec.python_env);
    return file ? { kind: "python_env", file } : { kind: "none" };
  }
  if (spec.node_env !== void 0) {
    let nodeSpec = spec.node_env;
    if (typeof nodeSpec === "string") {
      const file = envFile("node_env", nodeSpec);
      if (!file) return { kind: "none" };
      const inner = readPositionedYaml(file);
      const value = inner.value;
      if (value === null || typeof value !== "object" || value.node !== void 0 && typeof value.node !== "string") {
        throw new ConfigError([inner.issue([], 'a node_env file must be a mapping like `node: ">=20"`')]);
      }
      nodeSpec = value;
    }
    return {
      kind: "node_env",
      ...nodeSpec.node !== void 0 ? { node: nodeSpec.node } : {},
      npmCi: nodeSpec.npm_ci !== false
    };
  }
  return { kind: "none" };
}
function getEntryPoint(project, name) {
  const declared = project.entryPoints[name];
  if (declared) return declared;
  const ext = extname(name).toLowerCase();
  const scriptPath = resolve2(project.dir, name);
  const inside = scriptPath.startsWith(`${project.dir}/`);
  if (ext in SCRIPT_RUNNERS && inside && existsSync2(scriptPath) && statSync(scriptPath).isFile()) {
    return {
      name,
      parameters: [],
      // Braces are doubled because the command is a str.format-style template.
      command: `${scriptInterpreter(ext)} ${shellQuote(name)}`.replace(/[{}]/g, (b) => b + b),
      source: { file: scriptPath, line: 0, column: 0 }
    };
  }
  const known = Object.keys(project.entryPoints);
  const where = project.file ?? `${project.dir} (no MLproject file)`;
  throw new UsageError(
    `entry point "${name}" is not declared in ${where}${ext in SCRIPT_RUNNERS ? ` and no script ${name} exists in the project` : ""}`,
    {
      hint: known.length > 0 ? `declared entry points: ${known.join(", ")}; or name a script file (${Object.keys(SCRIPT_RUNNERS).join(" ")})` : `name a script file of the project (extensions ${Object.keys(SCRIPT_RUNNERS).join(" ")}) with -e, or add an MLproject file`
    }
  );
}
function scriptInterpreter(ext) {
  switch (ext) {
    case ".py":
      return shellQuote(findOnPath("python") ?? findOnPath("python3") ?? "python");
    case ".sh":
      return "bash";
    case ".ts":
    case ".mts":
      return `${shellQuote(process.execPath)} --import ${shellQuote(import.meta.resolve("tsx"))}`;
    default:
      return shellQuote(process.execPath);
  }
}
function findOnPath(name, env = process.env) {
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
    }
  }
  return void 0;
}

export {
  shellQuote,
  renderCommand,
  PARAM_TYPES,
  checkParameterValue,
  resolveParameters,
  parseParameterAssignments,
  readPositionedYaml,
  schemaIssues,
  SCRIPT_RUNNERS,
  findMlprojectFile,
  loadProject,
  parseMlproject,
  getEntryPoint,
  findOnPath
};
