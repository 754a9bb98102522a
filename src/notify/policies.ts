/**
 * Webhook policies: per project, as in Harbor — a name, event types, targets
 * (http or slack, an address, an optional auth header, skip certificate
 * verification, a payload format), enabled — plus the applications whose
 * delivery events they want, and a signing secret shown once. Auth headers
 * and secrets are sealed at rest and never leave this module except to the
 * delivery job (`deliveryTarget`).
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { NO_AUDIT, audited, type AuditContext } from '../audit/audited.ts';
import type { AuditRecorder } from '../audit/types.ts';
import { DomainError } from '../core/errors.ts';
import type { Db } from '../platform/db/schema.ts';
import type { Sealer } from '../platform/secrets/sealer.ts';
import { isApplicationEventType, isWebhookEventType, type WebhookEventType } from './event-types.ts';
import type { WebhookPolicyTable } from './schema.ts';
import { TargetError, validateAddress, type TargetPolicy } from './targets.ts';

export const TARGET_TYPES = ['http', 'slack'] as const;
export type TargetType = (typeof TARGET_TYPES)[number];
export const PAYLOAD_FORMATS = ['Default', 'CloudEvents'] as const;
export type PayloadFormat = (typeof PAYLOAD_FORMATS)[number];

const POLICY_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const APP_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const MAX_TARGETS = 10;
const MAX_AUTH_HEADER = 4096;

export interface WebhookTarget {
  /** Stable while type, address and format stay the same. */
  id: string;
  type: TargetType;
  address: string;
  /** For http targets; slack targets always get Slack messages. */
  payloadFormat: PayloadFormat;
  /** Whether an auth header is stored; the header itself is never returned. */
  authHeaderSet: boolean;
  skipCertVerify: boolean;
}

export interface WebhookPolicy {
  id: string;
  project: string;
  name: string;
  description: string;
  eventTypes: WebhookEventType[];
  /** Application names whose APPLICATION_* events are wanted, or `["*"]` for all of the project's. */
  applications: string[];
  targets: WebhookTarget[];
  enabled: boolean;
  createdBy: string;
  createdAt: number;
  updatedAt: number;
}

export interface TargetInput {
  type: TargetType;
  address: string;
  payloadFormat?: PayloadFormat | undefined;
  /**
   * The `Authorization` header value sent with each delivery. Omitted on
   * update: the stored one is kept for the same target; `null` removes it.
   */
  authHeader?: string | null | undefined;
  skipCertVerify?: boolean | undefined;
}

export interface PolicyInput {
  name: string;
  description?: string | undefined;
  eventTypes: string[];
  applications?: string[] | undefined;
  targets: TargetInput[];
  enabled?: boolean | undefined;
}

export type PolicyChanges = Partial<PolicyInput>;

interface StoredTarget {
  id: string;
  type: TargetType;
  address: string;
  payloadFormat: PayloadFormat;
  authHeaderSealed: string | null;
  skipCertVerify: boolean;
}

/** What a delivery needs: the policy, one target with its auth header, and the secret. */
export interface DeliveryTarget {
  policy: WebhookPolicy;
  target: WebhookTarget;
  authHeader: string | undefined;
  secret: string;
}

export function newSigningSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

function targetId(t: { type: string; address: string; payloadFormat: string }): string {
  return createHash('sha256').update(`${t.type}\n${t.address}\n${t.payloadFormat}`).digest('hex').slice(0, 12);
}

const secretContext = (policyId: string) => `webhook-secret:${policyId}`;
const authContext = (policyId: string, targetId: string) => `webhook-auth:${policyId}:${targetId}`;

export class WebhookPolicyStore {
  readonly #db: Db;
  readonly #sealer: Sealer;
  readonly #targets: TargetPolicy;
  readonly #audit: AuditRecorder;

  constructor(db: Db, sealer: Sealer, targets: TargetPolicy, audit: AuditRecorder = NO_AUDIT) {
    this.#db = db;
    this.#sealer = sealer;
    this.#targets = targets;
    this.#audit = audit;
  }

  async list(project: string): Promise<WebhookPolicy[]> {
    const rows = await this.#db.selectFrom('webhook_policies').selectAll().where('project', '=', project).orderBy('name').execute();
    return rows.map(toPolicy);
  }

  async get(project: string, name: string): Promise<WebhookPolicy> {
    return toPolicy(await this.#row(project, name));
  }

  async create(project: string, input: PolicyInput, createdBy: string, ctx?: AuditContext): Promise<{ policy: WebhookPolicy; secret: string }> {
    assertName(input.name);
    const id = randomUUID();
    const eventTypes = validEventTypes(input.eventTypes);
    const applications = validApplications(input.applications ?? ['*']);
    const targets = await this.#validTargets(id, input.targets, []);
    const secret = newSigningSecret();
    if (await this.#find(project, input.name)) throw new DomainError('conflict', `webhook policy ${input.name} already exists in project ${project}`);
    const now = Date.now();
    const row: WebhookPolicyTable = {
      id,
      project,
      name: input.name,
      description: validDescription(input.description ?? ''),
      event_types: JSON.stringify(eventTypes),
      applications: JSON.stringify(applications),
      targets: JSON.stringify(targets),
      enabled: input.enabled === false ? 0 : 1,
      secret_sealed: this.#sealer.seal(secret, secretContext(id)),
      created_by: createdBy,
      created_at: now,
      updated_at: now,
    };
    await audited(this.#db, this.#audit, ctx, this.#event(project, input.name, 'create', describe(row)), async (trx) => {
      await trx.insertInto('webhook_policies').values(row).execute();
    });
    return { policy: toPolicy(row), secret };
  }

  async update(project: string, name: string, changes: PolicyChanges, ctx?: AuditContext): Promise<WebhookPolicy> {
    const row = await this.#row(project, name);
    const set: Partial<WebhookPolicyTable> = { updated_at: Date.now() };
    if (changes.name !== undefined && changes.name !== name) {
      assertName(changes.name);
      if (await this.#find(project, changes.name)) throw new DomainError('conflict', `webhook policy ${changes.name} already exists in project ${project}`);
      set.name = changes.name;
    }
    if (changes.description !== undefined) set.description = validDescription(changes.description);
    if (changes.eventTypes !== undefined) set.event_types = JSON.stringify(validEventTypes(changes.eventTypes));
    if (changes.applications !== undefined) set.applications = JSON.stringify(validApplications(changes.applications));
    if (changes.targets !== undefined) set.targets = JSON.stringify(await this.#validTargets(row.id, changes.targets, JSON.parse(row.targets) as StoredTarget[]));
    if (changes.enabled !== undefined) set.enabled = changes.enabled ? 1 : 0;
    const fields = Object.keys(changes).filter((k) => changes[k as keyof PolicyChanges] !== undefined);
    await audited(this.#db, this.#audit, ctx, this.#event(project, name, 'update', `changed: ${fields.join(',')}`), async (trx) => {
      await trx.updateTable('webhook_policies').set(set).where('id', '=', row.id).execute();
    });
    return toPolicy({ ...row, ...set });
  }

  async delete(project: string, name: string, ctx?: AuditContext): Promise<void> {
    const row = await this.#row(project, name);
    await audited(this.#db, this.#audit, ctx, this.#event(project, name, 'delete'), async (trx) => {
      await trx.deleteFrom('webhook_policies').where('id', '=', row.id).execute();
    });
  }

  /** A new signing secret, returned once; the old one stops signing at once. */
  async rotateSecret(project: string, name: string, ctx?: AuditContext): Promise<string> {
    const row = await this.#row(project, name);
    const secret = newSigningSecret();
    await audited(this.#db, this.#audit, ctx, this.#event(project, name, 'update', 'rotated the signing secret'), async (trx) => {
      await trx.updateTable('webhook_policies').set({ secret_sealed: this.#sealer.seal(secret, secretContext(row.id)), updated_at: Date.now() }).where('id', '=', row.id).execute();
    });
    return secret;
  }

  /**
   * Enabled policies of `project` subscribed to `type` (and, for
   * application events, to `application`): one entry per target.
   */
  async matching(project: string, type: WebhookEventType, application?: string): Promise<{ policyId: string; targetId: string }[]> {
    const rows = await this.#db.selectFrom('webhook_policies').select(['id', 'event_types', 'applications', 'targets']).where('project', '=', project).where('enabled', '=', 1).execute();
    const out: { policyId: string; targetId: string }[] = [];
    for (const r of rows) {
      if (!(JSON.parse(r.event_types) as string[]).includes(type)) continue;
      if (isApplicationEventType(type)) {
        const apps = JSON.parse(r.applications) as string[];
        if (!apps.includes('*') && (application === undefined || !apps.includes(application))) continue;
      }
      for (const t of JSON.parse(r.targets) as StoredTarget[]) out.push({ policyId: r.id, targetId: t.id });
    }
    return out;
  }

  /** The policy, target, auth header and secret for one delivery; undefined when the policy or target is gone. */
  async deliveryTarget(policyId: string, targetId: string): Promise<DeliveryTarget | undefined> {
    const row = await this.#db.selectFrom('webhook_policies').selectAll().where('id', '=', policyId).executeTakeFirst();
    if (!row) return undefined;
    const stored = (JSON.parse(row.targets) as StoredTarget[]).find((t) => t.id === targetId);
    if (!stored) return undefined;
    const policy = toPolicy(row);
    return {
      policy,
      target: publicTarget(stored),
      authHeader: stored.authHeaderSealed === null ? undefined : this.#sealer.open(stored.authHeaderSealed, authContext(policyId, targetId)),
      secret: this.#sealer.open(row.secret_sealed, secretContext(policyId)),
    };
  }

  async #validTargets(policyId: string, inputs: TargetInput[], previous: StoredTarget[]): Promise<StoredTarget[]> {
    if (inputs.length === 0) throw new DomainError('invalid', 'targets: give at least one target');
    if (inputs.length > MAX_TARGETS) throw new DomainError('invalid', `targets: at most ${MAX_TARGETS}`);
    const out: StoredTarget[] = [];
    for (const [i, t] of inputs.entries()) {
      const where = `targets[${i}]`;
      if (!(TARGET_TYPES as readonly string[]).includes(t.type)) throw new DomainError('invalid', `${where}.type: http or slack`);
      const format = t.payloadFormat ?? 'Default';
      if (!(PAYLOAD_FORMATS as readonly string[]).includes(format)) throw new DomainError('invalid', `${where}.payloadFormat: Default or CloudEvents`);
      try {
        await validateAddress(t.address, this.#targets);
      } catch (err) {
        if (err instanceof TargetError) throw new DomainError('invalid', `${where}.address: ${err.message}`);
        throw err;
      }
      const id = targetId({ type: t.type, address: t.address, payloadFormat: format });
      if (out.some((o) => o.id === id)) throw new DomainError('invalid', `${where}: the same target is listed twice`);
      let authHeaderSealed: string | null;
      if (t.authHeader === undefined) authHeaderSealed = previous.find((p) => p.id === id)?.authHeaderSealed ?? null;
      else if (t.authHeader === null || t.authHeader === '') authHeaderSealed = null;
      else {
        if (t.authHeader.length > MAX_AUTH_HEADER || /[\r\n\0]/.test(t.authHeader)) throw new DomainError('invalid', `${where}.authHeader: one line of at most ${MAX_AUTH_HEADER} characters`);
        authHeaderSealed = this.#sealer.seal(t.authHeader, authContext(policyId, id));
      }
      out.push({ id, type: t.type, address: t.address, payloadFormat: format, authHeaderSealed, skipCertVerify: t.skipCertVerify === true });
    }
    return out;
  }

  async #find(project: string, name: string): Promise<WebhookPolicyTable | undefined> {
    return this.#db.selectFrom('webhook_policies').selectAll().where('project', '=', project).where('name', '=', name).executeTakeFirst();
  }

  async #row(project: string, name: string): Promise<WebhookPolicyTable> {
    const row = await this.#find(project, name);
    if (!row) throw new DomainError('not_found', `webhook policy ${name} not found in project ${project}`);
    return row;
  }

  #event(project: string, name: string, action: string, detail?: string) {
    return { resourceType: 'webhook', resource: `${project}/${name}`, action, project, ...(detail !== undefined ? { detail } : {}) };
  }
}

function assertName(name: string): void {
  if (!POLICY_NAME.test(name)) throw new DomainError('invalid', 'name: 1 to 128 letters, digits, `.`, `_` or `-`, starting with a letter or digit');
}

function validDescription(d: string): string {
  if (d.length > 1024) throw new DomainError('invalid', 'description: at most 1024 characters');
  return d;
}

function validEventTypes(types: string[]): WebhookEventType[] {
  if (types.length === 0) throw new DomainError('invalid', 'eventTypes: give at least one (GET /api/v1/webhooks/event-types lists them)');
  const bad = types.filter((t) => !isWebhookEventType(t));
  if (bad.length > 0) throw new DomainError('invalid', `eventTypes: unknown ${bad.map((b) => JSON.stringify(b)).join(', ')} (GET /api/v1/webhooks/event-types lists them)`);
  return [...new Set(types as WebhookEventType[])];
}

function validApplications(apps: string[]): string[] {
  if (apps.length === 0) throw new DomainError('invalid', 'applications: give application names or ["*"] for all of the project');
  if (apps.includes('*')) return ['*'];
  const bad = apps.filter((a) => !APP_NAME.test(a));
  if (bad.length > 0) throw new DomainError('invalid', `applications: invalid names ${bad.map((b) => JSON.stringify(b)).join(', ')}`);
  if (apps.length > 1000) throw new DomainError('invalid', 'applications: at most 1000');
  return [...new Set(apps)];
}

/** Audit detail: targets by type and address only (addresses carry no credentials). */
function describe(row: WebhookPolicyTable): string {
  const targets = (JSON.parse(row.targets) as StoredTarget[]).map((t) => `${t.type} ${t.address}`).join(', ');
  return `events: ${(JSON.parse(row.event_types) as string[]).join(',')}; targets: ${targets}`.slice(0, 500);
}

function publicTarget(t: StoredTarget): WebhookTarget {
  return { id: t.id, type: t.type, address: t.address, payloadFormat: t.payloadFormat, authHeaderSet: t.authHeaderSealed !== null, skipCertVerify: t.skipCertVerify };
}

function toPolicy(row: WebhookPolicyTable): WebhookPolicy {
  return {
    id: row.id,
    project: row.project,
    name: row.name,
    description: row.description,
    eventTypes: JSON.parse(row.event_types) as WebhookEventType[],
    applications: JSON.parse(row.applications) as string[],
    targets: (JSON.parse(row.targets) as StoredTarget[]).map(publicTarget),
    enabled: Number(row.enabled) === 1,
    createdBy: row.created_by,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}
