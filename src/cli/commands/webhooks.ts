/** berth webhook …: a project's outgoing webhook policies, their delivery log, test events and secrets. */
import type { WebhookPolicy, WebhookTarget } from '../../notify/policies.ts';
import type { DeliveryRecord } from '../../notify/delivery-log.ts';
import { seg } from '../client.ts';
import { type CommandSpec, type Ctx, type OptionSpec, UsageError, bool, int, str } from '../framework.ts';
import { type Column, orDash, time, yesNo } from '../output.ts';
import { commaList, showList } from './common.ts';

const PROJECT: Record<string, OptionSpec> = { project: { type: 'string', short: 'p', value: 'PROJECT', help: 'the project of the policy (required)' } };

const POLICY_OPTIONS: Record<string, OptionSpec> = {
  ...PROJECT,
  event: { type: 'string', value: 'TYPES', help: 'event types, comma-separated (berth webhook event-types lists them)' },
  target: { type: 'string', multiple: true, value: 'URL', help: 'an http(s) receiver (repeatable)' },
  slack: { type: 'string', multiple: true, value: 'URL', help: 'a Slack-compatible incoming webhook URL (repeatable)' },
  format: { type: 'string', value: 'FORMAT', help: 'payload format of --target receivers: Default (Harbor JSON) or CloudEvents' },
  'auth-header-env': { type: 'string', value: 'VAR', help: 'send the value of environment variable VAR as the Authorization header (kept off the command line)' },
  'skip-cert-verify': { type: 'boolean', help: "do not verify the receivers' TLS certificates" },
  app: { type: 'string', value: 'NAMES', help: "applications whose APPLICATION_* events are wanted, comma-separated, or '*' (default)" },
  description: { type: 'string', value: 'TEXT', help: 'what the policy is for' },
};

function project(ctx: Ctx): string {
  const p = str(ctx.values, 'project');
  if (p === undefined) throw new UsageError('give the project with --project', ctx.spec);
  return p;
}

const base = (ctx: Ctx) => `/projects/${seg(project(ctx))}/webhooks`;
const one = (ctx: Ctx) => `${base(ctx)}/${seg(ctx.positionals[0]!)}`;

/** The targets of --target/--slack, or undefined when none is given. */
function targets(ctx: Ctx): unknown[] | undefined {
  const http = (ctx.values.target as string[] | undefined) ?? [];
  const slack = (ctx.values.slack as string[] | undefined) ?? [];
  if (http.length + slack.length === 0) return undefined;
  const format = str(ctx.values, 'format');
  if (format !== undefined && format !== 'Default' && format !== 'CloudEvents') throw new UsageError('--format is Default or CloudEvents', ctx.spec);
  const envVar = str(ctx.values, 'auth-header-env');
  let authHeader: string | undefined;
  if (envVar !== undefined) {
    authHeader = process.env[envVar];
    if (authHeader === undefined || authHeader === '') throw new UsageError(`environment variable ${envVar} is not set`, ctx.spec);
  }
  const common = { ...(authHeader !== undefined ? { authHeader } : {}), ...(bool(ctx.values, 'skip-cert-verify') ? { skipCertVerify: true } : {}) };
  return [...http.map((address) => ({ type: 'http', address, ...(format ? { payloadFormat: format } : {}), ...common })), ...slack.map((address) => ({ type: 'slack', address, ...common }))];
}

function policyBody(ctx: Ctx): Record<string, unknown> {
  const event = str(ctx.values, 'event');
  const app = str(ctx.values, 'app');
  const description = str(ctx.values, 'description');
  const t = targets(ctx);
  return {
    ...(event !== undefined ? { eventTypes: commaList(event) } : {}),
    ...(app !== undefined ? { applications: commaList(app) } : {}),
    ...(description !== undefined ? { description } : {}),
    ...(t ? { targets: t } : {}),
  };
}

const targetText = (t: WebhookTarget) => `${t.type === 'slack' ? 'slack' : t.payloadFormat} ${t.address}${t.authHeaderSet ? ' (auth header)' : ''}${t.skipCertVerify ? ' (no cert check)' : ''}`;

const COLUMNS: Column<WebhookPolicy>[] = [
  { header: 'NAME', value: (p) => p.name },
  { header: 'ENABLED', value: (p) => yesNo(p.enabled) },
  { header: 'EVENTS', value: (p) => p.eventTypes.join(',') },
  { header: 'TARGETS', value: (p) => p.targets.map((t) => t.address).join(' ') },
];

function showPolicy(ctx: Ctx, p: WebhookPolicy): void {
  if (ctx.out.json) return ctx.out.printJson(p);
  ctx.out.details([
    ['name', p.name],
    ['project', p.project],
    ['enabled', yesNo(p.enabled)],
    ['description', orDash(p.description)],
    ['events', p.eventTypes.join(', ')],
    ['applications', p.applications.join(', ')],
    ['targets', p.targets.map(targetText).join('\n')],
    ['created by', p.createdBy],
    ['created', time(p.createdAt)],
    ['updated', time(p.updatedAt)],
  ]);
}

function showSecret(ctx: Ctx, name: string, secret: string): void {
  ctx.out.details([
    ['name', name],
    ['signing secret', secret],
  ]);
  ctx.out.warn('Save the signing secret now: Berth shows it only once (berth webhook rotate-secret makes a new one). See docs/webhooks.md to verify signatures.');
}

const list: CommandSpec = {
  words: ['webhook', 'list'],
  args: '--project PROJECT',
  summary: "List a project's webhook policies",
  options: PROJECT,
  positionals: [0, 0],
  examples: ['berth webhook list -p team'],
  async run(ctx) {
    showList(ctx, await ctx.client().get<WebhookPolicy[]>(base(ctx)), COLUMNS, 'webhook policies');
  },
};

const get: CommandSpec = {
  words: ['webhook', 'get'],
  args: 'NAME --project PROJECT',
  summary: 'Show a webhook policy',
  options: PROJECT,
  positionals: [1, 1],
  examples: ['berth webhook get ci -p team'],
  async run(ctx) {
    showPolicy(ctx, (await ctx.client().get<WebhookPolicy>(one(ctx))).data);
  },
};

const create: CommandSpec = {
  words: ['webhook', 'create'],
  args: 'NAME --project PROJECT --event TYPES (--target URL | --slack URL)… [--format FORMAT] [--auth-header-env VAR] [--app NAMES] [--disabled]',
  summary: 'Create a webhook policy and print its signing secret once',
  details: 'Deliveries are signed (X-Berth-Signature: sha256=HMAC of the body) and retried with backoff; see docs/webhooks.md.',
  options: { ...POLICY_OPTIONS, disabled: { type: 'boolean', help: 'create it disabled' } },
  positionals: [1, 1],
  examples: [
    'berth webhook create ci -p team --event PUSH_ARTIFACT,DELETE_ARTIFACT --target https://ci.example.com/hook',
    'BEARER="Bearer abc" berth webhook create ce -p team --event PUSH_ARTIFACT --target https://events.example.com/in --format CloudEvents --auth-header-env BEARER',
    'berth webhook create chat -p team --event APPLICATION_SYNC_FAILED,APPLICATION_HEALTH_DEGRADED --app web,api --slack https://hooks.slack.com/services/…',
  ],
  async run(ctx) {
    const body = policyBody(ctx);
    if (body.eventTypes === undefined) throw new UsageError('give the event types with --event', ctx.spec);
    if (body.targets === undefined) throw new UsageError('give at least one --target or --slack', ctx.spec);
    const res = await ctx.client().post<WebhookPolicy & { secret: string }>(base(ctx), { name: ctx.positionals[0]!, ...body, ...(bool(ctx.values, 'disabled') ? { enabled: false } : {}) });
    if (ctx.out.json) return ctx.out.printJson(res.data);
    showSecret(ctx, res.data.name, res.data.secret);
  },
};

const update: CommandSpec = {
  words: ['webhook', 'update'],
  args: 'NAME --project PROJECT [--event TYPES] [--target URL]… [--slack URL]… [--enabled|--no-enabled] …',
  summary: 'Change a webhook policy: the options given replace the stored values (targets as a whole)',
  details: 'A target listed again with the same address and format keeps its stored auth header unless --auth-header-env gives a new one.',
  options: { ...POLICY_OPTIONS, enabled: { type: 'boolean', negatable: true, help: 'enable (--enabled) or disable (--no-enabled) the policy' }, rename: { type: 'string', value: 'NEW', help: 'rename the policy' } },
  positionals: [1, 1],
  examples: ['berth webhook update ci -p team --no-enabled', 'berth webhook update ci -p team --event PUSH_ARTIFACT --target https://ci.example.com/v2/hook'],
  async run(ctx) {
    const enabled = bool(ctx.values, 'enabled');
    const rename = str(ctx.values, 'rename');
    const body = { ...policyBody(ctx), ...(enabled !== undefined ? { enabled } : {}), ...(rename !== undefined ? { name: rename } : {}) };
    if (Object.keys(body).length === 0) throw new UsageError('nothing to change: give at least one option', ctx.spec);
    showPolicy(ctx, (await ctx.client().put<WebhookPolicy>(one(ctx), body)).data);
  },
};

const del: CommandSpec = {
  words: ['webhook', 'delete'],
  args: 'NAME --project PROJECT',
  summary: 'Delete a webhook policy and its delivery log',
  options: PROJECT,
  positionals: [1, 1],
  examples: ['berth webhook delete ci -p team'],
  async run(ctx) {
    await ctx.client().delete(one(ctx));
    if (!ctx.out.json) ctx.out.line(`Deleted webhook policy ${ctx.positionals[0]!}.`);
  },
};

const DELIVERY_COLUMNS: Column<Pick<DeliveryRecord, 'createdAt' | 'eventType' | 'target' | 'attempt' | 'statusCode' | 'latencyMs' | 'error'>>[] = [
  { header: 'TIME', value: (d) => time(d.createdAt) },
  { header: 'EVENT', value: (d) => d.eventType },
  { header: 'TARGET', value: (d) => d.target },
  { header: 'ATTEMPT', value: (d) => String(d.attempt) },
  { header: 'STATUS', value: (d) => (d.statusCode === null ? '-' : String(d.statusCode)) },
  { header: 'LATENCY', value: (d) => `${d.latencyMs} ms` },
  { header: 'ERROR', value: (d) => orDash(d.error) },
];

const deliveries: CommandSpec = {
  words: ['webhook', 'deliveries'],
  args: 'NAME --project PROJECT [--limit N]',
  summary: 'Show the delivery log of a policy, newest first (one line per attempt and target)',
  options: { ...PROJECT, limit: { type: 'string', value: 'N', help: 'entries to show, 1–1000 (default 20)' } },
  positionals: [1, 1],
  examples: ['berth webhook deliveries ci -p team', 'berth webhook deliveries ci -p team -o json'],
  async run(ctx) {
    const limit = int(ctx, 'limit', 1, 1000) ?? 20;
    showList(ctx, await ctx.client().get<DeliveryRecord[]>(`${one(ctx)}/deliveries`, { limit }), DELIVERY_COLUMNS, 'deliveries');
  },
};

const test: CommandSpec = {
  words: ['webhook', 'test'],
  args: 'NAME --project PROJECT',
  summary: "Send a test event to every target of a policy now and show each answer",
  options: PROJECT,
  positionals: [1, 1],
  examples: ['berth webhook test ci -p team'],
  async run(ctx) {
    const res = await ctx.client().post<{ target: string; statusCode: number | null; latencyMs: number; error: string | null; succeeded: boolean; responseBody: string }[]>(`${one(ctx)}/test`, {});
    if (ctx.out.json) return ctx.out.printJson(res.data);
    ctx.out.table(res.data, [
      { header: 'TARGET', value: (r) => r.target },
      { header: 'OK', value: (r) => yesNo(r.succeeded) },
      { header: 'STATUS', value: (r) => (r.statusCode === null ? '-' : String(r.statusCode)) },
      { header: 'LATENCY', value: (r) => `${r.latencyMs} ms` },
      { header: 'ERROR / RESPONSE', value: (r) => r.error ?? r.responseBody.slice(0, 80) },
    ]);
  },
};

const rotate: CommandSpec = {
  words: ['webhook', 'rotate-secret'],
  args: 'NAME --project PROJECT',
  summary: 'Replace the signing secret of a policy and print the new one once',
  options: PROJECT,
  positionals: [1, 1],
  examples: ['berth webhook rotate-secret ci -p team'],
  async run(ctx) {
    const res = await ctx.client().post<{ secret: string }>(`${one(ctx)}/rotate-secret`, {});
    if (ctx.out.json) return ctx.out.printJson(res.data);
    showSecret(ctx, ctx.positionals[0]!, res.data.secret);
  },
};

const eventTypes: CommandSpec = {
  words: ['webhook', 'event-types'],
  args: '',
  summary: 'List the webhook event types',
  options: {},
  positionals: [0, 0],
  examples: ['berth webhook event-types'],
  async run(ctx) {
    showList(ctx, await ctx.client().get<{ name: string; description: string; available: boolean }[]>('/webhooks/event-types'), [
      { header: 'TYPE', value: (t) => t.name },
      { header: 'AVAILABLE', value: (t) => yesNo(t.available) },
      { header: 'DESCRIPTION', value: (t) => t.description },
    ], 'event types');
  },
};

export const webhookCommands: CommandSpec[] = [list, get, create, update, del, deliveries, test, rotate, eventTypes];
