/**
 * Harbor's default webhook payload, field for field, so receivers written
 * for Harbor work unchanged:
 *
 *   { type, occur_at (epoch seconds), operator,
 *     event_data: { resources: [{ digest, tag, resource_url }],
 *                   repository: { date_created, name, namespace, repo_full_name, repo_type } } }
 *
 * Application events have no Harbor counterpart: their `event_data` holds
 * an `application` object instead (docs/webhooks.md).
 */
import { type NotificationEvent, type PayloadContext, type RenderedPayload, registryHost } from './event.ts';

export interface HarborResource {
  digest: string;
  tag: string;
  resource_url: string;
}

export interface HarborRepository {
  date_created: number;
  name: string;
  namespace: string;
  repo_full_name: string;
  repo_type: 'public' | 'private';
}

/** The `event_data` of registry and application events; also CloudEvents' `data`. */
export function eventData(event: NotificationEvent, ctx: PayloadContext): Record<string, unknown> {
  if (event.artifact) {
    const a = event.artifact;
    const host = registryHost(ctx.baseUrl);
    const slash = a.repository.indexOf('/');
    const resource: HarborResource = {
      digest: a.digest,
      tag: a.tag ?? '',
      resource_url: a.tag !== undefined ? `${host}/${a.repository}:${a.tag}` : `${host}/${a.repository}@${a.digest}`,
    };
    const repository: HarborRepository = {
      date_created: Math.floor(a.repositoryCreatedAt / 1000),
      name: slash < 0 ? a.repository : a.repository.slice(slash + 1),
      namespace: slash < 0 ? event.project : a.repository.slice(0, slash),
      repo_full_name: a.repository,
      repo_type: a.public ? 'public' : 'private',
    };
    return { resources: [resource], repository };
  }
  const app = event.application;
  if (app) {
    return {
      application: {
        name: app.name,
        project: event.project,
        ...(app.revision !== undefined ? { revision: app.revision } : {}),
        ...(app.operationId !== undefined ? { operation_id: app.operationId } : {}),
        ...(app.message !== undefined ? { message: app.message } : {}),
        ...(app.health ? { health: { from: app.health.from, to: app.health.to } } : {}),
        url: `${ctx.baseUrl}/api/v1/applications/${encodeURIComponent(app.name)}`,
      },
    };
  }
  return {};
}

export function harborPayload(event: NotificationEvent, ctx: PayloadContext): RenderedPayload {
  const payload = {
    type: event.type,
    occur_at: Math.floor(event.occurredAt / 1000),
    operator: event.operator,
    event_data: eventData(event, ctx),
  };
  return { body: JSON.stringify(payload), contentType: 'application/json' };
}
