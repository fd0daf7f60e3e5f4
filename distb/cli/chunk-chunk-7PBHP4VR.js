import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  require_dist
} from "./chunk-chunk-VDD6CXJ7.js";
import {
  replaceAtomicallyAsync
} from "./chunk-chunk-NOK55ACX.js";
import {
  ConfigError,
  StoreError
} from "./chunk-chunk-FHTLSLDU.js";
import {
  __toESM
} from "./chunk-chunk-ZGLOIRZZ.js";

// src/server/tracking/auth.ts
var import_yaml = __toESM(require_dist(), 1);
import { createHash, randomBytes, scrypt as scryptCallback, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { promisify } from "node:util";
var scrypt = promisify(scryptCallback);
var PERMISSIONS = ["READ", "EDIT", "MANAGE", "NO_PERMISSIONS"];
var CAN = {
  READ: /* @__PURE__ */ new Set(["read"]),
  EDIT: /* @__PURE__ */ new Set(["read", "update"]),
  MANAGE: /* @__PURE__ */ new Set(["read", "update", "delete", "manage"]),
  NO_PERMISSIONS: /* @__PURE__ */ new Set()
};
var HASH_PREFIX = "scrypt";
var SCRYPT = { N: 16384, r: 8, p: 1, keylen: 32 };
async function hashPassword(password) {
  const salt = randomBytes(16);
  const hash = await scrypt(password, salt, SCRYPT.keylen, {
    N: SCRYPT.N,
    r: SCRYPT.r,
    p: SCRYPT.p,
    maxmem: 64 * 1024 * 1024
  });
  return [HASH_PREFIX, SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString("base64"), hash.toString("base64")].join(
    "$"
  );
}
async function verifyPassword(password, stored) {
  const parts = stored.split("$");
  if (parts.length !== 6 || parts[0] !== HASH_PREFIX) return false;
  const [, n, r, p, salt, hash] = parts;
  const expected = Buffer.from(hash, "base64");
  const actual = await scrypt(password, Buffer.from(salt, "base64"), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: 256 * 1024 * 1024
  });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
function loadAuthFile(file) {
  let text;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new ConfigError([
      {
        file,
        line: 0,
        column: 0,
        path: "",
        message: `cannot read the auth file: ${error.message}`
      }
    ]);
  }
  const doc = (0, import_yaml.parseDocument)(text);
  const issues = [];
  const lineOf = (path) => {
    const node = doc.getIn(path, true);
    const offset = node?.range?.[0];
    if (offset === void 0) return { line: 0, column: 0 };
    const before = text.slice(0, offset).split("\n");
    return { line: before.length, column: (before[before.length - 1]?.length ?? 0) + 1 };
  };
  const issue = (path, message, hint) => issues.push({ file, ...lineOf(path), path: path.join("."), message, ...hint ? { hint } : {} });
  for (const error of doc.errors)
    issues.push({
      file,
      line: error.linePos?.[0]?.line ?? 0,
      column: error.linePos?.[0]?.col ?? 0,
      path: "",
      message: error.message
    });
  if (issues.length > 0) throw new ConfigError(issues);
  const raw = doc.toJS() ?? {};
  const permissionOf = (value, path) => {
    if (typeof value === "string" && PERMISSIONS.includes(value))
      return value;
    issue(path, `invalid permission ${JSON.stringify(value)}`, `use one of ${PERMISSIONS.join(", ")}`);
    return "NO_PERMISSIONS";
  };
  const defaultPermission = raw.default_permission === void 0 ? "READ" : permissionOf(raw.default_permission, ["default_permission"]);
  const users = [];
  const names = /* @__PURE__ */ new Set();
  const rawUsers = raw.users;
  if (!Array.isArray(rawUsers) || rawUsers.length === 0) {
    issue(
      ["users"],
      "the auth file lists no users",
      "add users: [{username, password_hash, is_admin}] (hash with `recipe server hash-password`)"
    );
  } else {
    rawUsers.forEach((entry, i) => {
      const username = entry?.username;
      const passwordHash = entry?.password_hash;
      if (typeof username !== "string" || username === "" || username.includes(":")) {
        issue(["users", i, "username"], 'username must be a non-empty string without ":"');
        return;
      }
      if (names.has(username)) issue(["users", i, "username"], `user "${username}" is listed twice`);
      names.add(username);
      if (typeof passwordHash !== "string" || !passwordHash.startsWith(`${HASH_PREFIX}$`) || passwordHash.split("$").length !== 6) {
        issue(
          ["users", i, "password_hash"],
          "password_hash must be a hash made by `recipe server hash-password`",
          "never put a plain password in the auth file"
        );
        return;
      }
      users.push({ username, passwordHash, isAdmin: entry.is_admin === true });
    });
  }
  const grants = (key, idField) => {
    const map = /* @__PURE__ */ new Map();
    const list = raw[key];
    if (list === void 0) return map;
    if (!Array.isArray(list)) {
      issue([key], `${key} must be a list`);
      return map;
    }
    list.forEach((entry, i) => {
      const id = entry?.[idField];
      const username = entry?.username;
      if (typeof id !== "string" && typeof id !== "number" || String(id) === "") {
        issue([key, i, idField], `${idField} is missing`);
        return;
      }
      if (typeof username !== "string" || !names.has(username)) {
        issue(
          [key, i, "username"],
          `unknown user ${JSON.stringify(username)}`,
          "list the user under users first"
        );
        return;
      }
      const permission = permissionOf(entry.permission, [key, i, "permission"]);
      const forResource = map.get(String(id)) ?? /* @__PURE__ */ new Map();
      forResource.set(username, permission);
      map.set(String(id), forResource);
    });
    return map;
  };
  const experimentPermissions = grants("experiment_permissions", "experiment_id");
  const modelPermissions = grants("registered_model_permissions", "name");
  if (issues.length > 0) throw new ConfigError(issues);
  return { defaultPermission, users, experimentPermissions, modelPermissions };
}
function forbidden() {
  return new StoreError("PERMISSION_DENIED", "Permission denied");
}
var BasicAuth = class _BasicAuth {
  config;
  users;
  /** sha256(Authorization header) of credentials already verified: scrypt once per client. */
  verified = /* @__PURE__ */ new Map();
  grantsFile;
  writing = Promise.resolve();
  constructor(config, options = {}) {
    this.config = config;
    this.users = new Map(config.users.map((user) => [user.username, user]));
    this.grantsFile = options.grantsFile;
    if (this.grantsFile !== void 0) this.loadGrants(this.grantsFile);
  }
  static fromFile(file) {
    return new _BasicAuth(loadAuthFile(file), { grantsFile: `${file}.grants.json` });
  }
  /** The user the request's basic credentials name, or undefined when missing or wrong. */
  async authenticate(request) {
    const header = request.headers.authorization;
    if (header === void 0 || !/^basic /i.test(header)) return void 0;
    const key = createHash("sha256").update(header).digest("hex");
    const cached = this.verified.get(key);
    if (cached !== void 0 && this.users.has(cached)) return cached;
    const decoded = Buffer.from(header.slice(6).trim(), "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon < 0) return void 0;
    const user = this.users.get(decoded.slice(0, colon));
    if (user === void 0 || !await verifyPassword(decoded.slice(colon + 1), user.passwordHash))
      return void 0;
    if (this.verified.size > 1e4) this.verified.clear();
    this.verified.set(key, user.username);
    return user.username;
  }
  isAdmin(username) {
    return username !== void 0 && this.users.get(username)?.isAdmin === true;
  }
  permissionOn(kind, id, username) {
    const map = kind === "experiment" ? this.config.experimentPermissions : this.config.modelPermissions;
    return map.get(id)?.get(username) ?? this.config.defaultPermission;
  }
  can(kind, id, username, action) {
    if (username === void 0) return false;
    if (this.isAdmin(username)) return true;
    return CAN[this.permissionOn(kind, id, username)].has(action);
  }
  /** Throws PERMISSION_DENIED unless the caller may do what `endpoint` does to its resource. */
  async authorize(endpoint, args, ctx) {
    await this.check(endpoint.permission, args, ctx);
    if (endpoint.path === "/mlflow/runs/search") {
      for (const id of args.experiment_ids ?? []) {
        if (!this.can("experiment", String(id), ctx.username, "read")) throw forbidden();
      }
    }
  }
  /** Read access for the UI's get-artifact routes: the run's experiment, or the model. */
  async authorizeRead(kind, args, ctx) {
    const need = kind === "run" ? { resource: "experiment", from: "run_id", level: "read" } : { resource: "model", from: "name", level: "read" };
    await this.check(need, args, ctx);
  }
  /** Artifact-proxy paths are `<experiment id>/<run id>/artifacts/…` (MLflow's layout). */
  authorizeArtifactPath(path, action, username) {
    if (this.isAdmin(username)) return;
    const experimentId = path.split("/")[0] ?? "";
    if (!/^\d+$/.test(experimentId)) {
      throw forbidden();
    }
    if (!this.can("experiment", experimentId, username, action)) throw forbidden();
  }
  async check(need, args, ctx) {
    if (need.resource === "none" || need.resource === "create") return;
    if (this.isAdmin(ctx.username)) return;
    let id;
    if (need.resource === "model") {
      id = args.name;
    } else if (need.from === "experiment_id") {
      id = args.experiment_id || "0";
    } else if (need.from === "experiment_name") {
      id = (await ctx.store.getExperimentByName(args.experiment_name))?.experiment_id;
      if (id === void 0) return;
    } else {
      id = (await ctx.store.getRun(args.run_id)).info.experiment_id;
    }
    if (!this.can(need.resource, id, ctx.username, need.level)) throw forbidden();
  }
  /** What happens after a successful request: creators get MANAGE; searches are filtered. */
  async afterSuccess(endpoint, args, result, username) {
    if (username === void 0) return result;
    if (endpoint.path === "/mlflow/experiments/create") {
      await this.grant("experiment", result.experiment_id, username, "MANAGE");
    } else if (endpoint.path === "/mlflow/registered-models/create") {
      await this.grant("model", args.name, username, "MANAGE");
    } else if (endpoint.path === "/mlflow/registered-models/rename") {
      const forOld = this.config.modelPermissions.get(args.name);
      if (forOld) {
        this.config.modelPermissions.delete(args.name);
        this.config.modelPermissions.set(args.new_name, forOld);
        await this.saveGrants();
      }
    } else if (endpoint.path === "/mlflow/experiments/search") {
      const typed = result;
      return {
        ...typed,
        experiments: typed.experiments.filter(
          (e) => this.can("experiment", e.experiment_id, username, "read")
        )
      };
    } else if (endpoint.path === "/mlflow/registered-models/search") {
      const typed = result;
      return {
        ...typed,
        registered_models: typed.registered_models.filter((m) => this.can("model", m.name, username, "read"))
      };
    } else if (endpoint.path === "/mlflow/model-versions/search") {
      const typed = result;
      return {
        ...typed,
        model_versions: typed.model_versions.filter((v) => this.can("model", v.name, username, "read"))
      };
    }
    return result;
  }
  async grant(kind, id, username, permission) {
    const map = kind === "experiment" ? this.config.experimentPermissions : this.config.modelPermissions;
    const forResource = map.get(id) ?? /* @__PURE__ */ new Map();
    forResource.set(username, permission);
    map.set(id, forResource);
    await this.saveGrants();
  }
  loadGrants(file) {
    let raw;
    try {
      raw = JSON.parse(readFileSync(file, "utf8"));
    } catch (error) {
      if (error.code === "ENOENT") return;
      throw new ConfigError([
        {
          file,
          line: 0,
          column: 0,
          path: "",
          message: `unreadable grants file: ${error.message}`,
          hint: "fix or delete it"
        }
      ]);
    }
    for (const entry of raw.experiment_permissions ?? []) {
      const map = this.config.experimentPermissions.get(entry.experiment_id) ?? /* @__PURE__ */ new Map();
      if (!map.has(entry.username)) map.set(entry.username, entry.permission);
      this.config.experimentPermissions.set(entry.experiment_id, map);
    }
    for (const entry of raw.registered_model_permissions ?? []) {
      const map = this.config.modelPermissions.get(entry.name) ?? /* @__PURE__ */ new Map();
      if (!map.has(entry.username)) map.set(entry.username, entry.permission);
      this.config.modelPermissions.set(entry.name, map);
    }
  }
  saveGrants() {
    const file = this.grantsFile;
    if (file === void 0) return Promise.resolve();
    const snapshot = {
      experiment_permissions: [...this.config.experimentPermissions].flatMap(
        ([experiment_id, users]) => [...users].map(([username, permission]) => ({ experiment_id, username, permission }))
      ),
      registered_model_permissions: [...this.config.modelPermissions].flatMap(
        ([name, users]) => [...users].map(([username, permission]) => ({ name, username, permission }))
      )
    };
    this.writing = this.writing.then(async () => {
      await replaceAtomicallyAsync(
        file,
        (temp) => writeFile(temp, `${JSON.stringify(snapshot, null, 2)}
`, { mode: 384 })
      );
    });
    return this.writing;
  }
};

export {
  PERMISSIONS,
  hashPassword,
  verifyPassword,
  loadAuthFile,
  BasicAuth
};
