/**
 * Errors of the management domain (users, projects, robots, …): DomainErrors
 * named by the code the /api/v1 error body carries. The HTTP edge maps the
 * kind to a status (src/http/api/errors.ts); messages are shown to callers
 * as they are.
 */
import { DomainError, type DomainErrorKind, type DomainErrorOptions } from '../core/errors.ts';

export type AccessErrorCode = 'BAD_REQUEST' | 'UNAUTHORIZED' | 'FORBIDDEN' | 'NOT_FOUND' | 'CONFLICT' | 'PRECONDITION_FAILED' | 'TOO_MANY_REQUESTS';

const KIND: Record<AccessErrorCode, DomainErrorKind> = {
  BAD_REQUEST: 'invalid',
  UNAUTHORIZED: 'unauthenticated',
  FORBIDDEN: 'forbidden',
  NOT_FOUND: 'not_found',
  CONFLICT: 'conflict',
  PRECONDITION_FAILED: 'precondition_failed',
  TOO_MANY_REQUESTS: 'rate_limited',
};

export class AccessError extends DomainError {
  readonly code: AccessErrorCode;
  constructor(code: AccessErrorCode, message: string, options: DomainErrorOptions = {}) {
    super(KIND[code], message, options);
    this.name = 'AccessError';
    this.code = code;
  }
}

export const notFound = (what: string) => new AccessError('NOT_FOUND', `${what} not found`);
export const forbidden = (message = 'you are not allowed to do this') => new AccessError('FORBIDDEN', message);
