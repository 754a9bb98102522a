/** Table types of browser sessions and OIDC sign-in (migration 0004-oidc). */

/** A browser session: only a SHA-256 of the cookie value is stored. */
export interface SessionTable {
  id_hash: string;
  username: string;
  /** The account's created_at when the session began: a re-created account of the same name does not inherit it. */
  user_created_at: number;
  created_at: number;
  expires_at: number;
}

/** A sign-in in progress: single use, expires after 10 minutes. */
export interface OidcLoginTable {
  /** SHA-256 of the `state` parameter. */
  state_hash: string;
  nonce: string;
  /** PKCE verifier; the provider only ever saw its S256 challenge. */
  code_verifier: string;
  /** Same-origin path to return to. */
  redirect: string;
  /** The CLI session this sign-in completes, if started by `berth login`. */
  cli_session: string | null;
  created_at: number;
  expires_at: number;
}

/** A CLI sign-in waiting for its browser half. */
export interface OidcCliSessionTable {
  id: string;
  secret_hash: string;
  status: 'pending' | 'complete';
  username: string | null;
  created_at: number;
  expires_at: number;
  completed_at: number | null;
}
