/**
 * Repository and tag names, validated against the OCI distribution spec
 * grammar before they reach storage or SQL.
 */
import { RegistryError } from './errors.ts';

/** Harbor and Distribution both cap repository names at 255 characters. */
export const MAX_REPOSITORY_NAME_LENGTH = 255;

const COMPONENT = '[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*';
const REPOSITORY = new RegExp(`^${COMPONENT}(?:/${COMPONENT})*$`);
const TAG = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;

export function isValidRepositoryName(name: string): boolean {
  return name.length > 0 && name.length <= MAX_REPOSITORY_NAME_LENGTH && REPOSITORY.test(name);
}

export function assertRepositoryName(name: string): void {
  if (name.length > MAX_REPOSITORY_NAME_LENGTH) {
    throw new RegistryError('NAME_INVALID', `repository name is longer than ${MAX_REPOSITORY_NAME_LENGTH} characters`);
  }
  if (!REPOSITORY.test(name)) {
    throw new RegistryError(
      'NAME_INVALID',
      `invalid repository name ${JSON.stringify(name)}: use lowercase path components of [a-z0-9] joined by '.', '_', '__' or '-', separated by '/'`,
    );
  }
}

export function isValidTag(tag: string): boolean {
  return TAG.test(tag);
}

export function assertTag(tag: string): void {
  if (!TAG.test(tag)) {
    throw new RegistryError('TAG_INVALID', `invalid tag ${JSON.stringify(tag.slice(0, 200))}: up to 128 characters of [a-zA-Z0-9_.-], not starting with '.' or '-'`);
  }
}
