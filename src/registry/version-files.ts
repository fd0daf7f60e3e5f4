/**
 * Where a registered model version's files are, in a module of its own: deciding whether a
 * candidate is the champion already (the register step's no-op path) needs only this, not the
 * model stack that model-uri.ts loads to resolve `models:/` URIs.
 */
import { existsSync } from 'node:fs';
import { StoreError } from '../errors.js';
// The one function needed, not the tracking index (its import/export code and the YAML parser):
// register reads a version's files on every `recipe run`.
import { localPathFromArtifactUri } from '../tracking/artifact-repo.js';
import type { ModelVersion } from './types.js';

/** The local directory of a model version's files; fails unless the version is READY. */
export function modelVersionDirectory(version: ModelVersion): string {
  if (version.status !== 'READY') {
    throw new StoreError(
      'INVALID_STATE',
      `Model version ${version.name}/${version.version} is ${version.status}${
        version.status_message ? ` (${version.status_message})` : ''
      }; it has no complete files to load`,
      { hint: 'register the model again, or pick another version' },
    );
  }
  const dir = localPathFromArtifactUri(version.source);
  if (!existsSync(dir)) {
    throw new StoreError(
      'RESOURCE_DOES_NOT_EXIST',
      `The files of model version ${version.name}/${version.version} are missing: ${dir}`,
      { hint: 'they were moved or deleted outside mlrecipe; register the model again' },
    );
  }
  return dir;
}
