/**
 * The one place where errors meet HTTP on /api/v1: a DomainError's kind
 * becomes a status and the API's error body `{"errors":[{code,message}]}`;
 * anything unexpected answers 500 in the same shape (never an OCI body: /v2
 * keeps those, src/http/oci-errors.ts). Every refused request (4xx) is
 * audited here, once, whatever domain refused it.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { actorOf, ANONYMOUS, type Principal } from '../../access/principal.ts';
import type { AuditRecorder } from '../../audit/types.ts';
import { DomainError, type DomainErrorKind } from '../../core/errors.ts';
import { RegistryError, type RegistryErrorCode } from '../../oci/errors.ts';
import { API_PREFIX } from './router.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the /api/v1 router once it knows who calls which route: the audit record of a refusal names them. */
    apiCaller: { principal: Principal; resourceType: string } | null;
  }
  interface FastifyContextConfig {
    /** The route's tag: the resource type of audit records when a call fails before its handler ran (bad JSON, body too large). */
    apiTag?: string;
  }
}

/** Each kind's status and the `code` of the error body. */
export const API_ERRORS: Readonly<Record<DomainErrorKind, { status: number; code: string }>> = {
  invalid: { status: 400, code: 'BAD_REQUEST' },
  unauthenticated: { status: 401, code: 'UNAUTHORIZED' },
  forbidden: { status: 403, code: 'FORBIDDEN' },
  not_found: { status: 404, code: 'NOT_FOUND' },
  conflict: { status: 409, code: 'CONFLICT' },
  precondition_failed: { status: 412, code: 'PRECONDITION_FAILED' },
  rate_limited: { status: 429, code: 'TOO_MANY_REQUESTS' },
  unavailable: { status: 503, code: 'UNAVAILABLE' },
};

/** An OCI error that reaches /api/v1 (shared name and digest checks) answers by its kind. */
const REGISTRY_KIND: Record<RegistryErrorCode, DomainErrorKind> = {
  BLOB_UNKNOWN: 'not_found',
  BLOB_UPLOAD_INVALID: 'invalid',
  BLOB_UPLOAD_UNKNOWN: 'not_found',
  DIGEST_INVALID: 'invalid',
  MANIFEST_BLOB_UNKNOWN: 'invalid',
  MANIFEST_INVALID: 'invalid',
  MANIFEST_UNKNOWN: 'not_found',
  NAME_INVALID: 'invalid',
  NAME_UNKNOWN: 'not_found',
  SIZE_INVALID: 'invalid',
  TAG_INVALID: 'invalid',
  UNAUTHORIZED: 'unauthenticated',
  DENIED: 'forbidden',
  UNSUPPORTED: 'invalid',
  PAGINATION_NUMBER_INVALID: 'invalid',
  UPLOAD_RANGE_INVALID: 'invalid',
  RANGE_NOT_SATISFIABLE: 'invalid',
  MANIFEST_TOO_LARGE: 'invalid',
  PROJECTPOLICYVIOLATION: 'precondition_failed',
  TAG_IMMUTABLE: 'precondition_failed',
};

export interface ApiErrorAnswer {
  status: number;
  code: string;
  message: string;
  retryAfterSeconds?: number;
}

export const INTERNAL_ERROR: ApiErrorAnswer = { status: 500, code: 'INTERNAL_SERVER_ERROR', message: 'internal server error' };

/** The answer to `error` on /api/v1; INTERNAL_ERROR for anything not meant for the caller. */
export function apiAnswerOf(error: unknown): ApiErrorAnswer {
  if (error instanceof DomainError) {
    const { status, code: kindCode } = API_ERRORS[error.kind];
    // A domain may name a more precise code of the same status (scanning's NOT_SCANNED).
    const detailCode = (error.details as { code?: unknown } | undefined)?.code;
    const code = typeof detailCode === 'string' && /^[A-Z_]{1,40}$/.test(detailCode) ? detailCode : kindCode;
    return { status, code, message: error.message, ...(error.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: error.retryAfterSeconds }) };
  }
  if (error instanceof RegistryError) {
    const { status, code } = API_ERRORS[REGISTRY_KIND[error.code]];
    return { status, code, message: error.message };
  }
  // Framework-level refusals (malformed JSON, oversized body, bad media type) keep their status.
  const status = (error as Partial<FastifyError> | undefined)?.statusCode;
  if (error instanceof Error && typeof status === 'number' && status >= 400 && status < 500) {
    return { status, code: status === 413 ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST', message: error.message };
  }
  return INTERNAL_ERROR;
}

/** Answers `error` on /api/v1, auditing a refusal (4xx) and logging an unexpected error. */
export function sendApiError(req: FastifyRequest, reply: FastifyReply, error: unknown, audit: AuditRecorder): FastifyReply {
  const answer = apiAnswerOf(error);
  if (answer === INTERNAL_ERROR) req.log.error({ err: error, route: req.routeLabel }, 'request failed');
  if (answer.status >= 400 && answer.status < 500) auditRefusal(req, answer, audit);
  // Not for the web UI (it marks every request with X-Berth-CSRF: 1 and handles
  // 401 itself): a Basic challenge would make the browser open its own password dialog.
  if (answer.status === 401 && req.headers['x-berth-csrf'] !== '1') reply.header('www-authenticate', 'Basic realm="berth"');
  if (answer.retryAfterSeconds !== undefined) reply.header('retry-after', String(Math.max(1, Math.ceil(answer.retryAfterSeconds))));
  return reply.code(answer.status).type('application/json').send(apiErrorBody(answer.code, answer.message));
}

export function apiErrorBody(code: string, message: string): string {
  return JSON.stringify({ errors: [{ code, message }] });
}

/**
 * One audit record per refused call, reads included (a 404 that hides a
 * project from a non-member is still a refusal): who, what, which status
 * and why.
 */
function auditRefusal(req: FastifyRequest, answer: ApiErrorAnswer, audit: AuditRecorder): void {
  const caller = req.apiCaller;
  audit.record({
    actor: actorOf(caller?.principal ?? ANONYMOUS),
    sourceIp: req.ip,
    resourceType: caller?.resourceType ?? req.routeOptions.config?.apiTag ?? 'api',
    resource: req.url.split('?', 1)[0]!.slice(API_PREFIX.length),
    action: req.method.toLowerCase(),
    outcome: 'failure',
    detail: `${answer.code} (${answer.status}): ${answer.message}`.slice(0, 500),
  });
}
