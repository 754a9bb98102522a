/**
 * GitError: what a failed repository operation tells users. The message is
 * meant to be shown as is (application conditions, API answers, logs): it
 * names the repository and says what went wrong, with git's own words
 * appended after credentials and URL userinfo were scrubbed from them.
 * A DomainError: its kind follows from the reason (KIND below).
 */
import { DomainError, type DomainErrorKind } from '../../core/errors.ts';

export type GitErrorReason =
  /** The URL or revision is malformed or uses a refused protocol. */
  | 'invalid'
  /** The server refused the credentials (or none were given). */
  | 'auth'
  /** The SSH host key is unknown or does not match known_hosts. */
  | 'host-key'
  /** The repository does not exist (or is hidden from these credentials). */
  | 'not-found'
  /** No branch, tag or commit by that name. */
  | 'revision'
  /** DNS, connection, TLS or server (5xx) failure. */
  | 'unreachable'
  /** The git command ran longer than the configured timeout and was killed. */
  | 'timeout'
  /** The tree holds something Berth refuses to hand out (e.g. a symlink leaving it). */
  | 'unsafe-tree'
  | 'other';

/**
 * What each reason means to a caller of Berth: a problem with what they asked
 * for is `invalid` or `not_found`; Berth's own access to the repository
 * (credentials, host key) failing is a `precondition_failed` they fix by
 * changing the repository's registration; the server not answering is
 * `unavailable`.
 */
const KIND: Record<GitErrorReason, DomainErrorKind> = {
  invalid: 'invalid',
  auth: 'precondition_failed',
  'host-key': 'precondition_failed',
  'not-found': 'not_found',
  revision: 'not_found',
  unreachable: 'unavailable',
  timeout: 'unavailable',
  'unsafe-tree': 'invalid',
  other: 'unavailable',
};

export class GitError extends DomainError {
  override readonly name = 'GitError';
  readonly reason: GitErrorReason;
  /** The repository URL as given (without userinfo). */
  readonly url: string;

  constructor(reason: GitErrorReason, url: string, message: string) {
    super(KIND[reason], message);
    this.reason = reason;
    this.url = url;
  }
}

/** Removes `user:password@` from every URL in `text`. */
export function scrubUserinfo(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s'"]*@/gi, '$1');
}

/**
 * Scrubs URL userinfo and every occurrence of the given secrets (and their
 * URL-encoded forms) from text that may end up in a message or log.
 */
export function scrubSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  let out = scrubUserinfo(text);
  for (const secret of secrets) {
    if (!secret || secret.length < 1) continue;
    for (const form of new Set([secret, encodeURIComponent(secret)])) out = out.split(form).join('***');
    // Multi-line secrets (private keys): scrub each substantial line too.
    if (secret.includes('\n')) {
      for (const line of secret.split('\n')) if (line.trim().length >= 16) out = out.split(line.trim()).join('***');
    }
  }
  return out;
}
