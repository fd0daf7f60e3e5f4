/**
 * Checks on registry input, done before any statement runs so a rejected call writes nothing.
 * Messages follow MLflow's (mlflow/utils/validation.py, 2.x) where MLflow has one.
 */
import { StoreError } from '../errors.js';
import type { Tag } from '../tracking/types.js';
import { validateTag } from '../tracking/validation.js';
import { MODEL_STAGES, type ModelStage } from './types.js';

const MAX_MODEL_NAME_LENGTH = 256;
const MAX_ALIAS_LENGTH = 255;
const MAX_DESCRIPTION_LENGTH = 5000;
/** MLflow's alias rule: letters, digits, `_` and `-`. */
const ALIAS_PATTERN = /^[\w-]+$/;

function invalid(message: string, hint?: string): StoreError {
  return new StoreError('INVALID_PARAMETER_VALUE', message, hint === undefined ? {} : { hint });
}

/**
 * A registered model name: non-empty, at most 256 characters, no `/` (it would make
 * `models:/<name>/<version>` ambiguous) and no control characters.
 */
export function validateModelName(name: unknown, what = 'name'): asserts name is string {
  if (typeof name !== 'string' || name.trim() === '') {
    throw invalid(`Registered model ${what} cannot be empty.`, 'give the model a name, e.g. -n my-model');
  }
  if (name.length > MAX_MODEL_NAME_LENGTH) {
    throw invalid(
      `Registered model ${what} '${name.slice(0, 40)}…' is ${name.length} characters long; the limit is ${MAX_MODEL_NAME_LENGTH}.`,
    );
  }
  if (name.includes('/')) {
    throw invalid(
      `Registered model ${what} '${name}' contains '/', which model URIs (models:/<name>/<version>) cannot carry.`,
      'use letters, digits, spaces, dots, dashes or underscores',
    );
  }
  // eslint-disable-next-line no-control-regex -- rejecting control characters is the point.
  if (/[\u0000-\u001f\u007f]/.test(name)) {
    throw invalid(`Registered model ${what} ${JSON.stringify(name)} contains control characters.`);
  }
}

/** Version numbers are positive integers, sent as decimal strings (MLflow's REST API does so). */
export function parseVersion(version: unknown): number {
  const text = typeof version === 'number' ? String(version) : version;
  if (typeof text !== 'string' || !/^\d{1,9}$/.test(text) || Number(text) < 1) {
    throw invalid(
      `Parameter 'version' must be a positive integer, got '${String(version)}'.`,
      'versions are numbered from 1 per model; `recipe models show <name>` lists them',
    );
  }
  return Number(text);
}

/** MLflow accepts stages in any case ("production") and stores the canonical spelling. */
export function canonicalStage(stage: unknown): ModelStage {
  if (typeof stage === 'string') {
    const found = MODEL_STAGES.find((each) => each.toLowerCase() === stage.trim().toLowerCase());
    if (found !== undefined) return found;
  }
  throw invalid(
    `Invalid Model Version stage: ${String(stage)}. Value must be one of ${MODEL_STAGES.join(', ')}.`,
  );
}

/**
 * MLflow's alias rules: `[A-Za-z0-9_-]+`, at most 255 characters, not `latest` (it means the
 * newest version in `models:/<name>/latest`) and not `v<digits>` (reads like a version).
 */
export function validateAlias(alias: unknown): asserts alias is string {
  if (typeof alias !== 'string' || alias === '') {
    throw invalid('Registered model alias name cannot be empty.', 'e.g. champion, challenger');
  }
  if (alias.length > MAX_ALIAS_LENGTH) {
    throw invalid(`Registered model alias '${alias.slice(0, 40)}…' exceeds ${MAX_ALIAS_LENGTH} characters.`);
  }
  if (!ALIAS_PATTERN.test(alias)) {
    throw invalid(
      `Invalid alias name: '${alias}'. Names may only contain alphanumerics, underscores (_), and dashes (-).`,
    );
  }
  if (alias.toLowerCase() === 'latest') {
    throw invalid(
      "'latest' alias name (case insensitive) is reserved.",
      'models:/<name>/latest already means the newest version',
    );
  }
  if (/^v\d+$/i.test(alias)) {
    throw invalid(
      `Version alias name '${alias}' is reserved.`,
      'an alias that reads like a version number would be confused with one; pick a word',
    );
  }
}

export function validateDescription(description: unknown): asserts description is string {
  if (typeof description !== 'string') throw invalid('description must be a string.');
  if (description.length > MAX_DESCRIPTION_LENGTH) {
    throw invalid(
      `description is ${description.length} characters long; the limit is ${MAX_DESCRIPTION_LENGTH}.`,
    );
  }
}

/** MLflow's registry tag value columns hold 5000 characters, as run tag values do. */
const MAX_REGISTRY_TAG_VALUE_LENGTH = 5000;

export function validateRegistryTag(tag: Tag): void {
  validateTag(tag);
  if (tag.value.length > MAX_REGISTRY_TAG_VALUE_LENGTH) {
    throw invalid(
      `Tag value '${tag.value.slice(0, 40)}…' had length ${tag.value.length}, which exceeded length limit of ${MAX_REGISTRY_TAG_VALUE_LENGTH}`,
    );
  }
}
