/**
 * /api/v1/projects/{project}/webhooks: outgoing webhook policies, their
 * delivery logs, "send test event" and secret rotation (webhook:* — project
 * administrators and system administrators); /api/v1/webhooks/event-types
 * lists the event types. Auth headers are write-only; signing secrets appear
 * only in the create and rotate-secret answers.
 */
import { z } from 'zod';
import type { AccessServices } from '../../../access/services.ts';
import { eventTypeInfo, EVENT_TYPES } from '../../../notify/event-types.ts';
import type { Notify } from '../../../notify/index.ts';
import { PAYLOAD_FORMATS, TARGET_TYPES } from '../../../notify/policies.ts';
import { testEventFor } from '../../../notify/subscriber.ts';
import type { Db } from '../../../platform/db/schema.ts';
import { DomainError } from '../../../core/errors.ts';
import { projectGuard } from '../guards.ts';
import type { ApiRouter } from '../router.ts';

const projectParam = z.object({ project: z.string().min(1).max(255) });
const policyParam = projectParam.extend({ name: z.string().min(1).max(128) });

const targetInput = z.strictObject({
  type: z.enum(TARGET_TYPES).default('http'),
  address: z.string().min(1).max(2048),
  payloadFormat: z.enum(PAYLOAD_FORMATS).optional().describe('Default (Harbor JSON) or CloudEvents; ignored for slack targets'),
  authHeader: z.string().max(4096).nullable().optional().describe('sent as Authorization; write-only; omitted on update keeps the stored one, null removes it'),
  skipCertVerify: z.boolean().optional(),
});
const policyFields = {
  description: z.string().max(1024).optional(),
  eventTypes: z.array(z.string().max(64)).min(1).max(EVENT_TYPES.length),
  applications: z.array(z.string().max(253)).min(1).max(1000).optional().describe('application names for APPLICATION_* events, or ["*"] (default) for all of the project'),
  targets: z.array(targetInput).min(1).max(10),
  enabled: z.boolean().optional(),
};
const targetSchema = z.object({
  id: z.string(),
  type: z.enum(TARGET_TYPES),
  address: z.string(),
  payloadFormat: z.enum(PAYLOAD_FORMATS),
  authHeaderSet: z.boolean(),
  skipCertVerify: z.boolean(),
});
const policySchema = z.object({
  id: z.string(),
  project: z.string(),
  name: z.string(),
  description: z.string(),
  eventTypes: z.array(z.string()),
  applications: z.array(z.string()),
  targets: z.array(targetSchema),
  enabled: z.boolean(),
  createdBy: z.string(),
  createdAt: z.number().int(),
  updatedAt: z.number().int(),
});
const deliverySchema = z.object({
  id: z.number().int(),
  eventId: z.string(),
  eventType: z.string(),
  target: z.string(),
  attempt: z.number().int(),
  statusCode: z.number().int().nullable(),
  latencyMs: z.number().int(),
  responseBody: z.string(),
  error: z.string().nullable(),
  createdAt: z.number().int(),
  succeeded: z.boolean(),
});

export function webhookRoutes(api: ApiRouter, access: AccessServices, notify: Notify, db: Db): void {
  const guard = projectGuard(access);
  const { policies } = notify;

  async function requireProject(principal: Parameters<typeof guard>[0], project: string, permission: Parameters<typeof guard>[2]): Promise<void> {
    await guard(principal, project, permission);
    await access.projects.get(project);
  }

  api.route({
    method: 'GET',
    path: '/webhooks/event-types',
    tag: 'webhooks',
    summary: 'List webhook event types; reserved ones are accepted in policies and delivered once their feature exists',
    auth: 'user',
    response: z.array(z.object({ name: z.string(), description: z.string(), available: z.boolean() })),
    handler: () => Promise.resolve(eventTypeInfo()),
  });

  api.route({
    method: 'GET',
    path: '/projects/:project/webhooks',
    tag: 'webhooks',
    summary: "List a project's webhook policies",
    auth: 'user',
    params: projectParam,
    response: z.array(policySchema),
    handler: async ({ principal, params }) => {
      await requireProject(principal, params.project, 'webhook:read');
      return policies.list(params.project);
    },
  });

  api.route({
    method: 'POST',
    path: '/projects/:project/webhooks',
    tag: 'webhooks',
    summary: 'Create a webhook policy; the signing secret is in the response only',
    auth: 'user',
    status: 201,
    params: projectParam,
    body: z.strictObject({ name: z.string().min(1).max(128), ...policyFields }),
    response: policySchema.extend({ secret: z.string() }),
    handler: async ({ principal, params, body, audit }) => {
      await requireProject(principal, params.project, 'webhook:create');
      const { policy, secret } = await policies.create(params.project, body, principal.name, audit);
      return { ...policy, secret };
    },
  });

  api.route({
    method: 'GET',
    path: '/projects/:project/webhooks/:name',
    tag: 'webhooks',
    summary: 'Get a webhook policy',
    auth: 'user',
    params: policyParam,
    response: policySchema,
    handler: async ({ principal, params }) => {
      await requireProject(principal, params.project, 'webhook:read');
      return policies.get(params.project, params.name);
    },
  });

  api.route({
    method: 'PUT',
    path: '/projects/:project/webhooks/:name',
    tag: 'webhooks',
    summary: 'Update a webhook policy (fields given replace the stored ones; targets as a whole)',
    auth: 'user',
    params: policyParam,
    body: z.strictObject({
      name: z.string().min(1).max(128).optional(),
      ...policyFields,
      eventTypes: policyFields.eventTypes.optional(),
      targets: policyFields.targets.optional(),
    }),
    response: policySchema,
    handler: async ({ principal, params, body, audit }) => {
      await requireProject(principal, params.project, 'webhook:update');
      return policies.update(params.project, params.name, body, audit);
    },
  });

  api.route({
    method: 'DELETE',
    path: '/projects/:project/webhooks/:name',
    tag: 'webhooks',
    summary: 'Delete a webhook policy and its delivery log',
    auth: 'user',
    status: 204,
    params: policyParam,
    handler: async ({ principal, params, audit }) => {
      await requireProject(principal, params.project, 'webhook:delete');
      await policies.delete(params.project, params.name, audit);
    },
  });

  api.route({
    method: 'GET',
    path: '/projects/:project/webhooks/:name/deliveries',
    tag: 'webhooks',
    summary: 'The delivery log of a policy, newest first: one entry per attempt and target',
    auth: 'user',
    params: policyParam,
    query: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) }),
    response: z.array(deliverySchema),
    handler: async ({ principal, params, query }) => {
      await requireProject(principal, params.project, 'webhook:read');
      const policy = await policies.get(params.project, params.name);
      return notify.deliveries.list(policy.id, query.limit);
    },
  });

  api.route({
    method: 'POST',
    path: '/projects/:project/webhooks/:name/test',
    tag: 'webhooks',
    summary: "Send a test event (the policy's first event type, sample data, X-Berth-Test: true) to every target now; answers each response",
    auth: 'user',
    params: policyParam,
    response: z.array(z.object({ target: z.string(), statusCode: z.number().int().nullable(), latencyMs: z.number().int(), responseBody: z.string(), error: z.string().nullable(), succeeded: z.boolean() })),
    handler: async ({ principal, params }) => {
      await requireProject(principal, params.project, 'webhook:update');
      const policy = await policies.get(params.project, params.name);
      const event = await testEventFor(db, policy, principal.name);
      // All targets at once: the answer takes at most one timeout, not one per target.
      return Promise.all(
        policy.targets.map(async (t) => {
          const dt = await policies.deliveryTarget(policy.id, t.id);
          if (!dt) throw new DomainError('conflict', 'the policy changed while testing; try again');
          const { refused: _refused, ...summary } = await notify.deliverer.attempt(dt, event, 1, undefined, true);
          return summary;
        }),
      );
    },
  });

  api.route({
    method: 'POST',
    path: '/projects/:project/webhooks/:name/rotate-secret',
    tag: 'webhooks',
    summary: 'Replace the signing secret; the new one is in the response only and signs every delivery from now on',
    auth: 'user',
    params: policyParam,
    response: z.object({ secret: z.string() }),
    handler: async ({ principal, params, audit }) => {
      await requireProject(principal, params.project, 'webhook:update');
      return { secret: await policies.rotateSecret(params.project, params.name, audit) };
    },
  });
}
