/**
 * A project's delivery policy (Argo CD's AppProject spec): which source
 * repositories, destinations and resource kinds its applications may use,
 * and where it is stored. A project without a policy holds no applications.
 *
 * Patterns are globs: `*` matches any run of characters (`/` included, as
 * in Argo CD for repositories and servers), `?` one character; a pattern
 * starting with `!` denies what it matches and wins over every allow.
 */
import type { z } from 'zod';
import { AccessError, notFound } from '../../access/errors.ts';
import { NO_AUDIT, audited, type AuditContext } from '../../audit/audited.ts';
import type { AuditRecorder } from '../../audit/types.ts';
import type { Db } from '../../platform/db/schema.ts';
import { deliveryPolicySchema, type ApplicationSpec, type DeliveryPolicy } from '../model.ts';
import { normalizeRepoUrl } from './repositories.ts';

const globCache = new Map<string, RegExp>();

/** Whether `text` matches the glob `pattern` (whole string, case-sensitive). */
export function globMatch(pattern: string, text: string): boolean {
  let re = globCache.get(pattern);
  if (!re) {
    const body = [...pattern].map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[\\^$.|+()[\]{}]/g, '\\$&'))).join('');
    re = new RegExp(`^${body}$`, 's');
    if (globCache.size > 1000) globCache.clear();
    globCache.set(pattern, re);
  }
  return re.test(text);
}

/** Allow/deny list semantics: some allow pattern matches and no `!` pattern does. */
function listAllows(patterns: readonly string[], text: string, normalize: (s: string) => string = (s) => s): boolean {
  let allowed = false;
  for (const p of patterns) {
    if (p.startsWith('!')) {
      if (globMatch(normalize(p.slice(1)), text)) return false;
    } else if (globMatch(normalize(p), text)) allowed = true;
  }
  return allowed;
}

/** Normalizes a repository pattern like a URL, leaving `*` alone (`*` itself stays `*`). */
function normalizePattern(p: string): string {
  return p === '*' ? p : normalizeRepoUrl(p);
}

export function sourceRepoAllowed(policy: DeliveryPolicy, repoURL: string): boolean {
  return listAllows(policy.sourceRepos, normalizeRepoUrl(repoURL), normalizePattern);
}

/** A destination resolved to its registered cluster. */
export interface ResolvedDestination {
  name: string;
  server: string;
  namespace: string;
}

/**
 * Argo CD's rule: some entry matches the cluster (its `server` glob and/or
 * its `name` glob; an entry with neither matches nothing) and the namespace
 * glob. A `!`-prefixed server, name or namespace in a matching entry denies.
 */
export function destinationAllowed(policy: DeliveryPolicy, dest: ResolvedDestination): boolean {
  let allowed = false;
  for (const d of policy.destinations) {
    if (d.server === undefined && d.name === undefined) continue;
    const deny = [d.server, d.name, d.namespace].some((p) => p?.startsWith('!'));
    const strip = (p: string) => (p.startsWith('!') ? p.slice(1) : p);
    const matches =
      (d.server === undefined || globMatch(strip(d.server), dest.server)) &&
      (d.name === undefined || globMatch(strip(d.name), dest.name)) &&
      globMatch(strip(d.namespace), dest.namespace);
    if (!matches) continue;
    if (deny) return false;
    allowed = true;
  }
  return allowed;
}

const groupKindMatches = (e: { group: string; kind: string }, group: string, kind: string) => globMatch(e.group, group) && globMatch(e.kind, kind);

/**
 * Whether an application of this project may manage objects of
 * `group`/`kind` (Argo CD's semantics): cluster-scoped kinds only when a
 * clusterResourceWhitelist entry matches and no blacklist entry does;
 * namespaced kinds unless a namespaceResourceBlacklist entry matches, or a
 * namespaceResourceWhitelist is given (even empty) and no entry matches.
 * `group` is '' for the core group; entries take `*` wildcards.
 */
export function resourceAllowed(policy: DeliveryPolicy, group: string, kind: string, namespaced: boolean): boolean {
  if (namespaced) {
    if (policy.namespaceResourceBlacklist.some((e) => groupKindMatches(e, group, kind))) return false;
    return policy.namespaceResourceWhitelist === undefined || policy.namespaceResourceWhitelist.some((e) => groupKindMatches(e, group, kind));
  }
  if (policy.clusterResourceBlacklist.some((e) => groupKindMatches(e, group, kind))) return false;
  return policy.clusterResourceWhitelist.some((e) => groupKindMatches(e, group, kind));
}

/** How an application's destination resolves to a registered cluster. */
export type DestinationResolver = (dest: { server?: string; name?: string }) => Promise<{ name: string; server: string } | undefined>;

/**
 * Checks an application spec against its project's policy: throws an
 * AccessError naming what is refused and how to fix it.
 */
export async function checkApplication(policy: DeliveryPolicy | undefined, spec: ApplicationSpec, resolve: DestinationResolver): Promise<ResolvedDestination> {
  if (!policy) throw noPolicy(spec.project);
  if (!sourceRepoAllowed(policy, spec.source.repoURL)) {
    throw new AccessError(
      'FORBIDDEN',
      `the delivery policy of project ${spec.project} does not allow source repository ${spec.source.repoURL} (sourceRepos: ${policy.sourceRepos.join(', ') || 'none'})`,
    );
  }
  const cluster = await resolve(spec.destination);
  const wanted = spec.destination.name !== undefined ? `cluster ${spec.destination.name}` : `server ${spec.destination.server ?? ''}`;
  if (!cluster) throw new AccessError('BAD_REQUEST', `destination ${wanted} is not a registered cluster: an administrator registers it with berth cluster add (POST /api/v1/clusters)`);
  const dest = { ...cluster, namespace: spec.destination.namespace };
  if (!destinationAllowed(policy, dest)) {
    throw new AccessError(
      'FORBIDDEN',
      `the delivery policy of project ${spec.project} does not allow destination ${cluster.name} (${cluster.server}) namespace ${JSON.stringify(dest.namespace)}`,
    );
  }
  return dest;
}

export function noPolicy(project: string): AccessError {
  return new AccessError(
    'PRECONDITION_FAILED',
    `project ${project} has no delivery policy, so it cannot hold applications: a project administrator sets one with berth project delivery set ${project} -f policy.yaml (PUT /api/v1/projects/${project}/delivery) or an AppProject document`,
  );
}

/** Parses a policy, naming the field on error. */
export function parsePolicy(input: unknown, where = 'spec'): DeliveryPolicy {
  const r = deliveryPolicySchema.safeParse(input);
  if (r.success) return r.data;
  throw new AccessError('BAD_REQUEST', zodMessage(r.error, where));
}

/** `where.path: message; …` for a zod error. */
export function zodMessage(error: z.ZodError, where: string): string {
  return error.issues.map((i) => `${[where, ...i.path].join('.')}: ${i.message}`).join('; ');
}

export interface StoredPolicy {
  project: string;
  policy: DeliveryPolicy;
  updatedBy: string;
  updatedAt: number;
}

/** Delivery policies, one per project (deleted with the project). */
export class DeliveryPolicyStore {
  readonly #db: Db;
  readonly #audit: AuditRecorder;
  readonly #listeners = new Set<(project: string) => void>();

  constructor(db: Db, audit: AuditRecorder = NO_AUDIT) {
    this.#db = db;
    this.#audit = audit;
  }

  async get(project: string): Promise<DeliveryPolicy | undefined> {
    return (await this.getStored(project))?.policy;
  }

  async getStored(project: string): Promise<StoredPolicy | undefined> {
    const row = await this.#db.selectFrom('delivery_policies').selectAll().where('project', '=', project).executeTakeFirst();
    if (!row) return undefined;
    return { project, policy: deliveryPolicySchema.parse(JSON.parse(row.policy)), updatedBy: row.updated_by, updatedAt: Number(row.updated_at) };
  }

  /**
   * Sets (creates or replaces) a project's policy. Applications already in
   * the project are not re-checked here; the sync engine checks resources
   * with resourceAllowed at every sync.
   */
  async set(project: string, input: unknown, actor: AuditContext): Promise<StoredPolicy> {
    const policy = parsePolicy(input);
    const exists = await this.#db.selectFrom('projects').select('name').where('name', '=', project).executeTakeFirst();
    if (!exists) throw notFound(`project ${project}`);
    const now = Date.now();
    const row = { project, policy: JSON.stringify(policy), updated_by: actor.actor.name, updated_at: now };
    await audited(this.#db, this.#audit, actor, { resourceType: 'delivery-policy', resource: project, action: 'update', project }, (trx) =>
      trx
        .insertInto('delivery_policies')
        .values(row)
        .onConflict((oc) => oc.column('project').doUpdateSet({ policy: row.policy, updated_by: row.updated_by, updated_at: row.updated_at }))
        .execute(),
    );
    for (const l of this.#listeners) l(project);
    return { project, policy, updatedBy: row.updated_by, updatedAt: now };
  }

  /** Called after a policy changed (committed). */
  onChange(listener: (project: string) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
