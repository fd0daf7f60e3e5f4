/**
 * Optional HTTP basic authentication with per-experiment and per-registered-model permissions,
 * with the semantics of MLflow's basic-auth app (mlflow/server/auth, 2.12):
 *
 * - permissions READ (read), EDIT (read, update), MANAGE (read, update, delete, manage) and
 *   NO_PERMISSIONS; a user without an explicit grant on a resource gets `default_permission`;
 * - admins may do everything;
 * - creating an experiment or a registered model is open to every authenticated user, who then
 *   holds MANAGE on it;
 * - each endpoint asks for read, update or delete on the experiment (from experiment_id,
 *   experiment_name or run_id) or on the registered model (name); artifact-proxy paths start
 *   with the experiment id; searches only return what the user may read.
 *
 * Users and grants come from the auth file (YAML), which holds password hashes only
 * (`recipe server hash-password`). Grants the server makes at run time (creators' MANAGE) are
 * kept in `<auth file>.grants.json`, written atomically, so they survive a restart.
 */
import { createHash, randomBytes, scrypt as scryptCallback, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import type { FastifyRequest } from 'fastify';
import { parseDocument } from 'yaml';
import { replaceAtomicallyAsync } from '../../atomic-write.js';
import { ConfigError, StoreError } from '../../errors.js';
import type { Args, Endpoint, HandlerContext, PermissionNeed } from './endpoint.js';

const scrypt = promisify(scryptCallback) as (
  password: string,
  salt: Buffer,
  keylen: number,
  options: { N: number; r: number; p: number; maxmem: number },
) => Promise<Buffer>;

export type PermissionName = 'READ' | 'EDIT' | 'MANAGE' | 'NO_PERMISSIONS';
export const PERMISSIONS: readonly PermissionName[] = ['READ', 'EDIT', 'MANAGE', 'NO_PERMISSIONS'];
export type Action = 'read' | 'update' | 'delete' | 'manage';

const CAN: Record<PermissionName, ReadonlySet<Action>> = {
  READ: new Set(['read']),
  EDIT: new Set(['read', 'update']),
  MANAGE: new Set(['read', 'update', 'delete', 'manage']),
  NO_PERMISSIONS: new Set(),
};

export interface AuthUser {
  username: string;
  passwordHash: string;
  isAdmin: boolean;
}

export interface AuthConfig {
  defaultPermission: PermissionName;
  users: AuthUser[];
  /** experiment id → username → permission */
  experimentPermissions: Map<string, Map<string, PermissionName>>;
  /** registered model name → username → permission */
  modelPermissions: Map<string, Map<string, PermissionName>>;
}

const HASH_PREFIX = 'scrypt';
const SCRYPT = { N: 16384, r: 8, p: 1, keylen: 32 };

/** `scrypt$N$r$p$salt$hash` (base64), what the auth file's `password_hash` holds. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scrypt(password, salt, SCRYPT.keylen, {
    N: SCRYPT.N,
    r: SCRYPT.r,
    p: SCRYPT.p,
    maxmem: 64 * 1024 * 1024,
  });
  return [HASH_PREFIX, SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64'), hash.toString('base64')].join(
    '$',
  );
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== HASH_PREFIX) return false;
  const [, n, r, p, salt, hash] = parts as [string, string, string, string, string, string];
  const expected = Buffer.from(hash, 'base64');
  const actual = await scrypt(password, Buffer.from(salt, 'base64'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: 256 * 1024 * 1024,
  });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** Reads and checks the auth file; every problem is reported with its line. */
export function loadAuthFile(file: string): AuthConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError([
      {
        file,
        line: 0,
        column: 0,
        path: '',
        message: `cannot read the auth file: ${(error as Error).message}`,
      },
    ]);
  }
  const doc = parseDocument(text);
  const issues: ConfigError['issues'] = [];
  const lineOf = (path: (string | number)[]): { line: number; column: number } => {
    const node = doc.getIn(path, true) as { range?: [number, number] } | undefined;
    const offset = node?.range?.[0];
    if (offset === undefined) return { line: 0, column: 0 };
    const before = text.slice(0, offset).split('\n');
    return { line: before.length, column: (before[before.length - 1]?.length ?? 0) + 1 };
  };
  const issue = (path: (string | number)[], message: string, hint?: string) =>
    issues.push({ file, ...lineOf(path), path: path.join('.'), message, ...(hint ? { hint } : {}) });
  for (const error of doc.errors)
    issues.push({
      file,
      line: error.linePos?.[0]?.line ?? 0,
      column: error.linePos?.[0]?.col ?? 0,
      path: '',
      message: error.message,
    });
  if (issues.length > 0) throw new ConfigError(issues);
  const raw = (doc.toJS() ?? {}) as Record<string, unknown>;

  const permissionOf = (value: unknown, path: (string | number)[]): PermissionName => {
    if (typeof value === 'string' && (PERMISSIONS as readonly string[]).includes(value))
      return value as PermissionName;
    issue(path, `invalid permission ${JSON.stringify(value)}`, `use one of ${PERMISSIONS.join(', ')}`);
    return 'NO_PERMISSIONS';
  };
  const defaultPermission =
    raw.default_permission === undefined
      ? 'READ'
      : permissionOf(raw.default_permission, ['default_permission']);

  const users: AuthUser[] = [];
  const names = new Set<string>();
  const rawUsers = raw.users;
  if (!Array.isArray(rawUsers) || rawUsers.length === 0) {
    issue(
      ['users'],
      'the auth file lists no users',
      'add users: [{username, password_hash, is_admin}] (hash with `recipe server hash-password`)',
    );
  } else {
    rawUsers.forEach((entry: Record<string, unknown>, i) => {
      const username = entry?.username;
      const passwordHash = entry?.password_hash;
      if (typeof username !== 'string' || username === '' || username.includes(':')) {
        issue(['users', i, 'username'], 'username must be a non-empty string without ":"');
        return;
      }
      if (names.has(username)) issue(['users', i, 'username'], `user "${username}" is listed twice`);
      names.add(username);
      if (
        typeof passwordHash !== 'string' ||
        !passwordHash.startsWith(`${HASH_PREFIX}$`) ||
        passwordHash.split('$').length !== 6
      ) {
        issue(
          ['users', i, 'password_hash'],
          'password_hash must be a hash made by `recipe server hash-password`',
          'never put a plain password in the auth file',
        );
        return;
      }
      users.push({ username, passwordHash, isAdmin: entry.is_admin === true });
    });
  }

  const grants = (key: string, idField: string): Map<string, Map<string, PermissionName>> => {
    const map = new Map<string, Map<string, PermissionName>>();
    const list = raw[key];
    if (list === undefined) return map;
    if (!Array.isArray(list)) {
      issue([key], `${key} must be a list`);
      return map;
    }
    list.forEach((entry: Record<string, unknown>, i) => {
      const id = entry?.[idField];
      const username = entry?.username;
      if ((typeof id !== 'string' && typeof id !== 'number') || String(id) === '') {
        issue([key, i, idField], `${idField} is missing`);
        return;
      }
      if (typeof username !== 'string' || !names.has(username)) {
        issue(
          [key, i, 'username'],
          `unknown user ${JSON.stringify(username)}`,
          'list the user under users first',
        );
        return;
      }
      const permission = permissionOf(entry.permission, [key, i, 'permission']);
      const forResource = map.get(String(id)) ?? new Map<string, PermissionName>();
      forResource.set(username, permission);
      map.set(String(id), forResource);
    });
    return map;
  };
  const experimentPermissions = grants('experiment_permissions', 'experiment_id');
  const modelPermissions = grants('registered_model_permissions', 'name');
  if (issues.length > 0) throw new ConfigError(issues);
  return { defaultPermission, users, experimentPermissions, modelPermissions };
}

interface GrantsFile {
  experiment_permissions: Array<{ experiment_id: string; username: string; permission: PermissionName }>;
  registered_model_permissions: Array<{ name: string; username: string; permission: PermissionName }>;
}

function forbidden(): StoreError {
  return new StoreError('PERMISSION_DENIED', 'Permission denied');
}

export class BasicAuth {
  private readonly config: AuthConfig;
  private readonly users: Map<string, AuthUser>;
  /** sha256(Authorization header) of credentials already verified: scrypt once per client. */
  private readonly verified = new Map<string, string>();
  private readonly grantsFile: string | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(config: AuthConfig, options: { grantsFile?: string } = {}) {
    this.config = config;
    this.users = new Map(config.users.map((user) => [user.username, user]));
    this.grantsFile = options.grantsFile;
    if (this.grantsFile !== undefined) this.loadGrants(this.grantsFile);
  }

  static fromFile(file: string): BasicAuth {
    return new BasicAuth(loadAuthFile(file), { grantsFile: `${file}.grants.json` });
  }

  /** The user the request's basic credentials name, or undefined when missing or wrong. */
  async authenticate(request: FastifyRequest): Promise<string | undefined> {
    const header = request.headers.authorization;
    if (header === undefined || !/^basic /i.test(header)) return undefined;
    const key = createHash('sha256').update(header).digest('hex');
    const cached = this.verified.get(key);
    if (cached !== undefined && this.users.has(cached)) return cached;
    const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return undefined;
    const user = this.users.get(decoded.slice(0, colon));
    if (user === undefined || !(await verifyPassword(decoded.slice(colon + 1), user.passwordHash)))
      return undefined;
    if (this.verified.size > 10_000) this.verified.clear();
    this.verified.set(key, user.username);
    return user.username;
  }

  isAdmin(username: string | undefined): boolean {
    return username !== undefined && this.users.get(username)?.isAdmin === true;
  }

  permissionOn(kind: 'experiment' | 'model', id: string, username: string): PermissionName {
    const map = kind === 'experiment' ? this.config.experimentPermissions : this.config.modelPermissions;
    return map.get(id)?.get(username) ?? this.config.defaultPermission;
  }

  can(kind: 'experiment' | 'model', id: string, username: string | undefined, action: Action): boolean {
    if (username === undefined) return false;
    if (this.isAdmin(username)) return true;
    return CAN[this.permissionOn(kind, id, username)].has(action);
  }

  /** Throws PERMISSION_DENIED unless the caller may do what `endpoint` does to its resource. */
  async authorize(endpoint: Endpoint, args: Args, ctx: HandlerContext): Promise<void> {
    await this.check(endpoint.permission, args, ctx);
    if (endpoint.path === '/mlflow/runs/search') {
      for (const id of (args.experiment_ids as unknown[] | undefined) ?? []) {
        if (!this.can('experiment', String(id), ctx.username, 'read')) throw forbidden();
      }
    }
  }

  /** Read access for the UI's get-artifact routes: the run's experiment, or the model. */
  async authorizeRead(kind: 'run' | 'model', args: Args, ctx: HandlerContext): Promise<void> {
    const need: PermissionNeed =
      kind === 'run'
        ? { resource: 'experiment', from: 'run_id', level: 'read' }
        : { resource: 'model', from: 'name', level: 'read' };
    await this.check(need, args, ctx);
  }

  /** Artifact-proxy paths are `<experiment id>/<run id>/artifacts/…` (MLflow's layout). */
  authorizeArtifactPath(path: string, action: Action, username: string | undefined): void {
    if (this.isAdmin(username)) return;
    const experimentId = path.split('/')[0] ?? '';
    if (!/^\d+$/.test(experimentId)) {
      // Not under an experiment: only admins may touch it.
      throw forbidden();
    }
    if (!this.can('experiment', experimentId, username, action)) throw forbidden();
  }

  private async check(need: PermissionNeed, args: Args, ctx: HandlerContext): Promise<void> {
    if (need.resource === 'none' || need.resource === 'create') return;
    if (this.isAdmin(ctx.username)) return;
    let id: string | undefined;
    if (need.resource === 'model') {
      id = args.name as string;
    } else if (need.from === 'experiment_id') {
      id = (args.experiment_id as string | undefined) || '0';
    } else if (need.from === 'experiment_name') {
      id = (await ctx.store.getExperimentByName(args.experiment_name as string))?.experiment_id;
      // An unknown name is the handler's 404 to give, not a permission question.
      if (id === undefined) return;
    } else {
      id = (await ctx.store.getRun(args.run_id as string)).info.experiment_id;
    }
    if (!this.can(need.resource, id, ctx.username, need.level)) throw forbidden();
  }

  /** What happens after a successful request: creators get MANAGE; searches are filtered. */
  async afterSuccess(
    endpoint: Endpoint,
    args: Args,
    result: object,
    username: string | undefined,
  ): Promise<object> {
    if (username === undefined) return result;
    if (endpoint.path === '/mlflow/experiments/create') {
      await this.grant('experiment', (result as { experiment_id: string }).experiment_id, username, 'MANAGE');
    } else if (endpoint.path === '/mlflow/registered-models/create') {
      await this.grant('model', args.name as string, username, 'MANAGE');
    } else if (endpoint.path === '/mlflow/registered-models/rename') {
      const forOld = this.config.modelPermissions.get(args.name as string);
      if (forOld) {
        this.config.modelPermissions.delete(args.name as string);
        this.config.modelPermissions.set(args.new_name as string, forOld);
        await this.saveGrants();
      }
    } else if (endpoint.path === '/mlflow/experiments/search') {
      const typed = result as { experiments: Array<{ experiment_id: string }> };
      return {
        ...typed,
        experiments: typed.experiments.filter((e) =>
          this.can('experiment', e.experiment_id, username, 'read'),
        ),
      };
    } else if (endpoint.path === '/mlflow/registered-models/search') {
      const typed = result as { registered_models: Array<{ name: string }> };
      return {
        ...typed,
        registered_models: typed.registered_models.filter((m) => this.can('model', m.name, username, 'read')),
      };
    } else if (endpoint.path === '/mlflow/model-versions/search') {
      const typed = result as { model_versions: Array<{ name: string }> };
      return {
        ...typed,
        model_versions: typed.model_versions.filter((v) => this.can('model', v.name, username, 'read')),
      };
    }
    return result;
  }

  async grant(
    kind: 'experiment' | 'model',
    id: string,
    username: string,
    permission: PermissionName,
  ): Promise<void> {
    const map = kind === 'experiment' ? this.config.experimentPermissions : this.config.modelPermissions;
    const forResource = map.get(id) ?? new Map<string, PermissionName>();
    forResource.set(username, permission);
    map.set(id, forResource);
    await this.saveGrants();
  }

  private loadGrants(file: string): void {
    let raw: GrantsFile;
    try {
      raw = JSON.parse(readFileSync(file, 'utf8')) as GrantsFile;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw new ConfigError([
        {
          file,
          line: 0,
          column: 0,
          path: '',
          message: `unreadable grants file: ${(error as Error).message}`,
          hint: 'fix or delete it',
        },
      ]);
    }
    for (const entry of raw.experiment_permissions ?? []) {
      const map =
        this.config.experimentPermissions.get(entry.experiment_id) ?? new Map<string, PermissionName>();
      // The auth file's own grants win over grants the server recorded.
      if (!map.has(entry.username)) map.set(entry.username, entry.permission);
      this.config.experimentPermissions.set(entry.experiment_id, map);
    }
    for (const entry of raw.registered_model_permissions ?? []) {
      const map = this.config.modelPermissions.get(entry.name) ?? new Map<string, PermissionName>();
      if (!map.has(entry.username)) map.set(entry.username, entry.permission);
      this.config.modelPermissions.set(entry.name, map);
    }
  }

  private saveGrants(): Promise<void> {
    const file = this.grantsFile;
    if (file === undefined) return Promise.resolve();
    const snapshot: GrantsFile = {
      experiment_permissions: [...this.config.experimentPermissions].flatMap(([experiment_id, users]) =>
        [...users].map(([username, permission]) => ({ experiment_id, username, permission })),
      ),
      registered_model_permissions: [...this.config.modelPermissions].flatMap(([name, users]) =>
        [...users].map(([username, permission]) => ({ name, username, permission })),
      ),
    };
    // Writes are chained so an older snapshot never lands after a newer one.
    this.writing = this.writing.then(async () => {
      await replaceAtomicallyAsync(file, (temp) =>
        writeFile(temp, `${JSON.stringify(snapshot, null, 2)}\n`, { mode: 0o600 }),
      );
    });
    return this.writing;
  }
}
