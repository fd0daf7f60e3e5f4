import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { satisfies, validRange } from 'semver';
import { parse as parseYaml } from 'yaml';
import { replaceAtomicallyAsync } from '../atomic-write.js';
import { EXIT_USAGE, MlrecipeError, UsageError } from '../errors.js';
import { projectCacheDir } from './git-source.js';
import { findOnPath, type Project } from './mlproject.js';

/** MLflow's `--env-manager` values. */
export const ENV_MANAGERS = ['local', 'virtualenv', 'conda', 'docker'] as const;
export type EnvManager = (typeof ENV_MANAGERS)[number];

/** The environment a project needs cannot be provided on this machine. Exit 2: use another env manager. */
export class EnvironmentUnavailableError extends MlrecipeError {
  override readonly code = 'ENVIRONMENT_UNAVAILABLE';
  override readonly exitCode = EXIT_USAGE;
}

/** How to launch a rendered command in the prepared environment. */
export interface PreparedEnvironment {
  /** Recorded as tag `mlflow.project.env`: local, virtualenv, conda, docker or node. */
  name: string;
  /** Variables added to the child's environment (e.g. a virtualenv's PATH). */
  env: Record<string, string>;
  /** The program and arguments that run `command`; `envNames` are forwarded into containers. */
  launch(
    command: string,
    context: { envNames: string[]; mounts: string[] },
  ): { file: string; args: string[] };
}

export interface PrepareEnvironmentOptions {
  project: Project;
  /** Defaults to what the project declares (docker_env→docker, conda_env→conda, python_env→virtualenv). */
  envManager?: EnvManager;
  /** Progress lines (npm ci, venv creation). */
  log?: (message: string) => void;
  env?: NodeJS.ProcessEnv;
}

/** The shell commands run in: bash as MLflow uses (`bash -c`), else POSIX sh. */
export function shellPath(): string {
  return existsSync('/bin/bash') ? '/bin/bash' : '/bin/sh';
}

function localLaunch(command: string): { file: string; args: string[] } {
  return { file: shellPath(), args: ['-c', command] };
}

/**
 * Makes the project's declared environment ready, or says why it cannot be: `--env-manager
 * local` always runs with this machine's tools; node_env runs `npm ci` once per lockfile
 * content; python_env builds a cached virtualenv; conda_env and docker_env need conda and a
 * Docker engine, and fail with a message naming the alternative when they are missing.
 */
export async function prepareEnvironment(options: PrepareEnvironmentOptions): Promise<PreparedEnvironment> {
  const { project } = options;
  const env = options.env ?? process.env;
  const log = options.log ?? (() => {});
  const declared = project.environment;
  const manager = options.envManager;
  const local: PreparedEnvironment = { name: 'local', env: {}, launch: localLaunch };
  if (manager === 'local') return local;

  switch (declared.kind) {
    case 'none':
      if (manager) {
        throw new UsageError(`--env-manager ${manager}: the project declares no environment to create`, {
          hint: 'omit --env-manager (or pass local), or declare python_env / conda_env / docker_env in MLproject',
        });
      }
      return local;
    case 'node_env': {
      if (manager) {
        throw new UsageError(`--env-manager ${manager} does not apply to a node_env project`, {
          hint: 'omit --env-manager to run npm ci in the project, or pass --env-manager local',
        });
      }
      if (declared.node && !satisfiesNodeRange(process.versions.node, declared.node)) {
        throw new EnvironmentUnavailableError(
          `the project needs Node.js ${declared.node} (node_env), but this is Node.js ${process.versions.node}`,
          { hint: 'run mlrecipe with a matching Node.js, or pass --env-manager local to try anyway' },
        );
      }
      if (declared.npmCi) await npmCiOnce(project.dir, log);
      return { name: 'node', env: {}, launch: localLaunch };
    }
    case 'docker_env': {
      if (manager && manager !== 'docker') {
        throw new UsageError(`--env-manager ${manager} does not apply to a docker_env project`, {
          hint: 'omit --env-manager to run in the image, or pass --env-manager local',
        });
      }
      await requireDocker(env);
      const image = declared.image;
      return {
        name: 'docker',
        env: {},
        launch(command, context) {
          // The project is mounted where MLflow's images expect it; stores and artifact staging at
          // their own paths so the tracking URI and artifact directories mean the same inside.
          const args = [
            'run',
            '--rm',
            '-v',
            `${project.dir}:/mlflow/projects/code`,
            '-w',
            '/mlflow/projects/code',
          ];
          for (const mount of context.mounts) args.push('-v', `${mount}:${mount}`);
          for (const volume of declared.volumes) args.push('-v', volume);
          for (const name of context.envNames) args.push('-e', name);
          for (const entry of declared.environment) {
            args.push('-e', typeof entry === 'string' ? entry : `${entry[0]}=${entry[1]}`);
          }
          args.push(image, 'bash', '-c', command);
          return { file: 'docker', args };
        },
      };
    }
    case 'conda_env': {
      if (manager && manager !== 'conda') {
        throw new UsageError(`--env-manager ${manager} does not apply to a conda_env project`, {
          hint: 'omit --env-manager to use conda, or pass --env-manager local',
        });
      }
      const conda = env.MLFLOW_CONDA_HOME
        ? join(env.MLFLOW_CONDA_HOME, 'bin', 'conda')
        : (env.CONDA_EXE ?? findOnPath('conda', env));
      if (!conda || !existsSync(conda)) {
        throw new EnvironmentUnavailableError(
          `the project declares conda_env (${declared.file}), but conda is not installed (not on PATH, no $CONDA_EXE or $MLFLOW_CONDA_HOME)`,
          { hint: 'install conda, or pass --env-manager local to run with the tools installed here' },
        );
      }
      const name = `mlflow-${createHash('sha1').update(readFileSync(declared.file)).digest('hex')}`;
      const listed = await execa(conda, ['env', 'list', '--json'], { reject: false });
      const known =
        listed.exitCode === 0 &&
        (JSON.parse(listed.stdout) as { envs: string[] }).envs.some((p) => p.endsWith(`/${name}`));
      if (!known) {
        log(`creating conda environment ${name} from ${declared.file}`);
        const created = await execa(conda, ['env', 'create', '-n', name, '-f', declared.file], {
          reject: false,
          all: true,
        });
        if (created.exitCode !== 0) {
          throw new EnvironmentUnavailableError(
            `conda env create failed for ${declared.file}: ${tail(created.all ?? '')}`,
            {
              hint: 'fix the conda environment file, or pass --env-manager local',
            },
          );
        }
      }
      return {
        name: 'conda',
        env: {},
        launch: (command) => ({
          file: conda,
          args: ['run', '--no-capture-output', '-n', name, 'bash', '-c', command],
        }),
      };
    }
    case 'python_env': {
      if (manager && manager !== 'virtualenv') {
        throw new UsageError(`--env-manager ${manager} does not apply to a python_env project`, {
          hint: 'omit --env-manager (virtualenv), or pass --env-manager local',
        });
      }
      const venv = await virtualenvFor(declared.file, project.dir, env, log);
      return {
        name: 'virtualenv',
        env: { VIRTUAL_ENV: venv, PATH: `${join(venv, 'bin')}:${env.PATH ?? ''}` },
        launch: localLaunch,
      };
    }
  }
}

async function requireDocker(env: NodeJS.ProcessEnv): Promise<void> {
  const docker = findOnPath('docker', env);
  const hint = 'start a Docker engine, or pass --env-manager local to run with the tools installed here';
  if (!docker) {
    throw new EnvironmentUnavailableError(
      'the project declares docker_env, but docker is not installed (not on PATH)',
      { hint },
    );
  }
  const info = await execa(docker, ['info', '--format', '{{.ServerVersion}}'], {
    reject: false,
    timeout: 20_000,
    all: true,
  });
  if (info.exitCode !== 0) {
    throw new EnvironmentUnavailableError(
      `the project declares docker_env, but no Docker engine answers (docker info: ${tail(info.all ?? '') || 'failed'})`,
      { hint },
    );
  }
}

// One npm ci at a time per project directory within this process (workflow steps share projects).
const npmCiRuns = new Map<string, Promise<void>>();

/**
 * Runs `npm ci` in `dir` when it has a package-lock.json whose content differs from the one the
 * last successful `npm ci` installed (its hash is kept in node_modules/.mlrecipe-npm-ci).
 */
export async function npmCiOnce(dir: string, log: (message: string) => void = () => {}): Promise<boolean> {
  const lockfile = join(dir, 'package-lock.json');
  if (!existsSync(lockfile)) return false;
  const previous = npmCiRuns.get(dir);
  if (previous) {
    await previous;
    return false;
  }
  const marker = join(dir, 'node_modules', '.mlrecipe-npm-ci');
  const hash = createHash('sha256').update(readFileSync(lockfile)).digest('hex');
  if (existsSync(marker) && readFileSync(marker, 'utf8').trim() === hash) return false;
  const run = (async () => {
    log(`npm ci in ${dir}`);
    const npm = findOnPath('npm') ?? 'npm';
    const result = await execa(npm, ['ci', '--no-audit', '--no-fund'], {
      cwd: dir,
      reject: false,
      all: true,
    });
    if (result.exitCode !== 0) {
      throw new EnvironmentUnavailableError(`npm ci failed in ${dir}: ${tail(result.all ?? '')}`, {
        hint: 'fix package.json/package-lock.json (npm ci needs them in sync), or pass --env-manager local',
      });
    }
    mkdirSync(dirname(marker), { recursive: true });
    writeFileSync(marker, `${hash}\n`);
  })();
  npmCiRuns.set(dir, run);
  try {
    await run;
  } finally {
    npmCiRuns.delete(dir);
  }
  return true;
}

interface PythonEnvSpec {
  python?: string;
  build_dependencies?: string[];
  dependencies?: string[];
}

async function virtualenvFor(
  file: string,
  projectDir: string,
  env: NodeJS.ProcessEnv,
  log: (message: string) => void,
): Promise<string> {
  const text = readFileSync(file, 'utf8');
  const spec = (parseYaml(text) ?? {}) as PythonEnvSpec;
  const wanted = spec.python ? String(spec.python) : undefined;
  const python = await findPython(wanted, env);
  const hint = 'install that Python, or pass --env-manager local to run with the local python';
  if (!python) {
    throw new EnvironmentUnavailableError(
      `python_env ${file} asks for Python ${wanted ?? '3'}, which is not installed here`,
      { hint },
    );
  }
  const key = createHash('sha256').update(text).update(python).digest('hex').slice(0, 20);
  const venv = join(projectCacheDir(env), 'envs', `venv-${key}`);
  if (existsSync(venv)) return venv;
  mkdirSync(dirname(venv), { recursive: true });
  log(`creating virtualenv for ${file} with ${python}`);
  // keepExisting: the directory name is the hash of the spec, so a venv another run finished first
  // is the same environment.
  await replaceAtomicallyAsync(
    venv,
    async (tmp) => {
      const steps: Array<[string, string[]]> = [[python, ['-m', 'venv', tmp]]];
      const pip = join(tmp, 'bin', 'python');
      if (spec.build_dependencies?.length)
        steps.push([pip, ['-m', 'pip', 'install', ...spec.build_dependencies]]);
      if (spec.dependencies?.length) steps.push([pip, ['-m', 'pip', 'install', ...spec.dependencies]]);
      for (const [cmd, args] of steps) {
        const result = await execa(cmd, args, { cwd: projectDir, reject: false, all: true });
        if (result.exitCode !== 0) {
          throw new EnvironmentUnavailableError(
            `creating the virtualenv for ${file} failed: ${tail(result.all ?? '')}`,
            { hint },
          );
        }
      }
    },
    { keepExisting: true },
  );
  return venv;
}

async function findPython(wanted: string | undefined, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const minor = wanted?.split('.').slice(0, 2).join('.');
  const candidates = [minor ? `python${minor}` : undefined, 'python3', 'python'].filter(
    (c): c is string => !!c,
  );
  for (const name of candidates) {
    const path = findOnPath(name, env);
    if (!path) continue;
    const result = await execa(path, ['--version'], { reject: false, all: true });
    const version = /Python (\S+)/.exec(result.all ?? '')?.[1];
    if (!version) continue;
    if (!wanted || version === wanted || version.startsWith(`${wanted}.`)) return path;
  }
  return undefined;
}

function tail(text: string): string {
  return text.trim().split('\n').slice(-3).join(' | ');
}

/**
 * Whether `version` (x.y.z) satisfies an npm semver range (`>=20`, `^20.5`, `20.x`, `>=18 <21`,
 * `^18 || ^20`), as npm reads `engines`: with the `semver` package npm itself uses.
 */
export function satisfiesNodeRange(version: string, range: string): boolean {
  if (validRange(range) === null) {
    throw new UsageError(
      `node_env range ${JSON.stringify(range)} is not a semver range mlrecipe understands`,
    );
  }
  return satisfies(version.replace(/^v/, ''), range);
}
