import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { PUBLIC_READ, ROLE_PERMISSIONS, ROLES, strongestRole } from './permissions.ts';

test('roles are strictly nested from limitedGuest to projectAdmin', () => {
  for (let i = 0; i + 1 < ROLES.length; i++) {
    const stronger = ROLE_PERMISSIONS[ROLES[i]!];
    const weaker = ROLE_PERMISSIONS[ROLES[i + 1]!];
    for (const p of weaker) assert.ok(stronger.has(p), `${ROLES[i]} lacks ${p} of ${ROLES[i + 1]}`);
    assert.ok(stronger.size > weaker.size);
  }
});

test("Harbor's distinctions hold", () => {
  assert.ok(!ROLE_PERMISSIONS.limitedGuest.has('member:list'));
  assert.ok(ROLE_PERMISSIONS.guest.has('member:list'));
  assert.ok(!ROLE_PERMISSIONS.guest.has('repository:push'));
  assert.ok(ROLE_PERMISSIONS.developer.has('repository:push'));
  assert.ok(!ROLE_PERMISSIONS.developer.has('artifact:delete'));
  assert.ok(ROLE_PERMISSIONS.maintainer.has('artifact:delete'));
  assert.ok(!ROLE_PERMISSIONS.maintainer.has('member:create'));
  assert.ok(!ROLE_PERMISSIONS.maintainer.has('robot:create'));
  assert.ok(ROLE_PERMISSIONS.projectAdmin.has('robot:create'));
  assert.ok(!PUBLIC_READ.includes('repository:push'));
  assert.equal(strongestRole(['guest', 'maintainer', 'developer']), 'maintainer');
});

test('applications: maintainers define them, developers sync them, guests read them, public projects do not expose them', () => {
  for (const r of ROLES) assert.ok(ROLE_PERMISSIONS[r].has('application:read'), `${r} reads applications`);
  assert.ok(!PUBLIC_READ.includes('application:read'));
  assert.ok(!ROLE_PERMISSIONS.guest.has('application:sync'));
  assert.ok(ROLE_PERMISSIONS.developer.has('application:sync'));
  for (const a of ['create', 'update', 'delete'] as const) {
    assert.ok(!ROLE_PERMISSIONS.developer.has(`application:${a}`), `developer lacks application:${a}`);
    assert.ok(ROLE_PERMISSIONS.maintainer.has(`application:${a}`), `maintainer has application:${a}`);
    assert.ok(ROLE_PERMISSIONS.projectAdmin.has(`application:${a}`), `projectAdmin has application:${a}`);
  }
  assert.ok(ROLE_PERMISSIONS.maintainer.has('application:sync'));
});

test('docs/permissions.md is generated from the table', async () => {
  const { renderPermissions } = await import('../../scripts/gen-docs.ts');
  const doc = readFileSync(path.join(import.meta.dirname, '..', '..', 'docs', 'permissions.md'), 'utf8');
  assert.equal(renderPermissions(doc), doc, 'run: node scripts/gen-docs.ts');
});
