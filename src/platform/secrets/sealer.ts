/**
 * Secrets stored at rest sealed with AES-256-GCM (webhook signing secrets and
 * auth headers, cluster tokens and client keys, Git passwords and SSH keys). The key comes from the `secretKey`
 * option when set, so a copy of the database alone reveals nothing; without
 * it Berth generates one key and keeps it in the `sealing_keys` table, which
 * keeps secrets out of logs, dumps of single tables and API answers, and is
 * shared by every process on the database.
 *
 * A sealed value names its key (`v1.<keyId>.<iv>.<ciphertext+tag>`) and is
 * bound to a context string (e.g. the policy id) as associated data, so a
 * sealed value copied to another row does not open.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';

const DB_KEY_ID = 'db1';

export class SealError extends Error {}

export class Sealer {
  readonly #keyId: string;
  readonly #key: Buffer;

  private constructor(keyId: string, key: Buffer) {
    this.#keyId = keyId;
    this.#key = key;
  }

  /** A sealer keyed by `configuredKey` when given, else by the database's generated key. */
  static async open(db: Kysely<Database>, configuredKey?: string): Promise<Sealer> {
    if (configuredKey !== undefined) {
      const key = createHash('sha256').update(`berth-sealing-key:${configuredKey}`).digest();
      // The id names the key without revealing it: a changed key gives a clear error, not garbage.
      return new Sealer(`c${createHash('sha256').update(key).digest('hex').slice(0, 8)}`, key);
    }
    await db
      .insertInto('sealing_keys')
      .values({ id: DB_KEY_ID, key: randomBytes(32).toString('base64url'), created_at: Date.now() })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
    const row = await db.selectFrom('sealing_keys').select('key').where('id', '=', DB_KEY_ID).executeTakeFirstOrThrow();
    return new Sealer(DB_KEY_ID, Buffer.from(row.key, 'base64url'));
  }

  seal(plaintext: string, context: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    cipher.setAAD(Buffer.from(context));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return ['v1', this.#keyId, iv.toString('base64url'), body.toString('base64url')].join('.');
  }

  open(sealed: string, context: string): string {
    const [version, keyId, iv, body] = sealed.split('.');
    if (version !== 'v1' || !keyId || !iv || !body) throw new SealError('not a sealed value');
    if (keyId !== this.#keyId) throw new SealError(`sealed with key ${keyId}, but the current key is ${this.#keyId} (was secretKey changed?)`);
    const bytes = Buffer.from(body, 'base64url');
    if (bytes.length < 16) throw new SealError('sealed value is truncated');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(context));
      decipher.setAuthTag(bytes.subarray(bytes.length - 16));
      return Buffer.concat([decipher.update(bytes.subarray(0, bytes.length - 16)), decipher.final()]).toString('utf8');
    } catch {
      throw new SealError('sealed value does not open with this key and context');
    }
  }
}
