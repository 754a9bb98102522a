/**
 * CloudEvents 1.0, structured mode (the whole event is the JSON body,
 * Content-Type application/cloudevents+json). Registry events use Harbor's
 * types (harbor.artifact.pushed, …) and Harbor's `data`; delivery events use
 * Berth's own (berth.application.synced, …). `operator` is an extension
 * attribute, as in Harbor.
 */
import { CLOUDEVENT_TYPES } from '../event-types.ts';
import type { NotificationEvent, PayloadContext, RenderedPayload } from './event.ts';
import { eventData } from './harbor.ts';

export function cloudEventPayload(event: NotificationEvent, ctx: PayloadContext): RenderedPayload {
  const subject = event.artifact?.repository ?? event.application?.name;
  const payload = {
    specversion: '1.0',
    id: event.id,
    source: `/api/v1/projects/${encodeURIComponent(event.project)}/webhooks/${encodeURIComponent(ctx.policyName)}`,
    type: CLOUDEVENT_TYPES[event.type],
    time: new Date(event.occurredAt).toISOString(),
    datacontenttype: 'application/json',
    ...(subject !== undefined ? { subject } : {}),
    operator: event.operator,
    data: eventData(event, ctx),
  };
  return { body: JSON.stringify(payload), contentType: 'application/cloudevents+json; charset=utf-8' };
}
