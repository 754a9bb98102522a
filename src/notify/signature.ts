/**
 * Delivery signatures. Each delivery carries
 *
 *   X-Berth-Signature: sha256=<hex HMAC-SHA256(secret, body)>
 *   X-Berth-Timestamp: <epoch seconds of this attempt>
 *   X-Berth-Signature-Timestamped: sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>
 *
 * The first is GitHub's scheme (tools that verify GitHub webhooks verify it
 * as they are); the second also binds the time, so a receiver that refuses
 * old timestamps refuses replays. The secret is the policy's signing secret
 * as shown at creation, used as UTF-8 bytes.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-berth-signature';
export const TIMESTAMP_HEADER = 'x-berth-timestamp';
export const TIMESTAMPED_SIGNATURE_HEADER = 'x-berth-signature-timestamped';

export function sign(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export function signatureHeaders(secret: string, body: string, nowMs: number = Date.now()): Record<string, string> {
  const timestamp = String(Math.floor(nowMs / 1000));
  return {
    [SIGNATURE_HEADER]: sign(secret, body),
    [TIMESTAMP_HEADER]: timestamp,
    [TIMESTAMPED_SIGNATURE_HEADER]: sign(secret, `${timestamp}.${body}`),
  };
}

/** Constant-time check of a signature header against the body (for receivers and tests). */
export function verifySignature(secret: string, body: string, header: string | undefined): boolean {
  if (header === undefined) return false;
  const expected = Buffer.from(sign(secret, body));
  const given = Buffer.from(header);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
