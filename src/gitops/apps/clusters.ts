/**
 * Clusters applications deploy to, with the credentials Berth uses to reach
 * their API servers. Administrators only. The token and client key are
 * sealed at rest (./credentials.ts); `list()` and `get()` never return
 * secrets; `connection()` opens them, for the delivery engine. The cluster Berth
 * runs in (`in-cluster`, https://kubernetes.default.svc) is implicit: the
 * engine provides it, and its name and URL cannot be registered.
 */
import { z } from 'zod';
import { AccessError, notFound } from '../../access/errors.ts';
import { NO_AUDIT, audited, type AuditContext } from '../../audit/audited.ts';
import type { AuditRecorder } from '../../audit/types.ts';
import type { Db } from '../../platform/db/schema.ts';
import type { Sealer } from '../../platform/secrets/sealer.ts';
import { IN_CLUSTER_NAME, IN_CLUSTER_SERVER } from '../model.ts';
import type { ClusterConnection } from '../types.ts';
import { clusterContext, openStored, sealOrNull } from './credentials.ts';
import { zodMessage } from './policy.ts';

const PEM = (what: string) => z.string().max(65_536).regex(/-----BEGIN [A-Z0-9 ]+-----/, `must be PEM (${what})`);

export const clusterInputSchema = z
  .strictObject({
    name: z
      .string()
      .min(1)
      .max(253)
      .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must be lowercase letters, digits, "-" and ".", starting and ending with a letter or digit'),
    server: z
      .string()
      .max(2048)
      .regex(/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/, 'must be the API server URL, https://host[:port][/path]'),
    bearerToken: z.string().min(1).max(65_536).optional(),
    caData: PEM('CA certificates').optional(),
    clientCertData: PEM('client certificate').optional(),
    clientKeyData: PEM('client private key').optional(),
    insecureSkipTlsVerify: z.boolean().default(false),
  })
  .refine((c) => (c.clientCertData === undefined) === (c.clientKeyData === undefined), 'give clientCertData and clientKeyData together')
  .refine((c) => !(c.insecureSkipTlsVerify && c.caData !== undefined), 'give caData or insecureSkipTlsVerify, not both');

export type ClusterInput = z.input<typeof clusterInputSchema>;

/** A cluster as listed: which credentials it has, never their values. */
export interface ClusterInfo {
  name: string;
  server: string;
  auth: 'token' | 'client-certificate' | 'none';
  hasCaData: boolean;
  insecureSkipTlsVerify: boolean;
  createdBy: string;
  createdAt: number;
}

type Row = {
  name: string;
  server: string;
  bearer_token: string | null;
  ca_data: string | null;
  client_cert_data: string | null;
  client_key_data: string | null;
  insecure_skip_tls_verify: number;
  credentials_sealed: number;
  created_by: string;
  created_at: number;
};

/** The server URL in the form it is compared and stored in: no trailing `/`, lowercase scheme and host. */
export function normalizeServer(server: string): string {
  const m = /^([a-z]+:\/\/)([^/]*)(.*)$/i.exec(server.trim());
  if (!m) return server.trim();
  return `${m[1]!.toLowerCase()}${m[2]!.toLowerCase()}${m[3]!.replace(/\/+$/, '')}`;
}

export interface ClusterStoreOptions {
  /** Whether Berth runs in a cluster, so that `in-cluster` is a valid destination (the engine decides). */
  inCluster?: () => boolean;
}

export class ClusterStore {
  readonly #db: Db;
  readonly #sealer: Sealer;
  readonly #audit: AuditRecorder;
  readonly #inCluster: () => boolean;
  readonly #listeners = new Set<(name: string) => void>();

  constructor(db: Db, sealer: Sealer, audit: AuditRecorder = NO_AUDIT, options: ClusterStoreOptions = {}) {
    this.#db = db;
    this.#sealer = sealer;
    this.#audit = audit;
    this.#inCluster = options.inCluster ?? (() => false);
  }

  async add(input: ClusterInput, actor: AuditContext): Promise<ClusterInfo> {
    const r = clusterInputSchema.safeParse(input);
    if (!r.success) throw new AccessError('BAD_REQUEST', zodMessage(r.error, 'cluster'));
    const c = r.data;
    const server = normalizeServer(c.server);
    if (c.name === IN_CLUSTER_NAME || server === IN_CLUSTER_SERVER) {
      throw new AccessError('BAD_REQUEST', `${IN_CLUSTER_NAME} (${IN_CLUSTER_SERVER}) is the cluster Berth runs in: it is available without registering it`);
    }
    const row: Row = {
      name: c.name,
      server,
      bearer_token: sealOrNull(this.#sealer, c.bearerToken ?? null, clusterContext(c.name, 'bearer_token')),
      ca_data: c.caData ?? null,
      client_cert_data: c.clientCertData ?? null,
      client_key_data: sealOrNull(this.#sealer, c.clientKeyData ?? null, clusterContext(c.name, 'client_key_data')),
      insecure_skip_tls_verify: c.insecureSkipTlsVerify ? 1 : 0,
      credentials_sealed: 1,
      created_by: actor.actor.name,
      created_at: Date.now(),
    };
    await audited(this.#db, this.#audit, actor, { resourceType: 'clusters', resource: `/clusters/${c.name}`, action: 'create', detail: server }, async (trx) => {
      const clash = await trx
        .selectFrom('clusters')
        .select(['name', 'server'])
        .where((eb) => eb.or([eb('name', '=', c.name), eb('server', '=', server)]))
        .executeTakeFirst();
      if (clash) throw new AccessError('CONFLICT', clash.name === c.name ? `cluster ${c.name} already exists` : `server ${server} is already registered as cluster ${clash.name}`);
      await trx.insertInto('clusters').values(row).execute();
    });
    this.#emit(c.name);
    return toInfo(row);
  }

  async list(): Promise<ClusterInfo[]> {
    return (await this.#db.selectFrom('clusters').selectAll().orderBy('name').execute()).map(toInfo);
  }

  async get(name: string): Promise<ClusterInfo | undefined> {
    const row = await this.#db.selectFrom('clusters').selectAll().where('name', '=', name).executeTakeFirst();
    return row && toInfo(row);
  }

  /**
   * How to reach a registered cluster (by name or server URL), secrets
   * included: for the delivery engine only. Undefined for unknown clusters
   * and for `in-cluster`, which the engine provides itself.
   */
  async connection(nameOrServer: string): Promise<ClusterConnection | undefined> {
    const server = normalizeServer(nameOrServer);
    const row = await this.#db
      .selectFrom('clusters')
      .selectAll()
      .where((eb) => eb.or([eb('name', '=', nameOrServer), eb('server', '=', server)]))
      .executeTakeFirst();
    if (!row) return undefined;
    const bearerToken = openStored(this.#sealer, row.bearer_token, row.credentials_sealed, clusterContext(row.name, 'bearer_token'));
    const clientKeyData = openStored(this.#sealer, row.client_key_data, row.credentials_sealed, clusterContext(row.name, 'client_key_data'));
    return {
      name: row.name,
      server: row.server,
      ...(bearerToken !== null ? { bearerToken } : {}),
      ...(row.ca_data !== null ? { caData: row.ca_data } : {}),
      ...(row.client_cert_data !== null ? { clientCertData: row.client_cert_data } : {}),
      ...(clientKeyData !== null ? { clientKeyData } : {}),
      ...(Number(row.insecure_skip_tls_verify) === 1 ? { insecureSkipTlsVerify: true } : {}),
    };
  }

  /** The registered cluster an application destination names (by name or server), `in-cluster` when Berth runs in one. */
  async resolve(dest: { server?: string; name?: string }): Promise<{ name: string; server: string } | undefined> {
    if (dest.name === IN_CLUSTER_NAME || (dest.server !== undefined && normalizeServer(dest.server) === IN_CLUSTER_SERVER)) {
      return this.#inCluster() ? { name: IN_CLUSTER_NAME, server: IN_CLUSTER_SERVER } : undefined;
    }
    let q = this.#db.selectFrom('clusters').select(['name', 'server']);
    if (dest.name !== undefined) q = q.where('name', '=', dest.name);
    else if (dest.server !== undefined) q = q.where('server', '=', normalizeServer(dest.server));
    else return undefined;
    return q.executeTakeFirst();
  }

  /** Removes a cluster; refused while applications deploy to it (by name or server). */
  async remove(name: string, actor: AuditContext): Promise<void> {
    await audited(this.#db, this.#audit, actor, { resourceType: 'clusters', resource: `/clusters/${name}`, action: 'delete' }, async (trx) => {
      const row = await trx.selectFrom('clusters').select(['name', 'server']).where('name', '=', name).executeTakeFirst();
      if (!row) throw notFound(`cluster ${name}`);
      const apps = await trx
        .selectFrom('applications')
        .select('name')
        .where((eb) => eb.or([eb('dest_name', '=', row.name), eb('dest_server', '=', row.server)]))
        .orderBy('name')
        .limit(11)
        .execute();
      if (apps.length > 0) {
        const names = apps.slice(0, 10).map((a) => a.name).join(', ');
        throw new AccessError('PRECONDITION_FAILED', `cluster ${name} is the destination of applications ${names}${apps.length > 10 ? ', …' : ''}: delete them or change their destination first`);
      }
      await trx.deleteFrom('clusters').where('name', '=', name).execute();
    });
    this.#emit(name);
  }

  /** Called after a cluster was added or removed (committed). */
  onChange(listener: (name: string) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #emit(name: string): void {
    for (const l of this.#listeners) l(name);
  }
}

function toInfo(r: Row): ClusterInfo {
  return {
    name: r.name,
    server: r.server,
    auth: r.bearer_token !== null ? 'token' : r.client_cert_data !== null ? 'client-certificate' : 'none',
    hasCaData: r.ca_data !== null,
    insecureSkipTlsVerify: Number(r.insecure_skip_tls_verify) === 1,
    createdBy: r.created_by,
    createdAt: Number(r.created_at),
  };
}
