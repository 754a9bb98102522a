import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allows, formatScope, parseScopes } from './scopes.ts';

test('parses and merges repository and catalog scopes', () => {
  const s = parseScopes(['repository:team/app:pull', 'repository:team/app:push repository:other:pull,delete', 'registry:catalog:*']);
  assert.deepEqual(s, [
    { type: 'repository', name: 'team/app', actions: ['pull', 'push'] },
    { type: 'repository', name: 'other', actions: ['pull', 'delete'] },
    { type: 'registry', name: 'catalog', actions: ['*'] },
  ]);
  assert.equal(formatScope(s[0]!), 'repository:team/app:pull,push');
});

test('drops invalid names, unknown types and unknown actions', () => {
  assert.deepEqual(parseScopes(['repository:../x:pull', 'repository:Upper:pull', 'bogus:x:pull', 'repository:a:fly', 'nonsense']), []);
});

test('allows honours * and exact matches only', () => {
  const granted = [{ type: 'repository' as const, name: 'a', actions: ['*'] }];
  assert.ok(allows(granted, 'repository', 'a', 'delete'));
  assert.ok(!allows(granted, 'repository', 'a/b', 'pull'));
});
