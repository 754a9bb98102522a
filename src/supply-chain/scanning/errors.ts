/** The scanning service's refusals, in the domain error vocabulary. */
import { DomainError } from '../../core/errors.ts';

/** 404 with the API code NOT_SCANNED: the artifact exists but has no scan results (yet). */
export function notScanned(what: string): DomainError {
  return new DomainError('not_found', `${what} has not been scanned: POST …/scan first`, { details: { code: 'NOT_SCANNED' } });
}

export function unsupported(message: string): DomainError {
  return new DomainError('invalid', message, { details: { code: 'UNSUPPORTED' } });
}
