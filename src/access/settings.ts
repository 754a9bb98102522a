/** System settings stored in the database, with typed defaults. */
import { NO_AUDIT, audited, type AuditContext } from '../audit/audited.ts';
import type { AuditRecorder } from '../audit/types.ts';
import type { Db } from '../platform/db/schema.ts';
import { AccessError } from './errors.ts';

export interface Settings {
  /** Who may create projects: administrators only, or every signed-in user. */
  projectCreation: 'adminOnly' | 'everyone';
}

const DEFAULTS: Settings = { projectCreation: 'adminOnly' };

export class SettingsService {
  readonly #db: Db;
  readonly #audit: AuditRecorder;
  constructor(db: Db, audit: AuditRecorder = NO_AUDIT) {
    this.#db = db;
    this.#audit = audit;
  }

  async get(): Promise<Settings> {
    const rows = await this.#db.selectFrom('settings').selectAll().execute();
    const stored = Object.fromEntries(rows.map((r) => [r.key, JSON.parse(r.value) as unknown]));
    return { ...DEFAULTS, ...(stored as Partial<Settings>) };
  }

  /** The audit record names the changed keys only: settings may hold secrets one day. */
  async update(changes: Partial<Settings>, ctx?: AuditContext): Promise<Settings> {
    if (changes.projectCreation !== undefined && !['adminOnly', 'everyone'].includes(changes.projectCreation)) {
      throw new AccessError('BAD_REQUEST', 'projectCreation is adminOnly or everyone');
    }
    const keys = Object.keys(changes).filter((k) => changes[k as keyof Settings] !== undefined);
    await audited(this.#db, this.#audit, ctx, { resourceType: 'config', resource: 'settings', action: 'update', detail: keys.join(',') }, async (trx) => {
      for (const [key, value] of Object.entries(changes)) {
        if (value === undefined) continue;
        await trx
          .insertInto('settings')
          .values({ key, value: JSON.stringify(value) })
          .onConflict((oc) => oc.column('key').doUpdateSet({ value: JSON.stringify(value) }))
          .execute();
      }
    });
    return this.get();
  }
}
