/** System settings stored in the database, with typed defaults. */
import type { Db } from '../db/schema.ts';
import { AccessError } from './errors.ts';

export interface Settings {
  /** Who may create projects: administrators only, or every signed-in user. */
  projectCreation: 'adminOnly' | 'everyone';
}

const DEFAULTS: Settings = { projectCreation: 'adminOnly' };

export class SettingsService {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  async get(): Promise<Settings> {
    const rows = await this.#db.selectFrom('settings').selectAll().execute();
    const stored = Object.fromEntries(rows.map((r) => [r.key, JSON.parse(r.value) as unknown]));
    return { ...DEFAULTS, ...(stored as Partial<Settings>) };
  }

  async update(changes: Partial<Settings>): Promise<Settings> {
    if (changes.projectCreation !== undefined && !['adminOnly', 'everyone'].includes(changes.projectCreation)) {
      throw new AccessError('BAD_REQUEST', 'projectCreation is adminOnly or everyone');
    }
    await this.#db.transaction().execute(async (trx) => {
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
