/**
 * Slack incoming-webhook messages (also accepted by Mattermost and Rocket.Chat):
 * a plain `text` fallback and the same line as a mrkdwn block with a context
 * line. User-controlled names are escaped (&, <, >) as Slack requires.
 */
import type { NotificationEvent, PayloadContext, RenderedPayload } from './event.ts';
import { registryHost } from './event.ts';

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function headline(event: NotificationEvent, ctx: PayloadContext): string {
  const a = event.artifact;
  if (a) {
    const ref = `${registryHost(ctx.baseUrl)}/${a.repository}${a.tag !== undefined ? `:${a.tag}` : `@${a.digest}`}`;
    const verb = event.type === 'PUSH_ARTIFACT' ? 'pushed' : event.type === 'PULL_ARTIFACT' ? 'pulled' : event.type === 'DELETE_ARTIFACT' ? 'deleted' : event.type;
    return `${escape(event.operator)} ${verb} \`${escape(ref)}\``;
  }
  const app = event.application;
  if (app) {
    const name = `*${escape(app.name)}*`;
    const rev = app.revision !== undefined ? ` at \`${escape(app.revision.slice(0, 12))}\`` : '';
    switch (event.type) {
      case 'APPLICATION_SYNCED':
        return `:white_check_mark: Application ${name} synced${rev}`;
      case 'APPLICATION_DEPLOYED':
        return `:rocket: Application ${name} deployed${rev} and is Healthy`;
      case 'APPLICATION_SYNC_FAILED':
        return `:x: Sync of application ${name} failed${rev}: ${escape(app.message ?? '')}`;
      case 'APPLICATION_HEALTH_DEGRADED':
        return `:warning: Application ${name} is Degraded${app.health ? ` (was ${escape(app.health.from)})` : ''}`;
      default:
        return `Application ${name}: ${event.type}`;
    }
  }
  return event.type;
}

export function slackPayload(event: NotificationEvent, ctx: PayloadContext): RenderedPayload {
  const text = headline(event, ctx);
  const context = `${event.type} · project ${escape(event.project)} · ${new Date(event.occurredAt).toISOString()}`;
  const payload = {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: context }] },
    ],
  };
  return { body: JSON.stringify(payload), contentType: 'application/json' };
}
