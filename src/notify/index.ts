/**
 * Outgoing webhooks and notifications, assembled: the policy store, the
 * delivery log, the deliverer (registered as the `webhook.deliver` job
 * kind) and the event subscriber. main.ts calls createNotify once.
 */
import type { Registry } from 'prom-client';
import type { AuditRecorder } from '../audit/types.ts';
import type { Config } from '../config/config.ts';
import type { Db } from '../platform/db/schema.ts';
import type { EventBus } from '../platform/events/types.ts';
import type { JobPlatform } from '../platform/jobs/types.ts';
import { Sealer } from '../platform/secrets/sealer.ts';
import { DELIVER_KIND, WebhookDeliverer, type DeliveryJobPayload } from './deliver.ts';
import { DeliveryLog } from './delivery-log.ts';
import { WebhookHttpClient } from './http-client.ts';
import { WebhookMetrics } from './metrics.ts';
import { WebhookPolicyStore } from './policies.ts';
import { subscribeWebhooks } from './subscriber.ts';
import type { TargetPolicy } from './targets.ts';

export type NotifyConfig = Pick<
  Config,
  'baseUrl' | 'secretKey' | 'webhookAllowPrivateTargets' | 'webhookTimeoutSeconds' | 'webhookMaxAttempts' | 'webhookConcurrency' | 'webhookDeliveryLogSize'
>;

export interface Notify {
  policies: WebhookPolicyStore;
  deliveries: DeliveryLog;
  deliverer: WebhookDeliverer;
  targets: TargetPolicy;
  close(): Promise<void>;
}

export async function createNotify(db: Db, config: NotifyConfig, deps: { audit: AuditRecorder; jobs: JobPlatform; events?: EventBus | undefined; metrics?: Registry; version: string; sealer?: Sealer }): Promise<Notify> {
  const targets: TargetPolicy = { allowPrivate: config.webhookAllowPrivateTargets };
  const sealer = deps.sealer ?? (await Sealer.open(db, config.secretKey));
  const policies = new WebhookPolicyStore(db, sealer, targets, deps.audit);
  const deliveries = new DeliveryLog(db, config.webhookDeliveryLogSize);
  const http = new WebhookHttpClient(targets);
  const timeoutMs = config.webhookTimeoutSeconds * 1000;
  const deliverer = new WebhookDeliverer(policies, deliveries, http, new WebhookMetrics(deps.metrics), {
    baseUrl: config.baseUrl,
    timeoutMs,
    targets,
    userAgent: `Berth-Webhook/${deps.version}`,
  });
  deps.jobs.register<DeliveryJobPayload>({
    kind: DELIVER_KIND,
    concurrency: config.webhookConcurrency,
    // The request's own deadline ends an attempt first; this only bounds a stuck render or log write.
    timeoutMs: timeoutMs + 10_000,
    maxAttempts: config.webhookMaxAttempts,
    backoffBaseMs: 1000,
    backoffMaxMs: 10 * 60_000,
    handle: (payload, ctx) => deliverer.handle(payload, ctx),
  });
  if (deps.events) subscribeWebhooks(deps.events, deps.jobs, db, policies);
  return { policies, deliveries, deliverer, targets, close: () => http.close() };
}
