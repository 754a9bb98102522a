/**
 * Webhook event types: Harbor's names for registry events (so policies and
 * receivers written for Harbor carry over), Berth's own for delivery events,
 * and the domain events that feed each.
 *
 * Tags: Harbor has no tag event types. Every manifest PUT is a PUSH_ARTIFACT
 * (naming the tag when pushed by tag, also when the same tag and digest are
 * pushed again, as in Harbor); the `tag.created` / `tag.moved` events the
 * same PUT publishes are not delivered again. Deleting a tag through /v2 is
 * a DELETE_ARTIFACT naming the tag, like deleting the artifact itself.
 *
 * Scans: `artifact.scanned` is SCANNING_COMPLETED and `artifact.scan_failed`
 * SCANNING_FAILED (src/supply-chain/scanning), with the scanned artifact as
 * the resource, as Harbor sends them.
 *
 * Reserved: SCANNING_STOPPED and the quota, replication and retention types are Harbor
 * names accepted in policies today (so Harbor policies import unchanged) and
 * delivered once their features exist; the event-types endpoint marks them.
 */
import type { DomainEvent, DomainEventType } from '../platform/events/types.ts';

export const REGISTRY_EVENT_TYPES = ['PUSH_ARTIFACT', 'PULL_ARTIFACT', 'DELETE_ARTIFACT', 'SCANNING_COMPLETED', 'SCANNING_FAILED'] as const;
export const APPLICATION_EVENT_TYPES = ['APPLICATION_SYNCED', 'APPLICATION_SYNC_FAILED', 'APPLICATION_HEALTH_DEGRADED', 'APPLICATION_DEPLOYED'] as const;
export const RESERVED_EVENT_TYPES = ['SCANNING_STOPPED', 'QUOTA_EXCEED', 'QUOTA_WARNING', 'REPLICATION', 'TAG_RETENTION'] as const;

export const EVENT_TYPES = [...REGISTRY_EVENT_TYPES, ...APPLICATION_EVENT_TYPES, ...RESERVED_EVENT_TYPES] as const;
export type WebhookEventType = (typeof EVENT_TYPES)[number];
export type ApplicationEventType = (typeof APPLICATION_EVENT_TYPES)[number];

export function isWebhookEventType(s: string): s is WebhookEventType {
  return (EVENT_TYPES as readonly string[]).includes(s);
}

export function isApplicationEventType(t: WebhookEventType): t is ApplicationEventType {
  return (APPLICATION_EVENT_TYPES as readonly string[]).includes(t);
}

/** CloudEvents `type` of each deliverable event type. */
export const CLOUDEVENT_TYPES: Record<WebhookEventType, string> = {
  PUSH_ARTIFACT: 'harbor.artifact.pushed',
  PULL_ARTIFACT: 'harbor.artifact.pulled',
  DELETE_ARTIFACT: 'harbor.artifact.deleted',
  APPLICATION_SYNCED: 'berth.application.synced',
  APPLICATION_SYNC_FAILED: 'berth.application.sync_failed',
  APPLICATION_HEALTH_DEGRADED: 'berth.application.health_degraded',
  APPLICATION_DEPLOYED: 'berth.application.deployed',
  SCANNING_COMPLETED: 'harbor.scan.completed',
  SCANNING_FAILED: 'harbor.scan.failed',
  SCANNING_STOPPED: 'harbor.scan.stopped',
  QUOTA_EXCEED: 'harbor.quota.exceeded',
  QUOTA_WARNING: 'harbor.quota.warning',
  REPLICATION: 'harbor.replication.status.changed',
  TAG_RETENTION: 'harbor.tag_retention.finished',
};

export interface EventTypeInfo {
  name: WebhookEventType;
  description: string;
  /** False for reserved types: accepted in policies, delivered once their feature exists. */
  available: boolean;
}

const DESCRIPTIONS: Record<WebhookEventType, string> = {
  PUSH_ARTIFACT: 'An artifact was pushed, or an existing one tagged',
  PULL_ARTIFACT: 'An artifact was pulled (manifest GET)',
  DELETE_ARTIFACT: 'An artifact or one of its tags was deleted',
  APPLICATION_SYNCED: 'A sync of an application succeeded',
  APPLICATION_SYNC_FAILED: 'A sync of an application failed',
  APPLICATION_HEALTH_DEGRADED: 'An application became Degraded',
  APPLICATION_DEPLOYED: 'A new revision was synced and the application is Healthy',
  SCANNING_COMPLETED: 'A vulnerability scan of an artifact finished',
  SCANNING_FAILED: 'A vulnerability scan of an artifact failed (its retries used up)',
  SCANNING_STOPPED: 'Reserved: a vulnerability scan was stopped',
  QUOTA_EXCEED: 'Reserved: a push was refused by the project quota',
  QUOTA_WARNING: 'Reserved: the project quota is nearly used',
  REPLICATION: 'Reserved: a replication finished',
  TAG_RETENTION: 'Reserved: a retention run finished',
};

export function eventTypeInfo(): EventTypeInfo[] {
  const reserved = new Set<string>(RESERVED_EVENT_TYPES);
  return EVENT_TYPES.map((name) => ({ name, description: DESCRIPTIONS[name], available: !reserved.has(name) }));
}

/** The domain events the webhook subscriber listens to. */
export const SUBSCRIBED_DOMAIN_EVENTS = [
  'artifact.pushed',
  'artifact.pulled',
  'artifact.deleted',
  'tag.deleted',
  'artifact.scanned',
  'artifact.scan_failed',
  'application.synced',
  'application.sync_failed',
  'application.health_changed',
  'application.deployed',
] as const satisfies readonly DomainEventType[];

export type SubscribedEvent = DomainEvent<(typeof SUBSCRIBED_DOMAIN_EVENTS)[number]>;

/** The webhook event type a domain event is delivered as, or undefined when it is not delivered. */
export function webhookTypeOf(event: SubscribedEvent): WebhookEventType | undefined {
  switch (event.type) {
    case 'artifact.pushed':
      return 'PUSH_ARTIFACT';
    case 'artifact.pulled':
      return 'PULL_ARTIFACT';
    case 'artifact.deleted':
    case 'tag.deleted':
      return 'DELETE_ARTIFACT';
    case 'artifact.scanned':
      return 'SCANNING_COMPLETED';
    case 'artifact.scan_failed':
      return 'SCANNING_FAILED';
    case 'application.synced':
      return 'APPLICATION_SYNCED';
    case 'application.sync_failed':
      return 'APPLICATION_SYNC_FAILED';
    case 'application.deployed':
      return 'APPLICATION_DEPLOYED';
    case 'application.health_changed': {
      const d = (event as DomainEvent<'application.health_changed'>).data;
      return d.to === 'Degraded' && d.from !== 'Degraded' ? 'APPLICATION_HEALTH_DEGRADED' : undefined;
    }
    default:
      return undefined;
  }
}
