/** The payload of one delivery: Slack messages for slack targets, else the target's format. */
import type { PayloadFormat, TargetType } from '../policies.ts';
import { cloudEventPayload } from './cloudevents.ts';
import type { NotificationEvent, PayloadContext, RenderedPayload } from './event.ts';
import { harborPayload } from './harbor.ts';
import { slackPayload } from './slack.ts';

export type { NotificationEvent, PayloadContext, RenderedPayload } from './event.ts';

export function renderPayload(target: { type: TargetType; payloadFormat: PayloadFormat }, event: NotificationEvent, ctx: PayloadContext): RenderedPayload {
  if (target.type === 'slack') return slackPayload(event, ctx);
  return target.payloadFormat === 'CloudEvents' ? cloudEventPayload(event, ctx) : harborPayload(event, ctx);
}
