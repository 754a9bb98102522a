/**
 * Errors of the management domain (users, projects, robots, …). The HTTP
 * edge maps `code` to a status; messages are shown to callers as they are.
 */
export type AccessErrorCode = 'BAD_REQUEST' | 'UNAUTHORIZED' | 'FORBIDDEN' | 'NOT_FOUND' | 'CONFLICT' | 'PRECONDITION_FAILED' | 'TOO_MANY_REQUESTS';

export class AccessError extends Error {
  readonly code: AccessErrorCode;
  /** TOO_MANY_REQUESTS: seconds until a retry may succeed (the Retry-After header). */
  readonly retryAfterSeconds: number | undefined;
  constructor(code: AccessErrorCode, message: string, options: { retryAfterSeconds?: number } = {}) {
    super(message);
    this.name = 'AccessError';
    this.code = code;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

export const notFound = (what: string) => new AccessError('NOT_FOUND', `${what} not found`);
export const forbidden = (message = 'you are not allowed to do this') => new AccessError('FORBIDDEN', message);
