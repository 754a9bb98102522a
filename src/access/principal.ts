/** Who is making a request, as every authorization decision sees it. */
export interface Principal {
  kind: 'user' | 'anonymous';
  /** User name; empty for anonymous. */
  name: string;
  admin: boolean;
}

export const ANONYMOUS: Principal = Object.freeze({ kind: 'anonymous', name: '', admin: false });
