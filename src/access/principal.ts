/** Who is making a request, as every authorization decision sees it. */
export interface Principal {
  kind: 'user' | 'robot' | 'anonymous';
  /** User or robot name (`robot$…`); empty for anonymous. */
  name: string;
  /** System administrator. */
  admin: boolean;
  /** OIDC groups, as of the user's last sign-in. */
  groups?: readonly string[];
}

export const ANONYMOUS: Principal = Object.freeze({ kind: 'anonymous', name: '', admin: false });

/** The actor fields of audit records. */
export function actorOf(p: Principal): { kind: 'user' | 'robot' | 'anonymous'; name: string } {
  return { kind: p.kind, name: p.name };
}
