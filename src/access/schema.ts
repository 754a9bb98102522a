/** Table types of identity and access (migrations 0001-registry, 0002-access). Imports nothing: src/platform/db/schema.ts combines them into `Database`. */
import type { Generated } from 'kysely';

export interface UserTable {
  username: string;
  /** scrypt hash; `!` for accounts that cannot sign in with a password (OIDC). */
  password_hash: string;
  is_admin: Generated<number>;
  created_at: number;
  email: string | null;
  source: Generated<'local' | 'oidc'>;
  oidc_subject: string | null;
  disabled: Generated<number>;
  updated_at: number | null;
}

export interface SigningKeyTable {
  kid: string;
  private_jwk: string;
  created_at: number;
  retired_at: number | null;
}

export interface UserGroupTable {
  username: string;
  group_name: string;
}

export interface ProjectTable {
  name: string;
  public: number;
  created_by: string;
  created_at: number;
  updated_at: number;
  /** Migration 0014: Harbor's metadata `auto_scan`, 1 scans every push (src/supply-chain/scanning). */
  auto_scan: Generated<number>;
  /** Migration 0014: Harbor's metadata `auto_sbom_generation`, 1 attaches a CycloneDX SBOM after each scan. */
  auto_sbom_generation: Generated<number>;
}

export interface ProjectMemberTable {
  project: string;
  member_kind: 'user' | 'group';
  member_name: string;
  role: string;
  created_at: number;
}

export interface RobotTable {
  name: string;
  level: 'system' | 'project';
  project: string | null;
  description: string;
  secret_hash: string;
  disabled: number;
  expires_at: number | null;
  created_by: string;
  created_at: number;
  updated_at: number;
  /** The last expiry notice recorded (7 or 1 days ahead), to record each once. */
  expiry_notice_days: number | null;
}

export interface RobotPermissionTable {
  robot: string;
  /** A project name, or `*` for every project (system robots). */
  namespace: string;
  resource: string;
  action: string;
}

export interface ApiTokenTable {
  id: string;
  username: string;
  name: string;
  secret_hash: string;
  created_at: number;
  expires_at: number | null;
  last_used_at: number | null;
}

export interface SettingTable {
  key: string;
  value: string;
}

/** Login throttling (migration 0009-login-throttle, src/access/throttle.ts). */
export interface LoginThrottleTable {
  /** SHA-256 hex of the account, the account and address, or the address. */
  key: string;
  failures: number;
  window_start: number;
  locked_until: number;
  /** Pair rows: a successful sign-in from this address until then exempts it from the address lock. */
  known_until: number;
  updated_at: number;
}
