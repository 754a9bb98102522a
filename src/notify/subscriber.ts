/**
 * The webhook subscriber: a durable subscriber of the domain events
 * (src/platform/events/types.ts) that turns each event into one
 * `webhook.deliver` job per matching target of every enabled policy of the
 * event's project, all enqueued in one transaction (a retried subscriber
 * run does not deliver twice: the dedupe key is event + policy + target).
 * The facts payloads need (repository creation time, project visibility)
 * are read once here, so every target and every retry sends the same data.
 */
import { randomUUID } from 'node:crypto';
import type { DomainEvent, EventBus } from '../platform/events/types.ts';
import type { JobEnqueuer } from '../platform/jobs/types.ts';
import type { Db } from '../platform/db/schema.ts';
import { DELIVER_KIND, type DeliveryJobPayload } from './deliver.ts';
import { isApplicationEventType, SUBSCRIBED_DOMAIN_EVENTS, webhookTypeOf, type SubscribedEvent, type WebhookEventType } from './event-types.ts';
import type { ArtifactFacts, NotificationEvent } from './formats/event.ts';
import type { WebhookPolicy, WebhookPolicyStore } from './policies.ts';

export const SUBSCRIBER_NAME = 'webhooks';

export function subscribeWebhooks(bus: EventBus, jobs: JobEnqueuer, db: Db, policies: WebhookPolicyStore): void {
  bus.subscribe(
    SUBSCRIBER_NAME,
    SUBSCRIBED_DOMAIN_EVENTS,
    async (event) => {
      const type = webhookTypeOf(event);
      if (type === undefined) return;
      const project = event.data.project;
      const application = 'application' in event.data ? event.data.application : undefined;
      const matches = await policies.matching(project, type, application);
      if (matches.length === 0) return;
      const notification = await notificationOf(db, event, type);
      await db.transaction().execute(async (trx) => {
        for (const m of matches) {
          const payload: DeliveryJobPayload = { policyId: m.policyId, targetId: m.targetId, event: notification };
          await jobs.enqueue(trx, DELIVER_KIND, payload, { dedupeKey: `${event.id}:${m.policyId}:${m.targetId}` });
        }
      });
    },
    { concurrency: 4, maxAttempts: 10 },
  );
}

/** The webhook event of a domain event, with the facts its payloads need. */
export async function notificationOf(db: Db, event: SubscribedEvent, type: WebhookEventType): Promise<NotificationEvent> {
  const base = { id: event.id, type, occurredAt: event.occurredAt, operator: event.actor, project: event.data.project };
  if (isApplicationEventType(type)) {
    const e = event as DomainEvent<'application.synced' | 'application.sync_failed' | 'application.deployed' | 'application.health_changed'>;
    const d = e.data as Partial<{ revision: string; operationId: string; message: string; from: string; to: string }> & { application: string };
    return {
      ...base,
      application: {
        name: d.application,
        revision: d.revision,
        operationId: d.operationId,
        message: d.message,
        health: d.from !== undefined && d.to !== undefined ? { from: d.from, to: d.to } : undefined,
      },
    };
  }
  const d = event.data as { repository: string; digest: string; tag?: string; tags?: string[]; mediaType?: string; size?: number };
  return { ...base, artifact: await artifactFacts(db, event.data.project, { repository: d.repository, digest: d.digest, tag: d.tag ?? d.tags?.[0], mediaType: d.mediaType, size: d.size }) };
}

async function artifactFacts(db: Db, project: string, a: Pick<ArtifactFacts, 'repository' | 'digest' | 'tag' | 'mediaType' | 'size'>): Promise<ArtifactFacts> {
  const repo = await db.selectFrom('repositories').select('created_at').where('name', '=', a.repository).executeTakeFirst();
  const proj = await db.selectFrom('projects').select('public').where('name', '=', project).executeTakeFirst();
  return { ...a, repositoryCreatedAt: repo ? Number(repo.created_at) : 0, public: proj ? Number(proj.public) === 1 : false };
}

/** A sample event of the policy's first deliverable type, for "send test event". */
export async function testEventFor(db: Db, policy: WebhookPolicy, operator: string): Promise<NotificationEvent> {
  const type = policy.eventTypes.find((t) => t !== undefined && !t.startsWith('SCANNING_') && !t.startsWith('QUOTA_') && t !== 'REPLICATION' && t !== 'TAG_RETENTION') ?? 'PUSH_ARTIFACT';
  const base = { id: randomUUID(), type, occurredAt: Date.now(), operator, project: policy.project };
  if (isApplicationEventType(type)) {
    return { ...base, application: { name: 'webhook-test', revision: '0000000000000000000000000000000000000000', operationId: 'test', message: 'test event', health: type === 'APPLICATION_HEALTH_DEGRADED' ? { from: 'Healthy', to: 'Degraded' } : undefined } };
  }
  const repository = `${policy.project}/webhook-test`;
  return { ...base, artifact: await artifactFacts(db, policy.project, { repository, digest: `sha256:${'0'.repeat(64)}`, tag: 'test' }) };
}
