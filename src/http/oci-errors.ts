/**
 * Translates registry domain errors to the OCI error body and HTTP status.
 * The only place where RegistryError codes meet HTTP.
 */
import type { RegistryErrorCode } from '../oci/errors.ts';

const STATUS: Record<RegistryErrorCode, number> = {
  BLOB_UNKNOWN: 404,
  BLOB_UPLOAD_INVALID: 400,
  BLOB_UPLOAD_UNKNOWN: 404,
  DIGEST_INVALID: 400,
  MANIFEST_BLOB_UNKNOWN: 400,
  MANIFEST_INVALID: 400,
  MANIFEST_UNKNOWN: 404,
  NAME_INVALID: 400,
  NAME_UNKNOWN: 404,
  SIZE_INVALID: 400,
  TAG_INVALID: 400,
  UNAUTHORIZED: 401,
  DENIED: 403,
  UNSUPPORTED: 405,
  PAGINATION_NUMBER_INVALID: 400,
  UPLOAD_RANGE_INVALID: 416,
  RANGE_NOT_SATISFIABLE: 416,
  MANIFEST_TOO_LARGE: 413,
  PROJECTPOLICYVIOLATION: 412,
  TAG_IMMUTABLE: 412,
};

/** Internal codes reported to clients under the spec's nearest code. */
const WIRE_CODE: Partial<Record<RegistryErrorCode, string>> = {
  UPLOAD_RANGE_INVALID: 'BLOB_UPLOAD_INVALID',
  RANGE_NOT_SATISFIABLE: 'BLOB_UNKNOWN',
  MANIFEST_TOO_LARGE: 'SIZE_INVALID',
  TAG_INVALID: 'MANIFEST_INVALID',
  TAG_IMMUTABLE: 'PRECONDITION',
};

export function ociStatus(code: RegistryErrorCode): number {
  return STATUS[code];
}

export function ociErrorBody(code: string, message: string, detail?: unknown): string {
  const wire = WIRE_CODE[code as RegistryErrorCode] ?? code;
  return JSON.stringify({ errors: [{ code: wire, message, ...(detail === undefined ? {} : { detail }) }] });
}
