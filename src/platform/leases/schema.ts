/** Table types of coordination between processes (migration 0007-leases). */

/** A named lease: held by `owner` until `expires_at` (epoch ms). */
export interface LeaseTable {
  name: string;
  /** The holding process instance (see instanceId()). */
  owner: string;
  /** Fencing token: grows by one each time the lease changes hands. */
  token: number;
  acquired_at: number;
  expires_at: number;
}
