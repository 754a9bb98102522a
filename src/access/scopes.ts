/**
 * Docker registry token scopes: `repository:<name>:pull,push,delete,*` and
 * `registry:catalog:*`.
 */
import { isValidRepositoryName } from '../oci/names.ts';

export type Action = 'pull' | 'push' | 'delete' | '*';

export interface Access {
  type: 'repository' | 'registry';
  name: string;
  actions: string[];
}

const KNOWN_ACTIONS = new Set(['pull', 'push', 'delete', '*']);

/**
 * Parses the `scope` query values of a token request. Scopes that are
 * malformed, of unknown types or with invalid names are dropped (they can
 * only ever be granted nothing).
 */
export function parseScopes(values: string[]): Access[] {
  const result: Access[] = [];
  for (const value of values) {
    for (const scope of value.split(' ')) {
      const first = scope.indexOf(':');
      const lastColon = scope.lastIndexOf(':');
      if (first < 0 || lastColon === first) continue;
      const type = scope.slice(0, first).replace(/\(.*\)$/, '');
      const name = scope.slice(first + 1, lastColon);
      const actions = [...new Set(scope.slice(lastColon + 1).split(',').filter((a) => KNOWN_ACTIONS.has(a)))];
      if (actions.length === 0) continue;
      if (type === 'repository' && isValidRepositoryName(name)) result.push({ type, name, actions });
      else if (type === 'registry' && name === 'catalog') result.push({ type, name, actions: ['*'] });
    }
  }
  return merge(result);
}

export function formatScope(access: Access): string {
  return `${access.type}:${access.name}:${access.actions.join(',')}`;
}

/** True when `granted` includes `action` on the resource. */
export function allows(granted: readonly Access[], type: Access['type'], name: string, action: string): boolean {
  return granted.some((a) => a.type === type && a.name === name && (a.actions.includes(action) || a.actions.includes('*')));
}

function merge(list: Access[]): Access[] {
  const byKey = new Map<string, Access>();
  for (const a of list) {
    const key = `${a.type}:${a.name}`;
    const existing = byKey.get(key);
    if (existing) existing.actions = [...new Set([...existing.actions, ...a.actions])];
    else byKey.set(key, { ...a, actions: [...a.actions] });
  }
  return [...byKey.values()];
}
