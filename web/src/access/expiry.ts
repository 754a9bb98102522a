/** Expiry state of a robot or token: the warning starts 7 days before. */
export const WARN_DAYS = 7;

export function expiryState(expiresAt: number | null, now = Date.now()): 'never' | 'ok' | 'expiring' | 'expired' {
  if (expiresAt === null || expiresAt <= 0) return 'never';
  if (expiresAt <= now) return 'expired';
  return expiresAt - now <= WARN_DAYS * 86_400_000 ? 'expiring' : 'ok';
}
