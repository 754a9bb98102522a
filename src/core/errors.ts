/**
 * The one error vocabulary of Berth's domains. Every domain throws a
 * DomainError (or a subclass such as AccessError, GitError, RenderError,
 * KubeApiError) or converts to one at its boundary; the HTTP edge alone
 * turns the kind into a status (src/http/api/errors.ts for /api/v1). The
 * registry's /v2 keeps the OCI error codes (src/oci/errors.ts).
 *
 * A leaf module: imports nothing from src/.
 */

export type DomainErrorKind =
  /** The request is malformed or asks for something that cannot be (bad name, bad spec, bad revision). */
  | 'invalid'
  /** No credentials, or credentials that do not identify anyone. */
  | 'unauthenticated'
  /** The caller is known but may not do this. */
  | 'forbidden'
  /** The thing does not exist (or is hidden from the caller). */
  | 'not_found'
  /** It exists already, or another operation holds it. */
  | 'conflict'
  /** The current state refuses the change (e.g. a project that still holds applications). */
  | 'precondition_failed'
  /** Too many attempts: try again later (`retryAfterSeconds` when known). */
  | 'rate_limited'
  /** A dependency (Git server, cluster, tool) cannot serve now. */
  | 'unavailable';

export const DOMAIN_ERROR_KINDS: readonly DomainErrorKind[] = [
  'invalid',
  'unauthenticated',
  'forbidden',
  'not_found',
  'conflict',
  'precondition_failed',
  'rate_limited',
  'unavailable',
];

export interface DomainErrorOptions {
  /** Structured detail safe to show to the caller. */
  details?: unknown;
  /** For `rate_limited` and `unavailable`: when trying again makes sense. */
  retryAfterSeconds?: number;
  cause?: unknown;
}

/** A failure whose message is meant for the caller, as it is. */
export class DomainError extends Error {
  readonly kind: DomainErrorKind;
  readonly details: unknown;
  readonly retryAfterSeconds: number | undefined;

  constructor(kind: DomainErrorKind, message: string, options: DomainErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DomainError';
    this.kind = kind;
    this.details = options.details;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}
