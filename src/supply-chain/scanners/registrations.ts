/**
 * External scanner registrations: administrators register Pluggable Scanner
 * API adapters (Berth asks each for its metadata before storing it, as
 * Harbor's "test connection" does), mark one as the default, and point
 * projects at one. `engineFor(project)` answers the project's external
 * engine, or undefined when the project uses Berth's own scanner.
 * Credentials are sealed at rest and never returned.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { DomainError } from '../../core/errors.ts';
import { audited, type AuditContext } from '../../audit/audited.ts';
import type { AuditRecorder } from '../../audit/types.ts';
import type { AccessServices } from '../../access/services.ts';
import { assertProjectName } from '../../access/projects.ts';
import type { Database, Db } from '../../platform/db/schema.ts';
import type { Sealer } from '../../platform/secrets/sealer.ts';
import type { Registry } from '../../registry/registry.ts';
import type { ScannerRegistrationTable } from '../schema.ts';
import { ADAPTER_AUTHS, fetchMetadata, type AdapterAuth, type AdapterEndpoint } from './adapter-client.ts';
import { ExternalScanEngine, type ExternalEngineOptions, type ScanEngine } from './engine.ts';
import type { ScannerMetadata } from './spec.ts';

export interface ScannerRegistration {
  id: string;
  name: string;
  url: string;
  description: string;
  auth: AdapterAuth;
  hasCredential: boolean;
  isDefault: boolean;
  disabled: boolean;
  metadata: ScannerMetadata | null;
  createdBy: string;
  createdAt: number;
  updatedAt: number;
}

export interface ScannerInput {
  name: string;
  url: string;
  description?: string;
  auth?: AdapterAuth;
  credential?: string;
  isDefault?: boolean;
  disabled?: boolean;
}

const NAME = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
/** The system robot whose short-lived tokens external adapters pull with. */
export const SCANNER_ROBOT = 'berth-scanner';
const SEAL_CONTEXT = (id: string) => `scanner-registration:${id}`;

function invalid(message: string): DomainError {
  return new DomainError('invalid', message);
}

export function assertAdapterUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid(`invalid scanner URL ${JSON.stringify(url.slice(0, 100))}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw invalid('a scanner URL is http:// or https://');
  if (parsed.username !== '' || parsed.password !== '') throw invalid('a scanner URL carries no credentials: give them as auth and credential');
  if (parsed.search !== '' || parsed.hash !== '') throw invalid('a scanner URL has no query or fragment');
}

export class ScannerRegistrations {
  readonly #db: Db;
  readonly #sealer: Sealer;
  readonly #audit: AuditRecorder;
  readonly #access: AccessServices;
  readonly #options: ExternalEngineOptions & { registryUrl: string };
  readonly #registry: Registry;

  constructor(db: Db, registry: Registry, sealer: Sealer, audit: AuditRecorder, access: AccessServices, options: ExternalEngineOptions & { registryUrl: string }) {
    this.#db = db;
    this.#registry = registry;
    this.#sealer = sealer;
    this.#audit = audit;
    this.#access = access;
    this.#options = options;
  }

  #toApi(row: ScannerRegistrationTable): ScannerRegistration {
    return {
      id: row.id,
      name: row.name,
      url: row.url,
      description: row.description,
      auth: row.auth as AdapterAuth,
      hasCredential: row.credential_sealed !== null,
      isDefault: Number(row.is_default) === 1,
      disabled: Number(row.disabled) === 1,
      metadata: row.metadata === null ? null : (JSON.parse(row.metadata) as ScannerMetadata),
      createdBy: row.created_by,
      createdAt: Number(row.created_at),
      updatedAt: Number(row.updated_at),
    };
  }

  async #row(idOrName: string): Promise<ScannerRegistrationTable | undefined> {
    if (idOrName.length > 255) return undefined;
    return this.#db.selectFrom('scanner_registrations').selectAll().where((eb) => eb.or([eb('id', '=', idOrName), eb('name', '=', idOrName)])).executeTakeFirst();
  }

  async list(): Promise<ScannerRegistration[]> {
    const rows = await this.#db.selectFrom('scanner_registrations').selectAll().orderBy('name').execute();
    return rows.map((r) => this.#toApi(r));
  }

  async get(idOrName: string): Promise<ScannerRegistration> {
    const row = await this.#row(idOrName);
    if (!row) throw new DomainError('not_found', `scanner ${idOrName} not found`);
    return this.#toApi(row);
  }

  #endpoint(row: Pick<ScannerRegistrationTable, 'id' | 'url' | 'auth' | 'credential_sealed'>): AdapterEndpoint {
    return {
      url: row.url,
      auth: row.auth as AdapterAuth,
      ...(row.credential_sealed !== null ? { credential: this.#sealer.open(row.credential_sealed, SEAL_CONTEXT(row.id)) } : {}),
    };
  }

  /** Registers an adapter after asking it for its metadata (an adapter that does not answer is refused). */
  async create(input: ScannerInput, createdBy: string, ctx?: AuditContext): Promise<ScannerRegistration> {
    if (!NAME.test(input.name) || input.name.length > 255) throw invalid(`invalid scanner name ${JSON.stringify(input.name.slice(0, 80))}: lowercase [a-z0-9] joined by '.', '_' or '-'`);
    assertAdapterUrl(input.url);
    const auth = input.auth ?? 'none';
    if (!ADAPTER_AUTHS.includes(auth)) throw invalid(`auth is one of ${ADAPTER_AUTHS.join(', ')}`);
    if (auth !== 'none' && !input.credential) throw invalid(`auth ${auth} needs a credential`);
    if (auth === 'none' && input.credential) throw invalid('a credential needs an auth scheme');
    if (await this.#row(input.name)) throw new DomainError('conflict', `scanner ${input.name} already exists`);
    const id = randomUUID();
    const metadata = await fetchMetadata({ url: input.url, auth, ...(input.credential ? { credential: input.credential } : {}) }, this.#options).catch((err: unknown) => {
      throw invalid(`the adapter did not answer its metadata: ${(err as Error).message}`);
    });
    if (!metadata.capabilities.some((c) => (c.type ?? 'vulnerability') === 'vulnerability')) throw invalid('the adapter has no vulnerability capability');
    const now = Date.now();
    await audited(this.#db, this.#audit, ctx, { resourceType: 'scanner', resource: input.name, action: 'create', detail: `${input.url} (${metadata.scanner.name} ${metadata.scanner.version})` }, async (trx) => {
      if (input.isDefault) await trx.updateTable('scanner_registrations').set({ is_default: 0, updated_at: now }).where('is_default', '=', 1).execute();
      await trx
        .insertInto('scanner_registrations')
        .values({
          id,
          name: input.name,
          url: input.url.replace(/\/+$/, ''),
          description: input.description ?? '',
          auth,
          credential_sealed: input.credential ? this.#sealer.seal(input.credential, SEAL_CONTEXT(id)) : null,
          is_default: input.isDefault ? 1 : 0,
          disabled: input.disabled ? 1 : 0,
          metadata: JSON.stringify(metadata),
          created_by: createdBy,
          created_at: now,
          updated_at: now,
        })
        .execute();
    });
    return this.get(id);
  }

  /**
   * Changes a registration. A new URL, scheme or credential is tried first
   * (the adapter must answer its metadata with them); the stored metadata is
   * refreshed on every update, so an update without changes re-reads it.
   */
  async update(idOrName: string, patch: Partial<Omit<ScannerInput, 'name' | 'isDefault' | 'credential'>> & { credential?: string | null }, ctx?: AuditContext): Promise<ScannerRegistration> {
    const row = await this.#row(idOrName);
    if (!row) throw new DomainError('not_found', `scanner ${idOrName} not found`);
    const url = patch.url ?? row.url;
    assertAdapterUrl(url);
    const auth = patch.auth ?? (row.auth as AdapterAuth);
    if (!ADAPTER_AUTHS.includes(auth)) throw invalid(`auth is one of ${ADAPTER_AUTHS.join(', ')}`);
    const credential = patch.credential === null ? undefined : (patch.credential ?? this.#endpoint(row).credential);
    if (auth !== 'none' && !credential) throw invalid(`auth ${auth} needs a credential`);
    if (auth === 'none' && credential) throw invalid('a credential needs an auth scheme (or credential null to drop it)');
    const metadata = await fetchMetadata({ url, auth, ...(credential ? { credential } : {}) }, this.#options).catch((err: unknown) => {
      throw invalid(`the adapter did not answer its metadata: ${(err as Error).message}`);
    });
    const changed = Object.keys(patch).filter((k) => k !== 'credential').join(', ') + (patch.credential !== undefined ? `${Object.keys(patch).length > 1 ? ', ' : ''}credential` : '');
    await audited(this.#db, this.#audit, ctx, { resourceType: 'scanner', resource: row.name, action: 'update', detail: changed || 'metadata refreshed' }, async (trx) => {
      await trx
        .updateTable('scanner_registrations')
        .set({
          url: url.replace(/\/+$/, ''),
          auth,
          credential_sealed: credential ? this.#sealer.seal(credential, SEAL_CONTEXT(row.id)) : null,
          ...(patch.description !== undefined ? { description: patch.description } : {}),
          ...(patch.disabled !== undefined ? { disabled: patch.disabled ? 1 : 0 } : {}),
          metadata: JSON.stringify(metadata),
          updated_at: Date.now(),
        })
        .where('id', '=', row.id)
        .execute();
    });
    return this.get(row.id);
  }

  async remove(idOrName: string, ctx?: AuditContext): Promise<void> {
    const row = await this.#row(idOrName);
    if (!row) throw new DomainError('not_found', `scanner ${idOrName} not found`);
    await audited(this.#db, this.#audit, ctx, { resourceType: 'scanner', resource: row.name, action: 'delete' }, async (trx) => {
      await trx.deleteFrom('project_scanners').where('scanner_id', '=', row.id).execute();
      await trx.deleteFrom('scanner_registrations').where('id', '=', row.id).execute();
    });
  }

  /** Makes a registration the default (or none, with undefined) for projects without their own choice. */
  async setDefault(idOrName: string | undefined, ctx?: AuditContext): Promise<void> {
    const row = idOrName === undefined ? undefined : await this.#row(idOrName);
    if (idOrName !== undefined && !row) throw new DomainError('not_found', `scanner ${idOrName} not found`);
    const now = Date.now();
    await audited(this.#db, this.#audit, ctx, { resourceType: 'scanner', resource: row?.name ?? 'berth', action: 'update', detail: 'default scanner' }, async (trx) => {
      await trx.updateTable('scanner_registrations').set({ is_default: 0, updated_at: now }).where('is_default', '=', 1).execute();
      if (row) await trx.updateTable('scanner_registrations').set({ is_default: 1, updated_at: now }).where('id', '=', row.id).execute();
    });
  }

  /**
   * Points a project at a registration, or back to the default with
   * undefined. The project must exist (its foreign key says so too).
   */
  async setProjectScanner(project: string, idOrName: string | undefined, ctx?: AuditContext): Promise<void> {
    assertProjectName(project);
    await this.#access.projects.get(project);
    const row = idOrName === undefined ? undefined : await this.#row(idOrName);
    if (idOrName !== undefined && !row) throw new DomainError('not_found', `scanner ${idOrName} not found`);
    const now = Date.now();
    await audited(this.#db, this.#audit, ctx, { resourceType: 'scanner', resource: row?.name ?? 'default', action: 'update', project, detail: `project ${project} scanner` }, async (trx: Transaction<Database>) => {
      await trx.deleteFrom('project_scanners').where('project', '=', project).execute();
      if (row) await trx.insertInto('project_scanners').values({ project, scanner_id: row.id, updated_at: now }).execute();
    });
  }

  /** The registration a project scans with: its own choice, else the default; undefined = Berth's own scanner. */
  async projectScanner(project: string, db: Kysely<Database> = this.#db): Promise<{ registration: ScannerRegistration | undefined; explicit: boolean }> {
    const own = await db
      .selectFrom('project_scanners as p')
      .innerJoin('scanner_registrations as s', 's.id', 'p.scanner_id')
      .selectAll('s')
      .where('p.project', '=', project)
      .executeTakeFirst();
    if (own) return { registration: this.#toApi(own), explicit: true };
    const fallback = await db.selectFrom('scanner_registrations').selectAll().where('is_default', '=', 1).executeTakeFirst();
    return { registration: fallback ? this.#toApi(fallback) : undefined, explicit: false };
  }

  /** The external engine for a project, or undefined when Berth's own scanner is used. */
  async engineFor(project: string): Promise<ScanEngine | undefined> {
    const { registration } = await this.projectScanner(project);
    if (!registration) return undefined;
    if (registration.disabled) throw new DomainError('precondition_failed', `scanner ${registration.name} of project ${project} is disabled`);
    const row = (await this.#row(registration.id))!;
    const scanner = registration.metadata?.scanner ?? { name: registration.name, vendor: 'unknown', version: 'unknown' };
    const consumes = (registration.metadata?.capabilities ?? []).filter((c) => (c.type ?? 'vulnerability') === 'vulnerability').flatMap((c) => c.consumes_mime_types);
    return new ExternalScanEngine({ name: registration.name, scanner, consumes }, this.#endpoint(row), this.#options, {
      registryUrl: this.#options.registryUrl,
      pullAuthorization: (repository) => this.pullAuthorization(repository),
      indexChildren: (repository, digest) => this.#indexChildren(repository, digest),
    });
  }

  /** Image manifests of an index, without attestation manifests (buildx marks them by annotation, platform unknown/unknown). */
  async #indexChildren(repository: string, digest: string): Promise<{ digest: string; mediaType: string }[]> {
    const stored = await this.#registry.getManifest(repository, digest);
    const index = JSON.parse(Buffer.from(stored.content).toString('utf8')) as { manifests?: { digest?: unknown; mediaType?: unknown; platform?: { os?: unknown }; annotations?: Record<string, string> }[] };
    return (index.manifests ?? [])
      .filter((m) => typeof m.digest === 'string' && typeof m.mediaType === 'string')
      .filter((m) => m.annotations?.['vnd.docker.reference.type'] !== 'attestation-manifest' && m.platform?.os !== 'unknown')
      .map((m) => ({ digest: m.digest as string, mediaType: m.mediaType as string }));
  }

  /**
   * `Bearer <token>` for pulling one repository, from the token service,
   * as Berth's scanner robot (created on first use: a system robot that may
   * pull, so the /v2 gate's account check passes; the token itself grants
   * only this repository and lives tokenTtlSeconds).
   */
  async pullAuthorization(repository: string): Promise<string> {
    const robots = this.#access.robots;
    const fullName = `robot$${SCANNER_ROBOT}`;
    if (!(await robots.isActive(fullName))) {
      try {
        await robots.create(
          { name: SCANNER_ROBOT, level: 'system', description: 'Berth: pulls images for external scanner adapters (short-lived tokens per repository)', duration: -1, permissions: [{ namespace: '*', access: [{ resource: 'repository', action: 'pull' }] }] },
          'berth',
          () => Promise.resolve(true),
        );
        this.#access.identity.invalidateAccounts();
      } catch (err) {
        // Another process created it meanwhile; a disabled one is the administrator's choice.
        if (!(err instanceof DomainError && err.kind === 'conflict')) throw err;
        if (!(await robots.isActive(fullName))) throw new DomainError('precondition_failed', `robot ${fullName} is disabled or expired: external scanners cannot pull`);
      }
    }
    const { token } = await this.#access.tokens.issue({ kind: 'robot', name: fullName, admin: false }, [{ type: 'repository', name: repository, actions: ['pull'] }]);
    return `Bearer ${token}`;
  }
}
