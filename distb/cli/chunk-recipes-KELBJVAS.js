import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  parseTuningConfig
} from "./chunk-chunk-SYODKDWR.js";
import {
  defaultStepRegistry
} from "./chunk-chunk-D4JS63JZ.js";
import {
  STEP_INPUTS,
  STEP_KINDS,
  STEP_RECIPE_KEYS
} from "./chunk-chunk-I5LLZ7WK.js";
import {
  ALL_BUILTIN_METRIC_DIRECTIONS,
  BUILTIN_METRIC_DIRECTIONS
} from "./chunk-chunk-6XDCVWCZ.js";
import {
  CARD_HTML,
  CARD_JSON,
  cardJson,
  escapeHtml,
  formatNumber,
  histogramBins,
  htmlHeatmapTable,
  htmlMetricsTable,
  htmlTable,
  renderCardHtml,
  svgBarChart,
  svgHistogram,
  svgLinePlot,
  svgScatterPlot,
  writeCard
} from "./chunk-chunk-ZPTZ34P2.js";
import "./chunk-chunk-YHLBZP67.js";
import "./chunk-chunk-VH62VMQR.js";
import {
  require_dist
} from "./chunk-chunk-VDD6CXJ7.js";
import "./chunk-chunk-XJDKSL6Y.js";
import {
  USER_MODULE_DIR,
  USER_MODULE_EXTENSIONS,
  displayPath,
  findUserModule,
  importUserModule,
  loadUserFunction,
  scanUserModuleExports
} from "./chunk-chunk-2HMFR572.js";
import {
  ESTIMATOR_CATALOG,
  catalogNames
} from "./chunk-chunk-QRGYUBPG.js";
import {
  copyFileAtomic,
  writeFileAtomic
} from "./chunk-chunk-NOK55ACX.js";
import {
  MAX_ENTITY_KEY_LENGTH,
  MAX_PARAMS_PER_BATCH,
  MAX_PARAM_VALUE_LENGTH,
  MAX_TAG_VALUE_LENGTH,
  TAGS
} from "./chunk-chunk-5AC5CY3N.js";
import {
  ConfigError,
  GateRejectedError,
  MlrecipeError,
  StepError,
  UsageError,
  isMlrecipeError
} from "./chunk-chunk-FHTLSLDU.js";
import {
  __commonJS,
  __toESM
} from "./chunk-chunk-ZGLOIRZZ.js";

// node_modules/picocolors/picocolors.js
var require_picocolors = __commonJS({
  "node_modules/picocolors/picocolors.js"(exports, module) {
    var p = process || {};
    var argv = p.argv || [];
    var env = p.env || {};
    var isColorSupported = !(!!env.NO_COLOR || argv.includes("--no-color")) && (!!env.FORCE_COLOR || argv.includes("--color") || p.platform === "win32" || (p.stdout || {}).isTTY && env.TERM !== "dumb" || !!env.CI);
    var formatter = (open, close, replace = open) => (input) => {
      let string = "" + input, index = string.indexOf(close, open.length);
      return ~index ? open + replaceClose(string, close, replace, index) + close : open + string + close;
    };
    var replaceClose = (string, close, replace, index) => {
      let result = "", cursor = 0;
      do {
        result += string.substring(cursor, index) + replace;
        cursor = index + close.length;
        index = string.indexOf(close, cursor);
      } while (~index);
      return result + string.substring(cursor);
    };
    var createColors = (enabled = isColorSupported) => {
      let f = enabled ? formatter : () => String;
      return {
        isColorSupported: enabled,
        reset: f("\x1B[0m", "\x1B[0m"),
        bold: f("\x1B[1m", "\x1B[22m", "\x1B[22m\x1B[1m"),
        dim: f("\x1B[2m", "\x1B[22m", "\x1B[22m\x1B[2m"),
        italic: f("\x1B[3m", "\x1B[23m"),
        underline: f("\x1B[4m", "\x1B[24m"),
        inverse: f("\x1B[7m", "\x1B[27m"),
        hidden: f("\x1B[8m", "\x1B[28m"),
        strikethrough: f("\x1B[9m", "\x1B[29m"),
        black: f("\x1B[30m", "\x1B[39m"),
        red: f("\x1B[31m", "\x1B[39m"),
        green: f("\x1B[32m", "\x1B[39m"),
        yellow: f("\x1B[33m", "\x1B[39m"),
        blue: f("\x1B[34m", "\x1B[39m"),
        magenta: f("\x1B[35m", "\x1B[39m"),
        cyan: f("\x1B[36m", "\x1B[39m"),
        white: f("\x1B[37m", "\x1B[39m"),
        gray: f("\x1B[90m", "\x1B[39m"),
        bgBlack: f("\x1B[40m", "\x1B[49m"),
        bgRed: f("\x1B[41m", "\x1B[49m"),
        bgGreen: f("\x1B[42m", "\x1B[49m"),
        bgYellow: f("\x1B[43m", "\x1B[49m"),
        bgBlue: f("\x1B[44m", "\x1B[49m"),
        bgMagenta: f("\x1B[45m", "\x1B[49m"),
        bgCyan: f("\x1B[46m", "\x1B[49m"),
        bgWhite: f("\x1B[47m", "\x1B[49m"),
        blackBright: f("\x1B[90m", "\x1B[39m"),
        redBright: f("\x1B[91m", "\x1B[39m"),
        greenBright: f("\x1B[92m", "\x1B[39m"),
        yellowBright: f("\x1B[93m", "\x1B[39m"),
        blueBright: f("\x1B[94m", "\x1B[39m"),
        magentaBright: f("\x1B[95m", "\x1B[39m"),
        cyanBright: f("\x1B[96m", "\x1B[39m"),
        whiteBright: f("\x1B[97m", "\x1B[39m"),
        bgBlackBright: f("\x1B[100m", "\x1B[49m"),
        bgRedBright: f("\x1B[101m", "\x1B[49m"),
        bgGreenBright: f("\x1B[102m", "\x1B[49m"),
        bgYellowBright: f("\x1B[103m", "\x1B[49m"),
        bgBlueBright: f("\x1B[104m", "\x1B[49m"),
        bgMagentaBright: f("\x1B[105m", "\x1B[49m"),
        bgCyanBright: f("\x1B[106m", "\x1B[49m"),
        bgWhiteBright: f("\x1B[107m", "\x1B[49m")
      };
    };
    module.exports = createColors();
    module.exports.createColors = createColors;
  }
});

// src/recipes/cache.ts
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
var RECIPE_STATE_DIR = ".recipe";
var MANIFEST_FILE = "manifest.json";
var FINGERPRINT = /^[0-9a-f]{64}$/;
var StepCache = class {
  /** `<recipeDir>/.recipe` */
  stateRoot;
  cacheRoot;
  tmpRoot;
  stepStateRoot;
  constructor(recipeDir) {
    this.stateRoot = join(recipeDir, RECIPE_STATE_DIR);
    this.cacheRoot = join(this.stateRoot, "cache");
    this.tmpRoot = join(this.stateRoot, "tmp");
    this.stepStateRoot = join(this.stateRoot, "state");
  }
  entryDir(step, fingerprint) {
    if (!FINGERPRINT.test(fingerprint)) throw new Error(`not a fingerprint: ${fingerprint}`);
    return join(this.cacheRoot, step, fingerprint);
  }
  /**
   * The manifest of a complete entry, or null when there is none, only an incomplete one, or one
   * whose outputs were deleted by hand since (then the step runs again and replaces it).
   */
  lookup(step, fingerprint) {
    const dir = this.entryDir(step, fingerprint);
    let manifest;
    try {
      manifest = JSON.parse(readFileSync(join(dir, MANIFEST_FILE), "utf8"));
    } catch {
      return null;
    }
    if (manifest.fingerprint !== fingerprint) return null;
    for (const rel of Object.values(manifest.outputs ?? {})) if (!existsSync(join(dir, rel))) return null;
    return manifest;
  }
  /** A fresh, empty directory under `.recipe/tmp/` for a step to write its outputs into. */
  createTempDir(step) {
    const dir = join(this.tmpRoot, `${step}-${process.pid}-${randomBytes(6).toString("hex")}`);
    mkdirSync(dir, { recursive: true });
    return dir;
  }
  /**
   * Writes the manifest into `tmpDir` (last), then renames `tmpDir` into place. An existing entry
   * with the same fingerprint (a `--no-cache` re-run) is moved aside first and then removed.
   */
  commit(tmpDir, manifest) {
    writeFileAtomic(join(tmpDir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}
`);
    const target = this.entryDir(manifest.step, manifest.fingerprint);
    mkdirSync(join(this.cacheRoot, manifest.step), { recursive: true });
    let aside;
    if (existsSync(target)) {
      aside = join(
        this.tmpRoot,
        `replaced-${manifest.step}-${process.pid}-${randomBytes(6).toString("hex")}`
      );
      renameSync(target, aside);
    }
    renameSync(tmpDir, target);
    if (aside) rmSync(aside, { recursive: true, force: true });
    return target;
  }
  /** Every entry directory in the cache, complete or not. */
  listEntries() {
    const entries = [];
    for (const step of STEP_KINDS) {
      const dir = join(this.cacheRoot, step);
      if (!existsSync(dir)) continue;
      for (const name of readdirSync(dir)) {
        if (!FINGERPRINT.test(name)) continue;
        const entry = join(dir, name);
        entries.push({
          step,
          fingerprint: name,
          dir: entry,
          complete: existsSync(join(entry, MANIFEST_FILE))
        });
      }
    }
    return entries;
  }
  removeEntry(step, fingerprint) {
    const dir = this.entryDir(step, fingerprint);
    const aside = join(this.tmpRoot, `removed-${step}-${process.pid}-${randomBytes(6).toString("hex")}`);
    mkdirSync(this.tmpRoot, { recursive: true });
    try {
      renameSync(dir, aside);
    } catch (error) {
      if (error.code === "ENOENT") return;
      throw error;
    }
    rmSync(aside, { recursive: true, force: true });
  }
  /**
   * Removes what crashed runs left behind: everything in `.recipe/tmp/` and entries without a
   * manifest. Only call while holding the recipe lock. Returns how many were removed.
   */
  removeLeftovers() {
    let removed = 0;
    if (existsSync(this.tmpRoot)) {
      for (const name of readdirSync(this.tmpRoot)) {
        rmSync(join(this.tmpRoot, name), { recursive: true, force: true });
        removed++;
      }
    }
    for (const entry of this.listEntries()) {
      if (!entry.complete) {
        rmSync(entry.dir, { recursive: true, force: true });
        removed++;
      }
    }
    return removed;
  }
  readState(step) {
    try {
      return JSON.parse(readFileSync(join(this.stepStateRoot, `${step}.json`), "utf8"));
    } catch {
      return null;
    }
  }
  writeState(state) {
    mkdirSync(this.stepStateRoot, { recursive: true });
    writeFileAtomic(join(this.stepStateRoot, `${state.step}.json`), `${JSON.stringify(state, null, 2)}
`);
  }
  removeState(step) {
    rmSync(join(this.stepStateRoot, `${step}.json`), { force: true });
  }
};

// src/recipes/execute.ts
import { existsSync as existsSync6, mkdirSync as mkdirSync5, rmSync as rmSync4 } from "node:fs";
import { dirname as dirname3, isAbsolute as isAbsolute2, join as join8, normalize as normalize2, resolve as resolve4 } from "node:path";

// src/recipes/fingerprint.ts
import { createHash } from "node:crypto";
function canonicalJson(value) {
  return JSON.stringify(sortKeys(value));
}
function sortKeys(value) {
  if (Array.isArray(value)) return value.map((v) => v === void 0 ? null : sortKeys(v));
  if (value !== null && typeof value === "object") {
    const out = {};
    for (const key of Object.keys(value).sort()) {
      const v = value[key];
      if (v !== void 0) out[key] = sortKeys(v);
    }
    return out;
  }
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  return value;
}
function sha256(text) {
  return createHash("sha256").update(text).digest("hex");
}
function fingerprintStep(inputs) {
  return sha256(canonicalJson(inputs));
}
function explainChange(before, now) {
  const reasons = [];
  if (before.format !== now.format) reasons.push("the cache format changed");
  for (const key of diffKeys(before.config.step, now.config.step, `steps.${now.kind}`)) {
    reasons.push(`config ${key} changed`);
  }
  for (const key of diffKeys(before.config.recipe, now.config.recipe, ""))
    reasons.push(`config ${key} changed`);
  if (before.code.mlrecipe !== now.code.mlrecipe) {
    reasons.push(`mlrecipe version changed (${before.code.mlrecipe} \u2192 ${now.code.mlrecipe})`);
  }
  for (const file of diffRecord(before.code.files, now.code.files)) reasons.push(`code ${file}`);
  for (const file of diffRecord(before.inputs, now.inputs)) reasons.push(`input ${file}`);
  for (const key of diffKeys(before.extras ?? {}, now.extras ?? {}, "")) reasons.push(`${key} changed`);
  for (const [step, fp] of Object.entries(now.upstream)) {
    if (before.upstream[step] !== fp) reasons.push(`upstream ${step} changed`);
  }
  return reasons;
}
function diffRecord(before, now) {
  const out = [];
  for (const [file, hash] of Object.entries(now)) {
    if (!(file in before)) out.push(`${file} added`);
    else if (before[file] !== hash) out.push(`${file} ${hash === "missing" ? "removed" : "modified"}`);
  }
  for (const file of Object.keys(before)) if (!(file in now)) out.push(`${file} no longer used`);
  return out;
}
function diffKeys(before, now, prefix) {
  const isObj = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
  if (isObj(before) && isObj(now)) {
    const keys = [.../* @__PURE__ */ new Set([...Object.keys(before), ...Object.keys(now)])].sort();
    return keys.flatMap((k) => diffKeys(before[k], now[k], prefix ? `${prefix}.${k}` : k));
  }
  return canonicalJson(before) === canonicalJson(now) ? [] : [prefix || "(root)"];
}

// src/recipes/load.ts
var import_yaml2 = __toESM(require_dist(), 1);
import { existsSync as existsSync4, readFileSync as readFileSync4 } from "node:fs";
import { join as join4, resolve } from "node:path";

// src/recipes/profiles.ts
var import_yaml = __toESM(require_dist(), 1);
import { existsSync as existsSync2, readdirSync as readdirSync2, readFileSync as readFileSync2 } from "node:fs";
import { join as join2 } from "node:path";
var PROFILE_DIR = "profiles";
function listProfiles(recipeDir) {
  const dir = join2(recipeDir, PROFILE_DIR);
  if (!existsSync2(dir)) return [];
  return readdirSync2(dir).filter((f) => f.endsWith(".yaml") || f.endsWith(".yml")).map((f) => f.replace(/\.ya?ml$/, "")).sort();
}
function readProfile(options) {
  const { recipeDir, name, explicit } = options;
  const candidates = [".yaml", ".yml"].map((ext) => join2(recipeDir, PROFILE_DIR, `${name}${ext}`));
  const file = candidates.find((f) => existsSync2(f));
  if (file === void 0) {
    const available = listProfiles(recipeDir);
    if (available.length === 0 && !explicit) return { name, values: {} };
    if (!/^[A-Za-z0-9_.-]+$/.test(name) || name.includes("..")) {
      throw new ConfigError([
        {
          file: displayPath(join2(recipeDir, PROFILE_DIR)),
          line: 0,
          column: 0,
          path: "",
          message: `invalid profile name "${name}"`,
          hint: "a profile is a file name in profiles/ without .yaml"
        }
      ]);
    }
    throw new ConfigError([
      {
        file: displayPath(candidates[0] ?? name),
        line: 0,
        column: 0,
        path: "",
        message: `profile "${name}" does not exist`,
        hint: available.length > 0 ? `profiles in ${PROFILE_DIR}/: ${available.join(", ")}` : `create ${PROFILE_DIR}/${name}.yaml or run without --profile`
      }
    ]);
  }
  const text = readFileSync2(file, "utf8");
  const lineCounter = new import_yaml.LineCounter();
  const doc = (0, import_yaml.parseDocument)(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const issues = doc.errors.map((e) => {
    const pos = lineCounter.linePos(e.pos[0]);
    return {
      file: displayPath(file),
      line: pos.line,
      column: pos.col,
      path: "",
      message: firstLine(e.message),
      hint: yamlSyntaxHint(e.code)
    };
  });
  if (issues.length > 0) throw new ConfigError(issues);
  const values = doc.toJS();
  if (values === null || values === void 0) return { name, file, values: {}, doc, lineCounter };
  if (typeof values !== "object" || Array.isArray(values)) {
    throw new ConfigError([
      {
        file: displayPath(file),
        line: 1,
        column: 1,
        path: "",
        message: "a profile must be a mapping of NAME: value",
        hint: "write one `NAME: value` per line, e.g. `TARGET: price`"
      }
    ]);
  }
  return { name, file, values, doc, lineCounter };
}
var PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;
function renderValue(value) {
  if (value === null || value === void 0) return "null";
  if (typeof value === "string") return value.includes("\n") ? JSON.stringify(value) : value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (value instanceof Date) return value.toISOString();
  return JSON.stringify(value);
}
function renderPlaceholders(options) {
  const { text, values, templateFile, profileFile, profileName } = options;
  const substitutions = [];
  const used = /* @__PURE__ */ new Set();
  const issues = [];
  const lines = text.split("\n");
  const out = lines.map((lineText, index) => {
    if (lineText.trimStart().startsWith("#") || !lineText.includes("{{")) return lineText;
    let rendered = "";
    let last = 0;
    for (const match of lineText.matchAll(PLACEHOLDER)) {
      const name = match[1] ?? "";
      const start = match.index ?? 0;
      rendered += lineText.slice(last, start);
      last = start + match[0].length;
      if (!Object.hasOwn(values, name)) {
        issues.push({
          file: templateFile,
          line: index + 1,
          column: start + 1,
          path: "",
          message: `placeholder {{ ${name} }} is not defined in profile "${profileName}"`,
          hint: profileFile ? `add ${name}: <value> to ${profileFile}` : `create profiles/${profileName}.yaml with ${name}: <value>`
        });
        rendered += match[0];
        continue;
      }
      used.add(name);
      const value = renderValue(values[name]);
      substitutions.push({
        line: index + 1,
        templateStart: start + 1,
        templateEnd: start + match[0].length + 1,
        renderedStart: rendered.length + 1,
        renderedEnd: rendered.length + value.length + 1,
        name
      });
      rendered += value;
    }
    return rendered + lineText.slice(last);
  });
  return { text: out.join("\n"), substitutions, used, issues };
}
function mapRenderedPosition(substitutions, line, column) {
  let delta = 0;
  for (const sub of substitutions) {
    if (sub.line !== line) continue;
    if (column >= sub.renderedEnd) {
      delta += sub.templateEnd - sub.templateStart - (sub.renderedEnd - sub.renderedStart);
    } else if (column >= sub.renderedStart) {
      return { line, column: sub.templateStart, placeholder: sub };
    }
  }
  return { line, column: column + delta };
}
function yamlSyntaxHint(code) {
  switch (code) {
    case "DUPLICATE_KEY":
      return "a key may appear once per mapping: keep one of the two";
    case "TAB_AS_INDENT":
      return "indent with spaces, not tabs";
    case "BAD_INDENT":
    case "MISSING_CHAR":
    case "UNEXPECTED_TOKEN":
      return "check the indentation and close every [ { and quote opened before this point";
    case "MULTIPLE_DOCS":
      return "keep one YAML document per file (remove the `---` separator)";
    default:
      return "check the YAML syntax at this point (indentation, quotes, brackets, `key: value`)";
  }
}
function firstLine(message) {
  return message.split("\n")[0] ?? message;
}

// src/recipes/validate.ts
import { existsSync as existsSync3, mkdirSync as mkdirSync2, readFileSync as readFileSync3, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join as join3 } from "node:path";

// src/recipes/validate-tuning.ts
var TUNING = ["steps", "train", "tuning"];
var DEFAULT_ESTIMATOR = {
  "regression/v1": "linear_regression",
  "classification/v1": "logistic_regression"
};
function tuningIssues(options) {
  const { config, recipeDir, issueAt: issueAt2 } = options;
  const train = config.steps?.train ?? {};
  const { config: tuning, issues } = parseTuningConfig(train.tuning);
  const out = issues.map((i) => issueAt2([...TUNING, ...i.path], i.message, i.hint));
  if (!tuning) return out;
  if (train.using !== "custom") {
    const estimator = train.estimator;
    const name = typeof estimator?.name === "string" ? estimator.name : DEFAULT_ESTIMATOR[String(config.recipe)];
    const known = name ? knownParams(name) : void 0;
    if (name && known) {
      for (const p of tuning.space) {
        if (known.includes(p.name)) continue;
        const suggestion = options.didYouMean(p.name, known);
        out.push(
          issueAt2(
            [...TUNING, "parameters", p.name],
            `estimator "${name}" has no parameter "${p.name}" to tune`,
            suggestion ? `did you mean \`${suggestion}\`?` : `its parameters are ${known.join(", ")}`,
            true
          )
        );
      }
    }
  }
  const stop = tuning.earlyStop;
  if (stop?.kind === "user") {
    const file = findUserModule({ recipeDir, module: stop.module });
    const exported = file ? scanUserModuleExports(file) : void 0;
    if (!file || exported !== "unknown" && !exported?.has(stop.name)) {
      out.push(
        issueAt2(
          [...TUNING, "early_stop_fn"],
          file ? `steps/${stop.module}${file.slice(file.lastIndexOf("."))} does not export a function "${stop.name}"` : `early_stop_fn "${stop.name}" needs the module steps/${stop.module}.ts, which does not exist`,
          "use no_progress_loss(N), or export the function: (trials, ...state) => [stop, state]"
        )
      );
    }
  }
  return out;
}
function knownParams(name) {
  const spec = Object.hasOwn(ESTIMATOR_CATALOG, name) ? ESTIMATOR_CATALOG[name] : void 0;
  return spec ? Object.keys(spec.params) : void 0;
}

// src/recipes/validate.ts
var compiled;
var schemaText;
function readSchemaText() {
  schemaText ??= readFileSync3(new URL("../../schema/recipe.schema.json", import.meta.url), "utf8");
  return schemaText;
}
function recipeSchema() {
  return JSON.parse(readSchemaText());
}
function validator() {
  if (!compiled) {
    const { Ajv } = createRequire(import.meta.url)("ajv");
    const ajv = new Ajv({ allErrors: true, verbose: true, allowUnionTypes: true, strict: true });
    compiled = ajv.compile(recipeSchema());
  }
  return compiled;
}
function schemaCheckedMarker(stateDir, config) {
  return join3(stateDir, "validated", sha256(`${readSchemaText()}
${canonicalJson(config)}`));
}
function validateRecipeConfig(options) {
  const { config, locate, recipeDir } = options;
  const marker = options.stateDir ? schemaCheckedMarker(options.stateDir, config) : void 0;
  const issues = [];
  if (!marker || !existsSync3(marker)) {
    const validate = validator();
    if (!validate(config)) issues.push(...schemaIssues(validate.errors ?? [], locate));
    else if (marker) {
      try {
        mkdirSync2(dirname(marker), { recursive: true });
        writeFileSync(marker, "");
      } catch {
      }
    }
  }
  if (issues.length === 0) issues.push(...semanticIssues(config, locate, recipeDir));
  return issues.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
}
function pathOf(instancePath) {
  if (instancePath === "") return [];
  return instancePath.slice(1).split("/").map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~")).map((s) => /^\d+$/.test(s) ? Number(s) : s);
}
function dotted(path) {
  return path.map((s) => typeof s === "number" ? `[${s}]` : s).join(".").replace(/\.\[/g, "[");
}
function issueAt(locate, path, message, hint, key = false) {
  const pos = locate(path, { key });
  const hints = [hint, pos.hint].filter((h) => Boolean(h));
  return {
    file: pos.file,
    line: pos.line,
    column: pos.column,
    path: dotted(path),
    message,
    hint: hints.length > 0 ? hints.join("; ") : void 0
  };
}
function describeType(value) {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") return `the string "${value}"`;
  return `${typeof value} ${String(value)}`;
}
function schemaIssues(errors, locate) {
  const oneOfPaths = errors.filter((e) => e.keyword === "oneOf").map((e) => e.schemaPath);
  const relevant = errors.filter((e) => !oneOfPaths.some((p) => e.schemaPath.startsWith(`${p}/`)));
  const typoFor = /* @__PURE__ */ new Set();
  for (const e of relevant) {
    if (e.keyword !== "additionalProperties") continue;
    const allowed = Object.keys(e.parentSchema?.properties ?? {});
    const suggestion = didYouMean(
      String(e.params.additionalProperty),
      allowed
    );
    if (suggestion) typoFor.add(`${e.instancePath}/${suggestion}`);
  }
  const issues = [];
  const seen = /* @__PURE__ */ new Set();
  for (const error of relevant) {
    if (error.keyword === "required" && typoFor.has(`${error.instancePath}/${error.params.missingProperty}`)) {
      continue;
    }
    const path = pathOf(error.instancePath);
    let issue;
    switch (error.keyword) {
      case "additionalProperties": {
        const name = String(error.params.additionalProperty);
        const allowed = Object.keys(
          error.parentSchema?.properties ?? {}
        );
        const suggestion = didYouMean(name, allowed);
        issue = issueAt(
          locate,
          [...path, name],
          `unknown field "${name}"`,
          suggestion ? `did you mean \`${suggestion}\`?` : allowed.length > 0 ? `expected one of: ${allowed.join(", ")}` : void 0,
          true
        );
        break;
      }
      case "required": {
        const name = String(error.params.missingProperty);
        issue = issueAt(
          locate,
          path,
          `missing required field "${name}"`,
          `add \`${name}:\` ${path.length > 0 ? `under ${dotted(path)}` : "at the top level"}`,
          true
        );
        issue.path = dotted([...path, name]);
        break;
      }
      case "enum": {
        const allowed = (error.params.allowedValues ?? []).map(String);
        const suggestion = typeof error.data === "string" ? didYouMean(error.data, allowed) : void 0;
        issue = issueAt(
          locate,
          path,
          `expected one of ${allowed.map((a) => `"${a}"`).join(", ")}, got ${describeType(error.data)}`,
          suggestion ? `did you mean \`${suggestion}\`?` : `use one of: ${allowed.join(", ")}`
        );
        break;
      }
      case "type": {
        const expected = String(error.params.type).replace(/,/g, " or ");
        issue = issueAt(
          locate,
          path,
          `expected ${expected}, got ${describeType(error.data)}`,
          `write ${article(expected)} here${error.data === null ? " (an empty value is null)" : ""}`
        );
        break;
      }
      case "oneOf": {
        const branches = (error.schema ?? []).map(
          (b) => b.type === "array" ? "a list" : b.type ?? "value"
        );
        issue = issueAt(
          locate,
          path,
          `expected ${branches.join(" or ")}, got ${describeType(error.data)}`,
          `write ${branches.map(article).join(" or ")} here`
        );
        break;
      }
      default:
        issue = issueAt(
          locate,
          path,
          `expected a value that ${error.message ?? "matches the schema"}`,
          limitHint(error)
        );
    }
    const id = `${issue.path}|${issue.message}`;
    if (seen.has(id)) continue;
    seen.add(id);
    issues.push(issue);
  }
  return issues;
}
function article(type) {
  if (type === "a list" || type === "value") return type === "value" ? "a value" : type;
  if (type === "object") return "a mapping";
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}
function limitHint(error) {
  const params = error.params;
  switch (error.keyword) {
    case "minimum":
      return `use a number \u2265 ${params.limit}`;
    case "maximum":
      return `use a number \u2264 ${params.limit}`;
    case "minItems":
    case "maxItems":
      return error.instancePath.endsWith("split_ratios") ? "give three fractions [train, validation, test], e.g. [0.75, 0.125, 0.125]" : `give ${error.keyword === "minItems" ? "at least" : "at most"} ${params.limit} item${params.limit === 1 ? "" : "s"}`;
    case "minLength":
      return "give a non-empty value, or remove the field for its default";
    default:
      return "see schema/recipe.schema.json for what this field takes";
  }
}
function didYouMean(name, allowed) {
  let best;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of allowed) {
    const d = levenshtein(name.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = candidate;
    }
  }
  const limit = Math.max(2, Math.floor(name.length / 3));
  return best !== void 0 && bestDistance <= limit ? best : void 0;
}
function levenshtein(a, b) {
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
var METHOD_MODULES = [
  { path: ["steps", "ingest", "loader_method"], module: "ingest" },
  { path: ["steps", "split", "split_method"], module: "split" },
  { path: ["steps", "split", "post_split_filter_method"], module: "split" },
  { path: ["steps", "transform", "transformer_method"], module: "transform" },
  { path: ["steps", "train", "estimator_method"], module: "train" },
  // MLflow Recipes loads the scoring loader from steps/ingest.py as well.
  { path: ["steps", "ingest_scoring", "loader_method"], module: "ingest" }
];
var CUSTOM_REQUIRES = [
  { step: "ingest", field: "loader_method" },
  { step: "ingest_scoring", field: "loader_method" },
  { step: "split", field: "split_method" },
  { step: "transform", field: "transformer_method" },
  { step: "train", field: "estimator_method" }
];
var PROJECT_ONLY_FIELDS = ["uri", "entry_point", "parameters", "version", "format", "output"];
function getIn(value, path) {
  let node = value;
  for (const segment of path) {
    if (node === null || typeof node !== "object") return void 0;
    node = node[segment];
  }
  return node;
}
function problemTypeOf(config) {
  return config.recipe === "classification/v1" ? "classification" : "regression";
}
function isMapping(value) {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
function typeOfParam(value) {
  if (value === null) return "null";
  if (Array.isArray(value)) return "list";
  return typeof value;
}
function estimatorIssues(config, locate) {
  const train = getIn(config, ["steps", "train"]);
  if (!isMapping(train) || train.using === "custom") return [];
  const issues = [];
  const kind = problemTypeOf(config) === "regression" ? "regressor" : "classifier";
  const names = catalogNames(kind);
  const estimator = train.estimator;
  const name = isMapping(estimator) && typeof estimator.name === "string" ? estimator.name : void 0;
  if (name !== void 0) {
    const spec2 = ESTIMATOR_CATALOG[name];
    if (!spec2 || spec2.kind !== kind) {
      const suggestion = didYouMean(name, names);
      issues.push(
        issueAt(
          locate,
          ["steps", "train", "estimator", "name"],
          spec2 ? `estimator "${name}" is a ${spec2.kind}, but a ${config.recipe} recipe needs a ${kind}` : `unknown estimator "${name}"`,
          suggestion ? `did you mean \`${suggestion}\`?` : `use one of: ${names.join(", ")}`
        )
      );
      return issues;
    }
  }
  const spec = ESTIMATOR_CATALOG[name ?? DEFAULT_ESTIMATOR2[kind]];
  const fromEstimator = isMapping(estimator) && estimator.params !== void 0;
  const paramsPath = fromEstimator ? ["steps", "train", "estimator", "params"] : ["steps", "train", "estimator_params"];
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
          `estimator "${name ?? DEFAULT_ESTIMATOR2[kind]}" has no parameter "${param}"`,
          suggestion ? `did you mean \`${suggestion}\`?` : known.length > 0 ? `its parameters are ${known.join(", ")}` : "it takes no parameters: remove them",
          true
        )
      );
      continue;
    }
    const fallback = spec.params[param];
    const expected = fallback === null ? "number" : typeof fallback;
    const actual = typeOfParam(value);
    if (actual !== expected && actual !== "null") {
      issues.push(
        issueAt(
          locate,
          [...paramsPath, param],
          `expected ${expected === "number" && fallback === null ? "a number or null" : `a ${expected}`} for ${param}, got ${describeType(value)}`,
          `the default is ${JSON.stringify(fallback)}`
        )
      );
    }
  }
  return issues;
}
var METRIC_ALIASES = {
  rmse: "root_mean_squared_error",
  mse: "mean_squared_error",
  mae: "mean_absolute_error",
  mape: "mean_absolute_percentage_error",
  r2: "r2_score",
  f1: "f1_score",
  accuracy: "accuracy_score",
  precision: "precision_score",
  recall: "recall_score",
  auc: "roc_auc"
};
var DEFAULT_ESTIMATOR2 = { regressor: "linear_regression", classifier: "logistic_regression" };
function metricIssues(config, locate) {
  const issues = [];
  const problemType = problemTypeOf(config);
  const builtin = Object.keys(BUILTIN_METRIC_DIRECTIONS[problemType]);
  const custom = [];
  const metrics = config.custom_metrics;
  if (Array.isArray(metrics)) {
    const seen = /* @__PURE__ */ new Set();
    metrics.forEach((metric, i) => {
      const name = isMapping(metric) ? metric.name : void 0;
      if (typeof name !== "string") return;
      if (Object.hasOwn(ALL_BUILTIN_METRIC_DIRECTIONS, name)) {
        issues.push(
          issueAt(
            locate,
            ["custom_metrics", i, "name"],
            `"${name}" is a built-in metric`,
            "give the custom metric a name of its own, e.g. my_" + name
          )
        );
      } else if (seen.has(name)) {
        issues.push(
          issueAt(
            locate,
            ["custom_metrics", i, "name"],
            `custom metric "${name}" is defined twice`,
            "rename or remove one of the two"
          )
        );
      }
      seen.add(name);
      custom.push(name);
    });
  }
  const allowed = [...builtin, ...custom];
  const other = problemType === "regression" ? "classification" : "regression";
  const unknown = (name) => {
    if (Object.hasOwn(BUILTIN_METRIC_DIRECTIONS[other], name)) {
      return `${name} is a ${other} metric; a ${problemType} recipe has ${builtin.join(", ")}`;
    }
    const suggestion = didYouMean(name, [...allowed, ...Object.keys(METRIC_ALIASES)]);
    const full = suggestion === void 0 ? void 0 : METRIC_ALIASES[suggestion] ?? suggestion;
    return full !== void 0 && allowed.includes(full) ? `did you mean \`${full}\`?` : `a ${problemType} recipe has ${builtin.join(", ")}${custom.length > 0 ? `, and the custom metrics ${custom.join(", ")}` : ""}`;
  };
  const primary = config.primary_metric;
  if (typeof primary === "string" && !allowed.includes(primary)) {
    issues.push(
      issueAt(
        locate,
        ["primary_metric"],
        `unknown metric "${primary}" for a ${problemType} recipe`,
        unknown(primary)
      )
    );
  }
  const criteria = getIn(config, ["steps", "evaluate", "validation_criteria"]);
  if (Array.isArray(criteria)) {
    criteria.forEach((criterion, i) => {
      const metric = isMapping(criterion) ? criterion.metric : void 0;
      if (typeof metric !== "string" || allowed.includes(metric)) return;
      issues.push(
        issueAt(
          locate,
          ["steps", "evaluate", "validation_criteria", i, "metric"],
          `unknown metric "${metric}" for a ${problemType} recipe`,
          unknown(metric)
        )
      );
    });
  }
  return issues;
}
function semanticIssues(config, locate, recipeDir) {
  const issues = [];
  const ratios = getIn(config, ["steps", "split", "split_ratios"]);
  if (Array.isArray(ratios)) {
    const sum = ratios.reduce((a, b) => a + Number(b), 0);
    if (Math.abs(sum - 1) > 1e-9) {
      issues.push(
        issueAt(
          locate,
          ["steps", "split", "split_ratios"],
          `split ratios must sum to 1, these sum to ${Number(sum.toFixed(12))}`,
          "give [train, validation, test] fractions such as [0.75, 0.125, 0.125]"
        )
      );
    } else if (ratios[0] === 0) {
      issues.push(
        issueAt(
          locate,
          ["steps", "split", "split_ratios", 0],
          "the train ratio is 0: there would be nothing to train on",
          "give the training split most of the rows, e.g. [0.75, 0.125, 0.125]"
        )
      );
    }
  }
  for (const step of ["ingest", "ingest_scoring"]) {
    const using = getIn(config, ["steps", step, "using"]);
    if (typeof using !== "string" || using === "custom" || using === "project") continue;
    if (getIn(config, ["steps", step, "location"]) !== void 0) continue;
    issues.push(
      issueAt(
        locate,
        ["steps", step, "using"],
        `using: ${using} needs a location`,
        "add `location:` with a path, a list of paths or a glob such as data/*.csv (relative to the recipe directory)"
      )
    );
  }
  if (getIn(config, ["steps", "predict", "save_mode"]) === "append") {
    issues.push(
      issueAt(
        locate,
        ["steps", "predict", "save_mode"],
        "save_mode: append is not supported for files",
        "use overwrite, ignore or error"
      )
    );
  }
  issues.push(...estimatorIssues(config, locate), ...metricIssues(config, locate));
  for (const step of ["ingest", "ingest_scoring"]) {
    const project = getIn(config, ["steps", step, "using"]) === "project";
    for (const field of project ? ["uri", "output"] : []) {
      if (getIn(config, ["steps", step, field]) !== void 0) continue;
      issues.push(
        issueAt(
          locate,
          ["steps", step, "using"],
          `using: project needs ${field}`,
          field === "uri" ? "a project directory such as ./etl (relative to the recipe directory) or a git URI" : "name the output the command writes to $RECIPE_OUTPUTS_FILE, e.g. output: dataset"
        )
      );
    }
    const misplaced = project ? ["location", "loader_method"] : PROJECT_ONLY_FIELDS;
    for (const field of misplaced) {
      if (getIn(config, ["steps", step, field]) === void 0) continue;
      issues.push(
        issueAt(
          locate,
          ["steps", step, field],
          project ? `${field} is not used with using: project` : `${field} applies to using: project only`,
          project ? "the project writes the data; name its output with `output:`" : "remove it, or set `using: project` to run an MLproject entry point",
          true
        )
      );
    }
  }
  for (const { step, field } of CUSTOM_REQUIRES) {
    if (getIn(config, ["steps", step, "using"]) === "custom" && getIn(config, ["steps", step, field]) === void 0) {
      issues.push(
        issueAt(
          locate,
          ["steps", step, "using"],
          `using: custom needs ${field}`,
          `name a function exported by steps/${step === "ingest_scoring" ? "ingest" : step}.ts`
        )
      );
    }
  }
  issues.push(
    ...tuningIssues({
      config,
      recipeDir,
      issueAt: (path, message, hint, key) => issueAt(locate, path, message, hint, key),
      didYouMean
    })
  );
  const references = [];
  for (const { path, module } of METHOD_MODULES) {
    const name = getIn(config, path);
    if (typeof name === "string") references.push({ path, module, name });
  }
  const metrics = config.custom_metrics;
  if (Array.isArray(metrics)) {
    metrics.forEach((m, i) => {
      const fn = m.function;
      if (typeof fn === "string")
        references.push({ path: ["custom_metrics", i, "function"], module: "custom_metrics", name: fn });
    });
  }
  for (const ref of references) {
    const file = findUserModule({ recipeDir, module: ref.module });
    if (file === void 0) {
      issues.push(
        issueAt(
          locate,
          ref.path,
          `function "${ref.name}" needs the module steps/${ref.module}.ts, which does not exist`,
          `create steps/${ref.module}.ts (or ${USER_MODULE_EXTENSIONS.filter((e) => e !== ".ts").join("/")}) exporting ${ref.name}`
        )
      );
      continue;
    }
    const exported = scanUserModuleExports(file);
    if (exported !== "unknown" && !exported.has(ref.name)) {
      const suggestion = didYouMean(ref.name, [...exported]);
      issues.push(
        issueAt(
          locate,
          ref.path,
          `steps/${ref.module}${file.slice(file.lastIndexOf("."))} does not export a function "${ref.name}"`,
          suggestion ? `did you mean \`${suggestion}\`?` : exported.size > 0 ? `it exports: ${[...exported].join(", ")}` : `add \`export function ${ref.name}(...)\``
        )
      );
    }
  }
  return issues;
}

// src/recipes/load.ts
var RECIPE_FILE = "recipe.yaml";
var DEFAULT_PROFILE = "local";
var TEMPLATE_VARIABLE = /^[A-Z][A-Z0-9_]*$/;
function loadRecipe(options) {
  const recipeDir = resolve(options.recipeDir);
  const recipeFile = join4(recipeDir, RECIPE_FILE);
  if (!existsSync4(recipeFile)) {
    throw new ConfigError([
      {
        file: displayPath(recipeFile),
        line: 0,
        column: 0,
        path: "",
        message: "no recipe.yaml here",
        hint: "run inside a recipe directory, pass --recipe-dir, or create one with `recipe init --template regression <dir>`"
      }
    ]);
  }
  const profileName = options.profile ?? DEFAULT_PROFILE;
  const profile = readProfile({ recipeDir, name: profileName, explicit: options.profile !== void 0 });
  const shownRecipe = displayPath(recipeFile);
  const shownProfile = profile.file ? displayPath(profile.file) : void 0;
  const rendered = renderPlaceholders({
    text: readFileSync4(recipeFile, "utf8"),
    values: profile.values,
    templateFile: shownRecipe,
    profileFile: shownProfile,
    profileName
  });
  if (rendered.issues.length > 0) throw new ConfigError(rendered.issues);
  const lineCounter = new import_yaml2.LineCounter();
  const doc = (0, import_yaml2.parseDocument)(rendered.text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((e) => {
        const pos = lineCounter.linePos(e.pos[0]);
        const mapped = mapRenderedPosition(rendered.substitutions, pos.line, pos.col);
        return {
          file: shownRecipe,
          line: mapped.line,
          column: mapped.column,
          path: "",
          message: e.message.split("\n")[0] ?? e.message,
          hint: mapped.placeholder ? `in the value of {{ ${mapped.placeholder.name} }} from ${shownProfile}: ${yamlSyntaxHint(e.code)}` : yamlSyntaxHint(e.code)
        };
      })
    );
  }
  const raw = doc.toJS() ?? {};
  const issues = [];
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new ConfigError([
      {
        file: shownRecipe,
        line: 1,
        column: 1,
        path: "",
        message: "recipe.yaml must be a mapping of fields",
        hint: "start from `recipe: regression/v1`, `target_col: <column>` and `steps:` (see `recipe init`)"
      }
    ]);
  }
  const config = raw;
  emptySectionsAsDefaults(config);
  const fromProfile = /* @__PURE__ */ new Set();
  for (const [key, value] of Object.entries(profile.values)) {
    if (TEMPLATE_VARIABLE.test(key) || rendered.used.has(key)) continue;
    if (Object.hasOwn(config, key)) {
      const at = locateIn(doc, lineCounter, [key], true);
      issues.push({
        file: shownRecipe,
        ...mapPos(rendered.substitutions, at),
        path: key,
        message: `"${key}" is defined both here and in ${shownProfile}`,
        hint: "keep it in one of the two files (MLflow Recipes refuses duplicated keys too)"
      });
      continue;
    }
    config[key] = value;
    fromProfile.add(key);
  }
  const locate = makeLocator({
    doc,
    lineCounter,
    substitutions: rendered.substitutions,
    recipeFile: shownRecipe,
    profile,
    profileFile: shownProfile,
    fromProfile
  });
  if (issues.length > 0) throw new ConfigError(issues);
  if (options.validate !== false) {
    const found = validateRecipeConfig({ config, locate, recipeDir, stateDir: join4(recipeDir, ".recipe") });
    if (found.length > 0) throw new ConfigError(found);
  }
  return {
    recipeDir,
    profile: profileName,
    recipeFile,
    profileFile: profile.file,
    config,
    locate
  };
}
function emptySectionsAsDefaults(config) {
  if (config.steps === null) config.steps = {};
  const steps = config.steps;
  if (typeof steps !== "object" || steps === null || Array.isArray(steps)) return;
  for (const [name, section] of Object.entries(steps)) {
    if (section === null) steps[name] = {};
  }
}
function parseIssuePath(path) {
  const segments = [];
  for (const part of path.split(".")) {
    const match = /^([^[]*)((?:\[\d+\])*)$/.exec(part);
    if (!match) {
      segments.push(part);
      continue;
    }
    if (match[1]) segments.push(match[1]);
    for (const index of match[2]?.matchAll(/\[(\d+)\]/g) ?? []) segments.push(Number(index[1]));
  }
  return segments.filter((s) => s !== "");
}
function locateConfigError(error, locate) {
  if (error.issues.every((issue) => issue.line > 0)) return error;
  const issues = error.issues.map((issue) => {
    if (issue.line > 0) return issue;
    const pos = locate(parseIssuePath(issue.path));
    const hints = [issue.hint, pos.hint].filter((h) => Boolean(h));
    return {
      ...issue,
      file: pos.file,
      line: pos.line,
      column: pos.column,
      ...hints.length > 0 ? { hint: hints.join("; ") } : {}
    };
  });
  return new ConfigError(issues, { ...error.hint ? { hint: error.hint } : {}, cause: error });
}
function mapPos(substitutions, at) {
  if (!at.found) return { line: 1, column: 1 };
  const m = mapRenderedPosition(substitutions, at.line, at.column);
  return { line: m.line, column: m.column };
}
function locateIn(doc, lineCounter, path, key) {
  let node = doc.contents;
  let at = doc.contents;
  let depth = 0;
  for (const [i, segment] of path.entries()) {
    const last = i === path.length - 1;
    if ((0, import_yaml2.isMap)(node)) {
      const pair = node.items.find(
        (p) => (0, import_yaml2.isPair)(p) && (0, import_yaml2.isScalar)(p.key) && String(p.key.value) === String(segment)
      );
      if (!pair) break;
      depth++;
      if (last && key && (0, import_yaml2.isScalar)(pair.key)) {
        at = pair.key;
        break;
      }
      node = pair.value;
      if (pair.value && ((0, import_yaml2.isMap)(pair.value) || (0, import_yaml2.isSeq)(pair.value) || (0, import_yaml2.isScalar)(pair.value))) at = pair.value;
      else if ((0, import_yaml2.isScalar)(pair.key)) at = pair.key;
    } else if ((0, import_yaml2.isSeq)(node) && typeof segment === "number") {
      const item = node.items[segment];
      if (!item) break;
      depth++;
      node = item;
      if ((0, import_yaml2.isMap)(item) || (0, import_yaml2.isSeq)(item) || (0, import_yaml2.isScalar)(item)) at = item;
    } else {
      break;
    }
  }
  const offset = at?.range?.[0];
  if (offset === void 0) return { found: false, line: 0, column: 0, depth, offset: -1 };
  const pos = lineCounter.linePos(offset);
  return { found: true, line: pos.line, column: pos.col, depth, offset };
}
function makeLocator(ctx) {
  return (path, options = {}) => {
    const key = options.key === true;
    const top = path[0];
    if (typeof top === "string" && ctx.fromProfile.has(top) && ctx.profile.doc && ctx.profile.lineCounter) {
      const at2 = locateIn(ctx.profile.doc, ctx.profile.lineCounter, path, key);
      return { file: ctx.profileFile ?? "", line: at2.found ? at2.line : 1, column: at2.found ? at2.column : 1 };
    }
    for (let depth = 0; depth <= path.length; depth++) {
      const at2 = locateIn(ctx.doc, ctx.lineCounter, path.slice(0, depth), key && depth === path.length);
      if (!at2.found) continue;
      if (at2.depth < depth) break;
      const mapped2 = mapRenderedPosition(ctx.substitutions, at2.line, at2.column);
      const sub = mapped2.placeholder;
      if (sub && sub.renderedStart === at2.column && ctx.profile.doc && ctx.profile.lineCounter) {
        const rest = path.slice(depth);
        const inProfile = locateIn(ctx.profile.doc, ctx.profile.lineCounter, [sub.name, ...rest], key);
        if (inProfile.found) {
          return {
            file: ctx.profileFile ?? "",
            line: inProfile.line,
            column: inProfile.column,
            hint: `value of {{ ${sub.name} }} used at ${ctx.recipeFile}:${sub.line}:${sub.templateStart}`
          };
        }
      }
    }
    const at = locateIn(ctx.doc, ctx.lineCounter, path, key);
    if (!at.found) return { file: ctx.recipeFile, line: 1, column: 1 };
    const mapped = mapRenderedPosition(ctx.substitutions, at.line, at.column);
    return { file: ctx.recipeFile, line: mapped.line, column: mapped.column };
  };
}

// src/recipes/lock.ts
import { randomBytes as randomBytes2 } from "node:crypto";
import { mkdirSync as mkdirSync3, readFileSync as readFileSync5, renameSync as renameSync2, rmSync as rmSync2, statSync, writeFileSync as writeFileSync2 } from "node:fs";
import { hostname } from "node:os";
import { join as join5 } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
var LockedError = class extends MlrecipeError {
  code = "RECIPE_LOCKED";
};
function isProcessAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === "EPERM";
  }
}
function readOwner(file) {
  try {
    return JSON.parse(readFileSync5(file, "utf8"));
  } catch {
    return null;
  }
}
function describe(owner) {
  return `pid ${owner.pid} on ${owner.hostname} (${owner.command}, since ${owner.startedAt})`;
}
async function acquireRecipeLock(options) {
  const dir = join5(options.recipeDir, RECIPE_STATE_DIR);
  mkdirSync3(dir, { recursive: true });
  const file = join5(dir, "lock");
  const owner = {
    pid: process.pid,
    hostname: hostname(),
    startedAt: (/* @__PURE__ */ new Date()).toISOString(),
    command: options.command ?? "recipe"
  };
  let announced = false;
  for (; ; ) {
    try {
      writeFileSync2(file, JSON.stringify(owner), { flag: "wx" });
      let released = false;
      return {
        file,
        owner,
        release() {
          if (released) return;
          released = true;
          const current2 = readOwner(file);
          if (current2 && current2.pid === owner.pid && current2.hostname === owner.hostname)
            rmSync2(file, { force: true });
        }
      };
    } catch (error) {
      if (error.code !== "EEXIST") throw error;
    }
    const current = readOwner(file);
    if (isStale(file, current)) {
      takeOver(file, current);
      continue;
    }
    if (options.wait === false) {
      throw new LockedError(
        `another recipe command holds ${file}: ${current ? describe(current) : "unknown owner"}`,
        {
          hint: "wait for it to finish, run without --no-wait to queue behind it, or remove the file if that process is gone"
        }
      );
    }
    if (!announced) {
      announced = true;
      options.onWait?.(current);
    }
    await sleep(options.pollMs ?? 200);
  }
}
function isStale(file, owner) {
  if (owner === null) {
    try {
      return Date.now() - statSync(file).mtimeMs > 6e4;
    } catch {
      return false;
    }
  }
  return owner.hostname === hostname() && !isProcessAlive(owner.pid);
}
function takeOver(file, stale) {
  const aside = `${file}.stale-${process.pid}-${randomBytes2(4).toString("hex")}`;
  try {
    renameSync2(file, aside);
  } catch {
    return;
  }
  const moved = readOwner(aside);
  const same = moved === null && stale === null || moved !== null && stale !== null && moved.pid === stale.pid && moved.startedAt === stale.startedAt;
  if (same) {
    rmSync2(aside, { force: true });
    return;
  }
  try {
    writeFileSync2(file, readFileSync5(aside), { flag: "wx" });
  } catch {
  }
  rmSync2(aside, { force: true });
}

// src/recipes/plan.ts
import { readFileSync as readFileSync6 } from "node:fs";
import { isAbsolute, relative, resolve as resolve2 } from "node:path";
var TRAINING_CHAIN = ["ingest", "split", "transform", "train", "evaluate", "register"];
var cachedVersion;
function mlrecipeVersion() {
  if (cachedVersion === void 0) {
    const pkg = JSON.parse(readFileSync6(new URL("../../package.json", import.meta.url), "utf8"));
    cachedVersion = pkg.version;
  }
  return cachedVersion;
}
function isStepKind(value) {
  return STEP_KINDS.includes(value);
}
function stepsToRun(targets) {
  const needed = /* @__PURE__ */ new Set();
  const visit = (kind) => {
    if (needed.has(kind)) return;
    needed.add(kind);
    for (const up of STEP_INPUTS[kind]) visit(up);
  };
  for (const t of targets) visit(t);
  return STEP_KINDS.filter((k) => needed.has(k));
}
function defaultTargets(registry = defaultStepRegistry) {
  for (let i = TRAINING_CHAIN.length - 1; i >= 0; i--) {
    const kind = TRAINING_CHAIN[i];
    if (stepsToRun([kind]).every((k) => registry[k] !== void 0)) return [kind];
  }
  return [];
}
function allTargets(recipe, registry = defaultStepRegistry) {
  const targets = defaultTargets(registry);
  const steps = recipe.config.steps ?? {};
  if ((steps.predict || steps.ingest_scoring) && registry.predict && registry.ingest_scoring)
    targets.push("predict");
  else if (steps.ingest_scoring && registry.ingest_scoring) targets.push("ingest_scoring");
  return targets;
}
function recordedPath(recipeDir, file) {
  const abs = resolve2(recipeDir, file);
  const rel = relative(recipeDir, abs);
  return rel.startsWith("..") || isAbsolute(rel) ? abs : rel.split("\\").join("/");
}
function pick(source, keys) {
  const out = {};
  for (const key of keys) {
    let value = source;
    for (const part of key.split(".")) {
      value = value !== null && typeof value === "object" ? value[part] : void 0;
    }
    if (value !== void 0) out[key] = value;
  }
  return out;
}
async function hashFiles(recipeDir, files, statCache) {
  const hashes = new Array(files.length);
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const i = next++;
      hashes[i] = await statCache.hash(resolve2(recipeDir, files[i]));
    }
  };
  await Promise.all(Array.from({ length: Math.min(4, files.length) }, worker));
  const out = {};
  files.forEach((file, i) => {
    out[recordedPath(recipeDir, file)] = hashes[i];
  });
  return out;
}
async function loadStep(kind, registry) {
  const loader = registry[kind];
  if (!loader) {
    throw new UsageError(`step "${kind}" is not available in this version of mlrecipe`, {
      hint: `available steps: ${STEP_KINDS.filter((k) => registry[k]).join(", ") || "(none)"}`
    });
  }
  return loader();
}
async function planRecipe(options) {
  const { recipe, statCache } = options;
  const registry = options.registry ?? defaultStepRegistry;
  const targets = [...options.targets ?? defaultTargets(registry)];
  const config = recipe.config;
  const sections = recipe.config.steps ?? {};
  const nodes = [];
  const fingerprints = /* @__PURE__ */ new Map();
  const kinds = stepsToRun(targets);
  const steps = await Promise.all(kinds.map((kind) => loadStep(kind, registry)));
  for (const [i, kind] of kinds.entries()) {
    const step = steps[i];
    const stepConfig = sections[kind] ?? {};
    const codeFiles = await hashFiles(
      recipe.recipeDir,
      step.codeFiles(stepConfig, recipe.recipeDir),
      statCache
    );
    const inputFiles = await hashFiles(
      recipe.recipeDir,
      await step.inputFiles(stepConfig, recipe.recipeDir),
      statCache
    );
    const upstream = [...STEP_INPUTS[kind]];
    const extras = step.fingerprintExtras ? await step.fingerprintExtras(stepConfig, recipe.recipeDir) : void 0;
    const inputs = {
      format: 1,
      kind,
      config: {
        step: stepConfig,
        recipe: pick(config, [...STEP_RECIPE_KEYS[kind], ...step.recipeKeys?.(stepConfig) ?? []])
      },
      code: { mlrecipe: mlrecipeVersion(), files: codeFiles },
      upstream: Object.fromEntries(upstream.map((u) => [u, fingerprints.get(u) ?? ""])),
      inputs: inputFiles,
      ...extras && Object.keys(extras).length > 0 ? { extras } : {}
    };
    const fingerprint = fingerprintStep(inputs);
    fingerprints.set(kind, fingerprint);
    nodes.push({ kind, step, config: stepConfig, upstream, inputs, fingerprint });
  }
  statCache.save();
  return { recipe, targets, nodes };
}

// src/recipes/progress.ts
var import_picocolors = __toESM(require_picocolors(), 1);
function detectProgressMode(stream, env = process.env) {
  const ci = env.CI !== void 0 && env.CI !== "" && env.CI !== "false" && env.CI !== "0";
  return stream.isTTY && !ci ? "tty" : "plain";
}
function formatDuration(ms) {
  if (ms < 1e3) return `${(ms / 1e3).toFixed(2)}s`;
  if (ms < 6e4) return `${(ms / 1e3).toFixed(1)}s`;
  const m = Math.floor(ms / 6e4);
  return `${m}m${Math.round((ms - m * 6e4) / 1e3)}s`;
}
function createProgressReporter(options = {}) {
  const stream = options.stream ?? process.stderr;
  const mode = options.mode ?? detectProgressMode(stream);
  if (mode === "silent") return silentReporter;
  if (mode === "plain") return plainReporter(stream);
  return ttyReporter(stream);
}
var silentReporter = {
  begin() {
  },
  stepStarted() {
  },
  stepLog() {
  },
  stepFinished() {
  },
  note() {
  },
  end() {
  }
};
function plainReporter(stream) {
  const write = (line) => stream.write(`${line}
`);
  return {
    begin() {
    },
    stepStarted: (step, why) => write(`[${step}] started${why && why.length > 0 ? ` (${why.join("; ")})` : ""}`),
    stepLog: (step, message) => write(`[${step}] ${message}`),
    stepFinished(step, event) {
      if (event.state === "skipped") write(`[${step}] skipped (an upstream step failed)`);
      else if (event.state === "failed")
        write(`[${step}] failed after ${formatDuration(event.durationMs)}: ${event.error?.message ?? ""}`);
      else
        write(
          `[${step}] done in ${formatDuration(event.durationMs)}${event.state === "cached" ? " (cached)" : ""}`
        );
    },
    note: (message) => write(message),
    end() {
    }
  };
}
function ttyReporter(stream) {
  let rows = [];
  let drawn = 0;
  let timer;
  const frames = ["\u280B", "\u2819", "\u2839", "\u2838", "\u283C", "\u2834", "\u2826", "\u2827", "\u2807", "\u280F"];
  let tick = 0;
  const fitToLine = (text) => {
    if (!text) return "";
    const room = Math.max(0, (stream.columns || 80) - 34);
    const flat = text.replace(/\s+/g, " ");
    return flat.length <= room ? flat : `${flat.slice(0, Math.max(0, room - 1))}\u2026`;
  };
  const line = (row) => {
    const name = row.step.padEnd(15);
    switch (row.state) {
      case "pending":
        return `  ${import_picocolors.default.dim("\u25CB")} ${import_picocolors.default.dim(name)}`;
      case "running":
        return `  ${import_picocolors.default.cyan(frames[tick % frames.length] ?? "*")} ${name}${import_picocolors.default.dim(formatDuration(Date.now() - (row.startedAt ?? Date.now())))}${row.detail ? import_picocolors.default.dim(`  ${fitToLine(row.detail)}`) : ""}`;
      case "ran":
        return `  ${import_picocolors.default.green("\u2714")} ${name}${formatDuration(row.durationMs ?? 0)}`;
      case "cached":
        return `  ${import_picocolors.default.green("\u2714")} ${name}${formatDuration(row.durationMs ?? 0)} ${import_picocolors.default.dim("(cached)")}`;
      case "failed":
        return `  ${import_picocolors.default.red("\u2716")} ${name}${formatDuration(row.durationMs ?? 0)} ${import_picocolors.default.red(fitToLine(row.detail))}`;
      case "skipped":
        return `  ${import_picocolors.default.dim("-")} ${import_picocolors.default.dim(`${name}skipped`)}`;
    }
  };
  const clear = () => {
    if (drawn > 0) stream.write(`\x1B[${drawn}A\x1B[0J`);
    drawn = 0;
  };
  const draw = () => {
    clear();
    const lines = rows.flatMap((row) => [
      line(row),
      ...row.state === "running" ? (row.sublines ?? []).map((l) => `      ${import_picocolors.default.dim(fitToLine(l))}`) : []
    ]);
    const text = lines.join("\n");
    if (text) stream.write(`${text}
`);
    drawn = lines.length;
  };
  const find = (step) => rows.find((r) => r.step === step);
  return {
    begin(steps) {
      rows = steps.map((step) => ({ step, state: "pending" }));
      draw();
      timer = setInterval(() => {
        tick++;
        draw();
      }, 100);
      timer.unref();
    },
    stepStarted(step) {
      const row = find(step);
      if (row) Object.assign(row, { state: "running", startedAt: Date.now() });
      draw();
    },
    stepLog(step, message) {
      const row = find(step);
      if (row) row.detail = message;
      draw();
    },
    stepStatus(step, lines) {
      const row = find(step);
      if (row) row.sublines = [...lines];
      draw();
    },
    stepFinished(step, event) {
      const row = find(step);
      if (row)
        Object.assign(row, {
          sublines: [],
          state: event.state,
          durationMs: event.durationMs,
          detail: event.error?.message
        });
      draw();
    },
    note(message) {
      clear();
      stream.write(`${message}
`);
      draw();
    },
    end() {
      if (timer) clearInterval(timer);
      timer = void 0;
      draw();
      drawn = 0;
    }
  };
}

// src/recipes/stat-cache.ts
import { createHash as createHash2 } from "node:crypto";
import { createReadStream, mkdirSync as mkdirSync4, readFileSync as readFileSync7 } from "node:fs";
import { stat } from "node:fs/promises";
import { dirname as dirname2, join as join6 } from "node:path";
var RACY_WINDOW_NS = 2000000000n;
var StatCache = class _StatCache {
  file;
  entries;
  dirty = false;
  /** Files hashed (read) during this process, for tests and benchmarks. */
  hashedFiles = 0;
  constructor(file, entries) {
    this.file = file;
    this.entries = entries;
  }
  /** Opens the stat cache at `<stateDir>/stat-cache.json`; a missing or corrupt file starts empty. */
  static open(stateDir) {
    const file = join6(stateDir, "stat-cache.json");
    try {
      const parsed = JSON.parse(readFileSync7(file, "utf8"));
      if (parsed.version === 1 && parsed.entries && typeof parsed.entries === "object") {
        return new _StatCache(file, parsed.entries);
      }
    } catch {
    }
    return new _StatCache(file, {});
  }
  /** sha256 of an absolute path's content; 'missing' when the file does not exist. */
  async hash(path) {
    let st;
    try {
      st = await stat(path, { bigint: true });
    } catch (error) {
      if (error.code === "ENOENT") return "missing";
      throw error;
    }
    const size = Number(st.size);
    const mtimeNs = st.mtimeNs.toString();
    const ino = st.ino.toString();
    const known = this.entries[path];
    if (known && known.size === size && known.mtimeNs === mtimeNs && known.ino === ino) return known.sha256;
    const digest = await hashFile(path);
    this.hashedFiles++;
    const nowNs = BigInt(Date.now()) * 1000000n;
    if (nowNs - st.mtimeNs > RACY_WINDOW_NS) {
      this.entries[path] = { size, mtimeNs, ino, sha256: digest };
      this.dirty = true;
    } else if (known) {
      delete this.entries[path];
      this.dirty = true;
    }
    return digest;
  }
  /** Writes the cache if anything changed (temp file + rename). */
  save() {
    if (!this.dirty) return;
    mkdirSync4(dirname2(this.file), { recursive: true });
    writeFileAtomic(this.file, JSON.stringify({ version: 1, entries: this.entries }));
    this.dirty = false;
  }
};
async function hashFile(path) {
  const hash = createHash2("sha256");
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk);
  return hash.digest("hex");
}

// src/recipes/status.ts
import { existsSync as existsSync5, readFileSync as readFileSync8, rmSync as rmSync3 } from "node:fs";
import { join as join7, normalize, resolve as resolve3 } from "node:path";
var ALWAYS_RUNS = "it always runs: it reads state outside the recipe";
async function planCurrent(options) {
  const recipe = loadRecipe({ recipeDir: options.recipeDir, profile: options.profile });
  const cache = new StepCache(recipe.recipeDir);
  const statCache = StatCache.open(cache.stateRoot);
  const plan = await planRecipe({
    recipe,
    targets: options.steps ?? allTargets(recipe, options.registry),
    registry: options.registry,
    statCache
  });
  return { recipe, plan, cache };
}
async function recipeStatus(options) {
  const { plan, cache } = await planCurrent(options);
  return plan.nodes.map((node) => {
    const state = cache.readState(node.kind);
    const last = state ? {
      fingerprint: state.fingerprint,
      finishedAt: state.finishedAt,
      durationMs: state.durationMs,
      runId: state.runId
    } : void 0;
    if (node.step.alwaysRun) {
      return state ? { step: node.kind, state: "stale", fingerprint: node.fingerprint, reasons: [ALWAYS_RUNS], last } : { step: node.kind, state: "never run", fingerprint: node.fingerprint, reasons: [], last };
    }
    const manifest = cache.lookup(node.kind, node.fingerprint);
    if (manifest) {
      return {
        step: node.kind,
        state: "cached",
        fingerprint: node.fingerprint,
        reasons: [],
        dir: cache.entryDir(node.kind, node.fingerprint),
        manifest,
        last
      };
    }
    const notes = node.step.statusNotes?.(node.config, plan.recipe.recipeDir) ?? [];
    if (!state)
      return { step: node.kind, state: "never run", fingerprint: node.fingerprint, reasons: notes, last };
    const reasons = state.fingerprint === node.fingerprint ? ["its cached outputs are missing"] : explainChange(state.inputs, node.inputs);
    return {
      step: node.kind,
      state: "stale",
      fingerprint: node.fingerprint,
      reasons: [...reasons.length > 0 ? reasons : ["its inputs changed"], ...notes],
      last
    };
  });
}
async function stepArtifactPath(options) {
  const statuses = await recipeStatus({ ...options, steps: [options.step] });
  const status = statuses.find((s) => s.step === options.step);
  const cache = new StepCache(resolve3(options.recipeDir));
  let manifest = status?.manifest;
  let dir = status?.dir;
  let stale = false;
  if (!manifest && status?.last) {
    manifest = cache.lookup(options.step, status.last.fingerprint) ?? void 0;
    dir = manifest ? cache.entryDir(options.step, status.last.fingerprint) : void 0;
    stale = manifest !== void 0;
  }
  if (!manifest || !dir) {
    throw new MlrecipeError(`step ${options.step} has no outputs yet`, {
      hint: `run \`recipe run --step ${options.step}\` first`
    });
  }
  const rel = manifest.outputs[options.name];
  if (rel === void 0) {
    throw new UsageError(`step ${options.step} has no output named "${options.name}"`, {
      hint: `its outputs: ${Object.keys(manifest.outputs).sort().join(", ")}`
    });
  }
  return { path: join7(dir, normalize(rel)), stale };
}
async function inspectRecipe(options) {
  const statuses = await recipeStatus({ ...options, steps: options.step ? [options.step] : options.steps });
  const cache = new StepCache(resolve3(options.recipeDir));
  return statuses.filter((s) => options.step === void 0 || s.step === options.step).map((s) => {
    const fingerprint = s.manifest ? s.fingerprint : s.last?.fingerprint;
    const manifest = s.manifest ?? (fingerprint ? cache.lookup(s.step, fingerprint) ?? void 0 : void 0);
    const dir = manifest && fingerprint ? cache.entryDir(s.step, fingerprint) : void 0;
    const outputs = {};
    if (manifest && dir) for (const [k, v] of Object.entries(manifest.outputs)) outputs[k] = join7(dir, v);
    const result = { ...s, outputs, durationMs: manifest?.durationMs ?? s.last?.durationMs };
    if (dir && existsSync5(join7(dir, CARD_JSON))) {
      let summary = {};
      try {
        summary = JSON.parse(readFileSync8(join7(dir, CARD_JSON), "utf8"));
      } catch {
        summary = {};
      }
      result.card = { html: join7(dir, CARD_HTML), json: join7(dir, CARD_JSON), summary };
    }
    return result;
  });
}
async function cleanRecipe(options) {
  const recipeDir = loadRecipe({ recipeDir: options.recipeDir, validate: false }).recipeDir;
  const lock = await acquireRecipeLock({ recipeDir, wait: options.wait, command: "recipe clean" });
  try {
    const cache = new StepCache(recipeDir);
    let removed = 0;
    for (const entry of cache.listEntries()) {
      if (options.step && entry.step !== options.step) continue;
      cache.removeEntry(entry.step, entry.fingerprint);
      removed++;
    }
    if (options.step) cache.removeState(options.step);
    else {
      rmSync3(cache.stepStateRoot, { recursive: true, force: true });
      cache.removeLeftovers();
    }
    return { removed };
  } finally {
    lock.release();
  }
}
async function gcRecipe(options) {
  const { recipe, plan, cache } = await planCurrent(options);
  const lock = await acquireRecipeLock({
    recipeDir: recipe.recipeDir,
    wait: options.wait,
    command: "recipe gc"
  });
  try {
    const reachable = new Set(plan.nodes.map((n) => `${n.kind}/${n.fingerprint}`));
    const removed = [];
    let kept = 0;
    for (const entry of cache.listEntries()) {
      if (reachable.has(`${entry.step}/${entry.fingerprint}`) && entry.complete) {
        kept++;
        continue;
      }
      cache.removeEntry(entry.step, entry.fingerprint);
      removed.push({ step: entry.step, fingerprint: entry.fingerprint });
    }
    cache.removeLeftovers();
    rmSync3(join7(cache.stateRoot, "validated"), { recursive: true, force: true });
    return { kept, removed };
  } finally {
    lock.release();
  }
}

// src/recipes/execute.ts
async function runRecipe(options) {
  const recipe = loadRecipe({ recipeDir: options.recipeDir, profile: options.profile });
  const progress = options.progress ?? createProgressReporter({ mode: "silent" });
  const lock = await acquireRecipeLock({
    recipeDir: recipe.recipeDir,
    wait: options.wait,
    command: "recipe run",
    onWait: (owner) => progress.note(
      `waiting for another recipe run to finish (${owner ? `pid ${owner.pid} on ${owner.hostname}` : "lock file .recipe/lock"})...`
    )
  });
  const cache = new StepCache(recipe.recipeDir);
  const activeTemps = /* @__PURE__ */ new Set();
  let recorder;
  let ended = false;
  const abort = new AbortController();
  const stopping = /* @__PURE__ */ new Set();
  let interrupted = false;
  const removeSignalHandlers = options.handleSignals ? installSignalHandlers(async (signal) => {
    interrupted = true;
    progress.note(`received ${signal}: stopping`);
    abort.abort();
    if (stopping.size > 0)
      await withTimeout(Promise.allSettled([...stopping]), 15e3).catch(() => void 0);
    progress.end();
    for (const dir of activeTemps) rmSync4(dir, { recursive: true, force: true });
    if (recorder && !ended) {
      ended = true;
      await withTimeout(recorder.end("KILLED"), 3e3).catch(() => void 0);
    }
    lock.release();
  }) : () => {
  };
  try {
    const leftovers = cache.removeLeftovers();
    if (leftovers > 0)
      progress.note(
        `removed ${leftovers} incomplete cache entr${leftovers === 1 ? "y" : "ies"} left by an interrupted run`
      );
    const statCache = StatCache.open(cache.stateRoot);
    const targets = options.steps ?? defaultTargets(options.registry);
    const [planned, recorded] = await Promise.allSettled([
      planRecipe({ recipe, targets, registry: options.registry, statCache }),
      options.recorder ? options.recorder({ recipe, targets }) : Promise.resolve(void 0)
    ]);
    if (recorded.status === "fulfilled") recorder = recorded.value;
    if (planned.status === "rejected") {
      throw planned.reason instanceof ConfigError ? locateConfigError(planned.reason, recipe.locate) : planned.reason;
    }
    if (recorded.status === "rejected") throw recorded.reason;
    const plan = planned.value;
    progress.begin(plan.nodes.map((n) => n.kind));
    const outcomes = await executePlan({
      plan,
      cache,
      statCache,
      progress,
      noCache: options.noCache === true,
      concurrency: options.concurrency ?? 2,
      activeTemps,
      recorder,
      signal: abort.signal,
      stopping
    });
    progress.end();
    statCache.save();
    const error = outcomes.find((o) => o.error)?.error;
    if (recorder && !ended && !interrupted) {
      ended = true;
      await recorder.end(recipeRunStatus(error));
    }
    return { recipe, plan, outcomes, runId: recorder?.runId, experimentId: recorder?.experimentId, error };
  } catch (error) {
    progress.end();
    if (recorder && !ended && !interrupted) {
      ended = true;
      await recorder.end("FAILED").catch(() => void 0);
    }
    throw error;
  } finally {
    removeSignalHandlers();
    for (const dir of activeTemps) rmSync4(dir, { recursive: true, force: true });
    lock.release();
  }
}
function recipeRunStatus(error) {
  return error === void 0 || error instanceof GateRejectedError ? "FINISHED" : "FAILED";
}
function withTimeout(promise, ms) {
  return Promise.race([
    promise,
    new Promise((_, reject) => setTimeout(() => reject(new Error("timed out")), ms).unref())
  ]);
}
function installSignalHandlers(cleanup) {
  let handling = false;
  const handler = (signal) => {
    if (handling) return;
    handling = true;
    const code = signal === "SIGINT" ? 130 : 143;
    void cleanup(signal).finally(() => process.exit(code));
  };
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
  return () => {
    process.off("SIGINT", handler);
    process.off("SIGTERM", handler);
  };
}
async function executePlan(ctx) {
  const { default: PQueue } = await import("./chunk-dist-ZJFZ6QB7.js");
  const queue = new PQueue({ concurrency: Math.max(1, ctx.concurrency) });
  const promises = /* @__PURE__ */ new Map();
  for (const node of ctx.plan.nodes) {
    const upstream = node.upstream.map((u) => promises.get(u)).filter((p) => p !== void 0);
    const promise = Promise.all(upstream).then(async (ups) => {
      let outcome;
      if (ups.some((u) => u.state === "failed" || u.state === "skipped")) {
        outcome = emptyOutcome(node, "skipped");
        ctx.progress.stepFinished(node.kind, { state: "skipped", durationMs: 0 });
      } else {
        const inputDirs = {};
        for (const u of ups) if (u.dir) inputDirs[u.step] = u.dir;
        outcome = await queue.add(() => runNode(ctx, node, inputDirs));
      }
      if (ctx.recorder) {
        await ctx.recorder.stepFinished(outcome).catch((error) => {
          ctx.progress.note(
            `warning: could not record step ${node.kind} in the tracking run: ${error.message}`
          );
        });
      }
      return outcome;
    });
    promises.set(node.kind, promise);
  }
  return Promise.all(ctx.plan.nodes.map((n) => promises.get(n.kind)));
}
function emptyOutcome(node, state) {
  return {
    step: node.kind,
    state,
    fingerprint: node.fingerprint,
    durationMs: 0,
    outputs: {},
    metrics: {},
    params: {},
    tags: {}
  };
}
async function runNode(ctx, node, inputDirs) {
  const { cache, progress } = ctx;
  const recipe = ctx.plan.recipe;
  const started = Date.now();
  if (!ctx.noCache && node.step.alwaysRun !== true) {
    const manifest = cache.lookup(node.kind, node.fingerprint);
    if (manifest) {
      ctx.progress.stepStarted(node.kind);
      await restoreExternalOutputs(ctx, node, manifest);
      const durationMs = Date.now() - started;
      const previous = cache.readState(node.kind);
      cache.writeState({
        step: node.kind,
        fingerprint: node.fingerprint,
        inputs: node.inputs,
        finishedAt: (/* @__PURE__ */ new Date()).toISOString(),
        durationMs: manifest.durationMs,
        outcome: "cached",
        why: previous?.fingerprint === node.fingerprint ? previous.why : void 0,
        runId: manifest.runId
      });
      progress.stepFinished(node.kind, { state: "cached", durationMs });
      return {
        step: node.kind,
        state: "cached",
        fingerprint: node.fingerprint,
        durationMs,
        dir: cache.entryDir(node.kind, node.fingerprint),
        outputs: manifest.outputs,
        metrics: manifest.metrics,
        params: manifest.params,
        tags: manifest.tags,
        reusedFromRunId: manifest.runId
      };
    }
  }
  const why = whyRun(ctx, node);
  ctx.progress.stepStarted(node.kind, why);
  const tmp = cache.createTempDir(node.kind);
  ctx.activeTemps.add(tmp);
  const stepContext = {
    recipeDir: recipe.recipeDir,
    recipe: recipe.config,
    outDir: tmp,
    inputDirs,
    log: (message) => progress.stepLog(node.kind, message),
    fingerprint: node.fingerprint,
    inputFingerprints: Object.fromEntries(
      node.upstream.map((kind) => [kind, ctx.plan.nodes.find((n) => n.kind === kind)?.fingerprint])
    ),
    ...progress.stepStatus ? { liveStatus: (lines) => progress.stepStatus?.(node.kind, lines) } : {},
    // The sweep machinery sits a layer above the steps; loaded only when a step tunes.
    tune: async (request) => (await import("./chunk-train-sweep-QH4PCDVC.js")).runTrainSweep(request, stepContext),
    trackingUri: ctx.recorder?.trackingUri,
    runId: ctx.recorder?.runId,
    experimentId: ctx.recorder?.experimentId,
    store: ctx.recorder?.store,
    signal: ctx.signal
  };
  try {
    const running = node.step.run(node.config, stepContext);
    if (ctx.stopping && node.step.honoursAbort?.(node.config)) {
      ctx.stopping.add(running);
      void running.catch(() => void 0).finally(() => ctx.stopping?.delete(running));
    }
    const result = await running;
    const outputs = checkOutputs(node.kind, tmp, result);
    const externalOutputs = await describeExternalOutputs(ctx, node.kind, tmp, outputs, result);
    writeCard(tmp, result.card, {
      title: `${node.kind} \u2014 ${recipe.config.recipe}`,
      facts: {
        recipe: recipe.recipeDir,
        profile: recipe.profile,
        fingerprint: node.fingerprint.slice(0, 12)
      }
    });
    const finished = Date.now();
    const manifest = {
      format: 1,
      step: node.kind,
      fingerprint: node.fingerprint,
      inputs: node.inputs,
      outputs,
      ...externalOutputs ? { externalOutputs } : {},
      metrics: result.metrics ?? {},
      params: result.params ?? {},
      tags: result.tags ?? {},
      durationMs: finished - started,
      startedAt: new Date(started).toISOString(),
      finishedAt: new Date(finished).toISOString(),
      runId: ctx.recorder?.runId
    };
    const dir = cache.commit(tmp, manifest);
    ctx.activeTemps.delete(tmp);
    cache.writeState({
      step: node.kind,
      fingerprint: node.fingerprint,
      inputs: node.inputs,
      finishedAt: manifest.finishedAt,
      durationMs: manifest.durationMs,
      outcome: "ran",
      why,
      runId: manifest.runId
    });
    progress.stepFinished(node.kind, { state: "ran", durationMs: manifest.durationMs });
    return {
      step: node.kind,
      state: "ran",
      fingerprint: node.fingerprint,
      durationMs: manifest.durationMs,
      dir,
      outputs,
      metrics: manifest.metrics,
      params: manifest.params,
      tags: manifest.tags
    };
  } catch (cause) {
    rmSync4(tmp, { recursive: true, force: true });
    ctx.activeTemps.delete(tmp);
    const error = isMlrecipeError(cause) ? cause instanceof ConfigError ? locateConfigError(cause, recipe.locate) : cause : new StepError(node.kind, cause instanceof Error ? cause.message : String(cause), { cause });
    const durationMs = Date.now() - started;
    progress.stepFinished(node.kind, { state: "failed", durationMs, error });
    const tags = error instanceof GateRejectedError ? { ...error.tags } : {};
    return { ...emptyOutcome(node, "failed"), durationMs, error, tags };
  }
}
async function describeExternalOutputs(ctx, step, dir, outputs, result) {
  const declared = Object.entries(result.externalOutputs ?? {});
  if (declared.length === 0) return void 0;
  const described = {};
  for (const [path, output] of declared) {
    const rel = outputs[output];
    if (rel === void 0) throw new StepError(step, `external output ${path} names no output "${output}"`);
    const abs = resolve4(ctx.plan.recipe.recipeDir, path);
    const sha = await hashFile(join8(dir, rel));
    if (await ctx.statCache.hash(abs) !== sha) {
      throw new StepError(step, `external output ${path} is not a copy of its output "${output}"`);
    }
    described[abs] = { output, sha256: sha };
  }
  return described;
}
async function restoreExternalOutputs(ctx, node, manifest) {
  const dir = ctx.cache.entryDir(node.kind, node.fingerprint);
  for (const [path, { output, sha256: sha2562 }] of Object.entries(manifest.externalOutputs ?? {})) {
    if (await ctx.statCache.hash(path) === sha2562) continue;
    const rel = manifest.outputs[output];
    if (rel === void 0) continue;
    mkdirSync5(dirname3(path), { recursive: true });
    copyFileAtomic(join8(dir, rel), path);
    ctx.progress.stepLog(node.kind, `restored ${path} from the cache`);
  }
}
function whyRun(ctx, node) {
  if (ctx.noCache) return ["--no-cache"];
  if (node.step.alwaysRun) return [ALWAYS_RUNS];
  const last = ctx.cache.readState(node.kind);
  if (!last) return ["never run"];
  if (last.fingerprint === node.fingerprint) return ["its cached outputs are missing"];
  const reasons = explainChange(last.inputs, node.inputs);
  return reasons.length > 0 ? reasons : ["its inputs changed"];
}
function checkOutputs(step, dir, result) {
  const outputs = {};
  for (const [name, path] of Object.entries(result.outputs ?? {})) {
    const rel = normalize2(path);
    if (isAbsolute2(rel) || rel === ".." || rel.startsWith(`..${"/"}`)) {
      throw new StepError(
        step,
        `output "${name}" must be a path inside the step's output directory, not ${path}`
      );
    }
    if (!existsSync6(join8(dir, rel))) throw new StepError(step, `output "${name}" (${path}) was not written`);
    outputs[name] = rel;
  }
  outputs.card ??= CARD_HTML;
  outputs.card_json ??= CARD_JSON;
  return outputs;
}

// src/recipes/git-lineage.ts
import { execFile } from "node:child_process";
import { promisify } from "node:util";
var execFileAsync = promisify(execFile);
async function git(dir, args) {
  try {
    const { stdout } = await execFileAsync("git", args, { cwd: dir, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch {
    return void 0;
  }
}
async function gitLineage(dir) {
  const [status, remotes] = await Promise.all([
    git(dir, ["status", "--porcelain=v2", "--branch"]),
    git(dir, ["config", "--get-regexp", "^remote\\..*\\.url$"])
  ]);
  if (status === void 0) return void 0;
  let commit;
  let branch;
  let dirty = false;
  for (const line of status.split("\n")) {
    if (line.startsWith("# branch.oid ")) commit = line.slice("# branch.oid ".length).trim();
    else if (line.startsWith("# branch.head ")) branch = line.slice("# branch.head ".length).trim();
    else if (line !== "" && !line.startsWith("#")) dirty = true;
  }
  if (!commit || commit === "(initial)") return void 0;
  const urls = /* @__PURE__ */ new Map();
  for (const line of (remotes ?? "").split("\n")) {
    const match = /^remote\.(.+)\.url (.*)$/.exec(line);
    if (match && !urls.has(match[1])) urls.set(match[1], match[2]);
  }
  const remote = urls.has("origin") ? "origin" : [...urls.keys()].sort()[0];
  return {
    commit,
    branch: branch && branch !== "(detached)" ? branch : void 0,
    repoUrl: remote && urls.get(remote) || void 0,
    dirty
  };
}
function gitLineageTags(lineage) {
  if (!lineage) return [];
  const tags = [
    { key: TAGS.gitCommit, value: lineage.commit },
    { key: "mlrecipe.git.dirty", value: String(lineage.dirty) }
  ];
  if (lineage.branch) tags.push({ key: TAGS.gitBranch, value: lineage.branch });
  if (lineage.repoUrl) tags.push({ key: TAGS.gitRepoUrl, value: lineage.repoUrl });
  return tags;
}

// src/recipes/record.ts
import { existsSync as existsSync7, statSync as statSync2 } from "node:fs";
import { hostname as hostname2, userInfo } from "node:os";
import { basename, join as join9, resolve as resolve5 } from "node:path";
var RUN_TAGS = {
  pid: "mlrecipe.pid",
  host: "mlrecipe.host",
  recipeDir: "mlrecipe.recipe_dir",
  profile: "mlrecipe.profile",
  targets: "mlrecipe.targets",
  endedBy: "mlrecipe.ended_by"
};
async function recipeTrackingTarget(recipe, flag) {
  const { findRepoRoot, resolveTrackingUri } = await import("./chunk-tracking-uri-VU4R5KOW.js");
  const configured = recipe.config.experiment?.tracking_uri;
  const resolved = flag ? resolveTrackingUri({ flag, cwd: process.cwd() }) : configured ? resolveTrackingUri({ flag: configured, cwd: recipe.recipeDir }) : resolveTrackingUri({ cwd: recipe.recipeDir });
  const defaultArtifactRoot = resolved.backend === "postgresql" ? join9(findRepoRoot(recipe.recipeDir), "mlruns", "artifacts") : resolved.defaultArtifactRoot;
  return { uri: resolved.uri, defaultArtifactRoot };
}
function flattenConfig(value, prefix = "") {
  const out = {};
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value))
      Object.assign(out, flattenConfig(v, prefix ? `${prefix}.${k}` : k));
    return out;
  }
  if (prefix === "" || value === void 0) return out;
  out[prefix] = typeof value === "string" ? value : JSON.stringify(value);
  return out;
}
function clip(text, max) {
  return text.length <= max ? text : `${text.slice(0, max - 1)}\u2026`;
}
function trackingRecorder(options = {}) {
  return async ({ recipe, targets }) => {
    const lineage = gitLineage(recipe.recipeDir);
    const target = await recipeTrackingTarget(recipe, options.trackingUri);
    const store = options.openStore ? await options.openStore(target) : await (await import("./chunk-open-store-L3AYBQ2M.js")).openTrackingStore(target.uri, {
      defaultArtifactRoot: target.defaultArtifactRoot
    });
    try {
      return await startRecipeRun({ store, recipe, targets, trackingUri: target.uri, lineage });
    } catch (error) {
      await store.close().catch(() => void 0);
      throw error;
    }
  };
}
async function experimentIdFor(store, recipe) {
  const name = recipe.config.experiment?.name ?? basename(recipe.recipeDir);
  const existing = await store.getExperimentByName(name);
  if (existing) {
    if (existing.lifecycle_stage === "deleted") {
      throw new MlrecipeError(`experiment "${name}" is deleted`, {
        hint: `restore it with \`recipe experiments restore ${existing.experiment_id}\` or set experiment.name to another name`
      });
    }
    return existing.experiment_id;
  }
  const location = recipe.config.experiment?.artifact_location;
  const artifactLocation = location && !/^[a-z][a-z0-9+.-]*:/i.test(location) ? resolve5(recipe.recipeDir, location) : location;
  try {
    return await store.createExperiment(name, artifactLocation);
  } catch (error) {
    const again = await store.getExperimentByName(name);
    if (again) return again.experiment_id;
    throw error;
  }
}
async function endAbandonedRuns(options) {
  const { store, experimentId, recipeDir } = options;
  const ended = [];
  let pageToken;
  do {
    const page = await store.searchRuns({
      experimentIds: [experimentId],
      filter: "attributes.status = 'RUNNING'",
      maxResults: 1e3,
      pageToken
    });
    for (const run of page.runs) {
      if (run.info.status !== "RUNNING") continue;
      const tags = Object.fromEntries(run.data.tags.map((t) => [t.key, t.value]));
      if (tags[RUN_TAGS.recipeDir] !== recipeDir || tags[RUN_TAGS.host] !== hostname2()) continue;
      const pid = Number(tags[RUN_TAGS.pid]);
      if (!Number.isInteger(pid) || pid <= 0 || pid !== process.pid && isProcessAlive(pid)) continue;
      if (pid === process.pid) continue;
      await store.setTag(run.info.run_id, {
        key: RUN_TAGS.endedBy,
        value: `process ${pid} ended without finishing the run; marked KILLED by the next recipe run (pid ${process.pid})`
      });
      await store.updateRun(run.info.run_id, { status: "KILLED", endTime: Date.now() });
      ended.push(run.info.run_id);
    }
    pageToken = page.next_page_token;
  } while (pageToken);
  return ended;
}
async function startRecipeRun(options) {
  const { store, recipe } = options;
  const lineagePromise = options.lineage ?? gitLineage(recipe.recipeDir);
  const experimentId = await experimentIdFor(store, recipe);
  const abandoned = await endAbandonedRuns({ store, experimentId, recipeDir: recipe.recipeDir });
  const lineage = await lineagePromise;
  let user = "unknown";
  try {
    user = userInfo().username;
  } catch {
  }
  const tags = [
    { key: TAGS.sourceType, value: "RECIPE" },
    { key: TAGS.sourceName, value: recipe.recipeDir },
    { key: TAGS.user, value: user },
    { key: RUN_TAGS.pid, value: String(process.pid) },
    { key: RUN_TAGS.host, value: hostname2() },
    { key: RUN_TAGS.recipeDir, value: recipe.recipeDir },
    { key: RUN_TAGS.profile, value: recipe.profile },
    { key: RUN_TAGS.targets, value: options.targets.join(",") },
    ...gitLineageTags(lineage)
  ];
  const run = await store.createRun({ experimentId, userId: user, tags });
  const runId = run.info.run_id;
  const artifactUri = run.info.artifact_uri;
  const logged = /* @__PURE__ */ new Map();
  const params = [];
  const addParam = (key, value) => {
    const k = clip(key, MAX_ENTITY_KEY_LENGTH);
    const v = clip(value, MAX_PARAM_VALUE_LENGTH);
    if (logged.has(k)) return logged.get(k) === v;
    logged.set(k, v);
    params.push({ key: k, value: v });
    return true;
  };
  for (const [k, v] of Object.entries(flattenConfig(recipe.config))) addParam(k, v);
  const flushParams = async () => {
    while (params.length > 0) await store.logBatch(runId, { params: params.splice(0, MAX_PARAMS_PER_BATCH) });
  };
  await flushParams();
  let artifactRepo;
  const artifacts = async () => {
    if (!artifactRepo) {
      const { LocalArtifactRepository } = await import("./chunk-artifact-repo-JW2P7W53.js");
      artifactRepo = new LocalArtifactRepository(artifactUri);
    }
    return artifactRepo;
  };
  let chain = Promise.resolve();
  const recorder = {
    runId,
    experimentId,
    trackingUri: options.trackingUri,
    store,
    abandoned,
    stepFinished(outcome) {
      const next = chain.then(() => recordStep(outcome));
      chain = next.catch(() => void 0);
      return next;
    },
    async end(status) {
      try {
        await chain;
        await store.updateRun(runId, { status, endTime: Date.now() });
      } finally {
        await store.close().catch(() => void 0);
      }
    }
  };
  async function recordStep(outcome) {
    const now = Date.now();
    const step = outcome.step;
    const metrics = Object.entries(outcome.metrics).map(([key, value]) => ({
      key,
      value,
      timestamp: now,
      step: 0
    }));
    if (outcome.state === "ran" || outcome.state === "cached" || outcome.state === "failed") {
      metrics.push({
        key: `step.${step}.duration_s`,
        value: outcome.durationMs / 1e3,
        timestamp: now,
        step: 0
      });
    }
    const stepTags = [
      { key: `mlrecipe.step.${step}.state`, value: outcome.state },
      { key: `mlrecipe.step.${step}.fingerprint`, value: outcome.fingerprint }
    ];
    if (outcome.state === "cached") {
      stepTags.push({
        key: `mlrecipe.step.${step}.reused_from`,
        value: outcome.reusedFromRunId ?? "unknown"
      });
    }
    if (outcome.error) {
      stepTags.push({
        key: `mlrecipe.step.${step}.error`,
        value: clip(outcome.error.message, MAX_TAG_VALUE_LENGTH)
      });
    }
    for (const [key, value] of Object.entries(outcome.tags))
      stepTags.push({ key, value: clip(value, MAX_TAG_VALUE_LENGTH) });
    for (const [key, value] of Object.entries(outcome.params)) {
      if (!addParam(key, value)) addParam(`${step}.${key}`, value);
    }
    await store.logBatch(runId, { metrics: metrics.slice(0, 1e3), tags: stepTags.slice(0, 100) });
    for (let i = 1e3; i < metrics.length; i += 1e3)
      await store.logBatch(runId, { metrics: metrics.slice(i, i + 1e3) });
    await flushParams();
    if (!outcome.dir) return;
    const repo = await artifacts();
    for (const name of ["card", "card_json"]) {
      const rel = outcome.outputs[name];
      if (rel && existsSync7(join9(outcome.dir, rel)))
        await repo.logArtifact(join9(outcome.dir, rel), `cards/${step}`);
    }
    const model = outcome.outputs.model;
    if (model) {
      const path = join9(outcome.dir, model);
      if (existsSync7(path)) {
        if (statSync2(path).isDirectory()) await repo.logArtifacts(path, "model");
        else await repo.logArtifact(path, "model");
      }
    }
  }
  return recorder;
}
export {
  ALWAYS_RUNS,
  CARD_HTML,
  CARD_JSON,
  DEFAULT_PROFILE,
  LockedError,
  PROFILE_DIR,
  RECIPE_FILE,
  RUN_TAGS,
  StatCache,
  StepCache,
  USER_MODULE_DIR,
  acquireRecipeLock,
  allTargets,
  canonicalJson,
  cardJson,
  cleanRecipe,
  createProgressReporter,
  defaultTargets,
  detectProgressMode,
  didYouMean,
  endAbandonedRuns,
  escapeHtml,
  explainChange,
  findUserModule,
  fingerprintStep,
  flattenConfig,
  formatDuration,
  formatNumber,
  gcRecipe,
  gitLineage,
  gitLineageTags,
  histogramBins,
  htmlHeatmapTable,
  htmlMetricsTable,
  htmlTable,
  importUserModule,
  inspectRecipe,
  isStepKind,
  listProfiles,
  loadRecipe,
  loadUserFunction,
  mlrecipeVersion,
  planRecipe,
  recipeRunStatus,
  recipeSchema,
  recipeStatus,
  recipeTrackingTarget,
  renderCardHtml,
  runRecipe,
  startRecipeRun,
  stepArtifactPath,
  stepsToRun,
  svgBarChart,
  svgHistogram,
  svgLinePlot,
  svgScatterPlot,
  trackingRecorder,
  validateRecipeConfig,
  writeCard
};
