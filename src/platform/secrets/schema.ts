/** Table types of sealed secrets (migration 0008-webhooks). */

/** A key that seals secrets at rest when no `secretKey` is configured. */
export interface SealingKeyTable {
  id: string;
  /** 32 random bytes, base64url. */
  key: string;
  created_at: number;
}
