/**
 * Decides which of the requested registry accesses a principal gets. The
 * token service, Basic-auth requests and the catalog filter all ask the same
 * authorizer. This one knows the admin account and the anonymous-pull
 * setting; projects, roles and robots plug in behind the same interface.
 */
import type { Access } from './scopes.ts';
import type { Principal } from './principal.ts';

export interface Authorizer {
  /** The subset of `requested` that `principal` may have. */
  grant(principal: Principal, requested: readonly Access[]): Promise<Access[]>;
}

export class AdminOnlyAuthorizer implements Authorizer {
  readonly #anonymousPull: boolean;
  constructor(options: { anonymousPull: boolean }) {
    this.#anonymousPull = options.anonymousPull;
  }

  grant(principal: Principal, requested: readonly Access[]): Promise<Access[]> {
    if (principal.admin) return Promise.resolve(requested.map((a) => ({ ...a, actions: [...a.actions] })));
    if (!this.#anonymousPull) return Promise.resolve([]);
    const granted: Access[] = [];
    for (const a of requested) {
      const actions = a.actions.filter((x) => x === 'pull' || (a.type === 'registry' && x === '*'));
      if (actions.length > 0) granted.push({ ...a, actions });
    }
    return Promise.resolve(granted);
  }
}
