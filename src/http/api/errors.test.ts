import assert from 'node:assert/strict';
import { test } from 'node:test';
import Fastify from 'fastify';
import { AccessError, type AccessErrorCode } from '../../access/errors.ts';
import type { AuditEvent, AuditRecorder } from '../../audit/types.ts';
import { DOMAIN_ERROR_KINDS, DomainError } from '../../core/errors.ts';
import { GitError } from '../../gitops/git/errors.ts';
import { KubeApiError } from '../../gitops/kube/client.ts';
import { RenderError } from '../../gitops/render/errors.ts';
import { RegistryError } from '../../oci/errors.ts';
import { API_ERRORS, INTERNAL_ERROR, apiAnswerOf, sendApiError } from './errors.ts';

test('each kind has one status and one code', () => {
  assert.deepEqual(
    DOMAIN_ERROR_KINDS.map((k) => [k, API_ERRORS[k].status, API_ERRORS[k].code]),
    [
      ['invalid', 400, 'BAD_REQUEST'],
      ['unauthenticated', 401, 'UNAUTHORIZED'],
      ['forbidden', 403, 'FORBIDDEN'],
      ['not_found', 404, 'NOT_FOUND'],
      ['conflict', 409, 'CONFLICT'],
      ['precondition_failed', 412, 'PRECONDITION_FAILED'],
      ['rate_limited', 429, 'TOO_MANY_REQUESTS'],
      ['unavailable', 503, 'UNAVAILABLE'],
    ],
  );
});

test('AccessError answers as before: its code on the wire, the matching status', () => {
  const expected: Record<AccessErrorCode, number> = {
    BAD_REQUEST: 400,
    UNAUTHORIZED: 401,
    FORBIDDEN: 403,
    NOT_FOUND: 404,
    CONFLICT: 409,
    PRECONDITION_FAILED: 412,
    TOO_MANY_REQUESTS: 429,
  };
  for (const [code, status] of Object.entries(expected)) {
    const err = new AccessError(code as AccessErrorCode, `m ${code}`);
    assert.ok(err instanceof DomainError);
    assert.deepEqual(apiAnswerOf(err), { status, code, message: `m ${code}` });
  }
});

test('git, render and kube errors are DomainErrors with a kind from their reason', () => {
  const status = (e: unknown) => apiAnswerOf(e).status;
  assert.equal(status(new GitError('invalid', 'u', 'bad url')), 400);
  assert.equal(status(new GitError('revision', 'u', 'no such branch')), 404);
  assert.equal(status(new GitError('auth', 'u', 'credentials refused')), 412, "Berth's own credentials are a precondition, not the caller's 401");
  assert.equal(status(new GitError('unreachable', 'u', 'no route')), 503);
  assert.equal(status(new RenderError('bad kustomization')), 400);
  assert.equal(status(new RenderError('helm missing', { code: 'not-installed' })), 503);
  assert.equal(status(new RenderError('slow', { code: 'timeout' })), 503);
  assert.equal(status(new KubeApiError(409, 'AlreadyExists', 'exists')), 409);
  assert.equal(status(new KubeApiError(422, 'Invalid', 'bad object')), 400);
  assert.equal(status(new KubeApiError(0, 'ConnectionError', 'refused')), 503);
  assert.equal(status(new KubeApiError(500, 'InternalError', 'etcd')), 503);
  assert.equal(apiAnswerOf(new GitError('revision', 'u', 'no such branch')).message, 'no such branch');
});

test('OCI errors on /api/v1 answer by kind in the API shape; anything else is a 500 that says nothing', () => {
  assert.deepEqual(apiAnswerOf(new RegistryError('NAME_INVALID', 'bad name')), { status: 400, code: 'BAD_REQUEST', message: 'bad name' });
  assert.deepEqual(apiAnswerOf(new RegistryError('MANIFEST_UNKNOWN', 'gone')), { status: 404, code: 'NOT_FOUND', message: 'gone' });
  assert.equal(apiAnswerOf(new Error('connection to 10.0.0.5 refused, password=hunter2')), INTERNAL_ERROR);
  assert.equal(apiAnswerOf('a string'), INTERNAL_ERROR);
  assert.equal(apiAnswerOf(Object.assign(new Error('boom'), { statusCode: 500 })), INTERNAL_ERROR);
  assert.deepEqual(apiAnswerOf(Object.assign(new Error('too big'), { statusCode: 413 })), { status: 413, code: 'PAYLOAD_TOO_LARGE', message: 'too big' });
  assert.deepEqual(apiAnswerOf(new DomainError('rate_limited', 'slow down', { retryAfterSeconds: 7 })), { status: 429, code: 'TOO_MANY_REQUESTS', message: 'slow down', retryAfterSeconds: 7 });
});

test('sendApiError: the body, Retry-After and WWW-Authenticate; refusals audited once, unexpected errors not', async () => {
  const records: AuditEvent[] = [];
  const audit: AuditRecorder = { record: (e) => void records.push(e), recordIn: () => Promise.resolve() };
  const app = Fastify();
  app.decorateRequest('apiCaller', null);
  app.setErrorHandler((err, req, reply) => sendApiError(req, reply, err, audit));
  app.get('/api/v1/things/:id', { config: { apiTag: 'things' } }, (req) => {
    const id = (req.params as { id: string }).id;
    if (id === 'limited') throw new DomainError('rate_limited', 'too many', { retryAfterSeconds: 2.5 });
    if (id === 'anon') throw new AccessError('UNAUTHORIZED', 'sign in first');
    if (id === 'boom') throw new Error('secret internals');
    req.apiCaller = { principal: { kind: 'user', name: 'alice', admin: false }, resourceType: 'things' };
    throw new GitError('revision', 'https://git.example/x', 'revision "v9" not found');
  });
  try {
    const notFound = await app.inject({ method: 'GET', url: '/api/v1/things/x?verbose=1' });
    assert.equal(notFound.statusCode, 404);
    assert.match(notFound.headers['content-type'] as string, /^application\/json/);
    assert.deepEqual(notFound.json(), { errors: [{ code: 'NOT_FOUND', message: 'revision "v9" not found' }] });
    assert.deepEqual(records, [
      { actor: { kind: 'user', name: 'alice' }, sourceIp: '127.0.0.1', resourceType: 'things', resource: '/things/x', action: 'get', outcome: 'failure', detail: 'NOT_FOUND (404): revision "v9" not found' },
    ]);

    const limited = await app.inject({ method: 'GET', url: '/api/v1/things/limited' });
    assert.equal(limited.statusCode, 429);
    assert.equal(limited.headers['retry-after'], '3');
    assert.deepEqual(records[1]?.actor, { kind: 'anonymous', name: '' }, 'a refusal before authentication names the anonymous caller');
    assert.equal(records[1]?.resourceType, 'things', 'and the route');

    const anon = await app.inject({ method: 'GET', url: '/api/v1/things/anon' });
    assert.equal(anon.statusCode, 401);
    assert.equal(anon.headers['www-authenticate'], 'Basic realm="berth"');

    const boom = await app.inject({ method: 'GET', url: '/api/v1/things/boom' });
    assert.equal(boom.statusCode, 500);
    assert.deepEqual(boom.json(), { errors: [{ code: 'INTERNAL_SERVER_ERROR', message: 'internal server error' }] });
    assert.equal(records.length, 3, 'a 500 is no refusal: not audited');
  } finally {
    await app.close();
  }
});
