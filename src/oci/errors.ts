/**
 * Registry domain errors, named by the OCI distribution spec's error codes.
 * Only the HTTP edge (src/http/oci-errors.ts) turns them into statuses.
 */
export type RegistryErrorCode =
  | 'BLOB_UNKNOWN'
  | 'BLOB_UPLOAD_INVALID'
  | 'BLOB_UPLOAD_UNKNOWN'
  | 'DIGEST_INVALID'
  | 'MANIFEST_BLOB_UNKNOWN'
  | 'MANIFEST_INVALID'
  | 'MANIFEST_UNKNOWN'
  | 'NAME_INVALID'
  | 'NAME_UNKNOWN'
  | 'SIZE_INVALID'
  | 'TAG_INVALID'
  | 'UNAUTHORIZED'
  | 'DENIED'
  | 'UNSUPPORTED'
  | 'PAGINATION_NUMBER_INVALID'
  /** An upload chunk that does not start where the session ends. */
  | 'UPLOAD_RANGE_INVALID'
  /** A blob `Range` outside the blob. */
  | 'RANGE_NOT_SATISFIABLE'
  /** A manifest over the size limit. */
  | 'MANIFEST_TOO_LARGE'
  /** A pull the project's policy forbids (vulnerabilities, missing signatures): Harbor's code. */
  | 'PROJECTPOLICYVIOLATION'
  /** Overwriting or deleting a tag an immutable tag rule protects (Harbor answers 412 PRECONDITION). */
  | 'TAG_IMMUTABLE';

export class RegistryError extends Error {
  readonly code: RegistryErrorCode;
  readonly detail: unknown;
  constructor(code: RegistryErrorCode, message: string, detail?: unknown) {
    super(message);
    this.name = 'RegistryError';
    this.code = code;
    this.detail = detail;
  }
}
